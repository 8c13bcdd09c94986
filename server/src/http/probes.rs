//! The probes a load balancer or an orchestrator asks. `/healthz` (liveness): the
//! process answers. `/readyz` (readiness): it can reach its database within a second,
//! and its delivery workers are running; its body also says how long the oldest due
//! message has waited. Both read only and take no lock.
//!
//! A slow outbox does not make a process unready: every process shares the queue, so
//! a provider that is down would take every process out of the balancer and the pages
//! with it. It is in the body for whoever watches (and in delivery health).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::clock::Clock;
use crate::delivery::Worker;
use crate::store::Store;

/// How long the database may take to answer the probe.
const DATABASE_WAIT: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Probes {
    pub store: Store,
    pub worker: Worker,
    pub clock: Arc<dyn Clock>,
    /// How long a worker may go without going round its loop ([`Probes::silence`]).
    pub silence: Duration,
}

impl Probes {
    /// Well past an idle worker's look (every `poll`) and a send (which the provider's
    /// timeout bounds), and never under two minutes.
    pub fn silence(poll: Duration, provider_timeout: Duration) -> Duration {
        (poll * 2 + provider_timeout).max(Duration::from_secs(120))
    }
}

pub async fn readyz(State(p): State<Probes>) -> Response {
    let now_ms = p.clock.now_ms();
    let (database, oldest) = match tokio::time::timeout(DATABASE_WAIT, p.store.outbox_now(now_ms)).await {
        Ok(Ok((_, oldest))) => (true, oldest),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database did not answer");
            (false, None)
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer within a second");
            (false, None)
        }
    };
    let workers = p.worker.running(p.silence);
    let waited = match oldest {
        Some(due) => format!("{} s", (now_ms - due).max(0) / 1000),
        None if database => "none waiting".to_string(),
        None => "unknown".to_string(),
    };
    let body = format!(
        "database: {}\ndelivery workers: {}\noldest due message: {waited}\n",
        if database { "ok" } else { "unreachable" },
        if workers { "running" } else { "not running" },
    );
    let status = if database && workers { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(axum::http::header::CACHE_CONTROL, "no-store")], body).into_response()
}
