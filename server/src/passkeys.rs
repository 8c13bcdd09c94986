//! Passkeys (WebAuthn, through webauthn-rs): a contact who keeps needing new codes
//! (private windows, cookies cleared, new devices) saves a passkey once and logs in
//! with it afterwards, no code.
//!
//! - The relying party is `PORTAL_PUBLIC_URL`'s host, which must be a domain name
//!   (WebAuthn refuses IP addresses): `http://localhost:3000` locally.
//! - Each ceremony's state (its challenge) is kept in the database for a few minutes
//!   and taken once, so any process can finish it and an answer cannot be replayed.
//! - A passkey is added only by a browser that logged in with a code minutes ago.
//! - Logging in is discoverable (the browser's autofill or a button finds the
//!   passkey; no address is typed), so it tells nobody which addresses are registered.

use std::sync::Arc;

use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::clock::Clock;
use crate::store::{Contact, ContactId, Device, NewPasskey, Store, StoreError, StoredPasskey, What};
use domain::{Timestamp, Token};

/// How long a ceremony may take, from the challenge to the answer.
pub const CEREMONY_SECS: i64 = 5 * 60;
/// A passkey is added only within this long of a code login in the same browser.
pub const FRESH_LOGIN_SECS: i64 = 10 * 60;

/// Passkeys a contact may have at once (SECURITY.md, L9): enough for every device and
/// password manager they use; each is stored and listed, so not unbounded.
pub const MAX_PER_CONTACT: u32 = 10;

const REGISTER: &str = "register";
const LOGIN: &str = "login";

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("To save a passkey, log in with a code first (then you have 10 minutes).")]
    NotFresh,
    #[error("This passkey request has expired or was already used. Please try again.")]
    NoCeremony,
    #[error("There are {MAX_PER_CONTACT} passkeys saved already; remove one to save another.")]
    TooMany,
    /// The answer did not verify, or names no passkey we know (removed ones too). The
    /// reason is logged and recorded; the contact is told only that it did not work.
    #[error("That passkey did not work here; log in with a code instead.")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("passkeys failed: {0}")]
    Internal(String),
}

pub struct Passkeys {
    webauthn: Webauthn,
    store: Store,
    clock: Arc<dyn Clock>,
    /// Ask for a discoverable credential (what the browser's autofill lists). Only
    /// the software authenticator of the unit tests cannot make one.
    discoverable: bool,
}

/// Why passkeys are off for a public URL, for the start-up banner.
pub fn unavailable_because(public_url: &str) -> Option<String> {
    match Url::parse(public_url) {
        Ok(url) if url.domain().is_some() => None,
        Ok(url) => Some(format!(
            "PORTAL_PUBLIC_URL's host {} is not a domain name, and WebAuthn needs one (locally: http://localhost:{})",
            url.host_str().unwrap_or("?"),
            url.port_or_known_default().unwrap_or(80)
        )),
        Err(e) => Some(format!("PORTAL_PUBLIC_URL cannot be read: {e}")),
    }
}

