use app::types::Channel;

use super::{Store, StoreResult};
use crate::domain::Timestamp;

#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: Timestamp,
}

impl Store {
    pub async fn add_to_outbox(&self, entry: &OutboxEntry) -> StoreResult<i64> {
        let done = sqlx::query("INSERT INTO outbox (channel, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(entry.channel.as_str())
            .bind(&entry.recipient)
            .bind(&entry.subject)
            .bind(&entry.body)
            .bind(entry.created_at.0)
            .execute(&self.pool)
            .await?;
        Ok(done.last_insert_rowid())
    }

    /// Everything in the dev outbox, oldest first.
    pub async fn outbox(&self) -> StoreResult<Vec<OutboxEntry>> {
        let rows: Vec<(String, String, String, String, i64)> =
            sqlx::query_as("SELECT channel, recipient, subject, body, created_at FROM outbox ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(channel, recipient, subject, body, created_at)| {
                Ok(OutboxEntry { channel: super::stored_channel(&channel)?, recipient, subject, body, created_at: Timestamp(created_at) })
            })
            .collect()
    }
}
