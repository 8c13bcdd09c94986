use sqlx::AssertSqlSafe;

use app::types::Channel;

use super::{ContactId, Store, StoreResult};
use crate::domain::Timestamp;

/// A login in progress in one browser.
#[derive(Debug, Clone)]
pub struct Flow {
    pub id: i64,
    pub identifier: String,
    pub channel: Channel,
    pub contact: Option<ContactId>,
    pub last_sent_at: Timestamp,
    pub notice: Option<String>,
    pub completed: bool,
}

/// One issued code (or the placeholder for a request that sent nothing).
#[derive(Debug, Clone)]
pub struct CodeRow {
    pub id: i64,
    pub flow_id: i64,
    pub contact: Option<ContactId>,
    pub channel: Channel,
    pub mac: Vec<u8>,
    pub sent: bool,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub attempts: u32,
    pub consumed: bool,
}

type FlowRow = (i64, String, String, Option<i64>, i64, Option<String>, Option<i64>);
type CodeTuple = (i64, i64, Option<i64>, String, Vec<u8>, bool, i64, i64, i64, Option<i64>);

fn channel(s: &str) -> Channel {
    Channel::parse(s).unwrap_or_default()
}

fn flow((id, identifier, ch, contact, last_sent_at, notice, completed_at): FlowRow) -> Flow {
    Flow {
        id,
        identifier,
        channel: channel(&ch),
        contact: contact.map(ContactId),
        last_sent_at: Timestamp(last_sent_at),
        notice,
        completed: completed_at.is_some(),
    }
}

fn code((id, flow_id, contact, ch, mac, sent, created_at, expires_at, attempts, consumed_at): CodeTuple) -> CodeRow {
    CodeRow {
        id,
        flow_id,
        contact: contact.map(ContactId),
        channel: channel(&ch),
        mac,
        sent,
        created_at: Timestamp(created_at),
        expires_at: Timestamp(expires_at),
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        consumed: consumed_at.is_some(),
    }
}

const CODE_COLUMNS: &str = "id, flow_id, contact_id, channel, code_mac, sent, created_at, expires_at, attempts, consumed_at";

/// What a code request writes: the flow's new state and the code row, together.
pub struct IssuedCode<'a> {
    pub flow_id: i64,
    pub identifier: &'a str,
    pub channel: Channel,
    pub contact: Option<ContactId>,
    pub mac: &'a [u8],
    pub sent: bool,
    pub now: Timestamp,
    pub expires_at: Timestamp,
    /// The delivery to queue with the code (none when nothing is sent).
    pub job: Option<super::NewJob>,
    pub now_ms: i64,
}

impl Store {
    pub async fn create_flow(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<i64> {
        let done = sqlx::query(
            "INSERT INTO login_flows (token_hash, identifier, channel, created_at, last_sent_at) VALUES (?, '', 'email', ?, 0)",
        )
        .bind(token_hash)
        .bind(now.0)
        .execute(&self.pool)
        .await?;
        Ok(done.last_insert_rowid())
    }

    pub async fn flow_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<Flow>> {
        let row: Option<FlowRow> = sqlx::query_as(
            "SELECT id, identifier, channel, contact_id, last_sent_at, notice, completed_at FROM login_flows WHERE token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(flow))
    }

    /// Records a request on the flow and its code in one transaction.
    pub async fn record_code(&self, issued: IssuedCode<'_>) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE login_flows SET identifier = ?, channel = ?, contact_id = ?, last_sent_at = ?, completed_at = NULL WHERE id = ?",
        )
        .bind(issued.identifier)
        .bind(issued.channel.as_str())
        .bind(issued.contact.map(|c| c.0))
        .bind(issued.now.0)
        .bind(issued.flow_id)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query(
            "INSERT INTO login_codes (flow_id, contact_id, channel, code_mac, sent, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(issued.flow_id)
        .bind(issued.contact.map(|c| c.0))
        .bind(issued.channel.as_str())
        .bind(issued.mac)
        .bind(issued.sent)
        .bind(issued.now.0)
        .bind(issued.expires_at.0)
        .execute(&mut *tx)
        .await?;
        let code_id = done.last_insert_rowid();
        if let Some(job) = &issued.job {
            sqlx::query(
                "INSERT INTO delivery_jobs (code_id, contact_id, channel, recipient, payload, status, next_attempt_at, expires_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?6, ?6)",
            )
            .bind(code_id)
            .bind(issued.contact.map(|c| c.0))
            .bind(job.channel.as_str())
            .bind(&job.recipient)
            .bind(&job.payload)
            .bind(issued.now_ms)
            .bind(job.expires_at_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(code_id)
    }

    pub async fn set_flow_notice(&self, flow_id: i64, notice: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE login_flows SET notice = ? WHERE id = ?").bind(notice).bind(flow_id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn delete_flow(&self, flow_id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_flows WHERE id = ?").bind(flow_id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn complete_flow(&self, flow_id: i64, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE login_flows SET completed_at = ?, notice = NULL WHERE id = ?")
            .bind(now.0)
            .bind(flow_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The flow's codes, newest first.
    pub async fn flow_codes(&self, flow_id: i64) -> StoreResult<Vec<CodeRow>> {
        let rows: Vec<CodeTuple> =
            sqlx::query_as(AssertSqlSafe(format!("SELECT {CODE_COLUMNS} FROM login_codes WHERE flow_id = ? ORDER BY id DESC")))
                .bind(flow_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(code).collect())
    }

    /// The contact's newest code that was actually sent, from any flow.
    pub async fn newest_sent_code(&self, contact: ContactId) -> StoreResult<Option<CodeRow>> {
        let row: Option<CodeTuple> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {CODE_COLUMNS} FROM login_codes WHERE contact_id = ? AND sent = 1 ORDER BY id DESC LIMIT 1"
        )))
        .bind(contact.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(code))
    }

    /// Counts an attempt before the comparison, and only while attempts remain:
    /// concurrent guesses cannot compare more often than the limit. Returns the new
    /// count, or `None` when no attempt was left.
    pub async fn take_attempt(&self, code_id: i64, max_attempts: u32) -> StoreResult<Option<u32>> {
        let attempts: Option<i64> = sqlx::query_scalar(
            "UPDATE login_codes SET attempts = attempts + 1
             WHERE id = ? AND attempts < ? AND consumed_at IS NULL RETURNING attempts",
        )
        .bind(code_id)
        .bind(max_attempts)
        .fetch_optional(&self.pool)
        .await?;
        Ok(attempts.map(|a| u32::try_from(a).unwrap_or(u32::MAX)))
    }

    /// Uses a code up; `false` if another request used it first.
    pub async fn consume_code(&self, code_id: i64, now: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE login_codes SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL")
            .bind(now.0)
            .bind(code_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
