//! Messages: the one rule for what a message is (the command line, the API and the
//! demo data all add them through it), and their public ids.

use crate::store::Store;
use domain::Timestamp;

/// Adds a message (Markdown body) with a fresh public id, and returns the id.
pub async fn add_message(store: &Store, title: &str, body: &str, now: Timestamp) -> Result<String, String> {
    let title = check_message(title, body)?;
    let id = public_id().map_err(|e| e.to_string())?;
    store.add_message(&id, title, body, &crate::markdown::render(body), now).await.map_err(|e| e.to_string())?;
    Ok(id)
}

/// A message's title (trimmed) and body, or why they cannot be one: the same rule
/// for the command line and the API.
pub fn check_message<'a>(title: &'a str, body: &str) -> Result<&'a str, String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
        return Err("the title must be 1 to 200 characters, without control characters".into());
    }
    if body.trim().is_empty() {
        return Err("the body must not be empty".into());
    }
    if body.len() > 100_000 {
        return Err("the body must be at most 100,000 bytes of Markdown".into());
    }
    Ok(title)
}

/// 10 characters of base32 (50 bits): unguessable enough for an address that is
/// checked against publications anyway.
pub fn public_id() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut buf = [0u8; 10];
    getrandom::fill(&mut buf)?;
    Ok(buf.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect())
}
