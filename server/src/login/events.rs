//! The login's events, typed: what each step records for the administrator (stored as
//! its kind and its fields as JSON, read back by the diagnosis).

use app::types::Channel;
use serde::Serialize;

use crate::store::{ContactId, EventKind, Trust};

/// Why a request sent nothing. Recorded for the administrator, never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotSent {
    NotRegistered,
    OptedOut,
    NoAddressForChannel,
    IdentifierLimit,
    SmsCountryNotAllowed,
    SmsPrefixLimit,
    SmsBudgetSpent,
}

/// An event of the login, typed; stored as its kind and its fields as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LoginEvent {
    /// `network`: where the step came from (an IPv4 address or an IPv6 /64), for the
    /// administrator's diagnosis (a VPN, a shared network).
    CodeRequested {
        channel: Channel,
        trust: Trust,
        flow: Option<i64>,
        network: Option<String>,
    },
    CodeQueued {
        channel: Channel,
        to: String,
    },
    CodeNotSent {
        channel: Channel,
        reason: NotSent,
    },
    /// `compared`: whether the digits were compared with a code at all.
    VerificationFailed {
        reason: &'static str,
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
    NetworkLimited {
        scope: &'static str,
        ip: String,
    },
    SmsBudgetSpent {
        per_hour: u32,
    },
    /// A remembered browser came back after a while (not every page view).
    DeviceRecognised {
        device: i64,
    },
    DeviceExpired {
        device: i64,
    },
    LoggedOut {
        device: i64,
    },
    MessageRefused {
        message: String,
        reason: &'static str,
    },
}

impl LoginEvent {
    pub fn kind(&self) -> EventKind {
        match self {
            LoginEvent::CodeRequested { .. } => EventKind::CodeRequested,
            LoginEvent::CodeQueued { .. } => EventKind::CodeQueued,
            LoginEvent::CodeNotSent { .. } => EventKind::CodeNotSent,
            LoginEvent::VerificationFailed { .. } => EventKind::VerificationFailed,
            LoginEvent::LoginSucceeded { .. } => EventKind::LoginSucceeded,
            LoginEvent::NetworkLimited { .. } => EventKind::NetworkLimited,
            LoginEvent::SmsBudgetSpent { .. } => EventKind::SmsBudgetSpent,
            LoginEvent::DeviceRecognised { .. } => EventKind::DeviceRecognised,
            LoginEvent::DeviceExpired { .. } => EventKind::DeviceExpired,
            LoginEvent::LoggedOut { .. } => EventKind::LoggedOut,
            LoginEvent::MessageRefused { .. } => EventKind::MessageRefused,
        }
    }

    /// Fills in what the rules do not know: the ids that exist only once the step's
    /// rows are written, and the network the step came from.
    pub fn in_step(mut self, flow_id: Option<i64>, device_id: Option<i64>, from: &str) -> Self {
        let here = || Some(from.to_string());
        match &mut self {
            LoginEvent::CodeRequested { flow, network, .. } | LoginEvent::VerificationFailed { flow, network, .. } => {
                *flow = flow.or(flow_id);
                *network = network.take().or_else(here);
            }
            LoginEvent::LoginSucceeded { device, flow, network, .. } => {
                *device = device.or(device_id);
                *flow = flow.or(flow_id);
                *network = network.take().or_else(here);
            }
            _ => {}
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub contact: Option<ContactId>,
    pub what: LoginEvent,
}
