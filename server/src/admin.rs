//! What administrators need to help a contact: the login diagnosis (the help article's
//! checklist, run on what the portal recorded).

pub mod accounts;
pub mod card;
pub mod diagnosis;
pub mod password;
pub mod session;

use crate::store::{Contact, Event, Store, StoreResult, What};
use domain::{Identifier, Region, Timestamp};

pub use diagnosis::{Finding, Remedy, Rule, diagnose};

/// The newest events a card shows, and a diagnosis reads, of the last 30 days.
pub const CARD_EVENTS: u32 = 500;
/// The newest delivery records a diagnosis reads.
pub const DIAGNOSIS_JOBS: u32 = 200;
/// The newest requests for unregistered addresses (portal-wide) a diagnosis compares
/// the contact's addresses with.
pub const DIAGNOSIS_UNREGISTERED: u32 = 2000;
/// The networks (newest first) whose entries without a login a diagnosis reads, and
/// how many entries of each.
pub const DIAGNOSIS_NETWORKS: usize = 10;
pub const DIAGNOSIS_ENTRIES: u32 = 20;
/// The refused messages a diagnosis names by title (distinct ids, at most
/// `REFUSALS_PER_HOUR` a contact per hour are recorded anyway).
pub const DIAGNOSIS_MESSAGES: usize = 50;

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
    // Entries with no login in progress from the networks they asked from (the newest
    // few networks, a bounded number of entries each).
    let mut networks: Vec<&str> = Vec::new();
    for network in events.iter().rev().filter_map(|e| e.what.network()) {
        if !networks.contains(&network) && networks.len() < DIAGNOSIS_NETWORKS {
            networks.push(network);
        }
    }
    let mut elsewhere = Vec::new();
    for network in networks {
        elsewhere.extend(store.entries_without_a_login(network, since, now, DIAGNOSIS_ENTRIES).await?);
    }
    elsewhere.sort_by_key(|r| r.at);
    let titles = message_titles(store, &events).await?;
    let timeline = diagnosis::Timeline {
        contact,
        events: &events,
        jobs: &jobs,
        unregistered: &unregistered,
        entries_without_login: &elsewhere,
        titles: &titles,
        now,
    };
    Ok(diagnose(&timeline))
}

/// The titles of the messages `events` name (refused ones), by public id.
pub async fn message_titles(store: &Store, events: &[Event]) -> StoreResult<Vec<(String, String)>> {
    let mut ids: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.what {
            What::MessageRefused { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut titles = Vec::with_capacity(ids.len());
    for id in ids.into_iter().take(DIAGNOSIS_MESSAGES) {
        if let Some(title) = store.message_title(id).await? {
            titles.push((id.to_string(), title));
        }
    }
    Ok(titles)
}
