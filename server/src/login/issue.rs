//! What a code request issues: the slot it links to (the live one, whose code is sent
//! again, or a new one) and where its code goes, or why it goes nowhere.

use domain::{Channel, Timestamp};

use super::events::NotSent;
use crate::store::{ContactId, Key, Slot, Trust};

/// A request's code: its slot, and where the code goes or why it goes nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub channel: Channel,
    pub send_to: Result<String, NotSent>,
    pub slot: SlotChoice,
}

/// The slot a request links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotChoice {
    /// The live slot: its code is sent again, with its own expiry.
    Live(Slot),
    /// No code could log in: a new slot for the sender in the pool, valid until then.
    New { owner: Key, contact: Option<ContactId>, trust: Trust, expires_at: Timestamp },
}

impl SlotChoice {
    pub fn expires_at(&self) -> Timestamp {
        match self {
            SlotChoice::Live(slot) => slot.expires_at,
            SlotChoice::New { expires_at, .. } => *expires_at,
        }
    }

    /// When the slot's code was first sent: a message now is a re-send of it.
    pub fn sent_at(&self) -> Option<Timestamp> {
        match self {
            SlotChoice::Live(slot) => slot.sent_at,
            SlotChoice::New { .. } => None,
        }
    }

    /// When the slot's code was last sent.
    pub fn last_sent_at(&self) -> Option<Timestamp> {
        match self {
            SlotChoice::Live(slot) => slot.last_sent_at,
            SlotChoice::New { .. } => None,
        }
    }
}
