//! After the code: remembered browsers, what they may read, and logging out.

use domain::Caller;
use domain::LocalPath;

use super::LoginService;
use super::Said;
use super::flow::{Flow, Outcome, What};
use super::rules;
use super::service::{Screen, ServiceError, ServiceResult};
use crate::store::{AtStep, Contact, Device, NewSupportRef, PublishedMessage, Told};
use domain::view::{CookieChange, Reply};
use domain::{SupportRef, Timestamp, Token};

/// A recognised contact's messages.
#[derive(Debug, Clone)]
pub struct InboxPage {
    pub contact_name: String,
    /// True on the first page after logging in: tell the contact the browser is remembered.
    pub just_logged_in: bool,
    pub messages: Vec<PublishedMessage>,
    pub passkeys: Vec<crate::store::StoredPasskey>,
    pub hint: PasskeyHint,
}

/// What decides whether a page offers to save a passkey.
#[derive(Debug, Clone)]
pub struct PasskeyHint {
    /// When this browser logged in (a passkey can be saved for minutes after).
    pub logged_in_at: domain::Timestamp,
    /// It logged in with a passkey, not a code.
    pub by_passkey: bool,
    /// Days in the last 30 on which the contact logged in with a code.
    pub code_login_days: usize,
}

#[derive(Debug, Clone)]
pub enum MessagePage {
    Shown {
        message: PublishedMessage,
        contact_name: String,
        just_logged_in: bool,
        hint: PasskeyHint,
    },
    /// Not published to this contact (or no such message: the two are not told apart),
    /// with the support reference the page gives.
    NotPublished {
        reference: SupportRef,
    },
}

/// A recognised browser: its device and contact, and cookies to clear if it was not.
struct Recognised {
    found: Option<(Device, Contact)>,
    cookies: Vec<CookieChange>,
    /// The first page after logging in (asked for with `welcome`).
    just_logged_in: bool,
}

/// Refused messages recorded per contact and hour; more are answered alike, unrecorded.
const REFUSALS_PER_HOUR: u32 = 20;

/// A visit counts as new (and is logged as "device recognised") after this much quiet.
const VISIT_GAP_SECS: i64 = 30 * 60;

impl LoginService {
    /// The browser's remembered device, read without a lock. What the visit records (a
    /// device that expired, a visit after a while, its last-seen time, and with
    /// `welcome` that a page said the browser is remembered) is written aside, in one
    /// task: a page load never waits on the step lock (SECURITY.md, M2).
    async fn recognise(&self, who: &Caller, welcome: bool) -> Result<Recognised, ServiceError> {
        let Some(token) = who.device.clone() else {
            return Ok(Recognised { found: None, cookies: vec![], just_logged_in: false });
        };
        let forget = || Ok(Recognised { found: None, cookies: vec![CookieChange::ClearDevice], just_logged_in: false });
        let Some(device) = self.store.device_by_token(&token.hash()).await? else {
            return forget();
        };
        let now = self.now();
        if !rules::device_is_valid(&device, now, self.limits.device_idle, self.limits.device_max_age) {
            if !device.revoked {
                let expired = super::service::new_event(Some(device.contact), &What::DeviceExpired { device: device.id })?;
                self.store.record_event_aside("device expired", expired, now).await;
            }
            return forget();
        }
        let Some(contact) = self.store.contact(device.contact).await? else {
            return forget();
        };
        let visit = if now.secs_since(device.last_seen_at) >= VISIT_GAP_SECS {
            Some(super::service::new_event(Some(contact.id), &What::DeviceRecognised { device: device.id, network: None })?)
        } else {
            None
        };
        // Idle expiry counts in days: one write a minute per browser is plenty.
        let touch = now.secs_since(device.last_seen_at) >= 60;
        let just_logged_in = welcome && !device.welcomed;
        if visit.is_some() || touch || just_logged_in {
            let (store, id) = (self.store.clone(), device.id);
            let record = async move {
                if let Some(e) = visit {
                    store.record_event(e.contact, e.what, now).await?;
                }
                if touch {
                    store.touch_device(id, now).await?;
                }
                if just_logged_in {
                    store.welcome_device(id).await?;
                }
                Ok(())
            };
            self.store.aside("visit", record).await;
        }
        Ok(Recognised { found: Some((device, contact)), cookies: vec![], just_logged_in })
    }

