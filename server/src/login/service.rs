//! Applies the rules: each step loads what `flow` needs, asks it, and writes every
//! effect (flow, code, delivery job, limit hits, device, events) in one transaction.
//! Answers are domain values; the adapter in `http/portal.rs` turns them into words
//! and cookies.

use std::sync::Arc;

use app::port::Visitor;
use app::types::Channel;

use super::flow::{self, Effects, Flow, Match, Outcome, Refusal, Requested, SmsUsage, Verdict};
use super::rules;
use crate::clock::Clock;
use crate::config::Limits;
use crate::delivery::{Sealer, code_message};
use crate::domain::{Code, Identifier, Keyring, Region, Timestamp, Token};
use crate::store::{ContactId, Key, NewCode, NewEvent, NewFlow, NewJob, RefusedStep, Scope, Store, StoreError, Trust, Tx};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

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

/// Where issued codes go: sealed into delivery jobs, and a nudge to the worker.
#[derive(Clone)]
pub struct Outbox {
    pub sealer: Sealer,
    pub wake: std::sync::Arc<tokio::sync::Notify>,
    /// The portal's host name, for the WebOTP line of text messages.
    pub host: String,
}

/// A cookie an answer sets or clears. The adapter spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cookie {
    Flow(Token),
    ForgetFlow,
    Device(Token),
    ForgetDevice,
}

/// An answer and the cookies that go with it.
#[derive(Debug)]
pub struct Answer<T> {
    pub value: T,
    pub cookies: Vec<Cookie>,
}

impl<T> Answer<T> {
    pub fn plain(value: T) -> Self {
        Answer { value, cookies: Vec::new() }
    }
}

/// Where the browser's login stands after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Step 1: type an email or number.
    Start { identifier: String, channel: Channel, outcome: Option<Outcome> },
    /// Step 2: type the code. "Send a new code" works from `resend_at`.
    Code { identifier: String, channel: Channel, resend_at: Timestamp, outcome: Option<Outcome> },
    /// Logged in: go to `next`.
    Done { next: String },
}

pub type ServiceResult<T> = Result<Answer<T>, ServiceError>;

#[derive(Clone)]
pub struct LoginService {
    pub(super) store: Store,
    pub(super) outbox: Outbox,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) secret: Keyring,
    pub(super) limits: Limits,
    pub(super) region: Region,
}

/// The step's context the effects are written in.
struct Step<'a> {
    who: &'a Visitor,
    network: String,
    flow_id: Option<i64>,
    contact: Option<ContactId>,
    now: Timestamp,
}

/// What writing the effects produced that the answer needs.
#[derive(Default)]
struct Written {
    queued: bool,
    device: Option<Token>,
}

impl LoginService {
    pub fn new(store: Store, clock: Arc<dyn Clock>, secret: Keyring, limits: Limits, region: Region, outbox: Outbox) -> Self {
        LoginService { store, outbox, clock, secret, limits, region }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn region(&self) -> Region {
        self.region
    }

    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Step 1: a code to whatever is registered for `identifier` by `channel`. The
    /// answer is the same whether or not anything was sent, and so is its timing.
    pub async fn request_code(&self, who: Visitor, identifier: String, channel: Channel) -> ServiceResult<Screen> {
        self.after_floor(self.request_code_now(who, identifier, channel)).await
    }

    /// "Send a new code" (maybe by the other channel) in the flow of this browser.
    pub async fn resend_code(&self, who: Visitor, channel: Channel) -> ServiceResult<Screen> {
        self.after_floor(self.resend_code_now(who, channel)).await
    }

    /// Runs `work`, then answers no sooner than the configured floor after it began:
    /// sending a code writes more than not sending one, and the difference must not
    /// show. (A wait of real time, not of the injected clock: it is about what an
    /// observer can measure.)
    async fn after_floor<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        let started = tokio::time::Instant::now();
        let result = work.await;
        tokio::time::sleep_until(started + self.limits.send_code_floor).await;
        result
    }

