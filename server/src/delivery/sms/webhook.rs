//! A generic SMS gateway: `POST <url>` with `{"to", "body"}` as JSON, a bearer token,
//! and an `Idempotency-Key` that is the same for every try of one job.

use std::time::Duration;

use super::super::{Delivery, DeliveryFuture, Outgoing, Receipt};
use domain::Channel;

pub const PROVIDER: &str = "webhook";

pub struct Webhook {
    url: String,
    token: Option<String>,
    client: reqwest::Client,
}

impl Webhook {
    pub fn new(url: String, token: Option<String>, timeout: Duration) -> Result<Self, String> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!("SMS_WEBHOOK_URL={url:?} is not an http(s) address"));
        }
        Ok(Webhook { url, token, client: super::client(timeout)? })
    }
}

#[derive(serde::Deserialize)]
struct Accepted {
    id: Option<serde_json::Value>,
}

impl Delivery for Webhook {
    fn send<'a>(&'a self, message: &'a Outgoing) -> DeliveryFuture<'a> {
        Box::pin(async move {
            let mut request = self
                .client
                .post(&self.url)
                .header("Idempotency-Key", &message.key)
                .json(&serde_json::json!({ "to": message.to, "body": message.body }));
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.map_err(super::network)?;
            let status = response.status();
            let body = response.text().await.map_err(super::network)?;
            if !status.is_success() {
                return Err(super::classify(status, &body));
            }
            let id = serde_json::from_str::<Accepted>(&body).ok().and_then(|a| a.id).map(|id| match id {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
            Ok(Receipt { provider: PROVIDER, provider_message_id: id, outbox: None, answer: Some(format!("HTTP {}", status.as_u16())) })
        })
    }

    fn provider_for(&self, _: Channel) -> &'static str {
        PROVIDER
    }
}
