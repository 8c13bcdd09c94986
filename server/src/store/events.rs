use super::db::values;
use super::sql;
use super::{ContactId, NotSent, Store, StoreResult, Tx, What};
use domain::Timestamp;

/// Declares the event kinds once: the enum, the name each is stored under, and the list
/// of them all (so reading a stored name back cannot miss a kind).
macro_rules! event_kinds {
    ($($(#[$doc:meta])* $kind:ident => $name:literal,)*) => {
        /// What the event log records. The administrator reads these on a contact's card.
        /// Written and read as this type: a stored name no kind has is an error.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventKind {
            $($(#[$doc])* $kind,)*
        }

        impl EventKind {
            pub const ALL: &'static [EventKind] = &[$(EventKind::$kind,)*];

            /// The name the log stores.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$kind => $name,)*
                }
            }
        }
    };
}

event_kinds! {
    CodeRequested => "code_requested",
    /// Handed to the delivery worker.
    CodeQueued => "code_queued",
    /// A provider took the message.
    CodeSent => "code_sent",
    /// A request that sent nothing: unknown identifier, opted out, or no such channel.
    CodeNotSent => "code_not_sent",
    DeliveryFailed => "delivery_failed",
    /// A temporary failure; the worker tries again.
    DeliveryRetrying => "delivery_retrying",
    /// Not sent before the code expired.
    DeliveryExpired => "delivery_expired",
    /// A provider's delivery receipt: delivered or not.
    DeliveryReceipt => "delivery_receipt",
    VerificationFailed => "verification_failed",
    LoginSucceeded => "login_succeeded",
    DeviceRecognised => "device_recognised",
    DeviceExpired => "device_expired",
    LoggedOut => "logged_out",
    MessageRefused => "message_refused",
    NetworkLimited => "network_limited",
    /// The hourly SMS budget is spent: an alert for operators.
    SmsBudgetSpent => "sms_budget_spent",
    ContactRemoved => "contact_removed",
    /// A contact opted out of or into a channel.
    OptOutChanged => "opt_out_changed",
    /// Codes used up because their contact opted out or was removed.
    CodesWithdrawn => "codes_withdrawn",
    /// An administrator account was added, removed or given a new password.
    AdminAccount => "admin_account",
    AdminLoggedIn => "admin_logged_in",
    AdminLoginFailed => "admin_login_failed",
    AdminLoggedOut => "admin_logged_out",
    /// An administrator searched the contacts, or opened a contact's card.
    AdminLookup => "admin_lookup",
    /// An administrator made the portal forget a contact's browsers.
    DevicesRevoked => "devices_revoked",
    /// A message was published to a contact.
    MessagePublished => "message_published",
    /// The integration API created or changed a contact.
    ContactSaved => "contact_saved",
    /// An API token was made or revoked.
    ApiToken => "api_token",
    /// The integration API created, changed or deleted a message.
    MessageSaved => "message_saved",
    /// A contact saved a passkey after logging in.
    PasskeyAdded => "passkey_added",
    /// A contact logged in with a passkey, no code.
    PasskeyLogin => "passkey_login",
    /// A passkey was refused: unknown, revoked, or its answer did not verify.
    PasskeyRefused => "passkey_refused",
    /// A passkey was removed by its contact or an administrator.
    PasskeyRemoved => "passkey_removed",
    /// An administrator's test message: asked for, then how each try ended.
    TestMessage => "test_message",
    /// A stored row this version could not read (never written as such).
    Unreadable => "unreadable",
}

impl EventKind {
    /// The kind a stored name stands for.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets a test say `e.kind == "code_sent"`; the code matches the variants.
impl PartialEq<&str> for EventKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An entry of the log as read back.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: Timestamp,
    pub contact: Option<ContactId>,
    pub what: What,
}

impl Event {
    pub fn kind(&self) -> EventKind {
        self.what.kind()
    }

    /// The fields as stored (for tests and the API's JSON).
    pub fn detail(&self) -> serde_json::Value {
        self.what.detail()
    }
}

impl Store {
    pub async fn record_event(&self, contact: Option<ContactId>, what: What, now: Timestamp) -> StoreResult<()> {
        sql("INSERT INTO events (at, kind, contact_id, detail) VALUES ($1, $2, $3, $4)")
            .bind(now.0)
            .bind(what.kind().as_str())
            .bind(contact.map(|c| c.0))
            .bind(what.detail().to_string())
            .execute(&self.db)
            .await?;
        measured(&what);
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
             WHERE contact_id = $1 AND at > $2 AND ($3 IS NULL OR id < $3) AND kind <> $5
             ORDER BY id DESC LIMIT $4")
        .bind(contact.0)
        .bind(since.0)
        .bind(before)
        .bind(limit)
        .bind(EventKind::AdminLookup.as_str())
        .fetch_all(&self.db)
        .await?;
        rows.into_iter().map(|(id, at, kind, contact, detail)| Ok((id, decode((at, kind, contact, detail))?))).collect()
    }

    /// The first event of `contact` after `at`: a timeline page before it starts at
    /// that moment.
    pub async fn first_event_after(&self, contact: ContactId, at: Timestamp) -> StoreResult<Option<i64>> {
        Ok(sql("SELECT MIN(id) FROM events WHERE contact_id = $1 AND at > $2").bind(contact.0).bind(at.0).scalar_one(&self.db).await?)
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
    Ok(Event { at: Timestamp(at), contact: contact.map(ContactId), what: What::read(&kind, &detail) })
}

impl Store {
    /// Records an event a page load causes (a look-up, a browser that expired) aside:
    /// see [`Store::aside`].
    pub async fn record_event_aside(&self, what: &'static str, e: NewEvent, now: Timestamp) {
        let store = self.clone();
        self.aside(what, async move { store.record_event(e.contact, e.what, now).await }).await;
    }

    /// Records a refused message, which a request can cause at will, and the support
    /// reference the page gave, only while its contact has fewer than `per_hour` of
    /// them in the last hour.
    pub async fn record_refused_message(
        &self,
        e: NewEvent,
        reference: &super::NewSupportRef,
        now: Timestamp,
        per_hour: u32,
    ) -> StoreResult<()> {
        let key = super::Key::Contact(e.contact.unwrap_or(ContactId(0)));
        let scope = super::Scope::MessageRefusals;
        let mut tx = self.begin().await?;
        if tx.count_hits(scope, &key, Timestamp(now.0 - 3600)).await? < per_hour {
            tx.record_hits(&[(scope, key)], now).await?;
            tx.record_events(&[e], now).await?;
            tx.insert_support_ref(reference, now).await?;
        }
        tx.commit().await
    }
}

/// An event to write in a step's transaction.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub contact: Option<ContactId>,
    pub what: What,
}

impl NewEvent {
    pub fn new(contact: Option<ContactId>, what: What) -> NewEvent {
        NewEvent { contact, what }
    }
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
            insert = insert.bind(now.0).bind(e.what.kind().as_str()).bind(e.contact.map(|c| c.0)).bind(e.what.detail().to_string());
        }
        self.defer(insert);
        self.wrote(events);
        Ok(())
    }
}

