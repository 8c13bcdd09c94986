//! The integration API's rules: tokens, and contacts kept in sync by the platform
//! under its own key (`external_id`). The HTTP side (`http::platform_api`) parses and
//! answers; what a change does to logins is `contacts.rs`, as for the CLI and the
//! admin pages.

use domain::Channel;

mod wire;

pub use wire::{
    ContactBody, ContactView, DeviceView, Diagnosis, EvidenceView, FindingView, Forgotten, MessageBody, MessageView, OptOuts, Page,
    PageQuery, PasskeyView, PublicationsBody, PublicationsDone,
};

use crate::clock::Clock;
use crate::store::{Contact, NewEvent, Store, StoreError, What};
use domain::{Timestamp, Token};

/// Tokens look like `pat_` and 64 hex digits, so secret scanners can spot one.
const PREFIX: &str = "pat_";

/// Who is calling: a token in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub token: String,
}

impl Caller {
    /// How events name the caller.
    pub fn by(&self) -> domain::Actor {
        domain::Actor::ApiToken(self.token.clone())
    }
}

/// Why a call was refused, in the words the API answers with.
#[derive(Debug)]
pub enum Refusal {
    NotFound(String),
    Conflict(String),
    Invalid(String),
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => Refusal::Conflict(m),
            StoreError::NotFound(m) => Refusal::NotFound(m),
            other => Refusal::Store(other),
        }
    }
}

pub fn parse_token_name(name: &str) -> Result<String, String> {
    let ok = !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    ok.then(|| name.to_string()).ok_or_else(|| "a token name is 1 to 64 letters, digits, '-', '_' or '.'".into())
}

/// Makes a token; returns it (shown once: only its hash is kept).
pub async fn add_token(store: &Store, name: &str, now: Timestamp) -> Result<String, String> {
    let name = parse_token_name(name)?;
    let token = Token::generate().map_err(|e| format!("no randomness: {e}"))?;
    let event = NewEvent::new(None, What::ApiToken { token: name.clone(), action: "added".into(), by: domain::Actor::CommandLine });
    store.add_api_token(&name, &token.hash(), event, now).await.map_err(|e| e.to_string())?;
    Ok(format!("{PREFIX}{}", token.expose()))
}

pub async fn revoke_token(store: &Store, name: &str, now: Timestamp) -> Result<(), String> {
    let event = NewEvent::new(None, What::ApiToken { token: name.to_string(), action: "revoked".into(), by: domain::Actor::CommandLine });
    if !store.revoke_api_token(name, event, now).await.map_err(|e| e.to_string())? {
        return Err(format!("no token named {name:?} is in use"));
    }
    Ok(())
}

/// The caller a bearer token names, if it is one in use.
pub async fn caller(store: &Store, bearer: &str) -> Result<Option<Caller>, StoreError> {
    let Some(token) = bearer.strip_prefix(PREFIX).and_then(Token::from_cookie) else { return Ok(None) };
    Ok(store.api_token(&token.hash()).await?.map(|(_, token)| Caller { token }))
}

/// The platform's key for a contact: 1 to 200 visible characters.
pub fn parse_external_id(id: &str) -> Result<&str, Refusal> {
    if id.is_empty() || id.chars().count() > 200 || id.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Refusal::Invalid("external_id must be 1 to 200 characters, without spaces or control characters".into()));
    }
    Ok(id)
}

fn view(external_id: &str, c: &Contact) -> ContactView {
    ContactView {
        external_id: external_id.to_string(),
        name: c.name.clone(),
        email: c.email.as_ref().map(|e| e.as_str().to_string()),
        phone: c.phone.as_ref().map(|p| p.as_str().to_string()),
        opted_out: OptOuts { email: c.email_opt_out, sms: c.sms_opt_out },
    }
}

/// At most this many contacts in one publications call.
pub const MAX_PUBLICATIONS: usize = 10_000;

fn rule_name(rule: crate::admin::Rule) -> String {
    use crate::admin::Rule;
    match rule {
        Rule::NoAddress(ch) => format!("no_address:{}", ch.as_str()),
        Rule::NearMiss => "near_miss".into(),
        Rule::OptedOut(ch) => format!("opted_out:{}", ch.as_str()),
        Rule::OneChannelOnly(ch) => format!("one_channel_only:{}", ch.as_str()),
        Rule::NotDelivered => "not_delivered".into(),
        Rule::ArrivedLate => "arrived_late".into(),
        Rule::NeverEntered => "never_entered".into(),
        Rule::TypedElsewhere => "typed_elsewhere".into(),
        Rule::NewCodeOften => "new_code_often".into(),
        Rule::OlderCode => "older_code".into(),
        Rule::OtherBrowser => "other_browser".into(),
        Rule::NetworkLimited => "network_limited".into(),
        Rule::NetworkChanged => "network_changed".into(),
        Rule::NotPublished => "not_published".into(),
    }
}

