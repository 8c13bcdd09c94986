//! Login flows and their codes as stored. Every method runs inside the transaction of
//! one login step (see `tx.rs`); the rules that decide what to write are in
//! `crate::login::flow`.

use domain::Channel;
use sqlx::FromRow;

use super::jobs::JobPurpose;
use super::sql;
use super::{ClaimedJob, ContactId, Ex, NewJob, Store, StoreError, StoreResult, Tx, stored_channel};
use domain::Timestamp;

/// Whether a login was started from a browser or network the contact used before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    Familiar,
    Stranger,
}

impl Trust {
    pub fn as_str(self) -> &'static str {
        match self {
            Trust::Familiar => "familiar",
            Trust::Stranger => "stranger",
        }
    }

    fn parse(s: &str) -> StoreResult<Trust> {
        match s {
            "familiar" => Ok(Trust::Familiar),
            "stranger" => Ok(Trust::Stranger),
            other => Err(StoreError::Corrupt(format!("trust {other:?}"))),
        }
    }
}

/// One browser's login as stored, with its codes newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRecord {
    pub id: i64,
    /// As typed, echoed back to the same browser only.
    pub identifier: String,
    pub channel: Channel,
    pub contact: Option<ContactId>,
    pub trust: Trust,
    pub completed: bool,
    /// What the last step said (JSON of `login::Outcome`), not yet shown.
    pub outcome: Option<String>,
    pub codes: Vec<CodeRecord>,
}

/// One request of a flow and the code slot it linked to. A slot is shared by every
/// browser that asked for the same sender, channel and trust pool while its code could
/// log in; its digits are derived from the server key and the slot (see
/// `Keyring::slot_code`). A slot whose code was never sent (unregistered, opted out,
/// no such channel, throttled) counts attempts and expires alike, so the two cannot be
/// told apart from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    /// The request (a `login_codes` row).
    pub id: i64,
    pub slot: i64,
    /// The slot's creation, part of what its digits are derived from.
    pub slot_created_at: Timestamp,
    pub channel: Channel,
    /// Whether the slot's code was ever sent (by this request or another).
    pub sent: bool,
    /// When this flow asked.
    pub issued_at: Timestamp,
    /// The slot's expiry: a re-send never moves it.
    pub expires_at: Timestamp,
    /// Wrong and right guesses at the slot's code, from every browser that shares it.
    pub attempts: u32,
    /// This flow logged in with it.
    pub consumed: bool,
    /// Used up without a login: its contact opted out of the channel.
    pub withdrawn: bool,
}

#[derive(FromRow)]
struct FlowRow {
    id: i64,
    identifier: String,
    channel: String,
    contact_id: Option<i64>,
    trust: String,
    completed_at: Option<i64>,
    outcome: Option<String>,
}

#[derive(FromRow)]
struct CodeRow {
    id: i64,
    slot_id: i64,
    slot_created_at: i64,
    channel: String,
    sent_at: Option<i64>,
    created_at: i64,
    expires_at: i64,
    attempts: i64,
    consumed_at: Option<i64>,
    withdrawn_at: Option<i64>,
}

impl TryFrom<CodeRow> for CodeRecord {
    type Error = StoreError;
    fn try_from(r: CodeRow) -> StoreResult<CodeRecord> {
        Ok(CodeRecord {
            id: r.id,
            slot: r.slot_id,
            slot_created_at: Timestamp(r.slot_created_at),
            channel: stored_channel(&r.channel)?,
            sent: r.sent_at.is_some(),
            issued_at: Timestamp(r.created_at),
            expires_at: Timestamp(r.expires_at),
            attempts: u32::try_from(r.attempts).map_err(|_| StoreError::Corrupt(format!("attempts {}", r.attempts)))?,
            consumed: r.consumed_at.is_some(),
            withdrawn: r.withdrawn_at.is_some(),
        })
    }
}

/// A flow's first request.
pub struct NewFlow<'a> {
    pub token_hash: &'a [u8],
    pub identifier: &'a str,
    pub channel: Channel,
    pub contact: Option<ContactId>,
    pub trust: Trust,
}

/// A flow's request linked to its code slot, with the delivery job when this request
/// sends the slot's code (first time or again).
pub struct NewCode {
    pub flow_id: i64,
    pub contact: Option<ContactId>,
    pub channel: Channel,
    pub slot: i64,
    pub job: Option<NewJob>,
}

