//! Deleting what is past its retention, in batches of short transactions (several
//! processes may prune at once: each deletes what is due, the second finds nothing).

use super::sql;
use super::{Store, StoreResult};
use domain::Timestamp;

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
    /// Passkey ceremonies that expired before this.
    pub ceremonies: Timestamp,
    /// Administrators' browsers and networks unused since this.
    pub admin_known: Timestamp,
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
    pub ceremonies: u64,
}

impl std::fmt::Display for Pruned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pruned {} login flow(s) with {} code(s), {} rate-limit hit(s), {} delivery record(s), {} event(s), {} device(s), {} known network(s), {} dev-outbox message(s), {} passkey ceremony record(s)",
            self.flows,
            self.codes,
            self.rate_hits,
            self.delivery_jobs,
            self.events,
            self.devices,
            self.networks,
            self.outbox,
            self.ceremonies
        )
    }
}

/// Rows deleted per statement.
const BATCH: u64 = 1000;

impl Store {
    /// Deletes what is past its retention, in batches of [`BATCH`] rows, each its own
    /// transaction: several processes may prune at once (each deletes what is due, the
    /// second finds nothing), and no batch holds SQLite's write lock or PostgreSQL's row
    /// locks for long. The events' horizon moves to the cutoff (forward only).
    pub async fn prune(&self, c: &Cutoffs) -> StoreResult<Pruned> {
        let ended = "completed_at < $1 OR (completed_at IS NULL AND last_sent_at < $2)";
        let flow_ends = [c.flows_ended.0, c.flows_last_code.0];
        let codes =
            self.delete_batched("login_codes", &format!("flow_id IN (SELECT id FROM login_flows WHERE {ended})"), &flow_ends).await?;
        let flows = self.delete_batched("login_flows", ended, &flow_ends).await?;
        let rate_hits = self.delete_batched("rate_hits", "at < $1", &[c.rate_hits.0]).await?;
        let delivery_jobs = self.delete_batched("delivery_jobs", "created_at < $1", &[c.records.0.saturating_mul(1000)]).await?;
        let horizon = c.records.0;
        sql("UPDATE retention SET events_before = CASE WHEN events_before < $1 THEN $1 ELSE events_before END WHERE id = 1")
            .bind(horizon)
            .execute(&self.db)
            .await?;
        let events = self.delete_batched("events", "at < $1", &[horizon]).await?;
        // Support references name attempts in the events: they go with them.
        self.delete_batched("support_refs", "at < $1", &[horizon]).await?;
        let devices = self
            .delete_batched(
                "devices",
                "revoked_at < $1 OR last_seen_at < $2 OR created_at < $3",
                &[c.devices_revoked.0, c.devices_seen.0, c.devices_created.0],
            )
            .await?;
        let networks = self.delete_batched("known_networks", "last_login_at < $1", &[c.networks.0]).await?;
        let outbox = self.delete_batched("outbox", "created_at < $1", &[c.flows_ended.0]).await?;
        // Administrator sessions last 12 hours at most; a day later they go. Their known
        // browsers and networks go after 90 days unused.
        self.delete_batched("admin_sessions", "created_at < $1", &[c.flows_ended.0]).await?;
        self.delete_batched("admin_browsers", "last_used_at < $1", &[c.admin_known.0]).await?;
        self.delete_batched("admin_networks", "last_login_at < $1", &[c.admin_known.0]).await?;
        let ceremonies = self.delete_batched("passkey_ceremonies", "expires_at <= $1", &[c.ceremonies.0]).await?;
        Ok(Pruned { flows, codes, rate_hits, delivery_jobs, events, devices, networks, outbox, ceremonies })
    }

    /// Deletes the rows of `table` that match `filter` (with `$1`… bound to `args`), a
    /// batch at a time, and returns how many went.
    async fn delete_batched(&self, table: &'static str, filter: &str, args: &[i64]) -> StoreResult<u64> {
        let row = self.backend().row_id();
        let text = format!("DELETE FROM {table} WHERE {row} IN (SELECT {row} FROM {table} WHERE {filter} LIMIT {BATCH})");
        let mut total = 0;
        loop {
            let mut delete = sql(sqlx::AssertSqlSafe(text.clone()));
            for a in args {
                delete = delete.bind(*a);
            }
            let n = delete.execute(&self.db).await?.rows_affected();
            total += n;
            if n < BATCH {
                return Ok(total);
            }
        }
    }
}
