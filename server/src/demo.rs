//! Demo contacts and messages, so a fresh portal can be tried at once. They cover
//! the help article's cases: a normal contact, one opted out of email, one with
//! only a phone, and a message that is not published to everyone.

use crate::contacts::new_contact;
use crate::messages::add_message;
use crate::store::Store;
use domain::Channel;
use domain::{Region, Timestamp};

pub const ADA_EMAIL: &str = "ada@example.com";
pub const ADA_PHONE: &str = "20 12 34 01";

pub async fn add(store: &Store, region: Region, now: Timestamp) -> Result<String, String> {
    let ada = domain::Identifier::parse(ADA_EMAIL, region).map_err(|e| e.to_string())?;
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
