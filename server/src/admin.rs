//! What administrators need to help a contact: the login diagnosis (the help article's
//! checklist, run on what the portal recorded).

pub mod accounts;
pub mod diagnosis;
pub mod password;
pub mod session;

use crate::domain::{Identifier, Region, Timestamp};
use crate::store::{Contact, Store, StoreResult};

pub use diagnosis::{Finding, Remedy, Rule, diagnose};

/// Loads a contact's timeline and runs the checklist on it.
pub async fn diagnose_contact(store: &Store, contact: &Contact, region: Region, now: Timestamp) -> StoreResult<Vec<Finding>> {
    let since = Timestamp(now.0 - diagnosis::WINDOW_SECS);
    let events: Vec<_> = store.events(Some(contact.id)).await?.into_iter().filter(|e| e.at > since).collect();
    let jobs: Vec<_> = store.jobs(Some(contact.id)).await?.into_iter().filter(|j| j.created_at > since).collect();
    let unregistered: Vec<(String, Timestamp)> = store
        .unregistered_requests(since)
        .await?
        .into_iter()
        .map(|(typed, at)| (Identifier::parse(&typed, region).map_or_else(|_| typed.trim().to_lowercase(), |i| i.to_string()), at))
        .collect();
    let timeline = diagnosis::Timeline { contact, events: &events, jobs: &jobs, unregistered: &unregistered, now };
    Ok(diagnose(&timeline))
}
