use super::Ex;

use super::sql;
use super::{ContactId, Store, StoreResult, Tx};
use domain::Timestamp;

/// A browser that logged in and is remembered by its device cookie.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: i64,
    pub contact: ContactId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub revoked: bool,
    /// "Firefox on Android", from the user agent at login.
    pub browser: Option<String>,
    /// A page has said that the browser is remembered.
    pub welcomed: bool,
}

async fn by_token<'e>(ex: impl Into<Ex<'e>>, token_hash: &[u8]) -> StoreResult<Option<Device>> {
    let row: Option<DeviceTuple> =
        sql("SELECT id, contact_id, created_at, last_seen_at, revoked_at, browser, welcomed FROM devices WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(ex)
            .await?;
    Ok(row.map(device))
}

type DeviceTuple = (i64, i64, i64, i64, Option<i64>, Option<String>, i64);

fn device((id, contact, created_at, last_seen_at, revoked_at, browser, welcomed): DeviceTuple) -> Device {
    Device {
        id,
        contact: ContactId(contact),
        created_at: Timestamp(created_at),
        last_seen_at: Timestamp(last_seen_at),
        revoked: revoked_at.is_some(),
        browser,
        welcomed: welcomed != 0,
    }
}

async fn revoke<'e>(ex: impl Into<Ex<'e>>, id: i64, now: Timestamp) -> StoreResult<()> {
    sql("UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL").bind(now.0).bind(id).execute(ex).await?;
    Ok(())
}

impl Store {
    pub async fn device_by_token(&self, token_hash: &[u8]) -> StoreResult<Option<Device>> {
        by_token(&self.db, token_hash).await
    }

    pub async fn touch_device(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        sql("UPDATE devices SET last_seen_at = $1 WHERE id = $2").bind(now.0).bind(id).execute(&self.db).await?;
        Ok(())
    }

    /// Records that a page said the browser is remembered (said once, after logging in).
    pub async fn welcome_device(&self, id: i64) -> StoreResult<()> {
        sql("UPDATE devices SET welcomed = 1 WHERE id = $1").bind(id).execute(&self.db).await?;
        Ok(())
    }

    pub async fn revoke_device(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        revoke(&self.db, id, now).await
    }

    /// Every browser a contact logged in with (revoked ones too), oldest first.
    pub async fn devices_of(&self, contact: ContactId) -> StoreResult<Vec<Device>> {
        let rows: Vec<DeviceTuple> = sql(
            "SELECT id, contact_id, created_at, last_seen_at, revoked_at, browser, welcomed FROM devices WHERE contact_id = $1 ORDER BY id",
        )
        .bind(contact.0)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(device).collect())
    }
}

impl Tx {
    pub async fn device_by_token(&mut self, token_hash: &[u8]) -> StoreResult<Option<Device>> {
        by_token(self.conn(), token_hash).await
    }

    pub async fn add_device(&mut self, contact: ContactId, token_hash: &[u8], browser: Option<&str>, now: Timestamp) -> StoreResult<i64> {
        let done =
            sql("INSERT INTO devices (contact_id, token_hash, created_at, last_seen_at, browser) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(contact.0)
                .bind(token_hash)
                .bind(now.0)
                .bind(now.0)
                .bind(browser)
                .scalar_one::<i64>(self.conn())
                .await?;
        Ok(done)
    }

    pub async fn revoke_device(&mut self, id: i64, now: Timestamp) -> StoreResult<()> {
        revoke(self.conn(), id, now).await
    }

    /// Forgets every browser of a contact; returns how many were remembered.
    pub async fn revoke_devices_of(&mut self, contact: ContactId, now: Timestamp) -> StoreResult<u64> {
        let done = sql("UPDATE devices SET revoked_at = $1 WHERE contact_id = $2 AND revoked_at IS NULL")
            .bind(now.0)
            .bind(contact.0)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected())
    }
}
