//! The integration API's tokens, and contacts by the platform's own key.

use super::contacts::{COLUMNS, ContactRow};
use super::{Contact, ContactId, NewContact, Store, StoreError, StoreResult, sql, unique_violation};
use crate::domain::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl Store {
    pub async fn add_api_token(&self, name: &str, token_hash: &[u8], now: Timestamp) -> StoreResult<i64> {
        let added = sql("INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(token_hash)
            .bind(now.0)
            .scalar_one::<i64>(self.db())
            .await;
        match added {
            Ok(id) => Ok(id),
            Err(e) if unique_violation(&e).is_some() => Err(StoreError::Conflict(format!("a token named {name:?} exists already"))),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn api_tokens(&self) -> StoreResult<Vec<ApiTokenRecord>> {
        let rows: Vec<(i64, String, i64, Option<i64>)> =
            sql("SELECT id, name, created_at, revoked_at FROM api_tokens ORDER BY name").fetch_all(self.db()).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, created, revoked)| ApiTokenRecord { id, name, created_at: Timestamp(created), revoked_at: revoked.map(Timestamp) })
            .collect())
    }

    /// Returns whether a token of that name was in use.
    pub async fn revoke_api_token(&self, name: &str, now: Timestamp) -> StoreResult<bool> {
        let done = sql("UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL").bind(now.0).bind(name).execute(self.db()).await?;
        Ok(done.rows_affected() == 1)
    }

    /// The name of the token with this hash, if it is in use.
    pub async fn api_token(&self, token_hash: &[u8]) -> StoreResult<Option<(i64, String)>> {
        Ok(sql("SELECT id, name FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash)
            .fetch_optional(self.db())
            .await?)
    }

    pub async fn contact_by_external_id(&self, external_id: &str) -> StoreResult<Option<Contact>> {
        let row: Option<ContactRow> = sql(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM contacts WHERE external_id = $1")))
            .bind(external_id)
            .fetch_optional(self.db())
            .await?;
        row.map(Contact::try_from).transpose()
    }

    /// Creates or replaces the contact the platform knows as `external_id` (name,
    /// email and phone; opt-outs are left as they are). Returns the contact and
    /// whether it was created.
    pub async fn put_contact(&self, external_id: &str, new: &NewContact, now: Timestamp) -> StoreResult<(ContactId, bool)> {
        let mut tx = self.begin().await?;
        let existing: Option<i64> = sql("SELECT id FROM contacts WHERE external_id = $1").bind(external_id).scalar_optional(&mut tx).await?;
        let email = new.email.as_ref().map(|e| e.as_str());
        let phone = new.phone.as_ref().map(|p| p.as_str());
        let written = match existing {
            Some(id) => sql("UPDATE contacts SET name = $1, email = $2, phone = $3 WHERE id = $4 RETURNING id")
                .bind(new.name.as_str())
                .bind(email)
                .bind(phone)
                .bind(id)
                .scalar_one::<i64>(&mut tx)
                .await,
            None => sql(
                "INSERT INTO contacts (name, email, phone, email_opt_out, sms_opt_out, created_at, external_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(new.name.as_str())
            .bind(email)
            .bind(phone)
            .bind(new.email_opt_out)
            .bind(new.sms_opt_out)
            .bind(now.0)
            .bind(external_id)
            .scalar_one::<i64>(&mut tx)
            .await,
        };
        let id = match written {
            Ok(id) => id,
            Err(e) => {
                return Err(match unique_violation(&e) {
                    Some(m) if m.contains("email") => StoreError::Conflict(format!("another contact already has the email {}", email.unwrap_or_default())),
                    Some(_) => StoreError::Conflict(format!("another contact already has the phone number {}", phone.unwrap_or_default())),
                    None => e.into(),
                });
            }
        };
        tx.commit().await?;
        Ok((ContactId(id), existing.is_none()))
    }

    pub async fn external_id_of(&self, contact: ContactId) -> StoreResult<Option<String>> {
        Ok(sql("SELECT external_id FROM contacts WHERE id = $1").bind(contact.0).scalar_optional::<Option<String>>(self.db()).await?.flatten())
    }
}
