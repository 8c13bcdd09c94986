//! Demo contacts and messages, so a fresh portal can be tried at once. They cover
//! the help article's cases: a normal contact, one opted out of email, one with
//! only a phone, and a message that is not published to everyone.

use crate::contacts::new_contact;
use crate::domain::{Region, Timestamp};
use crate::store::Store;
use app::types::Channel;

pub const ADA_EMAIL: &str = "ada@example.com";
pub const ADA_PHONE: &str = "20 12 34 01";

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
pub(crate) fn public_id() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut buf = [0u8; 10];
    getrandom::fill(&mut buf)?;
    Ok(buf.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect())
}

pub async fn add(store: &Store, region: Region, now: Timestamp) -> Result<String, String> {
    let ada = crate::domain::Identifier::parse(ADA_EMAIL, region).map_err(|e| e.to_string())?;
    if store.find_contact(&ada).await.map_err(|e| e.to_string())?.is_some() {
        return Ok("demo data is already there".into());
    }
    let people = [
        ("Ada Lovelace", Some(ADA_EMAIL), Some(ADA_PHONE), vec![]),
        ("Bjørn Berg (opted out of email)", Some("bjorn@example.com"), Some("20 12 34 02"), vec![Channel::Email]),
        ("Chen Wei (phone only)", None, Some("20 12 34 03"), vec![]),
    ];
    let mut ids = Vec::new();
    for (name, email, phone, opt_out) in people {
        let new = new_contact(name, email, phone, &opt_out, region)?;
        ids.push(store.add_contact(&new, now).await.map_err(|e| e.to_string())?);
    }
    let welcome = add_message(
        store,
        "Welcome to the portal",
        "# Welcome\n\nThis portal shows the messages **published to you**.\n\n\
         Next time you open it in this browser, you won't need a code.",
        now,
    )
    .await?;
    let board = add_message(store, "Board meeting minutes", "## Minutes\n\n- Budget approved\n- Next meeting in March", now).await?;
    for id in &ids {
        store.publish(&welcome, *id, now).await.map_err(|e| e.to_string())?;
    }
    // Only Chen gets the minutes: Ada opening them sees "not published to you".
    if let Some(chen) = ids.last() {
        store.publish(&board, *chen, now).await.map_err(|e| e.to_string())?;
    }
    Ok(format!(
        "demo data added: 3 contacts ({ADA_EMAIL}, bjorn@example.com, phone {} …), messages /m/{welcome} (everyone) and /m/{board} (Chen only)",
        "20 12 34 03"
    ))
}
