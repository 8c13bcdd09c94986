use app::types::Channel;

use super::{Store, StoreResult};
use crate::domain::Timestamp;
use super::sql;

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
        let done = sql("INSERT INTO outbox (channel, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(entry.channel.as_str())
            .bind(&entry.recipient)
            .bind(&entry.subject)
            .bind(&entry.body)
            .bind(entry.created_at.0)
            .scalar_one::<i64>(&self.db)
            .await?;
        Ok(done)
    }

    /// Everything in the dev outbox, oldest first.
    pub async fn outbox(&self) -> StoreResult<Vec<OutboxEntry>> {
        let rows: Vec<(String, String, String, String, i64)> =
            sql("SELECT channel, recipient, subject, body, created_at FROM outbox ORDER BY id")
                .fetch_all(&self.db)
                .await?;
        rows.into_iter()
            .map(|(channel, recipient, subject, body, created_at)| {
                Ok(OutboxEntry { channel: super::stored_channel(&channel)?, recipient, subject, body, created_at: Timestamp(created_at) })
            })
            .collect()
    }
}
