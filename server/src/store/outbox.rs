use domain::Channel;

use super::sql;
use super::{Store, StoreResult};
use domain::Timestamp;

#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: Timestamp,
    /// The delivery job that sent it; the outbox is in the order codes were issued.
    pub job: i64,
}

/// A dev-outbox message's insert: deferred with the other writes of the transaction
/// that ends its job (see `finish_attempt`), or run on its own.
pub(super) fn insertion(entry: &OutboxEntry) -> super::Query {
    sql("INSERT INTO outbox (channel, recipient, subject, body, created_at, job_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(entry.channel.as_str())
        .bind(&entry.recipient)
        .bind(&entry.subject)
        .bind(&entry.body)
        .bind(entry.created_at.0)
        .bind(entry.job)
}

impl Store {
    pub async fn add_to_outbox(&self, entry: &OutboxEntry) -> StoreResult<()> {
        insertion(entry).execute(&self.db).await?;
        Ok(())
    }

    /// Everything in the dev outbox, in the order the codes were issued.
    pub async fn outbox(&self) -> StoreResult<Vec<OutboxEntry>> {
        let rows: Vec<(String, String, String, String, i64, i64)> =
            sql("SELECT channel, recipient, subject, body, created_at, job_id FROM outbox ORDER BY job_id, id").fetch_all(&self.db).await?;
        rows.into_iter()
            .map(|(channel, recipient, subject, body, created_at, job)| {
                Ok(OutboxEntry {
                    channel: super::stored_channel(&channel)?,
                    recipient,
                    subject,
                    body,
                    created_at: Timestamp(created_at),
                    job,
                })
            })
            .collect()
    }
}
