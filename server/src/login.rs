//! Logging in: the rules (pure functions of `now`) and the service that applies them.
//!
//! A login is a small state machine per browser, named by the flow cookie:
//! `request_code` → (code sent, or silently not) → `verify_code` → device remembered.
//! Every transition writes an event; the administrator reads them on the contact's card.

mod limits;
pub mod rules;
mod service;
mod session;

pub use service::{LoginService, Outbox};
