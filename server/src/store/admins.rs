//! Administrator accounts.

use super::sql;
use super::{NewEvent, Store, StoreError, StoreResult, unique_violation};
use domain::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRecord {
    pub id: i64,
    pub username: String,
    pub created_at: Timestamp,
    pub password_changed_at: Timestamp,
}

impl Store {
    /// Adds an administrator, with `event`, in one transaction.
    pub async fn add_admin(&self, username: &str, password_hash: &str, event: NewEvent, now: Timestamp) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let done =
            sql("INSERT INTO admins (username, password_hash, created_at, password_changed_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(username)
                .bind(password_hash)
                .bind(now.0)
                .bind(now.0)
                .scalar_one::<i64>(&mut tx)
                .await;
        let id = match done {
            Ok(id) => id,
            Err(e) if unique_violation(&e).is_some() => {
                return Err(StoreError::Conflict(format!("an administrator {username:?} exists already")));
            }
            Err(e) => return Err(e.into()),
        };
        tx.record_events(&[event], now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes an administrator (their sessions, browsers and networks go with them),
    /// with `event`, in one transaction. Returns whether there was such an administrator.
    pub async fn remove_admin(&self, username: &str, event: NewEvent, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let removed = sql("DELETE FROM admins WHERE username = $1").bind(username).execute(&mut tx).await?.rows_affected() == 1;
        if removed {
            tx.record_events(&[event], now).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Returns whether there was such an administrator. Their sessions end, and the
    /// browsers and networks they logged in from are forgotten, in the same
    /// transaction: a new password is often set because the old one leaked.
    pub async fn set_admin_password(&self, username: &str, password_hash: &str, event: NewEvent, now: Timestamp) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let id: Option<i64> = sql("UPDATE admins SET password_hash = $1, password_changed_at = $2 WHERE username = $3 RETURNING id")
            .bind(password_hash)
            .bind(now.0)
            .bind(username)
            .scalar_optional(&mut tx)
            .await?;
        let Some(id) = id else { return Ok(false) };
        sql("UPDATE admin_sessions SET ended_at = $1 WHERE admin_id = $2 AND ended_at IS NULL")
            .bind(now.0)
            .bind(id)
            .execute(&mut tx)
            .await?;
        sql("DELETE FROM admin_browsers WHERE admin_id = $1").bind(id).execute(&mut tx).await?;
        sql("DELETE FROM admin_networks WHERE admin_id = $1").bind(id).execute(&mut tx).await?;
        tx.record_events(&[event], now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether `token_hash` names a browser `admin_id` logged in with since `since`.
    pub async fn is_admin_browser(&self, admin_id: i64, token_hash: &[u8], since: Timestamp) -> StoreResult<bool> {
        let found: Option<i64> = sql("SELECT id FROM admin_browsers WHERE admin_id = $1 AND token_hash = $2 AND last_used_at > $3")
            .bind(admin_id)
            .bind(token_hash)
            .bind(since.0)
            .scalar_optional(&self.db)
            .await?;
        Ok(found.is_some())
    }

    /// Whether `admin_id` logged in from `network` since `since`.
    pub async fn is_admin_network(&self, admin_id: i64, network: &str, since: Timestamp) -> StoreResult<bool> {
        let found: Option<i64> = sql("SELECT admin_id FROM admin_networks WHERE admin_id = $1 AND network = $2 AND last_login_at > $3")
            .bind(admin_id)
            .bind(network)
            .bind(since.0)
            .scalar_optional(&self.db)
            .await?;
        Ok(found.is_some())
    }

    /// A session, and where it came from: the browser (kept, or made known with
    /// `new_browser`) and the network, in one transaction.
    pub async fn start_admin_session(
        &self,
        admin_id: i64,
        session_hash: &[u8],
        browser: AdminBrowser<'_>,
        network: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sql("INSERT INTO admin_sessions (admin_id, token_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $4)")
            .bind(admin_id)
            .bind(session_hash)
            .bind(now.0)
            .bind(now.0)
            .execute(&mut tx)
            .await?;
        match browser {
            AdminBrowser::Known(hash) => sql("UPDATE admin_browsers SET last_used_at = $1 WHERE token_hash = $2").bind(now.0).bind(hash),
            AdminBrowser::New(hash) => {
                sql("INSERT INTO admin_browsers (admin_id, token_hash, created_at, last_used_at) VALUES ($1, $2, $3, $3)")
                    .bind(admin_id)
                    .bind(hash)
                    .bind(now.0)
            }
        }
        .execute(&mut tx)
        .await?;
        sql("INSERT INTO admin_networks (admin_id, network, last_login_at) VALUES ($1, $2, $3)
             ON CONFLICT (admin_id, network) DO UPDATE SET last_login_at = excluded.last_login_at")
        .bind(admin_id)
        .bind(network)
        .bind(now.0)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn admins(&self) -> StoreResult<Vec<AdminRecord>> {
        let rows: Vec<(i64, String, i64, i64)> =
            sql("SELECT id, username, created_at, password_changed_at FROM admins ORDER BY username").fetch_all(&self.db).await?;
        Ok(rows
            .into_iter()
            .map(|(id, username, created, changed)| AdminRecord {
                id,
                username,
                created_at: Timestamp(created),
                password_changed_at: Timestamp(changed),
            })
            .collect())
    }

    /// An administrator's id and password hash, for logging in.
    pub async fn admin_credentials(&self, username: &str) -> StoreResult<Option<(i64, String)>> {
        Ok(sql("SELECT id, password_hash FROM admins WHERE username = $1").bind(username).fetch_optional(&self.db).await?)
    }

    /// A session that has not been ended, with its administrator.
    pub async fn admin_session(&self, token_hash: &[u8]) -> StoreResult<Option<AdminSessionRecord>> {
        let row: Option<(i64, i64, String, i64, i64)> =
            sql("SELECT s.id, a.id, a.username, s.created_at, s.last_seen_at FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
             WHERE s.token_hash = $1 AND s.ended_at IS NULL")
            .bind(token_hash)
            .fetch_optional(&self.db)
            .await?;
        Ok(row.map(|(id, admin_id, username, created, seen)| AdminSessionRecord {
            id,
            admin_id,
            username,
            created_at: Timestamp(created),
            last_seen_at: Timestamp(seen),
        }))
    }

    pub async fn touch_admin_session(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        sql("UPDATE admin_sessions SET last_seen_at = $1 WHERE id = $2").bind(now.0).bind(id).execute(&self.db).await?;
        Ok(())
    }

    pub async fn end_admin_session(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        sql("UPDATE admin_sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL").bind(now.0).bind(id).execute(&self.db).await?;
        Ok(())
    }
}

/// The browser a session starts in: one the administrator used before (the hash of
/// its cookie), or one made known now.
#[derive(Debug, Clone, Copy)]
pub enum AdminBrowser<'a> {
    Known(&'a [u8]),
    New(&'a [u8]),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSessionRecord {
    pub id: i64,
    pub admin_id: i64,
    pub username: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}