    async fn request_code_now(&self, who: Visitor, identifier: String, channel: Channel) -> ServiceResult<Screen> {
        let now = self.now();
        let mut step = Step { network: rules::network_of(who.ip, self.limits.ipv6_prefix), who: &who, flow_id: None, contact: None, now };
        let start = |outcome| Answer::plain(Screen::Start { identifier: identifier.clone(), channel, outcome: Some(outcome) });
        let mut tx = self.store.begin().await?;
        let (limited, fx) = self.network(&mut tx, RefusedStep::CodeRequest, &step).await?;
        let parsed = Identifier::parse(&identifier, self.region);
        let (Ok(parsed), false) = (parsed, limited) else {
            self.write(&mut tx, &step, fx).await?;
            tx.commit().await?;
            return Ok(start(if limited { Outcome::NetworkLimited } else { Outcome::MalformedIdentifier }));
        };
        let contact = tx.find_contact(&parsed).await?;
        let trust = self.trust(&mut tx, &step, contact.as_ref().map(|c| c.id)).await?;
        let fx = fx.and(self.decide_request(&mut tx, &parsed, contact.as_ref(), channel, trust, now).await?);
        // Every request starts a new flow, named by a new cookie.
        let token = Token::generate()?;
        let typed = identifier.trim();
        let new = NewFlow { token_hash: &token.hash(), identifier: typed, channel, contact: contact.as_ref().map(|c| c.id), trust };
        step.flow_id = Some(tx.insert_flow(&new, now).await?);
        step.contact = new.contact;
        let written = self.write(&mut tx, &step, fx).await?;
        tx.commit().await?;
        self.sent(&written);
        let resend_at = now.plus(self.limits.resend_cooldown);
        let screen = Screen::Code { identifier: typed.to_string(), channel, resend_at, outcome: None };
        Ok(Answer { value: screen, cookies: vec![Cookie::Flow(token)] })
    }

    async fn resend_code_now(&self, who: Visitor, channel: Channel) -> ServiceResult<Screen> {
        let now = self.now();
        let mut step = Step { network: rules::network_of(who.ip, self.limits.ipv6_prefix), who: &who, flow_id: None, contact: None, now };
        let mut tx = self.store.begin().await?;
        let Some(flow) = self.requested(&mut tx, &who, now).await? else {
            tx.commit().await?;
            return Ok(Answer::plain(Screen::Start { identifier: String::new(), channel, outcome: Some(Outcome::Refused(Refusal::NoFlow)) }));
        };
        (step.flow_id, step.contact) = (Some(flow.id), flow.contact);
        let fx = match flow::cooldown(&flow, &self.limits, now) {
            Some(until) => Effects { outcome: Some(Outcome::CooldownActive { until }), ..Effects::default() },
            None => match self.network(&mut tx, RefusedStep::CodeRequest, &step).await? {
                (true, fx) => Effects { outcome: Some(Outcome::NetworkLimited), ..fx },
                (false, fx) => {
                    let parsed = Identifier::parse(&flow.identifier, self.region);
                    let Ok(parsed) = parsed else { return Ok(Answer::plain(Screen::start())) };
                    let contact = match flow.contact {
                        Some(id) => tx.contact(id).await?,
                        None => None,
                    };
                    let fx = fx.and(self.decide_request(&mut tx, &parsed, contact.as_ref(), channel, flow.trust, now).await?);
                    Effects { outcome: Some(Outcome::CodeSent), ..fx }
                }
            },
        };
        let outcome = fx.outcome.clone();
        let written = self.write(&mut tx, &step, fx).await?;
        tx.commit().await?;
        self.sent(&written);
        // A new slot was issued (sent or not: it does not show) exactly when it says so.
        let (channel, resend_at) = if matches!(outcome, Some(Outcome::CodeSent)) {
            (channel, now.plus(self.limits.resend_cooldown))
        } else {
            (flow.channel, flow.current.issued_at.plus(self.limits.resend_cooldown))
        };
        Ok(Answer::plain(Screen::Code { identifier: flow.identifier, channel, resend_at, outcome }))
    }

