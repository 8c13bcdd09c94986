//! Server functions: one file per flow. Each body parses its input, calls one port
//! method and maps the answer; the rules live in the server crate.

pub mod admin;
pub mod login;
pub mod messages;
mod request;
pub use request::{PASSKEY_LATER_COOKIE, caller, cookie, language_of, request_language, request_path, set_cookie, use_response_nonce};

/// Marks the response of the page being rendered as 404.
pub fn set_not_found() {
    request::set_status(http::StatusCode::NOT_FOUND);
}
