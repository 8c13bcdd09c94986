//! The login service: its answers (domain values; the adapter in `http/portal.rs`
//! turns them into words and cookies) and what every step loads. The steps are in
//! `steps.rs`, writing their effects in `persist.rs`: each step loads what `flow`
//! needs, asks it, and writes every effect in one transaction.

use std::sync::Arc;

use domain::Caller;
use domain::Channel;
use domain::LocalPath;
use domain::view::{CookieChange, Reply};

use super::flow::{self, Effects, Flow, Outcome, Requested};
use super::rules;
use crate::clock::Clock;
use crate::delivery::Sealer;
use crate::login::Limits;
use crate::store::{AtStep, ContactId, Key, NewEvent, NewSupportRef, RefusedStep, Scope, Store, StoreError, Told, Trust, Tx};
use domain::{Keyring, Region, SupportRef, Timestamp, Token};

pub(super) const HOUR: i64 = 3600;
pub(super) const DAY: i64 = 86_400;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the operating system's random number generator failed: {0}")]
    Random(#[from] getrandom::Error),
    #[error(transparent)]
    Seal(#[from] crate::delivery::sealed::SealError),
    #[error("an outcome or event could not be (de)serialised: {0}")]
    Json(#[from] serde_json::Error),
}

/// Where issued codes go: sealed into delivery jobs, handed to a worker of this
/// process or queued for one.
#[derive(Clone)]
pub struct Outbox {
    pub sealer: Sealer,
    pub worker: crate::delivery::Worker,
    /// The portal's host name, for the WebOTP line of text messages.
    pub host: String,
    /// Who the codes come from, in their words.
    pub organisation: domain::Organisation,
    /// Where the code's times are told.
    pub zone: domain::i18n::Zone,
    /// The code in the email's subject too (`PORTAL_CODE_IN_SUBJECT`, on by default).
    pub code_in_subject: bool,
}

/// Where the browser's login stands after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Step 1: type an email or number.
    Start { identifier: String, channel: Channel, outcome: Option<Outcome>, reference: Option<SupportRef> },
    /// Step 2: type the code. "Send a new code" works from `resend_at`.
    Code { identifier: String, channel: Channel, resend_at: Timestamp, outcome: Option<Outcome>, reference: Option<SupportRef> },
    /// Logged in: go to `next`.
    Done { next: LocalPath },
}

pub type ServiceResult<T> = Result<Reply<T>, ServiceError>;

#[derive(Clone)]
pub struct LoginService {
    pub(super) store: Store,
    pub(super) outbox: Outbox,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) secret: Keyring,
    pub(super) limits: Limits,
    pub(super) region: Region,
    /// Whether passkeys can be saved here (the public address is a domain name).
    pub(super) passkeys_offered: bool,
}

/// The step's context the effects are written in.
pub(super) struct Step<'a> {
    pub(super) who: &'a Caller,
    pub(super) network: String,
    pub(super) flow_id: Option<i64>,
    pub(super) contact: Option<ContactId>,
    /// The language of the contact's last login, when the step loaded the contact.
    pub(super) contact_language: Option<domain::i18n::Lang>,
    pub(super) now: Timestamp,
    /// The support reference the step gives with its refusal, kept with the outcome.
    pub(super) reference: Option<SupportRef>,
    /// The contact whose address a refused "Send code" typed: kept with its support
    /// reference only (no answer depends on it).
    pub(super) typed_for: Option<ContactId>,
}

impl Step<'_> {
    /// The language a code goes out in: the one chosen with the switch in this
    /// browser, else the contact's last login's, else the page's (the browser's or the
    /// organisation's default). The page itself never depends on the contact, so it
    /// tells nobody whether an address is registered.
    pub(super) fn code_language(&self) -> domain::i18n::Lang {
        let asked = self.who.language;
        if asked.chosen { asked.lang } else { self.contact_language.unwrap_or(asked.lang) }
    }
}

/// What writing the effects produced that the answer needs.
#[derive(Default)]
pub(super) struct Written {
    pub(super) job: Option<Queued>,
    pub(super) device: Option<Token>,
}

/// A delivery job the step wrote: for the queue, or handed to a worker as it commits.
pub(super) enum Queued {
    ToQueue,
    HandedOff(Box<crate::delivery::HandedOff>),
}

impl LoginService {
    pub fn new(store: Store, clock: Arc<dyn Clock>, secret: Keyring, limits: Limits, region: Region, outbox: Outbox) -> Self {
        LoginService { store, outbox, clock, secret, limits, region, passkeys_offered: false }
    }

    /// Offer to save a passkey after a code login (where passkeys work).
    pub fn with_passkeys(mut self, offered: bool) -> Self {
        self.passkeys_offered = offered;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// How messages leave: the sealer, the worker and the organisation's words.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn region(&self) -> Region {
        self.region
    }

    /// The remembered-browser cookie, for as long as a browser is remembered at most.
    pub(super) fn device_cookie(&self, token: &Token) -> CookieChange {
        let max_age_secs = i64::try_from(self.limits.device_max_age.as_secs()).unwrap_or(i64::MAX);
        CookieChange::SetDevice { token: token.expose().to_string(), max_age_secs }
    }

    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The browser's login in progress, if its flow cookie names one that is neither
    /// completed nor expired.
    pub(super) async fn requested(&self, tx: &mut Tx, who: &Caller, now: Timestamp) -> Result<Option<Requested>, ServiceError> {
        let Some(token) = who.flow.clone() else { return Ok(None) };
        let Some(record) = tx.flow_by_token(&token.hash()).await? else { return Ok(None) };
        Ok(match Flow::at(record, now, self.limits.code_ttl) {
            Flow::Requested(flow) => Some(flow),
            Flow::Completed | Flow::Expired => None,
        })
    }

