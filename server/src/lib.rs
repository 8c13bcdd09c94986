//! The contact portal server: configuration, rules, storage, delivery and the web
//! layer, assembled by `main.rs` (the `portal` binary) and by the integration tests.

pub mod admin;
pub mod cli;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod delivery;
pub mod demo;
pub mod http;
pub mod login;
pub mod markdown;
pub mod messages;
pub mod metrics;
pub mod passkeys;
pub mod platform;
pub mod retention;
mod start;
pub mod store;

pub use start::{Portal, StartError, build};
