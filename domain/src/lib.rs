//! The portal's words, parsed once at the edge: each type rejects bad input with a
//! message a person can act on, and everything past the edge takes the parsed type.
//!
//! This crate is the ground floor. `app` (the pages) and `server` (the rules, the
//! store, delivery, the web layer) both stand on it; it stands on neither. What the
//! pages and the server must agree on lives here: the channels, the languages and
//! their texts, the caller of a request, and the contract between the login page and
//! its script ([`contract`]).

mod actor;
mod caller;
mod channel;
mod code;
pub mod contract;
mod email;
#[cfg(test)]
mod fuzz;
pub mod html;
pub mod i18n;
mod identifier;
mod local_path;
mod organisation;
mod phone;
mod support_ref;
mod time;
mod token;
mod typo;
mod user_agent;
pub mod view;

pub use actor::Actor;
pub use caller::Caller;
pub use channel::Channel;
pub use code::{CODE_INPUT_MAX, Code};
pub use email::EmailAddress;
pub use identifier::Identifier;
pub use local_path::LocalPath;
pub use organisation::Organisation;
pub use phone::{PhoneNumber, Region};
pub use support_ref::SupportRef;
pub use time::{Timestamp, parse_duration};
pub use token::{Keyring, Secret, Token};
pub use typo::did_you_mean;
pub use user_agent::{browser_and_platform, browser_parts};

/// Why an input was refused. The text is shown to whoever typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

impl InputError {
    pub fn new(message: impl Into<String>) -> Self {
        InputError(message.into())
    }
}

#[cfg(test)]
mod contract_tests {
    use super::contract::*;

    #[test]
    fn every_cookie_of_the_portal_carries_its_prefix() {
        let names = [FLOW_COOKIE, DEVICE_COOKIE, ADMIN_COOKIE, ADMIN_BROWSER_COOKIE, PASSKEY_LATER_COOKIE, crate::i18n::LANGUAGE_COOKIE];
        for name in names {
            assert!(name.starts_with(COOKIE_PREFIX) && name.len() > COOKIE_PREFIX.len(), "{name}");
        }
    }
}
