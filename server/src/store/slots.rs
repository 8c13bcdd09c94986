//! Code slots: one code per login (issue 23). A slot is shared by every request for
//! the same sender, channel and trust pool while its code can log in; its digits are
//! derived from the server key and the slot (`Keyring::slot_code`), never stored.
//! Every method runs inside the transaction of one login step, which holds the
//! sender's lock (see `tx.rs`).

use domain::{Channel, Timestamp};
use sqlx::FromRow;

use super::sql;
use super::{CodeRecord, ContactId, Key, StoreResult, Trust, Tx};

/// A code slot as a request finds or makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub id: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// When its code was first sent, if it was.
    pub sent_at: Option<Timestamp>,
    /// When its code was last sent (first or again).
    pub last_sent_at: Option<Timestamp>,
}

/// A code slot to make: whom it is for, by which channel, in which trust pool.
pub struct NewSlot<'a> {
    pub owner: &'a Key,
    pub contact: Option<ContactId>,
    pub channel: Channel,
    pub trust: Trust,
    pub expires_at: Timestamp,
}

#[derive(FromRow)]
struct SlotRow {
    id: i64,
    created_at: i64,
    expires_at: i64,
    sent_at: Option<i64>,
    last_sent_at: Option<i64>,
}

impl Tx {
    /// The slot whose code `owner` gets by `channel` in `trust`'s pool, while it can
    /// still log in: not expired, used, withdrawn, or out of attempts.
    pub async fn live_slot(
        &mut self,
        owner: &Key,
        channel: Channel,
        trust: Trust,
        now: Timestamp,
        max_attempts: u32,
    ) -> StoreResult<Option<Slot>> {
        let row: Option<SlotRow> = sql("SELECT id, created_at, expires_at, sent_at, last_sent_at FROM code_slots
             WHERE owner = $1 AND channel = $2 AND trust = $3 AND expires_at > $4
               AND used_at IS NULL AND withdrawn_at IS NULL AND attempts < $5
             ORDER BY id DESC LIMIT 1")
        .bind(owner.to_string())
        .bind(channel.as_str())
        .bind(trust.as_str())
        .bind(now.0)
        .bind(i64::from(max_attempts))
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(|r| Slot {
            id: r.id,
            created_at: Timestamp(r.created_at),
            expires_at: Timestamp(r.expires_at),
            sent_at: r.sent_at.map(Timestamp),
            last_sent_at: r.last_sent_at.map(Timestamp),
        }))
    }

    pub async fn insert_slot(&mut self, slot: &NewSlot<'_>, now: Timestamp) -> StoreResult<Slot> {
        let id = sql("INSERT INTO code_slots (owner, contact_id, channel, trust, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(slot.owner.to_string())
            .bind(slot.contact.map(|c| c.0))
            .bind(slot.channel.as_str())
            .bind(slot.trust.as_str())
            .bind(now.0)
            .bind(slot.expires_at.0)
            .scalar_one::<i64>(self.conn())
            .await?;
        Ok(Slot { id, created_at: now, expires_at: slot.expires_at, sent_at: None, last_sent_at: None })
    }

    /// Counts one attempt at a slot's code. The step holds the lock of the slot's owner
    /// (and SQLite's write lock), so the count it read is the count it raises.
    pub async fn take_attempt(&mut self, slot: i64) -> StoreResult<()> {
        self.defer(sql("UPDATE code_slots SET attempts = attempts + 1 WHERE id = $1").bind(slot));
        Ok(())
    }

    /// This flow logged in with its request's code; the slot is used, so the next
    /// request gets a new one (browsers that asked before may still use it, once each).
    pub async fn consume_code(&mut self, code: &CodeRecord, now: Timestamp) -> StoreResult<()> {
        self.defer(sql("UPDATE login_codes SET consumed_at = $1 WHERE id = $2").bind(now.0).bind(code.id));
        self.defer(sql("UPDATE code_slots SET used_at = COALESCE(used_at, $1) WHERE id = $2").bind(now.0).bind(code.slot));
        Ok(())
    }

    /// Uses up the contact's codes that could still log in (all, or by one channel),
    /// and cancels their deliveries. Returns how many codes were withdrawn.
    pub async fn withdraw_codes(&mut self, contact: ContactId, channel: Option<Channel>, now: Timestamp, now_ms: i64) -> StoreResult<u64> {
        let live = "contact_id = $1 AND ($2 IS NULL OR channel = $2) AND withdrawn_at IS NULL AND expires_at > $3";
        sql(sqlx::AssertSqlSafe(format!(
            "UPDATE delivery_jobs SET status = 'cancelled', payload = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $4
             WHERE status IN ('queued', 'sending')
               AND code_id IN (SELECT id FROM login_codes WHERE slot_id IN (SELECT id FROM code_slots WHERE {live}))"
        )))
        .bind(contact.0)
        .bind(channel.map(Channel::as_str))
        .bind(now.0)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        // All are closed; counted are the codes the contact was sent and has not used
        // (a used one could still log in a browser that asked for it, and one never
        // sent was never told of: a re-send after an opt-in makes a new one).
        let closed: Vec<(Option<i64>, Option<i64>)> =
            sql(sqlx::AssertSqlSafe(format!("UPDATE code_slots SET withdrawn_at = $3 WHERE {live} RETURNING sent_at, used_at")))
                .bind(contact.0)
                .bind(channel.map(Channel::as_str))
                .bind(now.0)
                .fetch_all(self.conn())
                .await?;
        Ok(closed.iter().filter(|(sent, used)| sent.is_some() && used.is_none()).count() as u64)
    }
}
