//! `/dev/outbox`: what the dev delivery "sent", for people and for tests. Only
//! mounted when `PORTAL_DELIVERY=dev`; otherwise both paths are 404.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Json, Response};
use axum::routing::get;
use domain::html::escape;
use serde::Serialize;

use crate::store::{OutboxEntry, Store};

#[derive(Serialize)]
struct Item {
    channel: &'static str,
    to: String,
    subject: String,
    body: String,
    created_at: String,
}

pub fn routes(store: Store) -> Router {
    Router::new().route("/dev/outbox", get(page)).route("/dev/outbox.json", get(json)).with_state(store)
}

async fn entries(store: &Store) -> Result<Vec<OutboxEntry>, Response> {
    store.outbox().await.map_err(|e| {
        tracing::error!(error = %e, "reading the dev outbox failed");
        (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
    })
}

async fn json(State(store): State<Store>) -> Response {
    match entries(&store).await {
        Ok(list) => Json(
            list.into_iter()
                .map(|e| Item {
                    channel: e.channel.as_str(),
                    to: e.recipient,
                    subject: e.subject,
                    body: e.body,
                    created_at: e.created_at.rfc3339(),
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(r) => r,
    }
}

async fn page(State(store): State<Store>) -> Response {
    let list = match entries(&store).await {
        Ok(list) => list,
        Err(r) => return r,
    };
    let rows: String = list
        .iter()
        .rev()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>",
                escape(&e.created_at.utc()),
                e.channel.as_str(),
                escape(&e.recipient),
                escape(&e.body)
            )
        })
        .collect();
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Dev outbox</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\">\
         <link rel=\"icon\" href=\"/pkg/favicon.svg\" type=\"image/svg+xml\"></head>\
         <body><main class=\"card wide\"><h1>Dev outbox</h1>\
         <p>Messages the portal would have sent, newest first. Delivery is set to <code>dev</code>, so nothing leaves this machine.</p>\
         <table><thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Channel</th><th scope=\"col\">To</th><th scope=\"col\">Message</th></tr></thead>\
         <tbody>{rows}</tbody></table><p><a href=\"/login\">Log in</a></p></main></body></html>"
    ))
    .into_response()
}
