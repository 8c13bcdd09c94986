//! The steps of a login, each one transaction: "Send code", "Send a new code" and a
//! code entry. Each loads what `flow` needs, asks it, and has `persist.rs` write the
//! effects.

use domain::Caller;
use domain::Channel;
use domain::LocalPath;

use super::LoginService;
use super::flow::{self, Effects, Match, Outcome, Refusal, Requested, SmsUsage, Verdict};
use super::rules;
use super::service::{DAY, HOUR, Screen, ServiceError, ServiceResult, Step};
use crate::store::{AtStep, ContactId, Key, Lock, NewFlow, RefusedStep, Scope, Trust, Tx};
use domain::view::{CookieChange, Reply};
use domain::{Code, Identifier, Timestamp, Token};

impl LoginService {
    /// Step 1: a code to whatever is registered for `identifier` by `channel`. The
    /// answer is the same whether or not anything was sent, and so is its timing.
    pub(super) async fn request_code_screen(&self, who: Caller, identifier: String, channel: Channel) -> ServiceResult<Screen> {
        self.after_floor(self.request_code_now(who, identifier, channel)).await
    }

    /// "Send a new code" (maybe by the other channel) in the flow of this browser.
    pub(super) async fn resend_code_screen(&self, who: Caller, channel: Channel) -> ServiceResult<Screen> {
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

    async fn request_code_now(&self, who: Caller, identifier: String, channel: Channel) -> ServiceResult<Screen> {
        let mut step = self.step(&who);
        let now = step.now;
        let mut tx = self.store.begin().await?;
        tx.lock(&[Lock::Network(&step.network)]).await?;
        let (limited, fx) = self.network(&mut tx, RefusedStep::CodeRequest, &step).await?;
        let parsed = Identifier::parse(&identifier, self.region);
        let (Ok(parsed), false) = (&parsed, limited) else {
            if limited && let Ok(parsed) = &parsed {
                step.typed_for = self.refused_for(&mut tx, &step, parsed).await?;
            }
            let outcome = if limited { Outcome::NetworkLimited } else { Outcome::MalformedIdentifier };
            let reference = self.give_reference(&mut tx, &mut step, AtStep::SendCode, Some(&outcome), Some(&identifier)).await?;
            self.write(&mut tx, &step, fx).await?;
            tx.commit().await?;
            let screen = Screen::Start { identifier: identifier.clone(), channel, outcome: Some(outcome), reference };
            return Ok(Reply::plain(screen));
        };
        self.lock_identifier(&mut tx, parsed).await?;
        let found = tx.find_contact(parsed).await?;
        let contact = tx.locked_contact(found).await?;
        let trust = self.trust(&mut tx, &step, contact.as_ref().map(|c| c.id)).await?;
        let fx = fx.and(self.decide_request(&mut tx, parsed, contact.as_ref(), channel, trust, now).await?);
        // Every request starts a new flow, named by a new cookie.
        let token = Token::generate()?;
        let typed = identifier.trim();
        let new = NewFlow { token_hash: &token.hash(), identifier: typed, channel, contact: contact.as_ref().map(|c| c.id), trust };
        step.flow_id = Some(tx.insert_flow(&new, now).await?);
        step.contact = new.contact;
        step.contact_language = contact.as_ref().and_then(|c| c.language);
        let mut written = self.write(&mut tx, &step, fx).await?;
        tx.commit().await?;
        self.sent(&mut written);
        let resend_at = now.plus(self.limits.resend_cooldown);
        let screen = Screen::Code { identifier: typed.to_string(), channel, resend_at, outcome: None, reference: None };
        Ok(Reply { value: screen, cookies: vec![CookieChange::SetFlow(token.expose().to_string())] })
    }

    async fn resend_code_now(&self, who: Caller, channel: Channel) -> ServiceResult<Screen> {
        let mut step = self.step(&who);
        let now = step.now;
        let mut tx = self.store.begin().await?;
        self.lock_step(&mut tx, &step).await?;
        let Some(flow) = self.requested(&mut tx, &who, now).await? else {
            let outcome = Outcome::Refused(Refusal::NoFlow);
            let reference = self.give_reference(&mut tx, &mut step, AtStep::NewCode, Some(&outcome), None).await?;
            tx.commit().await?;
            return Ok(Reply::plain(Screen::Start { identifier: String::new(), channel, outcome: Some(outcome), reference }));
        };
        (step.flow_id, step.contact) = (Some(flow.id), flow.contact);
        let fx = match flow::cooldown(&flow, channel, &self.limits, now) {
            Some(until) => Effects { outcome: Some(Outcome::CooldownActive { until }), ..Effects::default() },
            None => match self.network(&mut tx, RefusedStep::CodeRequest, &step).await? {
                (true, fx) => Effects { outcome: Some(Outcome::NetworkLimited), ..fx },
                (false, fx) => {
                    let parsed = Identifier::parse(&flow.identifier, self.region);
                    let Ok(parsed) = parsed else { return Ok(Reply::plain(Screen::start())) };
                    self.lock_identifier(&mut tx, &parsed).await?;
                    let contact = self.lock_contact(&mut tx, flow.contact).await?;
                    let fx = fx.and(self.decide_request(&mut tx, &parsed, contact.as_ref(), channel, flow.trust, now).await?);
                    step.contact_language = contact.as_ref().and_then(|c| c.language);
                    Effects { outcome: Some(Outcome::CodeSent), ..fx }
                }
            },
        };
        let outcome = fx.outcome.clone();
        let typed = Some(flow.identifier.as_str());
        let reference = self.give_reference(&mut tx, &mut step, AtStep::NewCode, outcome.as_ref(), typed).await?;
        let mut written = self.write(&mut tx, &step, fx).await?;
        tx.commit().await?;
        self.sent(&mut written);
        // A new slot was issued (sent or not: it does not show) exactly when it says so.
        let (channel, resend_at) = if matches!(outcome, Some(Outcome::CodeSent)) {
            (channel, now.plus(self.limits.resend_cooldown))
        } else {
            (flow.channel, flow.current.issued_at.plus(self.limits.resend_cooldown))
        };
        Ok(Reply::plain(Screen::Code { identifier: flow.identifier, channel, resend_at, outcome, reference }))
    }

    /// A "Send code" refused for its network, on the card of the contact whose address
    /// was typed (issue 24): the network's requests in the hour, its limit, and when it
    /// lets one through again. Once per window per contact, so a flood writes at most
    /// one marker and one event per contact an hour. It costs every refused request one
    /// look-up (whose address it is), registered or not; the answer is the same.
    /// Returns the contact, for the reference's row.
    async fn refused_for(&self, tx: &mut Tx, step: &Step<'_>, identifier: &Identifier) -> Result<Option<ContactId>, ServiceError> {
        // Locked as a request for it would (so two networks refused at once record one
        // line), alike for every address.
        self.lock_identifier(tx, identifier).await?;
        let Some(contact) = tx.find_contact(identifier).await? else { return Ok(None) };
        let hour_ago = Timestamp(step.now.0 - HOUR);
        if !tx.mark_once(Scope::RefusedFor, &Key::Contact(contact.id), hour_ago, step.now).await? {
            return Ok(Some(contact.id));
        }
        let per_hour = self.limits.ip_code_requests_per_hour;
        let network = Key::Network(step.network.clone());
        // The newest `per_hour` requests: the oldest of them leaves the window first.
        let hits = tx.recent_hits(Scope::CodeRequest, &network, hour_ago, per_hour.max(1)).await?;
        let what = flow::What::NetworkLimited {
            scope: Scope::CodeRequest.as_str().to_string(),
            ip: step.network.clone(),
            requests: Some(u32::try_from(hits.len()).unwrap_or(u32::MAX)),
            limit: Some(per_hour),
            resets_at: hits.first().map(|t| t.0 + HOUR),
        };
        let event = super::service::new_event(Some(contact.id), &what)?;
        tx.record_events(&[event], step.now).await?;
        Ok(Some(contact.id))
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
            (Channel::Sms, Some(phone)) => {
                let block = Key::Block(phone.prefix().to_string());
                tx.lock(&[Lock::from(&block), Lock::from(&Key::Everyone)]).await?;
                SmsUsage {
                    block: tx.count_hits(Scope::SmsBlock, &block, hour_ago).await?,
                    all: tx.count_hits(Scope::Sms, &Key::Everyone, hour_ago).await?,
                    alerted: tx.count_hits(Scope::SmsAlert, &Key::Everyone, hour_ago).await? > 0,
                }
            }
            _ => SmsUsage::default(),
        };
        // The sender's lock is held (identifier, contact): no other request can make
        // or use up a slot of theirs meanwhile.
        let live = tx.live_slot(&key, channel, trust, now, l.code_max_attempts).await?;
        let request = flow::Request { identifier, contact, channel, trust, sent: &sent, sms, live };
        Ok(flow::request(&request, l, now))
    }

