//! What happens to a contact's logins when they opt out or are removed: one rule in
//! one place, for the command line, the admin pages and the integration API. Each
//! runs in one transaction, so no code sent on a channel outlives its opt-out.

use domain::Channel;

use crate::store::{Contact, Lock, NewContact, NewEvent, Store, StoreResult, What};
use domain::{Actor, EmailAddress, PhoneNumber, Region, Timestamp};

/// What an opt-out (or opt-in) changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptOutReport {
    /// Codes on the channel that could still have logged in, now used up.
    pub withdrawn: u64,
    /// Remembered browsers forgotten, when no channel is left.
    pub forgotten: u64,
    pub reachable: bool,
}

/// Opts `contact` out of (or back into) `channel`. Opting out uses up the codes
/// already sent on it and cancels their deliveries; opting out of the last channel
/// also forgets every browser the contact logged in with and removes their passkeys:
/// a contact who wants no communication should not stay logged in either.
/// `by` names who did it (an administrator, or the command line), for the event log.
pub async fn set_opt_out(
    store: &Store,
    contact: &Contact,
    channel: Channel,
    out: bool,
    by: &Actor,
    now: Timestamp,
    now_ms: i64,
) -> StoreResult<OptOutReport> {
    let mut tx = store.begin().await?;
    tx.lock(&[Lock::Contact(contact.id)]).await?;
    tx.set_opt_out(contact.id, channel, out).await?;
    let withdrawn = if out { tx.withdraw_codes(contact.id, Some(channel), now, now_ms).await? } else { 0 };
    // Read back under the write lock: a concurrent opt-out of the other channel counts.
    let reachable = tx.contact(contact.id).await?.is_some_and(|c| c.reachable());
    let forgotten = if reachable { 0 } else { tx.revoke_devices_of(contact.id, now).await? };
    // Nor keep a passkey: it would log them in without any channel.
    let passkeys = if reachable { 0 } else { tx.remove_passkeys_of(contact.id).await? };
    let changed = What::OptOutChanged { channel, opted_out: out, devices_forgotten: forgotten, passkeys_removed: passkeys, by: by.clone() };
    let mut events = vec![NewEvent::new(Some(contact.id), changed)];
    if withdrawn > 0 {
        events.push(NewEvent::new(Some(contact.id), What::CodesWithdrawn { channel, codes: withdrawn }));
    }
    tx.record_events(&events, now).await?;
    tx.commit().await?;
    Ok(OptOutReport { withdrawn, forgotten, reachable })
}

/// Removes a contact: their flows, codes (with their pending deliveries), devices and
/// publications go; the event log keeps that it happened, and `by` whom.
pub async fn remove(store: &Store, contact: &Contact, by: &Actor, now: Timestamp, now_ms: i64) -> StoreResult<u64> {
    let mut tx = store.begin().await?;
    tx.lock(&[Lock::Contact(contact.id)]).await?;
    let withdrawn = tx.withdraw_codes(contact.id, None, now, now_ms).await?;
    tx.remove_contact(contact.id).await?;
    let what = What::ContactRemoved { name: contact.name.clone(), codes_withdrawn: withdrawn, by: by.clone() };
    tx.record_events(&[NewEvent::new(Some(contact.id), what)], now).await?;
    tx.commit().await?;
    Ok(withdrawn)
}

/// What forgetting a contact's browsers took.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub browsers: Vec<i64>,
    pub passkeys: u64,
}

/// Forgets one of the contact's remembered browsers (`Some(id)`), or all of them and
/// every passkey with them (a passkey logs in without a code as a browser does: "forget
/// every browser" means no way in without a new code). One transaction, with its event.
/// Returns what went; nothing when the contact has no such browser or passkey.
pub async fn forget_browsers(store: &Store, contact: &Contact, device: Option<i64>, by: &Actor, now: Timestamp) -> StoreResult<Forgotten> {
    let mine: Vec<i64> = store
        .devices_of(contact.id)
        .await?
        .into_iter()
        .filter(|d| !d.revoked)
        .map(|d| d.id)
        .filter(|d| device.is_none_or(|one| one == *d))
        .collect();
    let mut tx = store.begin().await?;
    tx.lock(&[Lock::Contact(contact.id)]).await?;
    for d in &mine {
        tx.revoke_device(*d, now).await?;
    }
    let passkeys = if device.is_none() { tx.remove_passkeys_of(contact.id).await? } else { 0 };
    let forgotten = Forgotten { browsers: mine, passkeys };
    if forgotten != Forgotten::default() {
        let what = What::DevicesRevoked { by: by.clone(), devices: forgotten.browsers.clone(), passkeys_removed: passkeys };
        tx.record_events(&[NewEvent::new(Some(contact.id), what)], now).await?;
    }
    tx.commit().await?;
    Ok(forgotten)
}

/// A contact as the command line, the API and the demo give it: a name of 1 to 200
/// characters, an email or a number (or both) parsed as the login parses them, and the
/// channels they are opted out of. The one rule for all three.
pub fn new_contact(
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    opt_out: &[Channel],
    region: Region,
) -> Result<NewContact, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err("the name must be 1 to 200 characters, without control characters".into());
    }
    let email = email.map(EmailAddress::parse).transpose().map_err(|e| e.to_string())?;
    let phone = phone.map(|p| PhoneNumber::parse(p, region)).transpose().map_err(|e| e.to_string())?;
    if email.is_none() && phone.is_none() {
        return Err("a contact needs email, phone or both".into());
    }
    Ok(NewContact {
        name: name.to_string(),
        email,
        phone,
        email_opt_out: opt_out.contains(&Channel::Email),
        sms_opt_out: opt_out.contains(&Channel::Sms),
    })
}
