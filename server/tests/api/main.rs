//! The integration tests: one binary, the real server on a free port with a
//! temporary SQLite database and a clock the tests move.

// All of this crate is tests: an unwrap or a panic here is a failed assertion, as
// `clippy.toml` allows in `#[test]` functions (its helpers are not marked so).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod abuse;
mod admin_login;
mod admin_web;
mod admins;
mod assets;
mod cli;
mod config;
mod deliverability;
mod delivery;
mod diagnosis;
mod doctor;
mod findings;
mod flood;
mod health;
mod helpers;
mod language;
mod login;
mod metrics;
mod pages;
mod passkeys;
mod platform;
mod postgres;
mod processes;
mod retention;
mod secrets;
mod security;
mod sinks;
mod states;
mod support;
