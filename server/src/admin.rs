//! What administrators need to help a contact: the login diagnosis (the help article's
//! checklist, run on what the portal recorded).

pub mod accounts;
pub mod card;
pub mod diagnosis;
pub mod health;
pub mod password;
pub mod session;
pub mod test_message;

use std::sync::Arc;

use crate::clock::Clock;
use crate::login::{Limits, Outbox};
use crate::store::{Contact, Event, JobPurpose, Store, StoreResult, What};
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

/// What an action on a card came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acted {
    Done,
    /// No such contact, or nothing of theirs to act on (a browser, a passkey, a message).
    NotFound,
    /// Refused, nothing changed: the problem the card names (`test-limit`, …).
    Refused(&'static str),
}

#[derive(Clone)]
/// The administrator's side of contacts: the list, the card and its buttons
/// (`card`), test messages (`test_message`) and delivery health (`health`).
pub struct Cards {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub region: Region,
    pub limits: Limits,
    /// The organisation's zone: administrators read times as their contacts do.
    pub zone: domain::i18n::Zone,
    /// How test messages leave; `None` where nothing is sent from (the command line).
    pub outbox: Option<Outbox>,
}

/// Loads a contact's timeline, bounded (the newest records of the last 30 days), and
/// runs the checklist on it.
pub async fn diagnose_contact(store: &Store, contact: &Contact, region: Region, now: Timestamp) -> StoreResult<Vec<Finding>> {
    let since = Timestamp(now.0 - diagnosis::WINDOW_SECS);
    let events = store.recent_events(contact.id, since, CARD_EVENTS).await?;
    let jobs = store.recent_jobs(contact.id, JobPurpose::Code, since, DIAGNOSIS_JOBS).await?;
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
