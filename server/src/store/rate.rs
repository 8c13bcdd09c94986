use super::{Store, StoreResult};
use crate::domain::Timestamp;

impl Store {
    /// Records one hit and returns how many hits `key` had in `scope` since `since`,
    /// this one included. Kept in the database so limits survive restarts and hold
    /// across several server processes.
    pub async fn hit(&self, scope: &str, key: &str, now: Timestamp, since: Timestamp) -> StoreResult<u32> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO rate_hits (scope, key, at) VALUES (?, ?, ?)")
            .bind(scope)
            .bind(key)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rate_hits WHERE scope = ? AND key = ? AND at > ?")
            .bind(scope)
            .bind(key)
            .bind(since.0)
            .fetch_one(&mut *tx)
            .await?;
        // Nothing older than a day is ever asked about.
        sqlx::query("DELETE FROM rate_hits WHERE at < ?").bind(now.0 - 86_400).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }
}