    /// Counts this request against its network's hourly limit.
    pub(super) async fn network(&self, tx: &mut Tx, step_kind: RefusedStep, step: &Step<'_>) -> Result<(bool, Effects), ServiceError> {
        let (scope, per_hour) = match step_kind {
            RefusedStep::CodeRequest => (Scope::CodeRequest, self.limits.ip_code_requests_per_hour),
            RefusedStep::Verification => (Scope::Verification, self.limits.ip_verifications_per_hour),
        };
        let key = Key::Network(step.network.clone());
        let hour_ago = Timestamp(step.now.0 - HOUR);
        let earlier = tx.count_hits(scope, &key, hour_ago).await?;
        // Read only when refusing, which the answer says anyway.
        let told = earlier >= per_hour && tx.count_hits(Scope::Refused(step_kind), &key, hour_ago).await? > 0;
        let (limited, fx) = flow::network(step_kind, &step.network, flow::NetworkUsage { earlier, told }, per_hour);
        if limited {
            crate::metrics::get().limit_hit(scope.as_str());
        }
        Ok((limited, fx))
    }

    /// Familiar: the browser holds a valid device cookie of this contact, or the
    /// contact logged in from this network within the device lifetime. It decides only
    /// which sending limits apply, which no answer shows.
    pub(super) async fn trust(&self, tx: &mut Tx, step: &Step<'_>, contact: Option<ContactId>) -> Result<Trust, ServiceError> {
        let Some(contact) = contact else { return Ok(Trust::Stranger) };
        let l = &self.limits;
        if let Some(token) = step.who.device.clone()
            && tx
                .device_by_token(&token.hash())
                .await?
                .is_some_and(|d| d.contact == contact && rules::device_is_valid(&d, step.now, l.device_idle, l.device_max_age))
        {
            return Ok(Trust::Familiar);
        }
        let since = Timestamp(step.now.0.saturating_sub(i64::try_from(self.limits.device_max_age.as_secs()).unwrap_or(i64::MAX)));
        Ok(if tx.is_known_network(contact, &step.network, since).await? { Trust::Familiar } else { Trust::Stranger })
    }
}

impl LoginService {
    /// A step's context: who asks, from which network, now.
    pub(super) fn step<'a>(&self, who: &'a Caller) -> Step<'a> {
        Step {
            network: rules::network_of(who.ip, self.limits.ipv6_prefix),
            who,
            flow_id: None,
            contact: None,
            contact_language: None,
            now: self.now(),
            reference: None,
            typed_for: None,
        }
    }

    /// Gives a support reference with `outcome` when it is a refusal the contact may
    /// call about, and writes it with the step (in `step.reference` too, so the flow
    /// keeps it with the outcome). Given alike for every address, registered or not:
    /// one random reference and one row, whatever the flow.
    pub(super) async fn give_reference(
        &self,
        tx: &mut Tx,
        step: &mut Step<'_>,
        at: AtStep,
        outcome: Option<&Outcome>,
        typed: Option<&str>,
    ) -> Result<Option<SupportRef>, ServiceError> {
        let Some(told) = outcome.and_then(Outcome::told) else { return Ok(None) };
        // Refusals a client can repeat at will, uncounted by any limit (a network over
        // its limit; "Send a new code" with no login in progress): past the first few of
        // the hour a network is given its newest reference again, so a flood writes no
        // row per request (at most `LIMITED_REFERENCES` of each a network an hour). A
        // code entry with no login in progress is counted by the network's limit.
        if told == Told::NetworkLimited || (told == Told::NoFlow && at == AtStep::NewCode) {
            let hour_ago = Timestamp(step.now.0 - HOUR);
            let recent = tx.recent_references(&step.network, told, hour_ago, LIMITED_REFERENCES).await?;
            if recent.len() >= LIMITED_REFERENCES as usize {
                step.reference = recent.into_iter().next();
                return Ok(step.reference.clone());
            }
        }
        let reference = SupportRef::generate()?;
        let new = NewSupportRef {
            reference: reference.clone(),
            step: at,
            told,
            contact: step.contact.or(step.typed_for),
            flow: step.flow_id,
            typed: typed.map(|t| t.trim().chars().take(TYPED_MAX).collect()),
            network: step.network.clone(),
            browser: step.who.user_agent.as_deref().map(domain::browser_and_platform),
        };
        tx.insert_support_ref(&new, step.now).await?;
        step.reference = Some(reference.clone());
        Ok(Some(reference))
    }
}

/// What of a typed address a support reference keeps.
pub(super) const TYPED_MAX: usize = 200;
/// References written for one network's refusals over its limit in an hour; later
/// refusals repeat the newest.
pub(super) const LIMITED_REFERENCES: u32 = 20;

/// A login event as the log stores it (and says it, at `info`).
pub(super) fn new_event(contact: Option<ContactId>, what: &flow::What) -> Result<NewEvent, ServiceError> {
    tracing::info!(event = what.kind().as_str(), contact = contact.map(|c| c.0), detail = %what.detail(), "login event");
    Ok(NewEvent::new(contact, what.clone()))
}

impl Screen {
    pub fn start() -> Screen {
        Screen::Start { identifier: String::new(), channel: Channel::Email, outcome: None, reference: None }
    }
}
