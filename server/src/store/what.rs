//! What the event log records, as one type: written with it, read back as it.
//!
//! Each variant is stored as its kind (the `kind` column, [`EventKind`]) and its fields
//! as a JSON object (the `detail` column). The JSON shapes are those the log had when
//! this type replaced hand-written JSON, so those rows read back as it; fields added to
//! an event since it was first written have defaults, so older rows read back too (a
//! count that was not kept is 0, a change made before `by` was kept is the command
//! line's or, for a publication, has no `by`). A stored row that
//! does not decode is logged as an error and read as [`What::Unreadable`] (the card
//! still opens); the integration tests fail on any such row.

use domain::{Actor, Channel};
use serde::{Deserialize, Serialize};

use super::EventKind;
use super::Trust;

/// Why a request sent nothing. Recorded for the administrator, never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotSent {
    NotRegistered,
    OptedOut,
    NoAddressForChannel,
    IdentifierLimit,
    /// Over the sending limit, but the slot's code was sent before and still logs in:
    /// the request links to it without another message.
    SameCodeSent,
    SmsCountryNotAllowed,
    SmsPrefixLimit,
    SmsBudgetSpent,
}

/// Why a code entry did not log in, as the log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    NoFlow,
    Malformed,
    NetworkLimited,
    Locked,
    Expired,
    TooManyAttempts,
    WrongCode,
    /// An older code of this flow, the newer one asked for in this browser.
    Superseded,
    /// An older code of this flow, the newer one asked for in another browser. No
    /// longer written since one code per login (issue 23): kept so older events read.
    SupersededElsewhere,
    Withdrawn,
}

/// One entry of the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    /// `network`: where the step came from (an IPv4 address or an IPv6 /64), for the
    /// administrator's diagnosis (a VPN, a shared network).
    CodeRequested {
        channel: Channel,
        trust: Trust,
        flow: Option<i64>,
        network: Option<String>,
    },
    /// Handed to the delivery worker.
    CodeQueued {
        channel: Channel,
        to: String,
        /// A re-send of a code sent before (still valid, same expiry).
        #[serde(default)]
        same_code: bool,
    },
    /// A provider took the message.
    CodeSent {
        job: i64,
        channel: Channel,
        to: String,
        attempt: i64,
        provider: String,
        provider_message_id: Option<String>,
        /// What the server or provider answered, masked of codes (kept since issue 24).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer: Option<String>,
    },
    /// A request that sent nothing: unknown identifier, opted out, or no such channel.
    CodeNotSent {
        channel: Channel,
        reason: NotSent,
    },
    DeliveryFailed {
        job: i64,
        channel: Channel,
        to: String,
        attempt: i64,
        provider: String,
        error: String,
    },
    /// A temporary failure; the worker tries again.
    DeliveryRetrying {
        job: i64,
        channel: Channel,
        to: String,
        attempt: i64,
        provider: String,
        error: String,
    },
    /// Not sent before the code expired (after a temporary failure: its provider and error).
    DeliveryExpired {
        job: i64,
        channel: Channel,
        to: String,
        attempt: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provider: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A provider's delivery receipt: delivered or not.
    DeliveryReceipt {
        job: i64,
        status: String,
        error_code: Option<String>,
    },
    /// `compared`: whether the digits were compared with a code at all.
    VerificationFailed {
        reason: FailReason,
        flow: Option<i64>,
        compared: bool,
        network: Option<String>,
    },
    LoginSucceeded {
        channel: Channel,
        device: Option<i64>,
        flow: Option<i64>,
        network: Option<String>,
    },
    /// A remembered browser came back after a while (not every page view), or a
    /// passkey login remembered a new one (`network`).
    DeviceRecognised {
        device: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        network: Option<String>,
    },
    DeviceExpired {
        device: i64,
    },
    LoggedOut {
        device: i64,
    },
    /// A logged-in contact opened a message not published to them.
    MessageRefused {
        message: String,
        reason: String,
    },
    /// A network reached a limit: `scope` names which ([`super::Scope`]). On a
    /// contact's card when a step of theirs was refused for it: with the network's
    /// requests in the hour, its limit, and when it lets one through again (a "Send
    /// code" refused before any flow exists records these, issue 24).
    NetworkLimited {
        scope: String,
        ip: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        requests: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resets_at: Option<i64>,
    },
    /// The hourly SMS budget is spent: an alert for operators.
    SmsBudgetSpent {
        per_hour: u32,
    },
    ContactRemoved {
        name: String,
        codes_withdrawn: u64,
        by: Actor,
    },
    /// A contact opted out of or into a channel.
    OptOutChanged {
        channel: Channel,
        opted_out: bool,
        devices_forgotten: u64,
        #[serde(default)]
        passkeys_removed: u64,
        by: Actor,
    },
    /// Codes used up because their contact opted out or was removed.
    CodesWithdrawn {
        channel: Channel,
        codes: u64,
    },
    /// An administrator account was added, removed or given a new password.
    AdminAccount {
        action: String,
        admin: String,
        by: Actor,
    },
    AdminLoggedIn {
        admin: String,
    },
    AdminLoginFailed {
        admin: String,
    },
    AdminLoggedOut {
        admin: String,
    },
    /// An administrator searched the contacts (`query`), or opened a card (`contact`).
    AdminLookup {
        admin: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        query: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contact: Option<i64>,
    },
    /// The portal forgot a contact's browsers (and, for all of them, their passkeys).
    DevicesRevoked {
        by: Actor,
        devices: Vec<i64>,
        #[serde(default)]
        passkeys_removed: u64,
    },
    /// A message was published to a contact (an administrator, on the card), or the
    /// API changed a message's publications (`published`, `unpublished`: how many).
    MessagePublished {
        /// Absent on publications from the card before the log kept who made a change
        /// (they name the `admin`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Actor>,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        admin: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        published: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unpublished: Option<u64>,
    },
    /// The integration API created or changed a contact; with what an address change
    /// took from them.
    ContactSaved {
        by: Actor,
        created: bool,
        external_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        addresses_changed: Option<Vec<Channel>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        codes_withdrawn: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        devices_forgotten: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        passkeys_removed: Option<u64>,
    },
    /// An API token was made or revoked.
    ApiToken {
        token: String,
        action: String,
        /// Tokens are made and revoked on the command line only.
        #[serde(default = "command_line")]
        by: Actor,
    },
    /// The integration API created, changed or deleted a message.
    MessageSaved {
        by: Actor,
        external_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deleted: Option<bool>,
    },
    /// A contact saved a passkey after logging in.
    PasskeyAdded {
        passkey: i64,
        browser: Option<String>,
        synced: bool,
    },
    /// A contact logged in with a passkey, no code.
    PasskeyLogin {
        passkey: i64,
        synced: bool,
    },
    /// A passkey was refused: unknown, revoked, or its answer did not verify.
    PasskeyRefused {
        step: String,
        reason: String,
    },
    /// A passkey was removed by its contact or an administrator.
    PasskeyRemoved {
        passkey: i64,
        by: Actor,
    },
    /// An administrator's test message (no code) to a contact: asked for on the card
    /// (`requested`, with the administrator's name), then each try's end, as for a code.
    TestMessage {
        job: i64,
        channel: Channel,
        to: String,
        status: TestStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        admin: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provider: Option<String>,
        /// The server's or provider's answer, or its error, masked of codes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        said: Option<String>,
    },
    /// A stored row this version cannot read (logged when read). Never written.
    #[serde(skip)]
    Unreadable {
        kind: String,
        detail: String,
    },
}

