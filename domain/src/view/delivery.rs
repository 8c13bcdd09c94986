//! What the delivery health page shows (issue 24): per email domain and SMS country,
//! the last hour and day; and a test message sent from a contact's card.

use serde::{Deserialize, Serialize};

use crate::Channel;

/// The delivery health page: each destination, over the last hour and day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryHealthView {
    pub admin: String,
    pub destinations: Vec<DestinationView>,
    /// How many delivery records the times were taken from, and whether that was all of
    /// the day's (the counts always are).
    pub counted: u32,
    pub complete: bool,
}

/// One email domain or SMS country on the delivery health page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationView {
    pub channel: Channel,
    pub destination: String,
    /// Its trouble jumped in the last hour: the line that says so.
    pub trouble: Option<String>,
    pub hour: WindowView,
    pub day: WindowView,
}

/// What went to one destination in one window; times as "median / p95".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowView {
    pub sent: u32,
    pub accepted: u32,
    pub deferred: u32,
    pub failed: u32,
    pub late: u32,
    pub pending: u32,
    pub to_accept: Option<String>,
    pub to_deliver: Option<String>,
}

/// A test message sent from the card, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestMessageRow {
    pub at: String,
    pub channel: Channel,
    pub to: String,
    /// The administrator who sent it.
    pub by: String,
    /// "Accepted by the mail server", "Deferred by the mail server; trying again", …
    pub status: String,
    /// What the server or provider said: its answer, or its error.
    pub said: Option<String>,
    /// Not yet taken or given up on.
    pub pending: bool,
}
