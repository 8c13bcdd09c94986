//! What a step said: the outcome the card shows, and why a code did not log in.

use domain::{Channel, Timestamp};
use serde::{Deserialize, Serialize};

use crate::store::FailReason;

/// What a step said, kept on the flow so a browser without JavaScript sees it after
/// its redirect. The adapter turns it into words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// "Send a new code" went through (whether anything was sent does not show).
    CodeSent,
    /// "Send a new code" before the cooldown ended.
    CooldownActive {
        until: Timestamp,
    },
    NetworkLimited,
    MalformedIdentifier,
    Refused(Refusal),
}

/// Why a code did not log in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// No login in progress in this browser (or it completed or expired).
    NoFlow,
    Malformed,
    NetworkLimited,
    /// Too many wrong codes for this identifier from this network in a day.
    Locked {
        until: Timestamp,
    },
    Expired,
    TooManyAttempts,
    Wrong {
        attempts_left: u32,
    },
    /// The digits typed are those of an earlier code of this flow, which a newer one
    /// replaced once it had expired, was used or locked: said only to someone who
    /// typed a code that was really sent.
    Superseded {
        sent_at: Timestamp,
        channel: Channel,
    },
    /// The code's contact opted out of its channel (or was removed) after it was sent.
    Withdrawn,
}

impl Refusal {
    /// The reason as the event log records it.
    pub fn reason(&self) -> FailReason {
        match self {
            Refusal::NoFlow => FailReason::NoFlow,
            Refusal::Malformed => FailReason::Malformed,
            Refusal::NetworkLimited => FailReason::NetworkLimited,
            Refusal::Locked { .. } => FailReason::Locked,
            Refusal::Expired => FailReason::Expired,
            Refusal::TooManyAttempts => FailReason::TooManyAttempts,
            Refusal::Wrong { .. } => FailReason::WrongCode,
            Refusal::Superseded { .. } => FailReason::Superseded,
            Refusal::Withdrawn => FailReason::Withdrawn,
        }
    }
}
