use super::sql;
use super::{ContactId, NewEvent, Store, StoreError, StoreResult};
use domain::Timestamp;

#[derive(Debug, Clone)]
pub struct PublishedMessage {
    pub public_id: String,
    pub title: String,
    pub body_html: String,
    pub published_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct MessageListing {
    pub public_id: String,
    pub title: String,
    pub created_at: Timestamp,
    pub recipients: i64,
}

impl Store {
    pub async fn add_message(&self, public_id: &str, title: &str, markdown: &str, html: &str, now: Timestamp) -> StoreResult<()> {
        sql("INSERT INTO messages (public_id, title, body_markdown, body_html, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(public_id)
            .bind(title)
            .bind(markdown)
            .bind(html)
            .bind(now.0)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Publishes a message to a contact; publishing twice keeps the first date.
    pub async fn publish(&self, public_id: &str, contact: ContactId, now: Timestamp) -> StoreResult<()> {
        self.publish_with(public_id, contact, now, None).await
    }

    /// Publishes, and writes `event` in the same transaction.
    pub async fn publish_with(&self, public_id: &str, contact: ContactId, now: Timestamp, event: Option<NewEvent>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let message: Option<i64> = sql("SELECT id FROM messages WHERE public_id = $1").bind(public_id).scalar_optional(&mut tx).await?;
        let Some(message) = message else {
            return Err(StoreError::NotFound(format!("no message with id {public_id:?}")));
        };
        sql("INSERT INTO publications (message_id, contact_id, published_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(message)
            .bind(contact.0)
            .bind(now.0)
            .execute(&mut tx)
            .await?;
        if let Some(e) = event {
            tx.record_events(&[e], now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A message's title, by its public id.
    pub async fn message_title(&self, public_id: &str) -> StoreResult<Option<String>> {
        Ok(sql("SELECT title FROM messages WHERE public_id = $1").bind(public_id).scalar_optional(&self.db).await?)
    }

    pub async fn messages(&self) -> StoreResult<Vec<MessageListing>> {
        let rows: Vec<(String, String, i64, i64)> = sql("SELECT m.public_id, m.title, m.created_at, COUNT(p.contact_id)
             FROM messages m LEFT JOIN publications p ON p.message_id = m.id
             GROUP BY m.id ORDER BY m.id")
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(public_id, title, created_at, recipients)| MessageListing {
                public_id,
                title,
                created_at: Timestamp(created_at),
                recipients,
            })
            .collect())
    }

    /// The messages published to a contact, newest first.
    pub async fn inbox(&self, contact: ContactId) -> StoreResult<Vec<PublishedMessage>> {
        let rows: Vec<(String, String, String, i64)> = sql("SELECT m.public_id, m.title, m.body_html, p.published_at
             FROM publications p JOIN messages m ON m.id = p.message_id
             WHERE p.contact_id = $1 ORDER BY p.published_at DESC, m.id DESC")
        .bind(contact.0)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(published).collect())
    }

    /// The message if it is published to the contact.
    pub async fn published_message(&self, contact: ContactId, public_id: &str) -> StoreResult<Option<PublishedMessage>> {
        let row: Option<(String, String, String, i64)> = sql("SELECT m.public_id, m.title, m.body_html, p.published_at
             FROM publications p JOIN messages m ON m.id = p.message_id
             WHERE p.contact_id = $1 AND m.public_id = $2")
        .bind(contact.0)
        .bind(public_id)
        .fetch_optional(&self.db)
        .await?;
        Ok(row.map(published))
    }
}

fn published((public_id, title, body_html, published_at): (String, String, String, i64)) -> PublishedMessage {
    PublishedMessage { public_id, title, body_html, published_at: Timestamp(published_at) }
}