/// Where a test message stands, as its events say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    /// Asked for on the card.
    Requested,
    /// A server or provider took it.
    Accepted,
    /// A server answered "later": the worker tries again.
    Deferred,
    /// Refused for good.
    Failed,
    /// Not taken before the worker gave up on it.
    Expired,
}

/// The name a reason is stored under (`opted_out`): what the card, the doctor and the
/// metrics call it.
pub fn stored_name(reason: &impl Serialize) -> String {
    serde_json::to_value(reason).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn command_line() -> Actor {
    Actor::CommandLine
}

impl What {
    pub fn kind(&self) -> EventKind {
        match self {
            What::CodeRequested { .. } => EventKind::CodeRequested,
            What::CodeQueued { .. } => EventKind::CodeQueued,
            What::CodeSent { .. } => EventKind::CodeSent,
            What::CodeNotSent { .. } => EventKind::CodeNotSent,
            What::DeliveryFailed { .. } => EventKind::DeliveryFailed,
            What::DeliveryRetrying { .. } => EventKind::DeliveryRetrying,
            What::DeliveryExpired { .. } => EventKind::DeliveryExpired,
            What::DeliveryReceipt { .. } => EventKind::DeliveryReceipt,
            What::VerificationFailed { .. } => EventKind::VerificationFailed,
            What::LoginSucceeded { .. } => EventKind::LoginSucceeded,
            What::DeviceRecognised { .. } => EventKind::DeviceRecognised,
            What::DeviceExpired { .. } => EventKind::DeviceExpired,
            What::LoggedOut { .. } => EventKind::LoggedOut,
            What::MessageRefused { .. } => EventKind::MessageRefused,
            What::NetworkLimited { .. } => EventKind::NetworkLimited,
            What::SmsBudgetSpent { .. } => EventKind::SmsBudgetSpent,
            What::ContactRemoved { .. } => EventKind::ContactRemoved,
            What::OptOutChanged { .. } => EventKind::OptOutChanged,
            What::CodesWithdrawn { .. } => EventKind::CodesWithdrawn,
            What::AdminAccount { .. } => EventKind::AdminAccount,
            What::AdminLoggedIn { .. } => EventKind::AdminLoggedIn,
            What::AdminLoginFailed { .. } => EventKind::AdminLoginFailed,
            What::AdminLoggedOut { .. } => EventKind::AdminLoggedOut,
            What::AdminLookup { .. } => EventKind::AdminLookup,
            What::DevicesRevoked { .. } => EventKind::DevicesRevoked,
            What::MessagePublished { .. } => EventKind::MessagePublished,
            What::ContactSaved { .. } => EventKind::ContactSaved,
            What::ApiToken { .. } => EventKind::ApiToken,
            What::MessageSaved { .. } => EventKind::MessageSaved,
            What::PasskeyAdded { .. } => EventKind::PasskeyAdded,
            What::PasskeyLogin { .. } => EventKind::PasskeyLogin,
            What::PasskeyRefused { .. } => EventKind::PasskeyRefused,
            What::PasskeyRemoved { .. } => EventKind::PasskeyRemoved,
            What::TestMessage { .. } => EventKind::TestMessage,
            What::Unreadable { .. } => EventKind::Unreadable,
        }
    }

    /// The fields, as the `detail` column stores them (the kind is its own column).
    pub fn detail(&self) -> serde_json::Value {
        match self {
            What::Unreadable { detail, .. } => serde_json::from_str(detail).unwrap_or(serde_json::Value::Null),
            _ => {
                let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
                if let Some(fields) = value.as_object_mut() {
                    fields.remove("kind");
                }
                value
            }
        }
    }

    /// Reads a stored row back; a row that does not decode is logged and kept as
    /// [`What::Unreadable`].
    pub fn read(kind: &str, detail: &str) -> What {
        let decoded = serde_json::from_str::<serde_json::Value>(detail).and_then(|mut value| {
            if let Some(fields) = value.as_object_mut() {
                fields.insert("kind".into(), serde_json::Value::String(kind.to_string()));
            }
            serde_json::from_value::<What>(value)
        });
        match decoded {
            Ok(what) => what,
            Err(e) => {
                tracing::error!(kind, error = %e, "an event of the log could not be read");
                What::Unreadable { kind: kind.to_string(), detail: detail.to_string() }
            }
        }
    }

    /// Fills in what the rules do not know: the ids that exist only once the step's
    /// rows are written, and the network the step came from.
    pub fn in_step(mut self, flow_id: Option<i64>, device_id: Option<i64>, from: &str) -> Self {
        let here = || Some(from.to_string());
        match &mut self {
            What::CodeRequested { flow, network, .. } | What::VerificationFailed { flow, network, .. } => {
                *flow = flow.or(flow_id);
                *network = network.take().or_else(here);
            }
            What::LoginSucceeded { device, flow, network, .. } => {
                *device = device.or(device_id);
                *flow = flow.or(flow_id);
                *network = network.take().or_else(here);
            }
            _ => {}
        }
        self
    }

    /// The network the event came from, when it records one.
    pub fn network(&self) -> Option<&str> {
        match self {
            What::CodeRequested { network, .. }
            | What::VerificationFailed { network, .. }
            | What::LoginSucceeded { network, .. }
            | What::DeviceRecognised { network, .. } => network.as_deref(),
            _ => None,
        }
    }

    /// The login flow the event belongs to, when it records one.
    pub fn flow(&self) -> Option<i64> {
        match self {
            What::CodeRequested { flow, .. } | What::VerificationFailed { flow, .. } | What::LoginSucceeded { flow, .. } => *flow,
            _ => None,
        }
    }

    /// The channel a code event is about.
    pub fn channel(&self) -> Option<Channel> {
        match self {
            What::CodeRequested { channel, .. }
            | What::CodeQueued { channel, .. }
            | What::CodeSent { channel, .. }
            | What::CodeNotSent { channel, .. }
            | What::DeliveryFailed { channel, .. }
            | What::DeliveryRetrying { channel, .. }
            | What::DeliveryExpired { channel, .. }
            | What::TestMessage { channel, .. }
            | What::LoginSucceeded { channel, .. }
            | What::OptOutChanged { channel, .. }
            | What::CodesWithdrawn { channel, .. } => Some(*channel),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "what_tests.rs"]
mod tests;