    /// Step 2: the code. Logs in only with the newest code of this browser's flow.
    pub(super) async fn verify_code_screen(&self, who: Caller, input: String, next: LocalPath) -> ServiceResult<Screen> {
        let mut step = self.step(&who);
        let now = step.now;
        let mut tx = self.store.begin().await?;
        self.lock_step(&mut tx, &step).await?;
        let (limited, fx) = self.network(&mut tx, RefusedStep::Verification, &step).await?;
        let Some(flow) = self.requested(&mut tx, &who, now).await? else {
            let mut fx = fx;
            if !limited {
                let what = flow::What::VerificationFailed { reason: Refusal::NoFlow.reason(), flow: None, compared: false, network: None };
                fx.events.push(flow::Event { contact: None, what });
            }
            // Its reference row keeps the network and browser: a code typed in another
            // browser or a private window is diagnosed from it (issue 24).
            let outcome = Outcome::Refused(if limited { Refusal::NetworkLimited } else { Refusal::NoFlow });
            let reference = self.give_reference(&mut tx, &mut step, AtStep::CodeEntry, Some(&outcome), None).await?;
            self.write(&mut tx, &step, fx).await?;
            tx.commit().await?;
            return Ok(Reply::plain(Screen::Start {
                identifier: String::new(),
                channel: Channel::Email,
                outcome: Some(outcome),
                reference,
            }));
        };
        (step.flow_id, step.contact) = (Some(flow.id), flow.contact);
        let (verdict, more) = if limited { flow::refused_by_network() } else { self.decide_verify(&mut tx, &flow, &input, &step).await? };
        let refused = match &verdict {
            Verdict::Refused(r) => Some(Outcome::Refused(r.clone())),
            Verdict::LoggedIn(_) => None,
        };
        let typed = Some(flow.identifier.as_str());
        let reference = self.give_reference(&mut tx, &mut step, AtStep::CodeEntry, refused.as_ref(), typed).await?;
        let written = self.write(&mut tx, &step, fx.and(more)).await?;
        tx.commit().await?;
        match (verdict, written.device) {
            (Verdict::LoggedIn(_), Some(token)) => {
                Ok(Reply { value: Screen::Done { next }, cookies: vec![self.device_cookie(&token), CookieChange::ClearFlow] })
            }
            _ => {
                let resend_at = flow.current.issued_at.plus(self.limits.resend_cooldown);
                let (identifier, channel) = (flow.identifier, flow.channel);
                Ok(Reply::plain(Screen::Code { identifier, channel, resend_at, outcome: refused, reference }))
            }
        }
    }

