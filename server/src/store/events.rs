use super::db::values;
use super::sql;
use super::{ContactId, Store, StoreResult, Tx};
use crate::domain::Timestamp;

/// What the event log records. The administrator reads these on a contact's card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    CodeRequested,
    /// Handed to the delivery worker.
    CodeQueued,
    /// A provider took the message.
    CodeSent,
    /// A request that sent nothing: unknown identifier, opted out, or no such channel.
    CodeNotSent,
    DeliveryFailed,
    /// A temporary failure; the worker tries again.
    DeliveryRetrying,
    /// Not sent before the code expired.
    DeliveryExpired,
    /// A provider's delivery receipt: delivered or not.
    DeliveryReceipt,
    VerificationFailed,
    LoginSucceeded,
    DeviceRecognised,
    DeviceExpired,
    LoggedOut,
    MessageRefused,
    NetworkLimited,
    /// The hourly SMS budget is spent: an alert for operators.
    SmsBudgetSpent,
    ContactRemoved,
    /// A contact opted out of or into a channel.
    OptOutChanged,
    /// Codes used up because their contact opted out or was removed.
    CodesWithdrawn,
    /// An administrator account was added, removed or given a new password.
    AdminAccount,
    AdminLoggedIn,
    AdminLoginFailed,
    AdminLoggedOut,
    /// An administrator searched the contacts, or opened a contact's card.
    AdminLookup,
    /// An administrator made the portal forget a contact's browsers.
    DevicesRevoked,
    /// A message was published to a contact.
    MessagePublished,
    /// The integration API created or changed a contact.
    ContactSaved,
    /// An API token was made or revoked.
    ApiToken,
    /// The integration API created, changed or deleted a message.
    MessageSaved,
    /// A contact saved a passkey after logging in.
    PasskeyAdded,
    /// A contact logged in with a passkey, no code.
    PasskeyLogin,
    /// A passkey was refused: unknown, revoked, or its answer did not verify.
    PasskeyRefused,
    /// A passkey was removed by its contact or an administrator.
    PasskeyRemoved,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::CodeRequested => "code_requested",
            EventKind::CodeQueued => "code_queued",
            EventKind::CodeSent => "code_sent",
            EventKind::CodeNotSent => "code_not_sent",
            EventKind::DeliveryFailed => "delivery_failed",
            EventKind::DeliveryRetrying => "delivery_retrying",
            EventKind::DeliveryExpired => "delivery_expired",
            EventKind::DeliveryReceipt => "delivery_receipt",
            EventKind::VerificationFailed => "verification_failed",
            EventKind::LoginSucceeded => "login_succeeded",
            EventKind::DeviceRecognised => "device_recognised",
            EventKind::DeviceExpired => "device_expired",
            EventKind::LoggedOut => "logged_out",
            EventKind::MessageRefused => "message_refused",
            EventKind::NetworkLimited => "network_limited",
            EventKind::SmsBudgetSpent => "sms_budget_spent",
            EventKind::ContactRemoved => "contact_removed",
            EventKind::OptOutChanged => "opt_out_changed",
            EventKind::CodesWithdrawn => "codes_withdrawn",
            EventKind::AdminAccount => "admin_account",
            EventKind::AdminLoggedIn => "admin_logged_in",
            EventKind::AdminLoginFailed => "admin_login_failed",
            EventKind::AdminLoggedOut => "admin_logged_out",
            EventKind::AdminLookup => "admin_lookup",
            EventKind::DevicesRevoked => "devices_revoked",
            EventKind::MessagePublished => "message_published",
            EventKind::ContactSaved => "contact_saved",
            EventKind::ApiToken => "api_token",
            EventKind::MessageSaved => "message_saved",
            EventKind::PasskeyAdded => "passkey_added",
            EventKind::PasskeyLogin => "passkey_login",
            EventKind::PasskeyRefused => "passkey_refused",
            EventKind::PasskeyRemoved => "passkey_removed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    pub at: Timestamp,
    pub kind: String,
    pub contact: Option<ContactId>,
    pub detail: serde_json::Value,
}