/// A cursor is the last external id of a page, hex-encoded so it is opaque and safe
/// in a URL.
fn cursor(external_id: &str) -> String {
    external_id.bytes().map(|b| format!("{b:02x}")).collect()
}

fn read_page(q: &PageQuery) -> Result<(String, u32), Refusal> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Refusal::Invalid("limit must be 1 to 1000".into()));
    }
    let after = match &q.after {
        None => String::new(),
        Some(c) => {
            let bytes: Option<Vec<u8>> = (c.len() % 2 == 0)
                .then(|| (0..c.len()).step_by(2).map(|i| u8::from_str_radix(c.get(i..i + 2)?, 16).ok()).collect())
                .flatten();
            bytes.and_then(|b| String::from_utf8(b).ok()).ok_or_else(|| Refusal::Invalid("after is not a cursor this API gave".into()))?
        }
    };
    Ok((after, limit))
}

pub struct Platform {
    pub store: Store,
    pub clock: std::sync::Arc<dyn Clock>,
    pub region: domain::Region,
    pub limits: crate::login::Limits,
}

impl Platform {
    async fn existing(&self, external_id: &str) -> Result<Contact, Refusal> {
        self.store
            .contact_by_external_id(parse_external_id(external_id)?)
            .await?
            .ok_or_else(|| Refusal::NotFound(format!("no contact has the external_id {external_id:?}")))
    }

    pub async fn contact(&self, external_id: &str) -> Result<ContactView, Refusal> {
        Ok(view(external_id, &self.existing(external_id).await?))
    }

    /// Creates or replaces; the same body twice changes nothing the second time.
    pub async fn put_contact(&self, caller: &Caller, external_id: &str, body: ContactBody) -> Result<(ContactView, bool), Refusal> {
        let external_id = parse_external_id(external_id)?;
        // The same parsing as the command line and the login: one rule.
        let new = crate::contacts::new_contact(&body.name, body.email.as_deref(), body.phone.as_deref(), &[], self.region)
            .map_err(Refusal::Invalid)?;
        let before = self.store.contact_by_external_id(external_id).await?;
        let unchanged = before.as_ref().is_some_and(|c| c.name == new.name && c.email == new.email && c.phone == new.phone);
        if let (true, Some(c)) = (unchanged, &before) {
            return Ok((view(external_id, c), false));
        }
        let now = self.clock.now();
        let by = caller.by();
        let event = |id, created, change: &crate::store::AddressChange| {
            let changed = (!change.channels.is_empty()).then_some(change);
            let what = What::ContactSaved {
                by: by.clone(),
                created,
                external_id: external_id.to_string(),
                addresses_changed: changed.map(|c| c.channels.clone()),
                codes_withdrawn: changed.map(|c| c.codes_withdrawn),
                devices_forgotten: changed.map(|c| c.browsers_forgotten),
                passkeys_removed: changed.map(|c| c.passkeys_removed),
            };
            NewEvent::new(Some(id), what)
        };
        let (id, created, _) = self.store.put_contact(external_id, &new, now, self.clock.now_ms(), event).await?;
        let saved =
            self.store.contact(id).await?.ok_or_else(|| Refusal::NotFound(format!("no contact has the external_id {external_id:?}")))?;
        Ok((view(external_id, &saved), created))
    }

    /// Removes the contact, their browsers and pending codes with them.
    pub async fn delete_contact(&self, caller: &Caller, external_id: &str) -> Result<(), Refusal> {
        let c = self.existing(external_id).await?;
        crate::contacts::remove(&self.store, &c, &caller.by(), self.clock.now(), self.clock.now_ms()).await?;
        Ok(())
    }