impl Passkeys {
    /// Passkeys for the portal at `public_url`, or `None` when its host is not a
    /// domain name.
    pub fn new(
        public_url: &str,
        organisation: &domain::Organisation,
        store: Store,
        clock: Arc<dyn Clock>,
    ) -> Result<Option<Passkeys>, String> {
        if unavailable_because(public_url).is_some() {
            return Ok(None);
        }
        let origin = Url::parse(public_url).map_err(|e| format!("PORTAL_PUBLIC_URL cannot be read: {e}"))?;
        let rp_id = origin.domain().unwrap_or_default().to_string();
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)
            .and_then(|b| b.rp_name(organisation.as_str()).build())
            .map_err(|e| format!("passkeys cannot be set up for {public_url}: {e}"))?;
        Ok(Some(Passkeys { webauthn, store, clock, discoverable: true }))
    }

    /// For tests with webauthn-authenticator-rs' software passkey, which cannot make
    /// discoverable credentials.
    #[doc(hidden)]
    pub fn without_discoverable_credentials(mut self) -> Self {
        self.discoverable = false;
        self
    }

    /// The options for `navigator.credentials.create()`, and the ceremony's token.
    pub async fn start_registration(&self, contact: &Contact, device: &Device) -> Result<(CreationChallengeResponse, Token), PasskeyError> {
        let now = self.clock.now();
        if device.revoked || now.secs_since(device.created_at) > FRESH_LOGIN_SECS {
            return Err(PasskeyError::NotFresh);
        }
        let user = self.user_handle(contact.id).await?;
        let existing: Vec<_> = self.passkeys(contact.id).await?.into_iter().map(|(_, p)| p.cred_id().clone()).collect();
        if existing.len() >= MAX_PER_CONTACT as usize {
            return Err(PasskeyError::TooMany);
        }
        let shown =
            contact.email.as_ref().map(|e| e.as_str().to_string()).or_else(|| contact.phone.as_ref().map(|p| p.as_str().to_string()));
        let name = shown.unwrap_or_else(|| contact.name.clone());
        let (mut options, state) = self
            .webauthn
            .start_passkey_registration(user, &name, &contact.name, Some(existing))
            .map_err(|e| PasskeyError::Internal(e.to_string()))?;
        if self.discoverable {
            // The browser's autofill lists only discoverable credentials.
            if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
                selection.resident_key = Some(webauthn_rs_proto::ResidentKeyRequirement::Required);
                selection.require_resident_key = true;
            }
        }
        let token = self.begin(REGISTER, Some(contact.id), &state, now).await?;
        Ok((options, token))
    }

    /// Verifies the browser's answer and saves the passkey.
    pub async fn finish_registration(
        &self,
        ceremony: &str,
        contact: &Contact,
        device: &Device,
        answer: &RegisterPublicKeyCredential,
        browser: Option<&str>,
    ) -> Result<StoredPasskey, PasskeyError> {
        let now = self.clock.now();
        let state: PasskeyRegistration = self.take(ceremony, REGISTER, Some(contact.id), now).await?;
        if device.revoked || now.secs_since(device.created_at) > FRESH_LOGIN_SECS + CEREMONY_SECS {
            return Err(PasskeyError::NotFresh);
        }
        let passkey = match self.webauthn.finish_passkey_registration(answer, &state) {
            Ok(p) => p,
            Err(e) => return Err(self.refused(Some(contact.id), "registration", &e.to_string(), now).await?),
        };
        // Counted again: two ceremonies may have started side by side.
        if self.store.passkeys_of(contact.id).await?.len() >= MAX_PER_CONTACT as usize {
            return Err(PasskeyError::TooMany);
        }
        let (eligible, backed_up) = backup_flags(answer.response.attestation_object.as_ref());
        let json = serde_json::to_string(&passkey).map_err(|e| PasskeyError::Internal(e.to_string()))?;
        let credential_id = credential_text(passkey.cred_id().as_ref());
        let new = NewPasskey {
            contact: contact.id,
            credential_id: &credential_id,
            passkey: &json,
            browser,
            backup_eligible: eligible,
            backup_state: backed_up,
        };
        let id = match self.store.add_passkey(&new, now).await {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => {
                return Err(self.refused(Some(contact.id), "registration", "credential already registered", now).await?);
            }
            Err(e) => return Err(e.into()),
        };
        let saved = self.store.passkeys_of(contact.id).await?.into_iter().find(|p| p.id == id);
        saved.ok_or_else(|| PasskeyError::Internal("the passkey just saved is gone".into()))
    }

    /// The options for `navigator.credentials.get()` (no credentials listed: the
    /// browser offers what it has for this site), and the ceremony's token.
    pub async fn start_login(&self) -> Result<(RequestChallengeResponse, Token), PasskeyError> {
        let now = self.clock.now();
        let (options, state) = self.webauthn.start_discoverable_authentication().map_err(|e| PasskeyError::Internal(e.to_string()))?;
        let token = self.begin(LOGIN, None, &state, now).await?;
        Ok((options, token))
    }

    /// Whose passkey answered: verified against that contact's stored passkeys, its
    /// counter and backup flag recorded.
    pub async fn finish_login(&self, ceremony: &str, answer: &PublicKeyCredential) -> Result<ContactId, PasskeyError> {
        let now = self.clock.now();
        let state: DiscoverableAuthentication = self.take(ceremony, LOGIN, None, now).await?;
        let user = match self.webauthn.identify_discoverable_authentication(answer) {
            Ok((user, _)) => user,
            Err(e) => return Err(self.refused(None, "login", &e.to_string(), now).await?),
        };
        let Some(contact) = self.store.contact_by_passkey_user(&user.to_string()).await? else {
            return Err(self.refused(None, "login", "no contact has this user handle", now).await?);
        };
        let stored = self.passkeys(contact).await?;
        let keys: Vec<DiscoverableKey> = stored.iter().map(|(_, p)| DiscoverableKey::from(p)).collect();
        let result = match self.webauthn.finish_discoverable_authentication(answer, state, &keys) {
            Ok(r) => r,
            Err(e) => return Err(self.refused(Some(contact), "login", &e.to_string(), now).await?),
        };
        let Some((record, mut passkey)) = stored.into_iter().find(|(_, p)| p.cred_id() == result.cred_id()) else {
            return Err(self.refused(Some(contact), "login", "a passkey that was removed", now).await?);
        };
        passkey.update_credential(&result);
        let json = serde_json::to_string(&passkey).map_err(|e| PasskeyError::Internal(e.to_string()))?;
        self.store.passkey_used(record.id, &json, result.counter(), result.backup_state(), now).await?;
        self.store.record_event(Some(contact), What::PasskeyLogin { passkey: record.id, synced: result.backup_state() }, now).await?;
        Ok(contact)
    }

    /// Removes one passkey of the contact's (by them or an administrator).
    pub async fn remove(&self, contact: ContactId, id: i64, by: &domain::Actor) -> Result<bool, PasskeyError> {
        Ok(remove(&self.store, contact, id, by, self.clock.now()).await?)
    }

    async fn user_handle(&self, contact: ContactId) -> Result<Uuid, PasskeyError> {
        let stored = self.store.passkey_user(contact, &Uuid::new_v4().to_string()).await?;
        Uuid::parse_str(&stored).map_err(|e| PasskeyError::Internal(format!("stored user handle: {e}")))
    }

    /// The contact's passkeys, each with webauthn-rs' form of it.
    async fn passkeys(&self, contact: ContactId) -> Result<Vec<(StoredPasskey, Passkey)>, PasskeyError> {
        let stored = self.store.passkeys_of(contact).await?;
        stored
            .into_iter()
            .map(|s| {
                let p: Passkey =
                    serde_json::from_str(&s.passkey).map_err(|e| PasskeyError::Internal(format!("stored passkey {}: {e}", s.id)))?;
                Ok((s, p))
            })
            .collect()
    }

    async fn begin<S: serde::Serialize>(
        &self,
        kind: &str,
        contact: Option<ContactId>,
        state: &S,
        now: Timestamp,
    ) -> Result<Token, PasskeyError> {
        let token = Token::generate().map_err(|e| PasskeyError::Internal(e.to_string()))?;
        let json = serde_json::to_string(state).map_err(|e| PasskeyError::Internal(e.to_string()))?;
        self.store.add_ceremony(&token.hash(), kind, contact, &json, Timestamp(now.0 + CEREMONY_SECS)).await?;
        Ok(token)
    }

    /// The ceremony's state, once; for a registration, only for the contact it began for.
    async fn take<S: serde::de::DeserializeOwned>(
        &self,
        ceremony: &str,
        kind: &str,
        contact: Option<ContactId>,
        now: Timestamp,
    ) -> Result<S, PasskeyError> {
        let token = Token::from_cookie(ceremony).ok_or(PasskeyError::NoCeremony)?;
        let found = self.store.take_ceremony(&token.hash(), kind, now).await?.ok_or(PasskeyError::NoCeremony)?;
        if found.contact != contact {
            return Err(PasskeyError::NoCeremony);
        }
        serde_json::from_str(&found.state).map_err(|e| PasskeyError::Internal(format!("stored ceremony: {e}")))
    }

    /// Records why a passkey was refused (for the administrator's timeline) and
    /// returns the error the contact sees, which does not say why.
    async fn refused(&self, contact: Option<ContactId>, step: &str, why: &str, now: Timestamp) -> Result<PasskeyError, StoreError> {
        tracing::info!(step, why, "passkey refused");
        self.store.record_event(contact, What::PasskeyRefused { step: step.to_string(), reason: why.to_string() }, now).await?;
        Ok(PasskeyError::Refused(why.to_string()))
    }
}