    /// What `/login` shows: done when recognised, the code step while a flow runs
    /// (with what its last step said, once), otherwise step 1. Reads only: it takes no
    /// lock, and the one thing it records (that the outcome was shown) goes aside.
    pub(super) async fn login_screen(
        &self,
        who: Caller,
        next: LocalPath,
        outcome: Option<Outcome>,
        reference: Option<SupportRef>,
    ) -> ServiceResult<Screen> {
        let recognised = self.recognise(&who, false).await?;
        if recognised.found.is_some() {
            return Ok(Reply { value: Screen::Done { next }, cookies: recognised.cookies });
        }
        let now = self.now();
        let flow = match who.flow.clone() {
            Some(token) => self.store.flow_by_token(&token.hash()).await?,
            None => None,
        };
        let value = match flow.map(|record| Flow::at(record, now, self.limits.code_ttl)) {
            Some(Flow::Requested(flow)) => {
                let said = flow.outcome.as_deref().map(Said::read).transpose()?;
                let (shown, given) = said.map(|s| (s.outcome, s.reference)).unzip();
                // Shown once: a reload starts clean.
                if let Some(text) = flow.outcome.clone() {
                    let (store, id) = (self.store.clone(), flow.id);
                    self.store.aside("outcome shown", async move { store.clear_outcome(id, &text).await }).await;
                }
                let resend_at = flow.current.issued_at.plus(self.limits.resend_cooldown);
                Screen::Code { identifier: flow.identifier, channel: flow.channel, resend_at, outcome: shown, reference: given.flatten() }
            }
            // A reference in the address is shown only with the notice it came with.
            _ => {
                let reference = reference.filter(|_| outcome.as_ref().is_some_and(|o| o.told().is_some()));
                Screen::Start { identifier: String::new(), channel: Default::default(), outcome, reference }
            }
        };
        Ok(Reply { value, cookies: recognised.cookies })
    }

    /// "Use a different email or number".
    pub(super) async fn restart_screen(&self, who: Caller) -> ServiceResult<Screen> {
        if let Some(token) = who.flow.clone() {
            let mut tx = self.store.begin().await?;
            let hash = token.hash();
            tx.lock(&[crate::store::Lock::Flow(&hash)]).await?;
            tx.delete_flow(&hash).await?;
            tx.commit().await?;
        }
        Ok(Reply { value: Screen::start(), cookies: vec![CookieChange::ClearFlow] })
    }

    pub(super) async fn inbox_page(&self, who: &Caller) -> ServiceResult<Option<InboxPage>> {
        let Recognised { found, cookies, just_logged_in } = self.recognise(who, true).await?;
        let Some((device, contact)) = found else {
            return Ok(Reply { value: None, cookies });
        };
        let messages = self.store.inbox(contact.id).await?;
        let passkeys = self.store.passkeys_of(contact.id).await?;
        let hint = self.passkey_hint(&contact, &device, &passkeys).await?;
        let page = InboxPage { contact_name: contact.name, just_logged_in, messages, passkeys, hint };
        Ok(Reply { value: Some(page), cookies })
    }

    /// What decides the offer to save a passkey: how fresh this browser's login is,
    /// whether it was a passkey's, and how often the contact needed a code lately.
    async fn passkey_hint(
        &self,
        contact: &Contact,
        device: &Device,
        passkeys: &[crate::store::StoredPasskey],
    ) -> Result<PasskeyHint, ServiceError> {
        let now = self.now();
        // A passkey used as this browser logged in: it needs no offer.
        let by_passkey = passkeys.iter().any(|p| p.last_used_at.is_some_and(|t| t.0 >= device.created_at.0 - 5));
        let mut days: Vec<i64> = Vec::new();
        // Read only while the offer can show (minutes after a code login).
        if now.secs_since(device.created_at) <= crate::passkeys::FRESH_LOGIN_SECS && !by_passkey {
            let month_ago = now.0 - 30 * 86_400;
            let events = self.store.recent_events(contact.id, Timestamp(month_ago - 1), crate::admin::CARD_EVENTS).await?;
            days =
                events.into_iter().filter(|e| matches!(e.what, What::LoginSucceeded { .. })).map(|e| e.at.0.div_euclid(86_400)).collect();
            days.dedup();
        }
        Ok(PasskeyHint { logged_in_at: device.created_at, by_passkey, code_login_days: days.len() })
    }

