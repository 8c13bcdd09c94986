//! Administrator accounts.

use super::{Store, StoreError, StoreResult, unique_violation};
use crate::domain::Timestamp;
use super::sql;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRecord {
    pub id: i64,
    pub username: String,
    pub created_at: Timestamp,
    pub password_changed_at: Timestamp,
}

impl Store {
    pub async fn add_admin(&self, username: &str, password_hash: &str, now: Timestamp) -> StoreResult<i64> {
        let done = sql("INSERT INTO admins (username, password_hash, created_at, password_changed_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(username)
            .bind(password_hash)
            .bind(now.0)
            .bind(now.0)
            .scalar_one::<i64>(&self.db)
            .await;
        match done {
            Ok(done) => Ok(done),
            Err(e) if unique_violation(&e).is_some() => Err(StoreError::Conflict(format!("an administrator {username:?} exists already"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Returns whether there was such an administrator.
    pub async fn remove_admin(&self, username: &str) -> StoreResult<bool> {
        Ok(sql("DELETE FROM admins WHERE username = $1").bind(username).execute(&self.db).await?.rows_affected() == 1)
    }

    /// Returns whether there was such an administrator.
    pub async fn set_admin_password(&self, username: &str, password_hash: &str, now: Timestamp) -> StoreResult<bool> {
        let done = sql("UPDATE admins SET password_hash = $1, password_changed_at = $2 WHERE username = $3")
            .bind(password_hash)
            .bind(now.0)
            .bind(username)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn admins(&self) -> StoreResult<Vec<AdminRecord>> {
        let rows: Vec<(i64, String, i64, i64)> =
            sql("SELECT id, username, created_at, password_changed_at FROM admins ORDER BY username").fetch_all(&self.db).await?;
        Ok(rows
            .into_iter()
            .map(|(id, username, created, changed)| AdminRecord { id, username, created_at: Timestamp(created), password_changed_at: Timestamp(changed) })
            .collect())
    }

    /// An administrator's id and password hash, for logging in.
    pub async fn admin_credentials(&self, username: &str) -> StoreResult<Option<(i64, String)>> {
        Ok(sql("SELECT id, password_hash FROM admins WHERE username = $1").bind(username).fetch_optional(&self.db).await?)
    }

    pub async fn add_admin_session(&self, admin_id: i64, token_hash: &[u8], now: Timestamp) -> StoreResult<i64> {
        let done = sql("INSERT INTO admin_sessions (admin_id, token_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(admin_id)
            .bind(token_hash)
            .bind(now.0)
            .bind(now.0)
            .scalar_one::<i64>(&self.db)
            .await?;
        Ok(done)
    }

    /// A session that has not been ended, with its administrator.
    pub async fn admin_session(&self, token_hash: &[u8]) -> StoreResult<Option<AdminSessionRecord>> {
        let row: Option<(i64, i64, String, i64, i64)> = sql(
            "SELECT s.id, a.id, a.username, s.created_at, s.last_seen_at FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
             WHERE s.token_hash = $1 AND s.ended_at IS NULL",
        )
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSessionRecord {
    pub id: i64,
    pub admin_id: i64,
    pub username: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}