/// Removes one of `contact`'s passkeys and says who did, on their timeline; false
/// when it is not theirs (or gone already).
pub async fn remove(store: &Store, contact: ContactId, id: i64, by: &domain::Actor, now: Timestamp) -> Result<bool, StoreError> {
    let event = crate::store::NewEvent::new(Some(contact), What::PasskeyRemoved { passkey: id, by: by.clone() });
    store.remove_passkey(contact, id, event, now).await
}

/// A passkey as the contact and their administrator see it.
pub fn row(p: crate::store::StoredPasskey) -> domain::view::PasskeyRow {
    domain::view::PasskeyRow {
        id: p.id,
        made_on: p.browser,
        created_at: p.created_at.0,
        last_used_at: p.last_used_at.map(|t| t.0),
        synced: p.backup_state,
    }
}

/// The credential id as the browser writes it (base64url, no padding).
fn credential_text(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// The backup-eligible and backed-up flags (BE, BS) of the authenticator data in an
/// attestation object: whether the passkey may be and is synced to other devices.
fn backup_flags(attestation_object: &[u8]) -> (bool, bool) {
    // The flags byte follows the 32-byte RP id hash inside "authData"; find it by
    // the CBOR key rather than decode all of CBOR for one byte.
    const KEY: &[u8] = b"\x68authData";
    let Some(at) = attestation_object.windows(KEY.len()).position(|w| w == KEY) else { return (false, false) };
    let rest = &attestation_object[at + KEY.len()..];
    // A byte string header: 0x58 <len> or 0x59 <len16>.
    let data = match rest.first() {
        Some(0x58) => rest.get(2..),
        Some(0x59) => rest.get(3..),
        _ => None,
    };
    match data.and_then(|d| d.get(32)) {
        Some(flags) => (flags & 0x08 != 0, flags & 0x10 != 0),
        None => (false, false),
    }
}

#[cfg(test)]
mod tests;
