//! The integration API's tokens, and contacts by the platform's own key.

use super::contacts::{COLUMNS, ContactRow};
use super::{Contact, ContactId, Lock, NewContact, NewEvent, Store, StoreError, StoreResult, sql, unique_violation};
use domain::Channel;
use domain::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl Store {
    /// Adds a token, with `event`, in one transaction.
    pub async fn add_api_token(&self, name: &str, token_hash: &[u8], event: NewEvent, now: Timestamp) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let added = sql("INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(token_hash)
            .bind(now.0)
            .scalar_one::<i64>(&mut tx)
            .await;
        let id = match added {
            Ok(id) => id,
            Err(e) if unique_violation(&e).is_some() => return Err(StoreError::Conflict(format!("a token named {name:?} exists already"))),
            Err(e) => return Err(e.into()),
        };
        tx.record_events(&[event], now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn api_tokens(&self) -> StoreResult<Vec<ApiTokenRecord>> {
        let rows: Vec<(i64, String, i64, Option<i64>)> =
            sql("SELECT id, name, created_at, revoked_at FROM api_tokens ORDER BY name").fetch_all(self.db()).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, created, revoked)| ApiTokenRecord {
                id,
                name,
                created_at: Timestamp(created),
                revoked_at: revoked.map(Timestamp),
            })
            .collect())
    }

    /// Revokes the token, with `event`, in one transaction. Returns whether a token of
    /// that name was in use (no event when none was).
    pub async fn revoke_api_token(&self, name: &str, event: NewEvent, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sql("UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
            .bind(now.0)
            .bind(name)
            .execute(&mut tx)
            .await?;
        let revoked = done.rows_affected() == 1;
        if revoked {
            tx.record_events(&[event], now).await?;
        }
        tx.commit().await?;
        Ok(revoked)
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
    /// email and phone; opt-outs are left as they are). Returns the contact, whether it
    /// was created, and what a changed address took with it: an email or number that
    /// changes or goes uses up the codes sent to it, and the contact's remembered
    /// browsers and passkeys are forgotten (whoever read the old address may have
    /// logged in with it). An address added where there was none takes nothing.
    /// `event` makes the change's event from what happened; it is written in the same
    /// transaction.
    pub async fn put_contact(
        &self,
        external_id: &str,
        new: &NewContact,
        now: Timestamp,
        now_ms: i64,
        event: impl FnOnce(ContactId, bool, &AddressChange) -> NewEvent,
    ) -> StoreResult<(ContactId, bool, AddressChange)> {
        let mut tx = self.begin().await?;
        tx.lock(&[Lock::ExternalId(external_id)]).await?;
        let existing: Option<(i64, Option<String>, Option<String>)> =
            sql("SELECT id, email, phone FROM contacts WHERE external_id = $1").bind(external_id).fetch_optional(&mut tx).await?;
        let email = new.email.as_ref().map(|e| e.as_str());
        let phone = new.phone.as_ref().map(|p| p.as_str());
        // Who the old and new addresses belong to changes here, and so may the
        // contact's codes and browsers: a login step deciding on either waits.
        let (old_email, old_phone) = existing.as_ref().map_or((None, None), |(_, e, p)| (e.as_deref(), p.as_deref()));
        let mut keys: Vec<Lock> = [old_email, old_phone, email, phone].into_iter().flatten().map(Lock::Identifier).collect();
        keys.extend(existing.as_ref().map(|(id, _, _)| Lock::Contact(ContactId(*id))));
        tx.lock(&keys).await?;
        let written = match &existing {
            Some((id, _, _)) => {
                sql("UPDATE contacts SET name = $1, email = $2, phone = $3 WHERE id = $4 RETURNING id")
                    .bind(new.name.as_str())
                    .bind(email)
                    .bind(phone)
                    .bind(*id)
                    .scalar_one::<i64>(&mut tx)
                    .await
            }
            None => {
                sql("INSERT INTO contacts (name, email, phone, email_opt_out, sms_opt_out, created_at, external_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(new.name.as_str())
                .bind(email)
                .bind(phone)
                .bind(new.email_opt_out)
                .bind(new.sms_opt_out)
                .bind(now.0)
                .bind(external_id)
                .scalar_one::<i64>(&mut tx)
                .await
            }
        };
        let id = ContactId(written.map_err(|e| super::contacts::conflict(e, new))?);
        let mut change = AddressChange::default();
        if let Some((_, old_email, old_phone)) = &existing {
            let gone = |old: &Option<String>, new: Option<&str>| old.is_some() && old.as_deref() != new;
            for (channel, changed) in [(Channel::Email, gone(old_email, email)), (Channel::Sms, gone(old_phone, phone))] {
                if changed {
                    change.channels.push(channel);
                    change.codes_withdrawn += tx.withdraw_codes(id, Some(channel), now, now_ms).await?;
                }
            }
            if !change.channels.is_empty() {
                change.browsers_forgotten = tx.revoke_devices_of(id, now).await?;
                change.passkeys_removed = tx.remove_passkeys_of(id).await?;
            }
        }
        let created = existing.is_none();
        tx.record_events(&[event(id, created, &change)], now).await?;
        tx.commit().await?;
        Ok((id, created, change))
    }

    pub async fn external_id_of(&self, contact: ContactId) -> StoreResult<Option<String>> {
        Ok(sql("SELECT external_id FROM contacts WHERE id = $1")
            .bind(contact.0)
            .scalar_optional::<Option<String>>(self.db())
            .await?
            .flatten())
    }
}

/// What changing a contact's addresses took with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressChange {
    /// The channels whose address changed or went.
    pub channels: Vec<Channel>,
    pub codes_withdrawn: u64,
    pub browsers_forgotten: u64,
    pub passkeys_removed: u64,
}

/// A message's text: its title, and its body as written and as rendered.
#[derive(Debug, Clone, Copy)]
pub struct MessageText<'a> {
    pub title: &'a str,
    pub markdown: &'a str,
    pub html: &'a str,
}

