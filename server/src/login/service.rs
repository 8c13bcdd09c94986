//! Applies the rules: reads and writes the store, sends through the delivery, and
//! answers in the wire types the login card shows.

use std::sync::Arc;

use app::port::{CookieChange, Reply, Visitor};
use app::types::{Channel, CodeStep, LoginStep, Notice};
use serde_json::json;

use super::rules::{self, VerifyError};
use crate::clock::Clock;
use crate::config::Limits;
use crate::delivery::{Sealer, code_message};
use crate::domain::{Code, Identifier, Keyring, Region, Timestamp, Token, words};
use crate::store::{ContactId, EventKind, Flow, NewJob, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the operating system's random number generator failed: {0}")]
    Random(#[from] getrandom::Error),
    #[error(transparent)]
    Seal(#[from] crate::delivery::sealed::SealError),
}

/// Where issued codes go: sealed into delivery jobs, and a nudge to the worker.
#[derive(Clone)]
pub struct Outbox {
    pub sealer: Sealer,
    pub wake: std::sync::Arc<tokio::sync::Notify>,
    /// The portal's host name, for the WebOTP line of text messages.
    pub host: String,
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

    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub(super) async fn flow(&self, who: &Visitor) -> Result<Option<Flow>, ServiceError> {
        match who.flow_token.as_deref().and_then(Token::from_cookie) {
            Some(token) => Ok(self.store.flow_by_token(&token.hash()).await?),
            None => Ok(None),
        }
    }

    /// The browser's login in progress: requested, not yet completed.
    pub(super) async fn active_flow(&self, who: &Visitor) -> Result<Option<Flow>, ServiceError> {
        Ok(self.flow(who).await?.filter(|f| !f.completed && !f.identifier.is_empty()))
    }

    /// Step 1: a code to whatever is registered for `identifier` by `channel`. The
    /// answer is the same whether or not anything was sent, and so is its timing.
    pub async fn request_code(&self, who: Visitor, identifier: String, channel: Channel) -> ServiceResult<LoginStep> {
        self.after_floor(self.request_code_now(who, identifier, channel)).await
    }

    /// "Send a new code" (maybe by the other channel) in the flow of this browser.
    pub async fn resend_code(&self, who: Visitor, channel: Channel) -> ServiceResult<LoginStep> {
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

    async fn request_code_now(&self, who: Visitor, identifier: String, channel: Channel) -> ServiceResult<LoginStep> {
        let identify = |notice| LoginStep::Identify { identifier: identifier.clone(), channel, notice: Some(notice) };
        if self.network_limited(&who, "code_request", self.limits.ip_code_requests_per_hour).await? {
            return Ok(Reply::plain(identify(Notice::NetworkLimited)));
        }
        let Ok(parsed) = Identifier::parse(&identifier, self.region) else {
            return Ok(Reply::plain(identify(Notice::MalformedIdentifier)));
        };
        // Every request starts a new flow, named by a new cookie.
        let token = Token::generate()?;
        let flow_id = self.store.create_flow(&token.hash(), self.now()).await?;
        let step = self.issue(flow_id, identifier.trim(), &parsed, channel, None).await?;
        Ok(Reply { value: step, cookies: vec![CookieChange::SetFlow(token.expose().to_string())] })
    }

    async fn resend_code_now(&self, who: Visitor, channel: Channel) -> ServiceResult<LoginStep> {
        let Some(flow) = self.active_flow(&who).await? else {
            return Ok(Reply::plain(LoginStep::Identify { identifier: String::new(), channel, notice: Some(Notice::NoFlow) }));
        };
        let now = self.now();
        let left = rules::cooldown_left(flow.last_sent_at, now, self.limits.resend_cooldown);
        if left > 0 {
            return self.code_step(&flow, Some(Notice::CooldownActive { seconds_left: left })).await.map(Reply::plain);
        }
        if self.network_limited(&who, "code_request", self.limits.ip_code_requests_per_hour).await? {
            return self.code_step(&flow, Some(Notice::NetworkLimited)).await.map(Reply::plain);
        }
        let Ok(parsed) = Identifier::parse(&flow.identifier, self.region) else {
            return Ok(Reply::plain(LoginStep::start()));
        };
        let step = self.issue(flow.id, &flow.identifier, &parsed, channel, Some(Notice::CodeSent)).await?;
        Ok(Reply::plain(step))
    }

    /// Issues a code in a flow: queued for delivery when the contact exists and may
    /// receive it by `channel`, otherwise recorded as unsendable. The contact sees no
    /// difference, and the request never waits for a provider.
    async fn issue(&self, flow_id: i64, typed: &str, who: &Identifier, channel: Channel, notice: Option<Notice>) -> Result<LoginStep, ServiceError> {
        let now = self.now();
        let now_ms = self.clock.now_ms();
        let ttl_ms = i64::try_from(self.limits.code_ttl.as_millis()).unwrap_or(i64::MAX);
        let contact = self.store.find_contact(who).await?;
        let reachable = contact.as_ref().and_then(|c| c.address(channel)).map(str::to_string);
        let subject = super::limits::subject(contact.as_ref().map(|c| c.id), Some(who), typed);
        // Limits apply to every request alike, registered or not.
        let refusal = self.send_refusal(&subject, channel, reachable.as_deref()).await?;
        let address = reachable.filter(|_| refusal.is_none());
        let code = Code::generate()?;
        let (mac, job) = match &address {
            Some(to) => {
                let message = code_message(channel, to, &code, now, self.limits.code_ttl, &self.outbox.host);
                let payload = self.outbox.sealer.seal(&message.subject, &message.body)?;
                let job = NewJob { channel, recipient: to.clone(), payload, expires_at_ms: now_ms.saturating_add(ttl_ms) };
                (self.secret.mac(&[&flow_id.to_be_bytes(), code.digits().as_bytes()]), Some(job))
            }
            // Matches no 6-digit input: a flow that sent nothing can never log in.
            None => (Token::generate()?.hash(), None),
        };
        let contact_id = contact.as_ref().map(|c| c.id);
        let queued = job.is_some();
        // The events come first, so the log reads in order even when the worker sends
        // the code the moment it is committed.
        self.event(EventKind::CodeRequested, contact_id, json!({ "channel": channel.as_str(), "flow": flow_id })).await?;
        match (&contact, &address, refusal) {
            (Some(c), Some(to), _) => {
                self.event(EventKind::CodeQueued, Some(c.id), json!({ "channel": channel.as_str(), "to": to })).await?;
            }
            (_, None, Some(reason)) => {
                self.event(EventKind::CodeNotSent, contact_id, json!({ "channel": channel.as_str(), "reason": reason })).await?;
            }
            (Some(c), None, None) => {
                let reason = if c.address_exists(channel) { "opted_out" } else { "no_address_for_channel" };
                self.event(EventKind::CodeNotSent, Some(c.id), json!({ "channel": channel.as_str(), "reason": reason })).await?;
            }
            (None, _, _) => {
                self.event(EventKind::CodeNotSent, None, json!({ "channel": channel.as_str(), "reason": "not_registered" })).await?;
            }
        }
        self.store
            .record_code(crate::store::IssuedCode {
                flow_id,
                identifier: typed,
                channel,
                contact: contact_id,
                mac: &mac,
                sent: queued,
                now,
                expires_at: now.plus(self.limits.code_ttl),
                job,
                now_ms,
            })
            .await?;
        if queued {
            self.outbox.wake.notify_one();
        }
        self.keep_notice(flow_id, notice.as_ref()).await?;
        Ok(LoginStep::EnterCode(CodeStep {
            identifier: typed.to_string(),
            channel,
            cooldown_secs: rules::cooldown_left(now, now, self.limits.resend_cooldown),
            valid_for: words(self.limits.code_ttl),
            notice,
        }))
    }

    /// Step 2: the code. Succeeds only with the newest code of this browser's flow.
    pub async fn verify_code(&self, who: Visitor, input: String, next: String) -> ServiceResult<LoginStep> {
        let Some(flow) = self.active_flow(&who).await? else {
            self.event(EventKind::VerificationFailed, None, json!({ "reason": VerifyError::NoFlow.reason() })).await?;
            return Ok(Reply::plain(LoginStep::Identify { identifier: String::new(), channel: Channel::Email, notice: Some(Notice::NoFlow) }));
        };
        let (result, compared) = self.check_code(&who, &flow, &input).await?;
        match result {
            Ok(contact) => self.log_in(&who, &flow, contact, next).await,
            Err(error) => {
                // `compared`: whether the digits were checked against the code at all.
                let detail = json!({ "reason": error.reason(), "flow": flow.id, "compared": compared });
                self.event(EventKind::VerificationFailed, flow.contact, detail).await?;
                let notice = self.notice_for(&error);
                self.code_step(&flow, Some(notice)).await.map(Reply::plain)
            }
        }
    }

    /// The verdict on a code, and whether its digits were compared with the code.
    async fn check_code(&self, who: &Visitor, flow: &Flow, input: &str) -> Result<(Result<ContactId, VerifyError>, bool), ServiceError> {
        if self.network_limited(who, "verification", self.limits.ip_verifications_per_hour).await? {
            return Ok((Err(VerifyError::NetworkLimited), false));
        }
        let Ok(code) = Code::parse(input) else {
            return Ok((Err(VerifyError::Malformed), false));
        };
        let subject = super::limits::subject(flow.contact, Identifier::parse(&flow.identifier, self.region).ok().as_ref(), &flow.identifier);
        if let Some(until) = self.locked_until(&subject).await? {
            return Ok((Err(VerifyError::Locked { until }), false));
        }
        let codes = self.store.flow_codes(flow.id).await?;
        let Some((current, older)) = codes.split_first() else {
            return Ok((Err(VerifyError::NoFlow), false));
        };
        let newest = match current.contact {
            Some(contact) => self.store.newest_sent_code(contact).await?,
            None => None,
        };
        if let Err(e) = rules::check_current(current, newest.as_ref(), self.now(), self.limits.code_max_attempts) {
            return Ok((Err(e), false));
        }
        let parts = |digits: &str| [flow.id.to_be_bytes().to_vec(), digits.as_bytes().to_vec()];
        let [id_part, code_part] = parts(code.digits());
        let matches = |mac: &[u8]| self.secret.verify(&[&id_part, &code_part], mac);
        if older.iter().any(|o| o.sent && matches(&o.mac)) {
            return Ok((Err(VerifyError::Superseded { newest_sent_at: current.created_at, channel: current.channel, here: true }), true));
        }
        // Count the attempt before comparing, so parallel guesses stay within the limit.
        let Some(attempts) = self.store.take_attempt(current.id, self.limits.code_max_attempts).await? else {
            return Ok((Err(VerifyError::TooManyAttempts), false));
        };
        match current.contact {
            Some(contact) if current.sent && matches(&current.mac) => {
                // Only one of several parallel requests with the right code uses it up.
                if self.store.consume_code(current.id, self.now()).await? {
                    Ok((Ok(contact), true))
                } else {
                    Ok((Err(VerifyError::AlreadyUsed), true))
                }
            }
            _ => {
                self.record_failure(&subject).await?;
                Ok((Err(rules::wrong_guess(attempts, self.limits.code_max_attempts)), true))
            }
        }
    }

    fn notice_for(&self, error: &VerifyError) -> Notice {
        match error {
            VerifyError::NoFlow => Notice::NoFlow,
            VerifyError::Superseded { newest_sent_at, channel, here } => {
                Notice::Superseded { newest_sent_at: newest_sent_at.time_of_day(), channel: *channel, here: *here }
            }
            VerifyError::Expired => Notice::Expired { valid_for: words(self.limits.code_ttl) },
            VerifyError::TooManyAttempts => Notice::TooManyAttempts,
            VerifyError::AlreadyUsed => Notice::AlreadyUsed,
            VerifyError::Wrong { attempts_left } => Notice::WrongCode { attempts_left: *attempts_left },
            VerifyError::Malformed => Notice::MalformedCode,
            VerifyError::NetworkLimited => Notice::NetworkLimited,
            VerifyError::Locked { until } => Notice::Locked { until: until.utc() },
        }
    }

    /// The code step of a flow as it stands now.
    pub(super) async fn code_step(&self, flow: &Flow, notice: Option<Notice>) -> Result<LoginStep, ServiceError> {
        self.keep_notice(flow.id, notice.as_ref()).await?;
        Ok(LoginStep::EnterCode(CodeStep {
            identifier: flow.identifier.clone(),
            channel: flow.channel,
            cooldown_secs: rules::cooldown_left(flow.last_sent_at, self.now(), self.limits.resend_cooldown),
            valid_for: words(self.limits.code_ttl),
            notice,
        }))
    }

    /// Kept for a browser without JavaScript, which shows it after the redirect.
    async fn keep_notice(&self, flow_id: i64, notice: Option<&Notice>) -> Result<(), ServiceError> {
        let stored = notice.and_then(|n| serde_json::to_string(n).ok());
        Ok(self.store.set_flow_notice(flow_id, stored.as_deref()).await?)
    }

    /// Counts a request from this network; true when over the hourly limit.
    async fn network_limited(&self, who: &Visitor, scope: &str, per_hour: u32) -> Result<bool, ServiceError> {
        let now = self.now();
        let hits = self.store.hit(scope, &who.ip.to_string(), now, Timestamp(now.0 - 3600)).await?;
        let limited = hits > per_hour;
        if limited {
            self.event(EventKind::NetworkLimited, None, json!({ "scope": scope, "ip": who.ip.to_string() })).await?;
        }
        Ok(limited)
    }

    pub(super) async fn event(&self, kind: EventKind, contact: Option<ContactId>, detail: serde_json::Value) -> Result<(), ServiceError> {
        tracing::info!(event = kind.as_str(), contact = contact.map(|c| c.0), %detail, "login event");
        Ok(self.store.record_event(kind, contact, detail, self.now()).await?)
    }
}