    /// Loads what a code request is decided on, and decides it.
    async fn decide_request(
        &self,
        tx: &mut Tx,
        identifier: &Identifier,
        contact: Option<&crate::store::Contact>,
        channel: Channel,
        trust: Trust,
        now: Timestamp,
    ) -> Result<Effects, ServiceError> {
        let l = &self.limits;
        let key = flow::sending_key(contact, identifier);
        let sent = tx.recent_hits(Scope::Sending(trust), &key, Timestamp(now.0 - DAY), l.identifier_codes_per_day.max(1)).await?;
        let hour_ago = Timestamp(now.0 - HOUR);
        let sms = match (channel, contact.and_then(|c| c.phone.as_ref())) {
            (Channel::Sms, Some(phone)) => SmsUsage {
                block: tx.count_hits(Scope::SmsBlock, &Key::Block(phone.prefix().to_string()), hour_ago).await?,
                all: tx.count_hits(Scope::Sms, &Key::Everyone, hour_ago).await?,
                alerted: tx.count_hits(Scope::SmsAlert, &Key::Everyone, hour_ago).await? > 0,
            },
            _ => SmsUsage::default(),
        };
        let request = flow::Request { identifier, contact, channel, trust, sent: &sent, sms };
        Ok(flow::request(&request, l, now))
    }

    /// Step 2: the code. Logs in only with the newest code of this browser's flow.
    pub async fn verify_code(&self, who: Visitor, input: String, next: String) -> ServiceResult<Screen> {
        let now = self.now();
        let mut step = Step { network: rules::network_of(who.ip, self.limits.ipv6_prefix), who: &who, flow_id: None, contact: None, now };
        let mut tx = self.store.begin().await?;
        let (limited, fx) = self.network(&mut tx, RefusedStep::Verification, &step).await?;
        let Some(flow) = self.requested(&mut tx, &who, now).await? else {
            let mut fx = fx;
            if !limited {
                let what = flow::LoginEvent::VerificationFailed { reason: Refusal::NoFlow.reason(), flow: None, compared: false, network: None };
                fx.events.push(flow::Event { contact: None, what });
            }
            self.write(&mut tx, &step, fx).await?;
            tx.commit().await?;
            return Ok(Answer::plain(Screen::Start { identifier: String::new(), channel: Channel::Email, outcome: Some(Outcome::Refused(Refusal::NoFlow)) }));
        };
        (step.flow_id, step.contact) = (Some(flow.id), flow.contact);
        let (verdict, more) = if limited { flow::refused_by_network() } else { self.decide_verify(&mut tx, &flow, &input, &step).await? };
        let written = self.write(&mut tx, &step, fx.and(more)).await?;
        tx.commit().await?;
        match (verdict, written.device) {
            (Verdict::LoggedIn(_), Some(token)) => {
                Ok(Answer { value: Screen::Done { next }, cookies: vec![Cookie::Device(token), Cookie::ForgetFlow] })
            }
            (verdict, _) => {
                let outcome = match verdict {
                    Verdict::Refused(r) => Some(Outcome::Refused(r)),
                    Verdict::LoggedIn(_) => None,
                };
                let resend_at = flow.current.issued_at.plus(self.limits.resend_cooldown);
                Ok(Answer::plain(Screen::Code { identifier: flow.identifier, channel: flow.channel, resend_at, outcome }))
            }
        }
    }

