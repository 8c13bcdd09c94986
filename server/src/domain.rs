//! Parsed domain types: each rejects bad input once, at the edge, with a message a
//! person can act on.

mod actor;
mod code;
mod email;
#[cfg(test)]
mod fuzz;
mod identifier;
mod phone;
mod time;
mod token;
mod user_agent;

pub use actor::Actor;
pub use code::Code;
pub use email::EmailAddress;
pub use identifier::Identifier;
pub use phone::{PhoneNumber, Region};
pub use time::{Timestamp, parse_duration};
pub use token::{Keyring, Secret, Token};
pub use user_agent::browser_and_platform;

/// Why an input was refused. The text is shown to whoever typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

impl InputError {
    pub fn new(message: impl Into<String>) -> Self {
        InputError(message.into())
    }
}
