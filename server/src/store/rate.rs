//! Counters for rate limits, kept in the database so limits survive restarts and hold
//! across several server processes on one database.

use super::{Store, StoreResult};
use crate::domain::Timestamp;

impl Store {
    /// Records one hit and returns how many hits `key` had in `scope` since `since`,
    /// this one included.
    pub async fn hit(&self, scope: &str, key: &str, now: Timestamp, since: Timestamp) -> StoreResult<u32> {
        self.record_hit(scope, key, now).await?;
        Ok(self.hits_since(scope, key, since).await?.len() as u32)
    }

    pub async fn record_hit(&self, scope: &str, key: &str, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO rate_hits (scope, key, at) VALUES (?, ?, ?)")
            .bind(scope)
            .bind(key)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        // Nothing older than a day is ever asked about.
        sqlx::query("DELETE FROM rate_hits WHERE at < ?").bind(now.0 - 86_400).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The times of `key`'s hits in `scope` after `since`, oldest first.
    pub async fn hits_since(&self, scope: &str, key: &str, since: Timestamp) -> StoreResult<Vec<Timestamp>> {
        let rows: Vec<i64> = sqlx::query_scalar("SELECT at FROM rate_hits WHERE scope = ? AND key = ? AND at > ? ORDER BY at")
            .bind(scope)
            .bind(key)
            .bind(since.0)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Timestamp).collect())
    }
}
