//! Sending limits (per identifier, SMS fraud) and the per-contact failure lock. None
//! of them shows in the answer to "Send code": a throttled request looks accepted.

use app::types::Channel;
use serde_json::json;

use super::LoginService;
use super::rules;
use super::service::ServiceError;
use crate::domain::{Identifier, PhoneNumber, Timestamp};
use crate::store::{ContactId, EventKind};

const DAY: i64 = 86_400;
const HOUR: i64 = 3600;

/// Whom limits count for: the contact when there is one (so its email and phone share
/// limits), otherwise the identifier as typed, normalised. Unregistered identifiers
/// are limited the same way, so limits reveal nothing.
pub fn subject(contact: Option<ContactId>, identifier: Option<&Identifier>, typed: &str) -> String {
    match (contact, identifier) {
        (Some(c), _) => format!("contact:{}", c.0),
        (None, Some(id)) => format!("id:{id}"),
        (None, None) => format!("typed:{}", typed.trim().to_lowercase()),
    }
}

impl LoginService {
    /// Why nothing may be sent for this request, if so; when something may, counts it.
    pub(super) async fn send_refusal(&self, who: &str, channel: Channel, address: Option<&str>) -> Result<Option<&'static str>, ServiceError> {
        let now = self.now();
        let l = &self.limits;
        let sent = self.store.hits_since("identifier", who, Timestamp(now.0 - DAY)).await?;
        if rules::identifier_throttled(&sent, now, l.identifier_min_interval, l.identifier_codes_per_hour, l.identifier_codes_per_day) {
            return Ok(Some("identifier_limit"));
        }
        self.store.record_hit("identifier", who, now).await?;
        let (Channel::Sms, Some(to)) = (channel, address) else {
            return Ok(None);
        };
        let phone = PhoneNumber::from_e164(to.to_string());
        if !phone.calling_code().is_some_and(|c| l.sms_countries.contains(&c)) {
            return Ok(Some("sms_country_not_allowed"));
        }
        let hour_ago = Timestamp(now.0 - HOUR);
        if self.store.hits_since("sms_prefix", phone.prefix(), hour_ago).await?.len() >= l.sms_prefix_per_hour as usize {
            return Ok(Some("sms_prefix_limit"));
        }
        if self.store.hits_since("sms", "all", hour_ago).await?.len() >= l.sms_per_hour as usize {
            self.sms_budget_alert().await?;
            return Ok(Some("sms_budget_spent"));
        }
        self.store.record_hit("sms_prefix", phone.prefix(), now).await?;
        self.store.record_hit("sms", "all", now).await?;
        Ok(None)
    }

    /// Once an hour at most: the SMS budget is spent. Email keeps working.
    async fn sms_budget_alert(&self) -> Result<(), ServiceError> {
        let now = self.now();
        if self.store.hits_since("sms_alert", "all", Timestamp(now.0 - HOUR)).await?.is_empty() {
            self.store.record_hit("sms_alert", "all", now).await?;
            tracing::error!(budget = self.limits.sms_per_hour, "ALERT: the hourly SMS budget is spent; SMS codes stop until it frees up");
            self.event(EventKind::SmsBudgetSpent, None, json!({ "per_hour": self.limits.sms_per_hour })).await?;
        }
        Ok(())
    }

    /// When the subject's failed verifications reached the daily limit: until when.
    pub(super) async fn locked_until(&self, who: &str) -> Result<Option<Timestamp>, ServiceError> {
        let now = self.now();
        let failures = self.store.hits_since("failure", who, Timestamp(now.0 - DAY)).await?;
        Ok(rules::locked_until(&failures, now, self.limits.contact_failures_per_day))
    }

    pub(super) async fn record_failure(&self, who: &str) -> Result<(), ServiceError> {
        Ok(self.store.record_hit("failure", who, self.now()).await?)
    }
}