/// Counts a committed event in the metrics (`crate::metrics`): labels from fixed sets
/// only (a channel, a provider, a reason's stored name).
pub(super) fn measured(what: &What) {
    let m = crate::metrics::get();
    match what {
        What::CodeRequested { channel, .. } => m.code_requested(channel.as_str()),
        What::CodeSent { channel, provider, .. } => m.code_sent(channel.as_str(), provider),
        What::CodeNotSent { channel, reason } => {
            m.code_not_sent(channel.as_str(), &super::what::stored_name(reason));
            // Every request a limit refused (the alert event is written once an hour).
            match reason {
                NotSent::IdentifierLimit => m.limit_hit("identifier"),
                NotSent::SmsPrefixLimit => m.limit_hit("sms_prefix"),
                NotSent::SmsBudgetSpent => m.limit_hit("sms_budget"),
                _ => {}
            }
        }
        What::LoginSucceeded { .. } => m.login("code"),
        What::PasskeyLogin { .. } => m.login("passkey"),
        What::VerificationFailed { reason, .. } => m.verification_failed(&super::what::stored_name(reason)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::EventKind;

    #[test]
    fn every_kind_is_stored_under_a_name_of_its_own_and_read_back_as_itself() {
        let mut names = std::collections::BTreeSet::new();
        for kind in EventKind::ALL {
            assert!(names.insert(kind.as_str()), "{kind:?} shares its name");
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(EventKind::parse("code_snet"), None, "a name no kind has is not guessed at");
    }
}