    /// Sets both opt-outs; a channel whose state changes goes through the one rule
    /// (codes on it used up, browsers forgotten when no channel is left).
    pub async fn put_opt_outs(&self, caller: &Caller, external_id: &str, wanted: OptOuts) -> Result<ContactView, Refusal> {
        let c = self.existing(external_id).await?;
        for (channel, now_out, want) in [(Channel::Email, c.email_opt_out, wanted.email), (Channel::Sms, c.sms_opt_out, wanted.sms)] {
            if now_out != want {
                crate::contacts::set_opt_out(&self.store, &c, channel, want, &caller.by(), self.clock.now(), self.clock.now_ms()).await?;
            }
        }
        self.contact(external_id).await
    }

    pub async fn message(&self, external_id: &str) -> Result<MessageView, Refusal> {
        let external_id = parse_external_id(external_id)?;
        let m = self
            .store
            .message_by_external_id(external_id)
            .await?
            .ok_or_else(|| Refusal::NotFound(format!("no message has the external_id {external_id:?}")))?;
        Ok(MessageView { external_id: external_id.to_string(), title: m.title, body: m.markdown, url: format!("/m/{}", m.public_id) })
    }

    /// Creates or replaces a message (Markdown, sanitised on the way in).
    pub async fn put_message(&self, caller: &Caller, external_id: &str, body: MessageBody) -> Result<(MessageView, bool), Refusal> {
        let external_id = parse_external_id(external_id)?;
        let title = crate::messages::check_message(&body.title, &body.body).map_err(Refusal::Invalid)?;
        let before = self.store.message_by_external_id(external_id).await?;
        if before.is_some_and(|m| m.title == title && m.markdown == body.body) {
            return Ok((self.message(external_id).await?, false));
        }
        let fresh = crate::messages::public_id().map_err(|e| Refusal::Invalid(format!("no randomness: {e}")))?;
        let now = self.clock.now();
        let html = crate::markdown::render(&body.body);
        let by = caller.by();
        let event = |public_id: &str, created| {
            let what = What::MessageSaved {
                by: by.clone(),
                external_id: external_id.to_string(),
                created: Some(created),
                message: Some(public_id.to_string()),
                deleted: None,
            };
            NewEvent::new(None, what)
        };
        let (_, created) = self
            .store
            .put_message(external_id, &fresh, &crate::store::MessageText { title, markdown: &body.body, html: &html }, now, event)
            .await?;
        Ok((self.message(external_id).await?, created))
    }

    pub async fn delete_message(&self, caller: &Caller, external_id: &str) -> Result<(), Refusal> {
        let external_id = parse_external_id(external_id)?;
        let what =
            What::MessageSaved { by: caller.by(), external_id: external_id.to_string(), created: None, message: None, deleted: Some(true) };
        let event = NewEvent::new(None, what);
        if !self.store.delete_message(external_id, event, self.clock.now()).await? {
            return Err(Refusal::NotFound(format!("no message has the external_id {external_id:?}")));
        }
        Ok(())
    }

    /// Publishes to and withdraws from many contacts at once: all of it, or (when a
    /// contact is unknown) none of it.
    pub async fn publications(&self, caller: &Caller, external_id: &str, body: PublicationsBody) -> Result<PublicationsDone, Refusal> {
        let external_id = parse_external_id(external_id)?;
        if body.publish.len() + body.unpublish.len() > MAX_PUBLICATIONS {
            return Err(Refusal::Invalid(format!("at most {MAX_PUBLICATIONS} contacts in one call")));
        }
        let m = self
            .store
            .message_by_external_id(external_id)
            .await?
            .ok_or_else(|| Refusal::NotFound(format!("no message has the external_id {external_id:?}")))?;
        let wanted: Vec<String> = body.publish.iter().chain(&body.unpublish).cloned().collect();
        let found: std::collections::HashMap<String, crate::store::ContactId> =
            self.store.contacts_by_external_ids(&wanted).await?.into_iter().collect();
        let unknown: Vec<&str> = wanted.iter().filter(|e| !found.contains_key(*e)).map(String::as_str).collect();
        if !unknown.is_empty() {
            let shown: Vec<&str> = unknown.iter().take(10).copied().collect();
            return Err(Refusal::Invalid(format!("{} unknown contact(s), nothing changed: {}", unknown.len(), shown.join(", "))));
        }
        let ids = |list: &[String]| list.iter().map(|e| found[e]).collect::<Vec<_>>();
        let now = self.clock.now();
        let by = caller.by();
        let event = |published, unpublished| {
            let what = What::MessagePublished {
                by: Some(by.clone()),
                message: m.public_id.clone(),
                admin: None,
                published: Some(published),
                unpublished: Some(unpublished),
            };
            NewEvent::new(None, what)
        };
        let (published, unpublished) =
            self.store.set_publications(&m.public_id, &ids(&body.publish), &ids(&body.unpublish), now, event).await?;
        Ok(PublicationsDone { published, unpublished })
    }