/// A flow and its codes, newest code first.
async fn flow_by(mut ex: Ex<'_>, token_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
    let row: Option<FlowRow> =
        sql("SELECT id, identifier, channel, contact_id, trust, completed_at, outcome FROM login_flows WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(ex.reborrow())
            .await?;
    let Some(row) = row else { return Ok(None) };
    // A request from before code slots (migration 0013) has none: it is not read, and
    // a flow of only such requests reads as expired.
    let codes: Vec<CodeRow> = sql("SELECT c.id, c.slot_id, s.created_at AS slot_created_at, c.channel, s.sent_at, c.created_at,
                s.expires_at, s.attempts, c.consumed_at, s.withdrawn_at
         FROM login_codes c JOIN code_slots s ON s.id = c.slot_id WHERE c.flow_id = $1 ORDER BY c.id DESC")
    .bind(row.id)
    .fetch_all(ex)
    .await?;
    Ok(Some(FlowRecord {
        id: row.id,
        identifier: row.identifier,
        channel: stored_channel(&row.channel)?,
        contact: row.contact_id.map(ContactId),
        trust: Trust::parse(&row.trust)?,
        completed: row.completed_at.is_some(),
        outcome: row.outcome,
        codes: codes.into_iter().map(CodeRecord::try_from).collect::<StoreResult<_>>()?,
    }))
}

impl Store {
    /// A flow as a page shows it: read without the step lock (a step may be changing
    /// it; the page shows what was committed).
    pub async fn flow_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
        flow_by(Ex::Pool(&self.db), token_hash).await
    }

    /// Forgets an outcome once a page has shown it, unless a step wrote a newer one.
    pub async fn clear_outcome(&self, flow_id: i64, shown: &str) -> StoreResult<()> {
        sql("UPDATE login_flows SET outcome = NULL WHERE id = $1 AND outcome = $2").bind(flow_id).bind(shown).execute(&self.db).await?;
        Ok(())
    }
}

impl Tx {
    pub async fn flow_by_token(&mut self, token_hash: &[u8]) -> StoreResult<Option<FlowRecord>> {
        flow_by(self.conn(), token_hash).await
    }

    pub async fn insert_flow(&mut self, flow: &NewFlow<'_>, now: Timestamp) -> StoreResult<i64> {
        let done = sql("INSERT INTO login_flows (token_hash, identifier, channel, contact_id, trust, created_at, last_sent_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(flow.token_hash)
        .bind(flow.identifier)
        .bind(flow.channel.as_str())
        .bind(flow.contact.map(|c| c.0))
        .bind(flow.trust.as_str())
        .bind(now.0)
        .bind(now.0)
        .scalar_one::<i64>(self.conn())
        .await?;
        Ok(done)
    }

    /// "Send a new code" in a flow: the channel it now uses, and the outcome to show.
    pub async fn update_flow(&mut self, flow_id: i64, channel: Channel, outcome: Option<&str>, now: Timestamp) -> StoreResult<()> {
        self.defer(
            sql("UPDATE login_flows SET channel = $1, last_sent_at = $2, outcome = $3 WHERE id = $4")
                .bind(channel.as_str())
                .bind(now.0)
                .bind(outcome)
                .bind(flow_id),
        );
        Ok(())
    }

    pub async fn set_outcome(&mut self, flow_id: i64, outcome: Option<&str>) -> StoreResult<()> {
        self.defer(sql("UPDATE login_flows SET outcome = $1 WHERE id = $2").bind(outcome).bind(flow_id));
        Ok(())
    }

    pub async fn complete_flow(&mut self, flow_id: i64, now: Timestamp) -> StoreResult<()> {
        self.defer(sql("UPDATE login_flows SET completed_at = $1, outcome = NULL WHERE id = $2").bind(now.0).bind(flow_id));
        Ok(())
    }

    /// Writes a flow's request and, when it sends the slot's code, the delivery job.
    /// Returns the job as its worker holds it when it was written claimed.
    pub async fn insert_code(&mut self, code: &NewCode, now: Timestamp, now_ms: i64) -> StoreResult<Option<ClaimedJob>> {
        let code_id = sql("INSERT INTO login_codes (flow_id, contact_id, channel, slot_id, sent, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(code.flow_id)
            .bind(code.contact.map(|c| c.0))
            .bind(code.channel.as_str())
            .bind(code.slot)
            .bind(code.job.is_some())
            .bind(now.0)
            .scalar_one::<i64>(self.conn())
            .await?;
        if let Some(job) = &code.job {
            let (_, claimed) =
                super::jobs::insert_job(self.conn(), job, Some(code_id), code.contact, JobPurpose::Code, None, now_ms).await?;
            self.defer(
                sql("UPDATE code_slots SET sent_at = COALESCE(sent_at, $1), last_sent_at = $1 WHERE id = $2").bind(now.0).bind(code.slot),
            );
            return Ok(claimed);
        }
        Ok(None)
    }

    /// Whether the contact logged in from `network` since `since`.
    pub async fn is_known_network(&mut self, contact: ContactId, network: &str, since: Timestamp) -> StoreResult<bool> {
        let found: Option<i64> = sql("SELECT contact_id FROM known_networks WHERE contact_id = $1 AND network = $2 AND last_login_at > $3")
            .bind(contact.0)
            .bind(network)
            .bind(since.0)
            .scalar_optional(self.conn())
            .await?;
        Ok(found.is_some())
    }

    pub async fn remember_network(&mut self, contact: ContactId, network: &str, now: Timestamp) -> StoreResult<()> {
        self.defer(
            sql("INSERT INTO known_networks (contact_id, network, last_login_at) VALUES ($1, $2, $3)
                 ON CONFLICT (contact_id, network) DO UPDATE SET last_login_at = $3")
            .bind(contact.0)
            .bind(network)
            .bind(now.0),
        );
        Ok(())
    }

    pub async fn delete_flow(&mut self, token_hash: &[u8]) -> StoreResult<()> {
        sql("DELETE FROM login_flows WHERE token_hash = $1").bind(token_hash).execute(self.conn()).await?;
        Ok(())
    }
}

impl super::Store {
    /// What was typed in login flows for no registered contact since `since`, with when
    /// (kept a day: flows are pruned after that).
    /// The newest `limit` requests for identifiers that belong to no contact since
    /// `since`, oldest first (portal-wide, so bounded: strangers can make many).
    pub async fn unregistered_requests(&self, since: Timestamp, limit: u32) -> StoreResult<Vec<(String, Timestamp)>> {
        let mut rows: Vec<(String, i64)> =
            sql("SELECT identifier, created_at FROM login_flows WHERE contact_id IS NULL AND created_at > $1 ORDER BY id DESC LIMIT $2")
                .bind(since.0)
                .bind(limit)
                .fetch_all(&self.db)
                .await?;
        rows.reverse();
        Ok(rows.into_iter().map(|(identifier, at)| (identifier, Timestamp(at))).collect())
    }
}
