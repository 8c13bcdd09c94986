//! Support references (issue 24): each refusal a contact may call about is given a
//! short reference, kept here with what the contact was told, where and in which
//! browser, so that an administrator who types it lands on that attempt. Kept as long
//! as the events; retention prunes both at one cutoff.

use domain::{SupportRef, Timestamp};
use sqlx::FromRow;

use super::sql;
use super::{ContactId, Ex, Store, StoreError, StoreResult, Tx};

/// References read back for one look-up at most: six random symbols meet by chance
/// only rarely, so more than this is a sign of something else.
const SAME_REFERENCE: u32 = 5;

stored_names! {
    /// The step a reference was given at.
    AtStep {
        SendCode => "send_code",
        NewCode => "new_code",
        CodeEntry => "code_entry",
        Message => "message",
    }
}

stored_names! {
    /// What the contact was told.
    Told {
        NoFlow => "no_flow",
        NetworkLimited => "network_limited",
        Locked => "locked",
        Expired => "expired",
        TooManyAttempts => "too_many_attempts",
        WrongCode => "wrong_code",
        OlderCode => "older_code",
        Withdrawn => "withdrawn",
        NotPublished => "not_published",
    }
}

/// A reference to write with its step.
#[derive(Debug, Clone)]
pub struct NewSupportRef {
    pub reference: SupportRef,
    pub step: AtStep,
    pub told: Told,
    pub contact: Option<ContactId>,
    pub flow: Option<i64>,
    /// The email or number typed, or the message id opened (bounded by the caller).
    pub typed: Option<String>,
    pub network: String,
    pub browser: Option<String>,
}

/// A reference as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRefRecord {
    pub reference: SupportRef,
    pub at: Timestamp,
    pub step: AtStep,
    pub told: Told,
    pub contact: Option<ContactId>,
    pub flow: Option<i64>,
    pub typed: Option<String>,
    pub network: String,
    pub browser: Option<String>,
}

#[derive(FromRow)]
struct Row {
    reference: String,
    at: i64,
    step: String,
    told: String,
    contact_id: Option<i64>,
    flow_id: Option<i64>,
    typed: Option<String>,
    network: String,
    browser: Option<String>,
}

const COLUMNS: &str = "reference, at, step, told, contact_id, flow_id, typed, network, browser";

fn record(row: Row) -> StoreResult<SupportRefRecord> {
    let bad = |what: &str, value: &str| StoreError::Corrupt(format!("support reference: unknown {what} {value:?}"));
    Ok(SupportRefRecord {
        reference: SupportRef::parse(&row.reference).ok_or_else(|| bad("reference", &row.reference))?,
        at: Timestamp(row.at),
        step: AtStep::parse(&row.step).ok_or_else(|| bad("step", &row.step))?,
        told: Told::parse(&row.told).ok_or_else(|| bad("notice", &row.told))?,
        contact: row.contact_id.map(ContactId),
        flow: row.flow_id,
        typed: row.typed,
        network: row.network,
        browser: row.browser,
    })
}

/// Stored references, read back strictly.
fn references(found: &[String]) -> StoreResult<Vec<SupportRef>> {
    found.iter().map(|r| SupportRef::parse(r).ok_or_else(|| StoreError::Corrupt(format!("support reference {r:?}")))).collect()
}

async fn insert(ex: Ex<'_>, r: &NewSupportRef, now: Timestamp) -> StoreResult<()> {
    sql("INSERT INTO support_refs (reference, at, step, told, contact_id, flow_id, typed, network, browser)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
    .bind(r.reference.as_str())
    .bind(now.0)
    .bind(r.step.as_str())
    .bind(r.told.as_str())
    .bind(r.contact.map(|c| c.0))
    .bind(r.flow)
    .bind(r.typed.as_deref())
    .bind(r.network.as_str())
    .bind(r.browser.as_deref())
    .execute(ex)
    .await?;
    Ok(())
}

impl Tx {
    /// Writes a reference with the step that gave it.
    pub async fn insert_support_ref(&mut self, r: &NewSupportRef, now: Timestamp) -> StoreResult<()> {
        insert(self.conn(), r, now).await
    }

    /// The newest `limit` references that told `network` `told` after `since`, newest
    /// first.
    pub async fn recent_references(&mut self, network: &str, told: Told, since: Timestamp, limit: u32) -> StoreResult<Vec<SupportRef>> {
        let found: Vec<String> =
            sql("SELECT reference FROM support_refs WHERE network = $1 AND at > $2 AND told = $3 ORDER BY at DESC, id DESC LIMIT $4")
                .bind(network)
                .bind(since.0)
                .bind(told.as_str())
                .bind(i64::from(limit))
                .scalar_all(self.conn())
                .await?;
        references(&found)
    }
}

impl Store {
    /// The attempts a reference names, newest first (almost always one).
    pub async fn support_refs(&self, reference: &SupportRef) -> StoreResult<Vec<SupportRefRecord>> {
        let rows: Vec<Row> =
            sql(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM support_refs WHERE reference = $1 ORDER BY id DESC LIMIT $2")))
                .bind(reference.as_str())
                .bind(i64::from(SAME_REFERENCE))
                .fetch_all(&self.db)
                .await?;
        rows.into_iter().map(record).collect()
    }

    /// The newest `limit` references that told `contact` `told` after `since`, newest
    /// first (a read: a page that refuses looks before it writes aside).
    pub async fn contact_references(&self, contact: ContactId, told: Told, since: Timestamp, limit: u32) -> StoreResult<Vec<SupportRef>> {
        let found: Vec<String> =
            sql("SELECT reference FROM support_refs WHERE contact_id = $1 AND at > $2 AND told = $3 ORDER BY at DESC, id DESC LIMIT $4")
                .bind(contact.0)
                .bind(since.0)
                .bind(told.as_str())
                .bind(i64::from(limit))
                .scalar_all(&self.db)
                .await?;
        references(&found)
    }

    /// Code entries with no login in progress in their browser, from `network` between
    /// `from` and `until` (the newest `limit`, newest first): a code typed in another
    /// browser or a private window.
    pub async fn entries_without_a_login(
        &self,
        network: &str,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<SupportRefRecord>> {
        let rows: Vec<Row> = sql(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM support_refs
             WHERE network = $1 AND at >= $2 AND at <= $3 AND told = $4 AND step = $5 ORDER BY at DESC, id DESC LIMIT $6"
        )))
        .bind(network)
        .bind(from.0)
        .bind(until.0)
        .bind(Told::NoFlow.as_str())
        .bind(AtStep::CodeEntry.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.db)
        .await?;
        rows.into_iter().map(record).collect()
    }
}