    async fn decide_verify(&self, tx: &mut Tx, flow: &Requested, input: &str, step: &Step<'_>) -> Result<(Verdict, Effects), ServiceError> {
        let now = step.now;
        let typed = self.compare(flow, input);
        let parsed = Identifier::parse(&flow.identifier, self.region).ok();
        let lock_key = flow::lock_key(&flow.identifier, parsed.as_ref(), &step.network);
        let limit = self.limits.contact_failures_per_day;
        let failures = tx.recent_hits(Scope::Failure, &lock_key, Timestamp(now.0 - DAY), limit.max(1)).await?;
        let locked_until = rules::locked_until(&failures, now, limit);
        // Only the holder of the current code gets this far: the look-up cannot tell
        // a stranger anything.
        let newer_elsewhere = match (typed, flow.contact) {
            // A stranger's request does not supersede a code asked for from a familiar
            // place: a stranger cannot spoil a contact's login by asking for codes.
            (Match::Current, Some(contact)) => tx
                .newest_sent_code(contact, flow.trust == Trust::Familiar)
                .await?
                .filter(|(id, _, _)| *id > flow.current.id)
                .map(|(_, at, ch)| (at, ch)),
            _ => None,
        };
        let facts = flow::Verify { typed, locked_until, lock_key, newer_elsewhere };
        Ok(flow::verify(flow, &facts, &self.limits, now))
    }

    /// Which of the flow's codes the input is. Every slot is compared, a slot that sent
    /// nothing against a MAC no code has, so the work depends neither on the answer nor
    /// on whether anything was sent.
    fn compare(&self, flow: &Requested, input: &str) -> Match {
        const NOTHING_SENT: [u8; 32] = [0; 32];
        let Ok(code) = Code::parse(input) else { return Match::Malformed };
        let matches = |c: &crate::store::CodeRecord| {
            let compared = self.secret.code_matches(flow.id, &code, c.mac.as_deref().unwrap_or(&NOTHING_SENT));
            compared && c.mac.is_some()
        };
        let current = matches(&flow.current);
        let older = flow.older.iter().fold(false, |found, c| matches(c) | found);
        match (current, older) {
            (true, _) => Match::Current,
            (false, true) => Match::Older,
            (false, false) => Match::Nothing,
        }
    }

    /// The browser's login in progress, if its flow cookie names one that is neither
    /// completed nor expired.
    pub(super) async fn requested(&self, tx: &mut Tx, who: &Visitor, now: Timestamp) -> Result<Option<Requested>, ServiceError> {
        let Some(token) = who.flow_token.as_deref().and_then(Token::from_cookie) else { return Ok(None) };
        let Some(record) = tx.flow_by_token(&token.hash()).await? else { return Ok(None) };
        Ok(match Flow::at(record, now, self.limits.code_ttl) {
            Flow::Requested(flow) => Some(flow),
            Flow::Completed | Flow::Expired => None,
        })
    }

    /// Counts this request against its network's hourly limit.
    async fn network(&self, tx: &mut Tx, step_kind: RefusedStep, step: &Step<'_>) -> Result<(bool, Effects), ServiceError> {
        let (scope, per_hour) = match step_kind {
            RefusedStep::CodeRequest => (Scope::CodeRequest, self.limits.ip_code_requests_per_hour),
            RefusedStep::Verification => (Scope::Verification, self.limits.ip_verifications_per_hour),
        };
        let key = Key::Network(step.network.clone());
        let hour_ago = Timestamp(step.now.0 - HOUR);
        let earlier = tx.count_hits(scope, &key, hour_ago).await?;
        // Read only when refusing, which the answer says anyway.
        let told = earlier >= per_hour && tx.count_hits(Scope::Refused(step_kind), &key, hour_ago).await? > 0;
        Ok(flow::network(step_kind, &step.network, flow::NetworkUsage { earlier, told }, per_hour))
    }

