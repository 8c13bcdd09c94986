//! Delivery receipts from the Twilio-compatible provider: `MessageStatus` callbacks,
//! accepted only with a valid `X-Twilio-Signature`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use crate::clock::Clock;
use crate::delivery::sms::twilio_signature;
use crate::store::{Store, What};

pub const TWILIO_STATUS_PATH: &str = "/hooks/twilio/status";

#[derive(Clone)]
struct Receipts {
    store: Store,
    clock: Arc<dyn Clock>,
    auth_token: String,
    /// The URL Twilio was given, exactly: the signature covers it.
    url: String,
}

pub fn routes(store: Store, clock: Arc<dyn Clock>, auth_token: String, public_url: &str) -> Router {
    let state = Receipts { store, clock, auth_token, url: format!("{public_url}{TWILIO_STATUS_PATH}") };
    Router::new().route(TWILIO_STATUS_PATH, post(status)).with_state(state)
}

async fn status(State(r): State<Receipts>, headers: HeaderMap, Form(params): Form<Vec<(String, String)>>) -> StatusCode {
    let given = headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    let expected = twilio_signature(&r.auth_token, &r.url, &params);
    // Compared through HMAC-free constant-time equality of the two base64 strings.
    if expected.is_empty() || !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        tracing::warn!("delivery receipt with a bad signature refused");
        return StatusCode::FORBIDDEN;
    }
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let (Some(sid), Some(state)) = (get("MessageSid"), get("MessageStatus")) else {
        return StatusCode::BAD_REQUEST;
    };
    let delivered = match state {
        "delivered" => true,
        "undelivered" | "failed" => false,
        // queued, sending, sent, accepted…: nothing final to record.
        _ => return StatusCode::NO_CONTENT,
    };
    let error = get("ErrorCode").map(|code| format!("provider error code {code}"));
    match r.store.record_receipt("twilio", sid, delivered, error.as_deref(), r.clock.now_ms()).await {
        Ok(Some((job, contact))) => {
            let what = What::DeliveryReceipt { job, status: state.to_string(), error_code: get("ErrorCode").map(str::to_string) };
            if let Err(e) = r.store.record_event(contact, what, r.clock.now()).await {
                tracing::error!(error = %e, "recording a delivery receipt event failed");
            }
            StatusCode::NO_CONTENT
        }
        // Unknown message: acknowledged, so the provider does not retry forever.
        Ok(None) => StatusCode::NO_CONTENT,
        Err(e) => {
            tracing::error!(error = %e, "recording a delivery receipt failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
