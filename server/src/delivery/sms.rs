//! Text messages: a Twilio-compatible REST API or a generic JSON webhook.

mod twilio;
mod webhook;

pub use twilio::{Twilio, TwilioSettings, signature as twilio_signature};
pub use webhook::Webhook;

use super::DeliveryError;

/// How an HTTP provider's answer maps to retry or not: 408, 429 and 5xx are worth
/// another try; other 4xx (a bad number, bad credentials) are not.
fn classify(status: reqwest::StatusCode, body: &str) -> DeliveryError {
    let text = format!("HTTP {}: {}", status.as_u16(), body.chars().take(300).collect::<String>());
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS || status == reqwest::StatusCode::REQUEST_TIMEOUT {
        DeliveryError::Temporary(text)
    } else {
        DeliveryError::Permanent(text)
    }
}

/// Network errors (refused, timed out) are temporary.
fn network(e: reqwest::Error) -> DeliveryError {
    DeliveryError::Temporary(format!("request failed: {e}"))
}

fn client(timeout: std::time::Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder().timeout(timeout).build().map_err(|e| format!("HTTP client: {e}"))
}