    pub(super) async fn message_page(&self, who: &Caller, public_id: String) -> ServiceResult<Option<MessagePage>> {
        let Recognised { found, cookies, just_logged_in } = self.recognise(who, true).await?;
        let Some((device, contact)) = found else {
            return Ok(Reply { value: None, cookies });
        };
        let page = match self.store.published_message(contact.id, &public_id).await? {
            // The first page after logging in may be a message: say it there too.
            // So may the offer to save a passkey.
            Some(message) => {
                let passkeys = self.store.passkeys_of(contact.id).await?;
                let hint = self.passkey_hint(&contact, &device, &passkeys).await?;
                MessagePage::Shown { message, contact_name: contact.name, just_logged_in, hint }
            }
            None => {
                // What the address said, bounded: a message id is ten letters and
                // digits; anything else is kept as its first 32 of them. At most
                // `REFUSALS_PER_HOUR` are recorded per contact (SECURITY.md, M3).
                let message: String = public_id.chars().filter(char::is_ascii_alphanumeric).take(32).collect();
                let e = super::service::new_event(
                    Some(contact.id),
                    &What::MessageRefused { message: message.clone(), reason: "not_published".into() },
                )?;
                // The page gives a support reference, written with the event (issue 24)
                // while the contact is under the hourly cap on refusals kept; past it, the
                // newest kept one again, so the reference always names a kept attempt.
                let hour_ago = Timestamp(self.now().0 - 3600);
                let kept = self.store.contact_references(contact.id, Told::NotPublished, hour_ago, REFUSALS_PER_HOUR).await?;
                if kept.len() >= REFUSALS_PER_HOUR as usize
                    && let Some(reference) = kept.into_iter().next()
                {
                    return Ok(Reply { value: Some(MessagePage::NotPublished { reference }), cookies });
                }
                let reference = SupportRef::generate()?;
                let told = NewSupportRef {
                    reference: reference.clone(),
                    step: AtStep::Message,
                    told: Told::NotPublished,
                    contact: Some(contact.id),
                    flow: None,
                    typed: Some(message),
                    network: rules::network_of(who.ip, self.limits.ipv6_prefix),
                    browser: who.user_agent.as_deref().map(domain::browser_and_platform),
                };
                let (store, now) = (self.store.clone(), self.now());
                let write = async move { store.record_refused_message(e, &told, now, REFUSALS_PER_HOUR).await };
                self.store.aside("message refused", write).await;
                MessagePage::NotPublished { reference }
            }
        };
        Ok(Reply { value: Some(page), cookies })
    }

    /// The browser's remembered device and its contact, when recognised.
    pub async fn recognised(&self, who: &Caller) -> Result<Option<(Device, Contact)>, ServiceError> {
        Ok(self.recognise(who, false).await?.found)
    }

    /// Remembers the language a logged-in contact switched to: their codes follow.
    pub async fn remember_language(&self, contact: crate::store::ContactId, lang: domain::i18n::Lang) -> Result<(), ServiceError> {
        let mut tx = self.store.begin().await?;
        tx.lock(&[crate::store::Lock::Contact(contact)]).await?;
        tx.set_contact_language(contact, lang).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remembers a browser whose passkey just verified, as a code login does: a new
    /// device cookie (the old one stops working), the network, and the event. Any
    /// login flow running in the browser is forgotten.
    pub async fn log_in_with_passkey(&self, who: &Caller, contact: crate::store::ContactId) -> ServiceResult<()> {
        let now = self.now();
        let network = rules::network_of(who.ip, self.limits.ipv6_prefix);
        let mut tx = self.store.begin().await?;
        tx.lock(&[crate::store::Lock::Contact(contact)]).await?;
        if let Some(old) = who.device.clone()
            && let Some(device) = tx.device_by_token(&old.hash()).await?
        {
            tx.revoke_device(device.id, now).await?;
        }
        let token = Token::generate()?;
        let browser = who.user_agent.as_deref().map(domain::browser_and_platform);
        let device = tx.add_device(contact, &token.hash(), browser.as_deref(), now).await?;
        tx.remember_network(contact, &network, now).await?;
        tx.set_contact_language(contact, who.language.lang).await?;
        let event = crate::store::NewEvent::new(Some(contact), What::DeviceRecognised { device, network: Some(network.clone()) });
        tx.record_events(&[event], now).await?;
        tx.commit().await?;
        Ok(Reply { value: (), cookies: vec![self.device_cookie(&token), CookieChange::ClearFlow] })
    }

    /// Counts a passkey step against the network's verification limit; false when
    /// the network is over it (the same limit code entries have).
    pub async fn passkey_step_allowed(&self, who: &Caller) -> Result<bool, ServiceError> {
        let now = self.now();
        let network = rules::network_of(who.ip, self.limits.ipv6_prefix);
        let mut tx = self.store.begin().await?;
        tx.lock(&[crate::store::Lock::Network(&network)]).await?;
        let key = crate::store::Key::Network(network);
        let earlier = tx.count_hits(crate::store::Scope::Verification, &key, Timestamp(now.0 - 3600)).await?;
        let allowed = earlier < self.limits.ip_verifications_per_hour;
        if allowed {
            tx.record_hits(&[(crate::store::Scope::Verification, key)], now).await?;
        }
        tx.commit().await?;
        Ok(allowed)
    }

    pub async fn log_out(&self, who: Caller) -> ServiceResult<()> {
        if let Some(token) = who.device.clone()
            && let Some(device) = self.store.device_by_token(&token.hash()).await?
        {
            self.store.revoke_device(device.id, self.now()).await?;
            self.event(Some(device.contact), What::LoggedOut { device: device.id }).await?;
        }
        Ok(Reply { value: (), cookies: vec![CookieChange::ClearDevice, CookieChange::ClearFlow] })
    }

    /// An event of a remembered browser (one statement: these steps write nothing else
    /// that must agree with it).
    async fn event(&self, contact: Option<crate::store::ContactId>, what: What) -> Result<(), ServiceError> {
        let e = super::service::new_event(contact, &what)?;
        Ok(self.store.record_event(e.contact, e.what, self.now()).await?)
    }
}
