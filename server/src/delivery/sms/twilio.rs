//! The Twilio Messages API (and compatible providers, by base URL).

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};

use super::super::{Delivery, DeliveryFuture, Outgoing, Receipt};
use domain::Channel;

pub const PROVIDER: &str = "twilio";

#[derive(Clone)]
pub struct TwilioSettings {
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    /// A sender number, or a messaging service (`MG…`).
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    /// Where Twilio posts delivery receipts (our `/hooks/twilio/status`).
    pub status_callback: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for TwilioSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioSettings").field("base_url", &self.base_url).field("account_sid", &self.account_sid).finish_non_exhaustive()
    }
}

pub struct Twilio {
    settings: TwilioSettings,
    client: reqwest::Client,
}

impl Twilio {
    pub fn new(settings: TwilioSettings) -> Result<Self, String> {
        if settings.from.is_none() && settings.messaging_service_sid.is_none() {
            return Err("Twilio needs TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID".into());
        }
        let client = super::client(settings.timeout)?;
        Ok(Twilio { settings, client })
    }
}

#[derive(serde::Deserialize)]
struct Created {
    sid: String,
    status: Option<String>,
}

impl Delivery for Twilio {
    fn send<'a>(&'a self, message: &'a Outgoing) -> DeliveryFuture<'a> {
        Box::pin(async move {
            let s = &self.settings;
            let url = format!("{}/2010-04-01/Accounts/{}/Messages.json", s.base_url.trim_end_matches('/'), s.account_sid);
            let mut form = vec![("To", message.to.as_str()), ("Body", message.body.as_str())];
            match (&s.messaging_service_sid, &s.from) {
                (Some(service), _) => form.push(("MessagingServiceSid", service)),
                (None, Some(from)) => form.push(("From", from)),
                (None, None) => {}
            }
            if let Some(callback) = &s.status_callback {
                form.push(("StatusCallback", callback));
            }
            let response =
                self.client.post(url).basic_auth(&s.account_sid, Some(&s.auth_token)).form(&form).send().await.map_err(super::network)?;
            let status = response.status();
            let body = response.text().await.map_err(super::network)?;
            if !status.is_success() {
                return Err(super::classify(status, &body));
            }
            let created: Option<Created> = serde_json::from_str(&body).ok();
            let state = created.as_ref().and_then(|c| c.status.as_deref()).map(|s| format!(", {s}")).unwrap_or_default();
            let answer = Some(format!("HTTP {}{state}", status.as_u16()));
            Ok(Receipt { provider: PROVIDER, provider_message_id: created.map(|c| c.sid), outbox: None, answer })
        })
    }

    fn provider_for(&self, _: Channel) -> &'static str {
        PROVIDER
    }
}

/// Twilio's request signature: HMAC-SHA1 over the full URL followed by every POST
/// parameter (name then value, sorted by name), base64-encoded.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut data = url.to_string();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = match <Hmac<sha1::Sha1> as Mac>::new_from_slice(auth_token.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_twilios_documented_example() {
        // The example from Twilio's "Webhooks security" documentation.
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    }
}
