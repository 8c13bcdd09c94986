//! What the portal keeps, for how long, and the task that deletes the rest.
//!
//! - Login flows and their codes: a day (`PORTAL_FLOW_RETENTION`) after the flow ended
//!   (logged in, or expired a code lifetime after its newest code). Nothing needs them
//!   after that; what happened is in the event log.
//! - Events, delivery records (jobs and attempts), and devices revoked or expired:
//!   400 days (`PORTAL_RECORD_RETENTION`), so an administrator can still help with
//!   "I could not log in last year". Events younger than that cannot be deleted (a
//!   trigger refuses it).
//! - Rate-limit hits: a day (no limit looks further back). Networks a contact logged in
//!   from: the device lifetime, after which they no longer count as familiar.
//! - Dev-outbox messages: like login flows.
//! - Passkey ceremonies never finished: once past their time (minutes).
//! - Administrators' known browsers and networks: after 90 days unused.
//!
//! Pruning deletes in batches of 1,000 rows, each its own short transaction, and takes
//! no step lock: it never holds up a login for long, however much is due.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::login::Limits;
use crate::store::{Cutoffs, Pruned, Store, StoreResult};
use domain::Timestamp;

/// The shortest record retention a portal accepts: the diagnosis window.
pub const MIN_RECORDS: Duration = Duration::from_secs(crate::admin::diagnosis::WINDOW_SECS.unsigned_abs());

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    pub flows: Duration,
    pub records: Duration,
    /// How often a server process prunes.
    pub every: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { flows: Duration::from_secs(86_400), records: Duration::from_secs(400 * 86_400), every: Duration::from_secs(3600) }
    }
}

fn before(now: Timestamp, ago: &[Duration]) -> Timestamp {
    let secs: u64 = ago.iter().map(Duration::as_secs).fold(0, u64::saturating_add);
    Timestamp(now.0.saturating_sub(i64::try_from(secs).unwrap_or(i64::MAX)))
}

/// Before when each kind of row goes, at `now`.
///
/// Records are kept at least [`MIN_RECORDS`] whatever `r` says (the setting refuses
/// less; this holds for any caller): no cutoff empties the last 30 days of the log.
pub fn cutoffs(r: &Retention, l: &Limits, now: Timestamp) -> Cutoffs {
    let records = r.records.max(MIN_RECORDS);
    Cutoffs {
        flows_ended: before(now, &[r.flows]),
        // A flow ends a code lifetime after its newest code expired.
        flows_last_code: before(now, &[r.flows, l.code_ttl, l.code_ttl]),
        rate_hits: before(now, &[Duration::from_secs(86_400)]),
        records: before(now, &[records]),
        devices_revoked: before(now, &[records]),
        devices_seen: before(now, &[records, l.device_idle]),
        devices_created: before(now, &[records, l.device_max_age]),
        networks: before(now, &[l.device_max_age]),
        ceremonies: now,
        admin_known: before(now, &[crate::admin::session::AdminLimits::default().known_for]),
    }
}

pub async fn prune(store: &Store, r: &Retention, l: &Limits, now: Timestamp) -> StoreResult<Pruned> {
    store.prune(&cutoffs(r, l, now)).await
}

/// Prunes now and then every `r.every`, for as long as the server runs.
pub fn spawn(store: Store, r: Retention, l: Limits, clock: Arc<dyn Clock>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(r.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match prune(&store, &r, &l, clock.now()).await {
                Ok(pruned) => tracing::info!("{pruned}"),
                Err(e) => tracing::error!(error = %e, "pruning failed; trying again at the next interval"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_follow_the_settings() {
        let now = Timestamp(1_800_000_000);
        let c = cutoffs(&Retention::default(), &Limits::default(), now);
        assert_eq!(c.flows_ended, Timestamp(now.0 - 86_400));
        assert_eq!(c.flows_last_code, Timestamp(now.0 - 86_400 - 1200));
        assert_eq!(c.records, Timestamp(now.0 - 400 * 86_400));
        assert_eq!(c.devices_seen, Timestamp(now.0 - 430 * 86_400));
        assert_eq!(c.devices_created, Timestamp(now.0 - 580 * 86_400));
        assert_eq!(c.networks, Timestamp(now.0 - 180 * 86_400));
    }
}