    pub async fn devices(&self, external_id: &str) -> Result<Vec<DeviceView>, Refusal> {
        let c = self.existing(external_id).await?;
        let now = self.clock.now();
        let (idle, max_age) = (self.limits.device_idle, self.limits.device_max_age);
        Ok(self
            .store
            .devices_of(c.id)
            .await?
            .into_iter()
            .map(|d| DeviceView {
                id: d.id,
                browser: d.browser.clone(),
                first_seen: d.created_at.utc(),
                last_seen: d.last_seen_at.utc(),
                remembered: crate::login::rules::device_is_valid(&d, now, idle, max_age),
            })
            .collect())
    }

    /// Forgets one browser (`Some`) or all of them, and with all of them every passkey
    /// (which would log in without a code all the same); the forgotten must log in again.
    /// Returns how many browsers and passkeys went.
    pub async fn forget_devices(&self, caller: &Caller, external_id: &str, device: Option<i64>) -> Result<(usize, u64), Refusal> {
        let c = self.existing(external_id).await?;
        let forgotten = crate::contacts::forget_browsers(&self.store, &c, device, &caller.by(), self.clock.now()).await?;
        if forgotten.browsers.is_empty() && device.is_some() {
            return Err(Refusal::NotFound(format!("the contact {external_id:?} has no browser {}", device.unwrap_or_default())));
        }
        Ok((forgotten.browsers.len(), forgotten.passkeys))
    }

    pub async fn passkeys(&self, external_id: &str) -> Result<Vec<PasskeyView>, Refusal> {
        let c = self.existing(external_id).await?;
        Ok(self
            .store
            .passkeys_of(c.id)
            .await?
            .into_iter()
            .map(|p| PasskeyView {
                id: p.id,
                made_on: p.browser,
                created: p.created_at.utc(),
                last_used: p.last_used_at.map(|t| t.utc()),
                synced: p.backup_state,
            })
            .collect())
    }

    pub async fn remove_passkey(&self, caller: &Caller, external_id: &str, passkey: i64) -> Result<(), Refusal> {
        let c = self.existing(external_id).await?;
        if !crate::passkeys::remove(&self.store, c.id, passkey, &caller.by(), self.clock.now()).await? {
            return Err(Refusal::NotFound(format!("the contact {external_id:?} has no passkey {passkey}")));
        }
        Ok(())
    }

    /// The help article's checklist on the contact's last 30 days, as on their card.
    pub async fn diagnosis(&self, external_id: &str) -> Result<Vec<FindingView>, Refusal> {
        let c = self.existing(external_id).await?;
        let findings = crate::admin::diagnose_contact(&self.store, &c, self.region, self.clock.now()).await?;
        Ok(findings
            .into_iter()
            .map(|f| FindingView {
                rule: rule_name(f.rule),
                cause: f.cause,
                advice: f.advice,
                evidence: f.evidence.into_iter().map(|(at, what)| EvidenceView { at: at.utc(), what }).collect(),
            })
            .collect())
    }

    /// The platform's contacts (those with an external id), a page at a time.
    pub async fn contacts(&self, q: &PageQuery) -> Result<Page<ContactView>, Refusal> {
        let (after, limit) = read_page(q)?;
        let rows = self.store.contacts_after(&after, limit).await?;
        let next = (rows.len() == limit as usize).then(|| rows.last().map(|(e, _)| cursor(e))).flatten();
        Ok(Page { items: rows.iter().map(|(e, c)| view(e, c)).collect(), next })
    }

    pub async fn messages(&self, q: &PageQuery) -> Result<Page<MessageView>, Refusal> {
        let (after, limit) = read_page(q)?;
        let rows = self.store.messages_after(&after, limit).await?;
        let next = (rows.len() == limit as usize).then(|| rows.last().map(|(e, _)| cursor(e))).flatten();
        let items = rows
            .into_iter()
            .map(|(e, m)| MessageView { external_id: e, title: m.title, body: m.markdown, url: format!("/m/{}", m.public_id) })
            .collect();
        Ok(Page { items, next })
    }
}
