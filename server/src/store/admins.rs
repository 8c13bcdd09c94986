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
}