impl Store {
    pub async fn record_event(
        &self,
        kind: EventKind,
        contact: Option<ContactId>,
        detail: serde_json::Value,
        now: Timestamp,
    ) -> StoreResult<()> {
        sql("INSERT INTO events (at, kind, contact_id, detail) VALUES ($1, $2, $3, $4)")
            .bind(now.0)
            .bind(kind.as_str())
            .bind(contact.map(|c| c.0))
            .bind(detail.to_string())
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// A contact's newest `limit` events since `since`, oldest first: what a card or a
    /// diagnosis reads, bounded however many a contact has.
    pub async fn recent_events(&self, contact: ContactId, since: Timestamp, limit: u32) -> StoreResult<Vec<Event>> {
        let mut rows: Vec<(i64, String, Option<i64>, String)> =
            sql("SELECT at, kind, contact_id, detail FROM events WHERE contact_id = $1 AND at > $2 ORDER BY id DESC LIMIT $3")
                .bind(contact.0)
                .bind(since.0)
                .bind(limit)
                .fetch_all(&self.db)
                .await?;
        rows.reverse();
        rows.into_iter().map(decode).collect()
    }

    /// A page of a contact's timeline since `since`, newest first, with each event's id:
    /// up to `limit` events, before event `before` when given. Look-ups by
    /// administrators are left out (the card would fill with its own openings).
    pub async fn timeline_page(
        &self,
        contact: ContactId,
        since: Timestamp,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<(i64, Event)>> {
        let rows: Vec<(i64, i64, String, Option<i64>, String)> = sql("SELECT id, at, kind, contact_id, detail FROM events
             WHERE contact_id = $1 AND at > $2 AND ($3 IS NULL OR id < $3) AND kind <> 'admin_lookup'
             ORDER BY id DESC LIMIT $4")
        .bind(contact.0)
        .bind(since.0)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        rows.into_iter().map(|(id, at, kind, contact, detail)| Ok((id, decode((at, kind, contact, detail))?))).collect()
    }

    /// The events of one contact (or all, with `None`), oldest first.
    pub async fn events(&self, contact: Option<ContactId>) -> StoreResult<Vec<Event>> {
        let rows: Vec<(i64, String, Option<i64>, String)> =
            sql("SELECT at, kind, contact_id, detail FROM events WHERE ($1 IS NULL OR contact_id = $1) ORDER BY id")
                .bind(contact.map(|c| c.0))
                .fetch_all(&self.db)
                .await?;
        rows.into_iter().map(decode).collect()
    }
}

fn decode((at, kind, contact, detail): (i64, String, Option<i64>, String)) -> StoreResult<Event> {
    let detail = serde_json::from_str(&detail).map_err(|e| super::StoreError::Corrupt(format!("event detail: {e}")))?;
    Ok(Event { at: Timestamp(at), kind, contact: contact.map(ContactId), detail })
}

impl Store {
    /// Records a refused message, which a request can cause at will, only while its
    /// contact has fewer than `per_hour` of them in the last hour.
    pub async fn record_refused_message(&self, e: NewEvent, now: Timestamp, per_hour: u32) -> StoreResult<()> {
        let key = super::Key::Contact(e.contact.unwrap_or(ContactId(0)));
        let scope = super::Scope::MessageRefusals;
        let mut tx = self.begin_plain().await?;
        if tx.count_hits(scope, &key, Timestamp(now.0 - 3600)).await? < per_hour {
            tx.record_hits(&[(scope, key)], now).await?;
            tx.record_events(&[e], now).await?;
        }
        tx.commit().await
    }
}

/// An event to write in a step's transaction.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub contact: Option<ContactId>,
    pub detail: serde_json::Value,
}

impl Tx {
    /// Writes a step's events in one statement, in order.
    pub async fn record_events(&mut self, events: &[NewEvent], now: Timestamp) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut insert =
            sql(sqlx::AssertSqlSafe(format!("INSERT INTO events (at, kind, contact_id, detail) VALUES {}", values(events.len(), 4))));
        for e in events {
            insert = insert.bind(now.0).bind(e.kind.as_str()).bind(e.contact.map(|c| c.0)).bind(e.detail.to_string());
        }
        insert.execute(self.conn()).await?;
        Ok(())
    }
}
