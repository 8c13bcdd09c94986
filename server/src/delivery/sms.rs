//! Text messages: a Twilio-compatible REST API or a generic JSON webhook.

mod twilio;
mod webhook;

pub use twilio::{Twilio, TwilioSettings, signature as twilio_signature};
pub use webhook::Webhook;

use super::DeliveryError;

/// How an HTTP provider's answer maps to retry or not: 408, 429 and 5xx are worth
/// another try; other 4xx (a bad number, bad credentials) are not. The record keeps
/// the status and the provider's numeric error code, never the body: a gateway may
/// echo the message, code included.
fn classify(status: reqwest::StatusCode, body: &str) -> DeliveryError {
    #[derive(serde::Deserialize)]
    struct ProviderError {
        code: Option<u32>,
    }
    let code = serde_json::from_str::<ProviderError>(body).ok().and_then(|e| e.code);
    let text = match code {
        Some(code) => format!("HTTP {} (provider error {code})", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    };
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS || status == reqwest::StatusCode::REQUEST_TIMEOUT {
        DeliveryError::Temporary(text)
    } else {
        DeliveryError::Permanent(text)
    }
}

/// Network errors (refused, timed out) are temporary. Said without the URL, which
/// may carry credentials or a token in its query.
fn network(e: reqwest::Error) -> DeliveryError {
    DeliveryError::Temporary(format!("request failed: {}", e.without_url()))
}

fn client(timeout: std::time::Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder().timeout(timeout).build().map_err(|e| format!("HTTP client: {e}"))
}
