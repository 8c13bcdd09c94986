//! What a step said: the outcome the card shows, and why a code did not log in.

use domain::{Channel, SupportRef, Timestamp};
use serde::{Deserialize, Serialize};

use crate::store::{FailReason, Told};

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

impl Outcome {
    /// What the contact is told, when it is a refusal they may call about: it then
    /// comes with a support reference. Not "Send a new code" too early, nor an address
    /// or a code mistyped (the page says what to fix).
    pub fn told(&self) -> Option<Told> {
        match self {
            Outcome::NetworkLimited => Some(Told::NetworkLimited),
            Outcome::Refused(refusal) => match refusal {
                Refusal::NoFlow => Some(Told::NoFlow),
                Refusal::Malformed => None,
                Refusal::NetworkLimited => Some(Told::NetworkLimited),
                Refusal::Locked { .. } => Some(Told::Locked),
                Refusal::Expired => Some(Told::Expired),
                Refusal::TooManyAttempts => Some(Told::TooManyAttempts),
                Refusal::Wrong { .. } => Some(Told::WrongCode),
                Refusal::Superseded { .. } => Some(Told::OlderCode),
                Refusal::Withdrawn => Some(Told::Withdrawn),
            },
            Outcome::CodeSent | Outcome::CooldownActive { .. } | Outcome::MalformedIdentifier => None,
        }
    }
}

/// What a step said and the support reference it gave, as the flow keeps them until
/// a page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    pub outcome: Outcome,
    #[serde(default)]
    pub reference: Option<SupportRef>,
}

impl Said {
    /// Reads what a flow keeps; an outcome written before references were given (a
    /// bare [`Outcome`]) reads as one without.
    pub fn read(text: &str) -> Result<Said, serde_json::Error> {
        serde_json::from_str::<Said>(text)
            .or_else(|_| serde_json::from_str::<Outcome>(text).map(|outcome| Said { outcome, reference: None }))
    }
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