/// A message as the platform keys it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiMessage {
    pub public_id: String,
    pub title: String,
    pub markdown: String,
}

impl Store {
    pub async fn message_by_external_id(&self, external_id: &str) -> StoreResult<Option<ApiMessage>> {
        let row: Option<(String, String, String)> = sql("SELECT public_id, title, body_markdown FROM messages WHERE external_id = $1")
            .bind(external_id)
            .fetch_optional(self.db())
            .await?;
        Ok(row.map(|(public_id, title, markdown)| ApiMessage { public_id, title, markdown }))
    }

    /// Creates (with `new_public_id`) or replaces the message the platform knows as
    /// `external_id`, with the event `event` makes, in one transaction. Returns its public
    /// id and whether it was created.
    pub async fn put_message(
        &self,
        external_id: &str,
        new_public_id: &str,
        message: &MessageText<'_>,
        now: Timestamp,
        event: impl FnOnce(&str, bool) -> NewEvent,
    ) -> StoreResult<(String, bool)> {
        let MessageText { title, markdown, html } = *message;
        // No login step reads messages: a plain transaction, with the change's event.
        let mut tx = self.begin().await?;
        let existing: Option<String> =
            sql("SELECT public_id FROM messages WHERE external_id = $1").bind(external_id).scalar_optional(&mut tx).await?;
        let created = existing.is_none();
        let public_id = match existing {
            Some(id) => {
                sql("UPDATE messages SET title = $1, body_markdown = $2, body_html = $3 WHERE external_id = $4")
                    .bind(title)
                    .bind(markdown)
                    .bind(html)
                    .bind(external_id)
                    .execute(&mut tx)
                    .await?;
                id
            }
            None => {
                sql("INSERT INTO messages (public_id, title, body_markdown, body_html, created_at, external_id) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(new_public_id)
                    .bind(title)
                    .bind(markdown)
                    .bind(html)
                    .bind(now.0)
                    .bind(external_id)
                    .execute(&mut tx)
                    .await?;
                new_public_id.to_string()
            }
        };
        tx.record_events(&[event(&public_id, created)], now).await?;
        tx.commit().await?;
        Ok((public_id, created))
    }

    /// Deletes the message and its publications, with `event`, in one transaction.
    /// Returns whether there was one (no event when there was not).
    pub async fn delete_message(&self, external_id: &str, event: NewEvent, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let deleted = sql("DELETE FROM messages WHERE external_id = $1").bind(external_id).execute(&mut tx).await?.rows_affected() == 1;
        if deleted {
            tx.record_events(&[event], now).await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }

    /// The contacts with these external ids, as `(external_id, id)`.
    pub async fn contacts_by_external_ids(&self, external_ids: &[String]) -> StoreResult<Vec<(String, ContactId)>> {
        let mut found = Vec::with_capacity(external_ids.len());
        for chunk in external_ids.chunks(500) {
            let marks = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let mut query = sql(sqlx::AssertSqlSafe(format!("SELECT external_id, id FROM contacts WHERE external_id IN ({marks})")));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            let rows: Vec<(String, i64)> = query.fetch_all(self.db()).await?;
            found.extend(rows.into_iter().map(|(e, id)| (e, ContactId(id))));
        }
        Ok(found)
    }

    /// Publishes the message to some contacts and withdraws it from others, in one
    /// transaction. Returns how many publications were added and removed.
    pub async fn set_publications(
        &self,
        public_id: &str,
        publish: &[ContactId],
        unpublish: &[ContactId],
        now: Timestamp,
        event: impl FnOnce(u64, u64) -> NewEvent,
    ) -> StoreResult<(u64, u64)> {
        // No login step reads publications: a plain transaction, not the step lock.
        let mut tx = self.begin().await?;
        let message: i64 = sql("SELECT id FROM messages WHERE public_id = $1").bind(public_id).scalar_one(&mut tx).await?;
        let mut added = 0;
        for chunk in publish.chunks(300) {
            let rows = (0..chunk.len()).map(|i| format!("($1, ${}, $2)", i + 3)).collect::<Vec<_>>().join(", ");
            let mut query = sql(sqlx::AssertSqlSafe(format!(
                "INSERT INTO publications (message_id, contact_id, published_at) VALUES {rows} ON CONFLICT DO NOTHING"
            )))
            .bind(message)
            .bind(now.0);
            for c in chunk {
                query = query.bind(c.0);
            }
            added += query.execute(&mut tx).await?.rows_affected();
        }
        let mut removed = 0;
        for chunk in unpublish.chunks(500) {
            let marks = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
            let mut query = sql(sqlx::AssertSqlSafe(format!("DELETE FROM publications WHERE message_id = $1 AND contact_id IN ({marks})")))
                .bind(message);
            for c in chunk {
                query = query.bind(c.0);
            }
            removed += query.execute(&mut tx).await?.rows_affected();
        }
        tx.record_events(&[event(added, removed)], now).await?;
        tx.commit().await?;
        Ok((added, removed))
    }
}

impl Store {
    /// Up to `limit` contacts with an external id after `after`, in external id order.
    pub async fn contacts_after(&self, after: &str, limit: u32) -> StoreResult<Vec<(String, Contact)>> {
        let rows: Vec<(String, i64)> = sql("SELECT external_id, id FROM contacts WHERE external_id > $1 ORDER BY external_id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(self.db())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (external_id, id) in rows {
            if let Some(c) = self.contact(ContactId(id)).await? {
                out.push((external_id, c));
            }
        }
        Ok(out)
    }

    /// Up to `limit` messages with an external id after `after`, in external id order:
    /// `(external_id, message)`.
    pub async fn messages_after(&self, after: &str, limit: u32) -> StoreResult<Vec<(String, ApiMessage)>> {
        let rows: Vec<(String, String, String, String)> =
            sql("SELECT external_id, public_id, title, body_markdown FROM messages WHERE external_id > $1 ORDER BY external_id LIMIT $2")
                .bind(after)
                .bind(limit)
                .fetch_all(self.db())
                .await?;
        Ok(rows.into_iter().map(|(e, public_id, title, markdown)| (e, ApiMessage { public_id, title, markdown })).collect())
    }
}
