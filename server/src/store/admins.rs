//! Administrator accounts.

use super::{Store, StoreError, StoreResult, unique_violation};
use crate::domain::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRecord {
    pub id: i64,
    pub username: String,
    pub created_at: Timestamp,
    pub password_changed_at: Timestamp,
}

impl Store {
    pub async fn add_admin(&self, username: &str, password_hash: &str, now: Timestamp) -> StoreResult<i64> {
        let done = sqlx::query("INSERT INTO admins (username, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?)")
            .bind(username)
            .bind(password_hash)
            .bind(now.0)
            .bind(now.0)
            .execute(&self.pool)
            .await;
        match done {
            Ok(done) => Ok(done.last_insert_rowid()),
            Err(e) if unique_violation(&e).is_some() => Err(StoreError::Conflict(format!("an administrator {username:?} exists already"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Returns whether there was such an administrator.
    pub async fn remove_admin(&self, username: &str) -> StoreResult<bool> {
        Ok(sqlx::query("DELETE FROM admins WHERE username = ?").bind(username).execute(&self.pool).await?.rows_affected() == 1)
    }

    /// Returns whether there was such an administrator.
    pub async fn set_admin_password(&self, username: &str, password_hash: &str, now: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE admins SET password_hash = ?, password_changed_at = ? WHERE username = ?")
            .bind(password_hash)
            .bind(now.0)
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn admins(&self) -> StoreResult<Vec<AdminRecord>> {
        let rows: Vec<(i64, String, i64, i64)> =
            sqlx::query_as("SELECT id, username, created_at, password_changed_at FROM admins ORDER BY username").fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|(id, username, created, changed)| AdminRecord { id, username, created_at: Timestamp(created), password_changed_at: Timestamp(changed) })
            .collect())
    }

    /// An administrator's id and password hash, for logging in.
    pub async fn admin_credentials(&self, username: &str) -> StoreResult<Option<(i64, String)>> {
        Ok(sqlx::query_as("SELECT id, password_hash FROM admins WHERE username = ?").bind(username).fetch_optional(&self.pool).await?)
    }

    pub async fn add_admin_session(&self, admin_id: i64, token_hash: &[u8], now: Timestamp) -> StoreResult<i64> {
        let done = sqlx::query("INSERT INTO admin_sessions (admin_id, token_hash, created_at, last_seen_at) VALUES (?, ?, ?, ?)")
            .bind(admin_id)
            .bind(token_hash)
            .bind(now.0)
            .bind(now.0)
            .execute(&self.pool)
            .await?;
        Ok(done.last_insert_rowid())
    }

    /// A session that has not been ended, with its administrator.
    pub async fn admin_session(&self, token_hash: &[u8]) -> StoreResult<Option<AdminSessionRecord>> {
        let row: Option<(i64, i64, String, i64, i64)> = sqlx::query_as(
            "SELECT s.id, a.id, a.username, s.created_at, s.last_seen_at FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
             WHERE s.token_hash = ? AND s.ended_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
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
        sqlx::query("UPDATE admin_sessions SET last_seen_at = ? WHERE id = ?").bind(now.0).bind(id).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn end_admin_session(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE admin_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL").bind(now.0).bind(id).execute(&self.pool).await?;
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
