//! Deleting what is past its retention, in one transaction (several processes may
//! prune at once: each deletes what is due, the second finds nothing).

use super::{Store, StoreResult};
use crate::domain::Timestamp;
use super::sql;

/// Before when each kind of row goes (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Flows that ended (logged in, or expired) before this, with their codes.
    pub flows_ended: Timestamp,
    /// Flows whose newest code was issued before this have expired before `flows_ended`.
    pub flows_last_code: Timestamp,
    pub rate_hits: Timestamp,
    /// Events and delivery records.
    pub records: Timestamp,
    /// Devices revoked, idle or too old before this.
    pub devices_revoked: Timestamp,
    pub devices_seen: Timestamp,
    pub devices_created: Timestamp,
    /// Networks a contact last logged in from before this no longer count.
    pub networks: Timestamp,
}

/// How many rows of each kind went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub flows: u64,
    pub codes: u64,
    pub rate_hits: u64,
    pub delivery_jobs: u64,
    pub events: u64,
    pub devices: u64,
    pub networks: u64,
    pub outbox: u64,
}

impl std::fmt::Display for Pruned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pruned {} login flow(s) with {} code(s), {} rate-limit hit(s), {} delivery record(s), {} event(s), {} device(s), {} known network(s), {} dev-outbox message(s)",
            self.flows, self.codes, self.rate_hits, self.delivery_jobs, self.events, self.devices, self.networks, self.outbox
        )
    }
}

impl Store {
    pub async fn prune(&self, c: &Cutoffs) -> StoreResult<Pruned> {
        let mut tx = self.begin().await?;
        let ended = "completed_at < $1 OR (completed_at IS NULL AND last_sent_at < $2)";
        let codes = sql(sqlx::AssertSqlSafe(format!("DELETE FROM login_codes WHERE flow_id IN (SELECT id FROM login_flows WHERE {ended})")))
            .bind(c.flows_ended.0)
            .bind(c.flows_last_code.0)
            .execute(&mut tx)
            .await?
            .rows_affected();
        let flows = sql(sqlx::AssertSqlSafe(format!("DELETE FROM login_flows WHERE {ended}")))
            .bind(c.flows_ended.0)
            .bind(c.flows_last_code.0)
            .execute(&mut tx)
            .await?
            .rows_affected();
        let delete = |text: &'static str, before: i64| sql(text).bind(before);
        let rate_hits = delete("DELETE FROM rate_hits WHERE at < $1", c.rate_hits.0).execute(&mut tx).await?.rows_affected();
        let delivery_jobs =
            delete("DELETE FROM delivery_jobs WHERE created_at < $1", c.records.0.saturating_mul(1000)).execute(&mut tx).await?.rows_affected();
        sql("UPDATE retention SET events_before = CASE WHEN events_before < $1 THEN $1 ELSE events_before END WHERE id = 1").bind(c.records.0).execute(&mut tx).await?;
        let events = delete("DELETE FROM events WHERE at < $1", c.records.0).execute(&mut tx).await?.rows_affected();
        let devices = sql("DELETE FROM devices WHERE revoked_at < $1 OR last_seen_at < $2 OR created_at < $3")
            .bind(c.devices_revoked.0)
            .bind(c.devices_seen.0)
            .bind(c.devices_created.0)
            .execute(&mut tx)
            .await?
            .rows_affected();
        let networks = delete("DELETE FROM known_networks WHERE last_login_at < $1", c.networks.0).execute(&mut tx).await?.rows_affected();
        let outbox = delete("DELETE FROM outbox WHERE created_at < $1", c.flows_ended.0).execute(&mut tx).await?.rows_affected();
        // Administrator sessions last 12 hours at most; a day later they go.
        delete("DELETE FROM admin_sessions WHERE created_at < $1", c.flows_ended.0).execute(&mut tx).await?;
        tx.commit().await?;
        Ok(Pruned { flows, codes, rate_hits, delivery_jobs, events, devices, networks, outbox })
    }
}