    async fn decide_verify(&self, tx: &mut Tx, flow: &Requested, input: &str, step: &Step<'_>) -> Result<(Verdict, Effects), ServiceError> {
        let now = step.now;
        let typed = self.compare(flow, input);
        let parsed = Identifier::parse(&flow.identifier, self.region).ok();
        let lock_key = flow::lock_key(&flow.identifier, parsed.as_ref(), &step.network);
        // The slot's attempts are shared by every browser that asked for it: its
        // sender (contact, or identifier nobody has) is locked, with the failure lock.
        let sender = match (flow.contact, &parsed) {
            (Some(contact), _) => Some(Key::Contact(contact)),
            (None, Some(identifier)) => Some(Key::Identifier(identifier.to_string())),
            (None, None) => None,
        };
        let mut keys = vec![Lock::from(&lock_key)];
        keys.extend(sender.as_ref().map(Lock::from));
        tx.lock(&keys).await?;
        let limit = self.limits.contact_failures_per_day;
        let failures = tx.recent_hits(Scope::Failure, &lock_key, Timestamp(now.0 - DAY), limit.max(1)).await?;
        let locked_until = rules::locked_until(&failures, now, limit);
        let facts = flow::Verify { typed, locked_until, lock_key };
        Ok(flow::verify(flow, &facts, &self.limits, now))
    }

    /// Locks what every step of a running login decides on first: the network's limit
    /// and the browser's flow (its codes and their attempts).
    async fn lock_step(&self, tx: &mut Tx, step: &Step<'_>) -> Result<(), ServiceError> {
        let flow = step.who.flow.as_ref().map(Token::hash);
        let mut keys = vec![Lock::Network(&step.network)];
        keys.extend(flow.as_deref().map(Lock::Flow));
        Ok(tx.lock(&keys).await?)
    }

    /// Locks who `identifier` belongs to (and the sending limit of an identifier
    /// nobody has): an address change waits, or is what this step sees.
    async fn lock_identifier(&self, tx: &mut Tx, identifier: &Identifier) -> Result<(), ServiceError> {
        Ok(tx.lock(&[Lock::from(&Key::Identifier(identifier.to_string()))]).await?)
    }

    /// Locks the contact and reads it under its lock: an opt-out or a removal that
    /// committed first is what this step sees.
    async fn lock_contact(&self, tx: &mut Tx, id: Option<ContactId>) -> Result<Option<crate::store::Contact>, ServiceError> {
        let Some(id) = id else { return Ok(None) };
        tx.lock(&[Lock::Contact(id)]).await?;
        Ok(tx.contact(id).await?)
    }

    /// Which of the flow's codes the input is. Every slot's code is compared, sent or
    /// not, so the work depends neither on the answer nor on whether anything was sent;
    /// only a sent code counts as a match.
    fn compare(&self, flow: &Requested, input: &str) -> Match {
        let Ok(code) = Code::parse(input) else { return Match::Malformed };
        let matches = |c: &crate::store::CodeRecord| self.secret.slot_code_matches(c.slot, c.slot_created_at, &code) & c.sent;
        // Every request's slot is compared (no early exit), newest first.
        flow.codes().fold(Match::Nothing, |found, c| match (matches(c), found) {
            (true, Match::Nothing) => Match::Sent(c.id),
            _ => found,
        })
    }
}
