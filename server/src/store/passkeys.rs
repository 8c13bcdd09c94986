//! Passkeys and the WebAuthn ceremonies in progress.

use super::sql;
use super::{ContactId, Store, StoreError, StoreResult, Tx};
use domain::Timestamp;

/// A contact's passkey as stored: webauthn-rs' `Passkey` (JSON) and what the contact
/// and their administrator are shown.
#[derive(Debug, Clone)]
pub struct StoredPasskey {
    pub id: i64,
    pub contact: ContactId,
    pub credential_id: String,
    pub passkey: String,
    /// "Chrome on Android": where it was made.
    pub browser: Option<String>,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub sign_count: i64,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

type Row = (i64, i64, String, String, Option<String>, bool, bool, i64, i64, Option<i64>);

const COLUMNS: &str =
    "id, contact_id, credential_id, passkey, browser, backup_eligible, backup_state, sign_count, created_at, last_used_at";

fn stored(
    (id, contact, credential_id, passkey, browser, backup_eligible, backup_state, sign_count, created_at, last_used_at): Row,
) -> StoredPasskey {
    StoredPasskey {
        id,
        contact: ContactId(contact),
        credential_id,
        passkey,
        browser,
        backup_eligible,
        backup_state,
        sign_count,
        created_at: Timestamp(created_at),
        last_used_at: last_used_at.map(Timestamp),
    }
}

/// A passkey just made, to store.
pub struct NewPasskey<'a> {
    pub contact: ContactId,
    pub credential_id: &'a str,
    pub passkey: &'a str,
    pub browser: Option<&'a str>,
    pub backup_eligible: bool,
    pub backup_state: bool,
}

/// A ceremony taken from the store: whom it was for and webauthn-rs' state.
#[derive(Debug)]
pub struct Ceremony {
    pub contact: Option<ContactId>,
    pub state: String,
}

impl Store {
    /// The contact's WebAuthn user handle, made (a random UUID) on first use.
    pub async fn passkey_user(&self, contact: ContactId, fresh: &str) -> StoreResult<String> {
        sql("UPDATE contacts SET passkey_user = $1 WHERE id = $2 AND passkey_user IS NULL")
            .bind(fresh)
            .bind(contact.0)
            .execute(&self.db)
            .await?;
        let user: Option<String> = sql("SELECT passkey_user FROM contacts WHERE id = $1").bind(contact.0).scalar_one(&self.db).await?;
        Ok(user.unwrap_or_else(|| fresh.to_string()))
    }

    pub async fn contact_by_passkey_user(&self, user: &str) -> StoreResult<Option<ContactId>> {
        let id: Option<i64> = sql("SELECT id FROM contacts WHERE passkey_user = $1").bind(user).scalar_optional(&self.db).await?;
        Ok(id.map(ContactId))
    }

    pub async fn add_ceremony(
        &self,
        token_hash: &[u8],
        kind: &str,
        contact: Option<ContactId>,
        state: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        sql("INSERT INTO passkey_ceremonies (token_hash, kind, contact_id, state, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(kind)
            .bind(contact.map(|c| c.0))
            .bind(state)
            .bind(expires_at.0)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Takes a ceremony of `kind` once: a second try (a replayed answer) finds none,
    /// and neither does one past its time.
    pub async fn take_ceremony(&self, token_hash: &[u8], kind: &str, now: Timestamp) -> StoreResult<Option<Ceremony>> {
        let row: Option<(Option<i64>, String, i64)> =
            sql("DELETE FROM passkey_ceremonies WHERE token_hash = $1 AND kind = $2 RETURNING contact_id, state, expires_at")
                .bind(token_hash)
                .bind(kind)
                .fetch_optional(&self.db)
                .await?;
        Ok(row
            .filter(|(_, _, expires_at)| *expires_at > now.0)
            .map(|(contact, state, _)| Ceremony { contact: contact.map(ContactId), state }))
    }

    /// Saves a passkey and its `passkey_added` event, in one transaction. A credential
    /// registered already (to anyone) is a conflict.
    pub async fn add_passkey(&self, new: &NewPasskey<'_>, now: Timestamp) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let added = sql("INSERT INTO passkeys (contact_id, credential_id, passkey, browser, backup_eligible, backup_state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(new.contact.0)
        .bind(new.credential_id)
        .bind(new.passkey)
        .bind(new.browser)
        .bind(new.backup_eligible)
        .bind(new.backup_state)
        .bind(now.0)
        .scalar_one::<i64>(&mut tx)
        .await;
        let id = match added {
            Ok(id) => id,
            Err(e) if super::unique_violation(&e).is_some() => return Err(StoreError::Conflict("this passkey is saved already".into())),
            Err(e) => return Err(e.into()),
        };
        let what = super::What::PasskeyAdded { passkey: id, browser: new.browser.map(str::to_string), synced: new.backup_state };
        tx.record_events(&[super::NewEvent::new(Some(new.contact), what)], now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A contact's passkeys, oldest first.
    pub async fn passkeys_of(&self, contact: ContactId) -> StoreResult<Vec<StoredPasskey>> {
        let rows: Vec<Row> = sql(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM passkeys WHERE contact_id = $1 ORDER BY id")))
            .bind(contact.0)
            .fetch_all(&self.db)
            .await?;
        Ok(rows.into_iter().map(stored).collect())
    }

    /// After a login with it: the credential's new state, its counter and backup flag.
    pub async fn passkey_used(&self, id: i64, passkey: &str, sign_count: u32, backup_state: bool, now: Timestamp) -> StoreResult<()> {
        sql("UPDATE passkeys SET passkey = $1, sign_count = $2, backup_state = $3, last_used_at = $4 WHERE id = $5")
            .bind(passkey)
            .bind(i64::from(sign_count))
            .bind(backup_state)
            .bind(now.0)
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Removes one of the contact's passkeys, with `event`, in one transaction; false
    /// (and no event) when it is not theirs (or gone).
    pub async fn remove_passkey(&self, contact: ContactId, id: i64, event: super::NewEvent, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done = sql("DELETE FROM passkeys WHERE id = $1 AND contact_id = $2").bind(id).bind(contact.0).execute(&mut tx).await?;
        let removed = done.rows_affected() == 1;
        if removed {
            tx.record_events(&[event], now).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Removes all of a contact's passkeys; how many there were.
    pub async fn remove_passkeys_of(&self, contact: ContactId) -> StoreResult<u64> {
        let done = sql("DELETE FROM passkeys WHERE contact_id = $1").bind(contact.0).execute(&self.db).await?;
        Ok(done.rows_affected())
    }
}

impl Tx {
    /// Removes all of a contact's passkeys in the step's transaction.
    pub async fn remove_passkeys_of(&mut self, contact: ContactId) -> StoreResult<u64> {
        let done = sql("DELETE FROM passkeys WHERE contact_id = $1").bind(contact.0).execute(self.conn()).await?;
        Ok(done.rows_affected())
    }
}
