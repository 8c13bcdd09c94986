//! `/metrics` for Prometheus, on its own listener (`PORTAL_METRICS_ADDR`). The
//! public listener's requests are timed at its edge (`edge.rs`).

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::clock::Clock;
use crate::store::Store;

#[derive(Clone)]
struct Scrape {
    store: Store,
    clock: std::sync::Arc<dyn Clock>,
}

/// The metrics listener's routes: `/metrics` only. The outbox is read as it is
/// scraped (one aggregate on the queue's index); a database that does not answer
/// leaves the last values.
pub fn router(store: Store, clock: std::sync::Arc<dyn Clock>) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(Scrape { store, clock })
}

async fn scrape(State(s): State<Scrape>) -> Response {
    let now_ms = s.clock.now_ms();
    let read = tokio::time::timeout(std::time::Duration::from_secs(1), s.store.outbox_now(now_ms)).await;
    match read {
        Ok(Ok((depth, oldest_due_ms))) => crate::metrics::get().outbox(depth, oldest_due_ms.map_or(0, |due| (now_ms - due).max(0) / 1000)),
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: the outbox could not be read"),
        Err(_) => tracing::warn!("metrics: the outbox could not be read within a second"),
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], crate::metrics::get().render()).into_response()
}
