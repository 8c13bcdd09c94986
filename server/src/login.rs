//! Logging in: the login as explicit states with pure rules (`flow`, `rules`), and the
//! service that loads, decides and writes each step in one transaction.
//!
//! A login is a small state machine per browser, named by the flow cookie:
//! `request` → `Requested` → `verify` → `Completed` (the browser remembered), or
//! `Expired`. Every transition writes an event; the administrator reads them on the
//! contact's card.

mod events;
pub mod flow;
mod issue;
mod limits;
mod outcome;
mod persist;
pub mod rules;
mod service;
mod session;
mod steps;
mod view;

pub use limits::Limits;
pub use outcome::{Outcome, Refusal, Said};
pub use service::{LoginService, Outbox, Screen, ServiceError};
pub use session::{InboxPage, MessagePage, PasskeyHint};