    /// Familiar: the browser holds a valid device cookie of this contact, or the
    /// contact logged in from this network within the device lifetime. It decides only
    /// which sending limits apply, which no answer shows.
    async fn trust(&self, tx: &mut Tx, step: &Step<'_>, contact: Option<ContactId>) -> Result<Trust, ServiceError> {
        let Some(contact) = contact else { return Ok(Trust::Stranger) };
        let l = &self.limits;
        if let Some(token) = step.who.device_token.as_deref().and_then(Token::from_cookie)
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

    /// Writes a step's effects inside its transaction.
    async fn write(&self, tx: &mut Tx, step: &Step<'_>, fx: Effects) -> Result<Written, ServiceError> {
        let now = step.now;
        let mut written = Written::default();
        tx.record_hits(&fx.hits, now).await?;
        let outcome = fx.outcome.as_ref().map(serde_json::to_string).transpose()?;
        if let (Some(issue), Some(flow_id)) = (&fx.issue, step.flow_id) {
            let code = Code::generate()?;
            let (mac, job) = match &issue.send_to {
                Ok(to) => {
                    let message = code_message(issue.channel, to, &code, now, self.limits.code_ttl, &self.outbox.host);
                    let payload = self.outbox.sealer.seal(&message.subject, &message.body)?;
                    let ttl_ms = i64::try_from(self.limits.code_ttl.as_millis()).unwrap_or(i64::MAX);
                    let expires_at_ms = self.clock.now_ms().saturating_add(ttl_ms);
                    (Some(self.secret.code_mac(flow_id, &code)), Some(NewJob { channel: issue.channel, recipient: to.clone(), payload, expires_at_ms }))
                }
                Err(_) => (None, None),
            };
            written.queued = job.is_some();
            let new = NewCode { flow_id, contact: step.contact, channel: issue.channel, mac, expires_at: issue.expires_at, job };
            tx.insert_code(&new, now, self.clock.now_ms()).await?;
            // A new flow was written with its channel; "Send a new code" changes it.
            if fx.outcome.is_some() {
                tx.update_flow(flow_id, issue.channel, outcome.as_deref(), now).await?;
            }
        } else if let (Some(flow_id), None) = (step.flow_id, &fx.login) {
            tx.set_outcome(flow_id, outcome.as_deref()).await?;
        }
        if let Some(code) = fx.attempt {
            tx.take_attempt(code).await?;
        }
        let mut device_id = None;
        if let (Some(login), Some(flow_id)) = (&fx.login, step.flow_id) {
            tx.consume_code(login.code, now).await?;
            tx.complete_flow(flow_id, now).await?;
            // A fresh device token at every login: a cookie the browser had stops working.
            if let Some(old) = step.who.device_token.as_deref().and_then(Token::from_cookie)
                && let Some(device) = tx.device_by_token(&old.hash()).await?
            {
                tx.revoke_device(device.id, now).await?;
            }
            let token = Token::generate()?;
            device_id = Some(tx.add_device(login.contact, &token.hash(), now).await?);
            tx.remember_network(login.contact, &step.network, now).await?;
            written.device = Some(token);
        }
        let mut events = Vec::with_capacity(fx.events.len());
        for e in fx.events {
            let what = e.what.in_step(step.flow_id, device_id, &step.network);
            // A network over its limit while a contact's flow is open: the contact's
            // card shows it (once per window, like the event itself).
            let contact = match what {
                flow::LoginEvent::NetworkLimited { .. } => e.contact.or(step.contact),
                _ => e.contact,
            };
            if what.kind() == crate::store::EventKind::SmsBudgetSpent {
                tracing::error!(budget = self.limits.sms_per_hour, "ALERT: the hourly SMS budget is spent; SMS codes stop until it frees up");
            }
            events.push(new_event(contact, &what)?);
        }
        tx.record_events(&events, now).await?;
        Ok(written)
    }

    fn sent(&self, written: &Written) {
        if written.queued {
            self.outbox.wake.notify_one();
        }
    }
}

/// A login event as the log stores it (and says it, at `info`).
pub(super) fn new_event(contact: Option<ContactId>, what: &flow::LoginEvent) -> Result<NewEvent, ServiceError> {
    let detail = serde_json::to_value(what)?;
    tracing::info!(event = what.kind().as_str(), contact = contact.map(|c| c.0), %detail, "login event");
    Ok(NewEvent { kind: what.kind(), contact, detail })
}

impl Screen {
    pub fn start() -> Screen {
        Screen::Start { identifier: String::new(), channel: Channel::Email, outcome: None }
    }
}
