//! What administrators need to help a contact: the login diagnosis (the help article's
//! checklist, run on what the portal recorded).

pub mod accounts;
pub mod card;
pub mod diagnosis;
pub mod password;
pub mod session;

use crate::store::{Contact, Store, StoreResult};
use domain::{Identifier, Region, Timestamp};

pub use diagnosis::{Finding, Remedy, Rule, diagnose};

/// The newest events a card shows, and a diagnosis reads, of the last 30 days.
pub const CARD_EVENTS: u32 = 500;
/// The newest delivery records a diagnosis reads.
pub const DIAGNOSIS_JOBS: u32 = 200;
/// The newest requests for unregistered addresses (portal-wide) a diagnosis compares
/// the contact's addresses with.
pub const DIAGNOSIS_UNREGISTERED: u32 = 2000;

/// Loads a contact's timeline, bounded (the newest records of the last 30 days), and
/// runs the checklist on it.
pub async fn diagnose_contact(store: &Store, contact: &Contact, region: Region, now: Timestamp) -> StoreResult<Vec<Finding>> {
    let since = Timestamp(now.0 - diagnosis::WINDOW_SECS);
    let events = store.recent_events(contact.id, since, CARD_EVENTS).await?;
    let jobs = store.recent_jobs(contact.id, since, DIAGNOSIS_JOBS).await?;
    let unregistered: Vec<(String, Timestamp)> = store
        .unregistered_requests(since, DIAGNOSIS_UNREGISTERED)
        .await?
        .into_iter()
        .map(|(typed, at)| (Identifier::parse(&typed, region).map_or_else(|_| typed.trim().to_lowercase(), |i| i.to_string()), at))
        .collect();
    let timeline = diagnosis::Timeline { contact, events: &events, jobs: &jobs, unregistered: &unregistered, now };
    Ok(diagnose(&timeline))
}
