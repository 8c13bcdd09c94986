//! The login as explicit states, and its steps as pure functions of what the service
//! loaded, the limits and `now` (the shape of Kanidm's `AuthSessionState`).
//!
//! ```text
//!            request                      verify (the right code)
//!  (none) ───────────▶ Requested ─────────────────────────────────▶ Completed
//!                       │   ▲ │ resend, verify (any other answer)
//!                       │   └─┘
//!                       └── its newest code expired a code lifetime ago ──▶ Expired
//! ```
//!
//! `Requested` holds the code slot of every request in the flow, newest first. A slot
//! whose code was never sent (unregistered, opted out, no such channel, throttled)
//! has no MAC, and behaves exactly like a sent one whose digits are never typed: it
//! counts attempts, locks and expires alike. Nothing on the code step differs until
//! the digits typed match a code that was really sent for this flow.
//!
//! Every function returns the verdict with the [`Effects`] to write; the service
//! writes all of them in one transaction.

use std::time::Duration;

use domain::Channel;

use super::Limits;
pub use super::events::{Event, NotSent, What};
pub use super::outcome::{Outcome, Refusal};
use super::rules;
use crate::store::{CodeRecord, Contact, ContactId, FlowRecord, Key, RefusedStep, Scope, Trust};
use domain::{Identifier, Timestamp};

/// A browser's login at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// A code was asked for (sent or not: nobody outside can tell) and may be entered.
    Requested(Requested),
    /// The right code was entered and the browser remembered: the flow is over.
    Completed,
    /// Its newest code expired a code lifetime ago: the flow is over.
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    pub id: i64,
    /// As typed, for this browser's eyes only.
    pub identifier: String,
    pub channel: Channel,
    pub contact: Option<ContactId>,
    pub trust: Trust,
    /// The newest code slot: the only one that can log in.
    pub current: CodeRecord,
    pub older: Vec<CodeRecord>,
    /// What the last step said, still to be shown (see [`Outcome`]).
    pub outcome: Option<String>,
}

impl Flow {
    /// The state of a stored flow at `now`. A flow outlives its newest code by one code
    /// lifetime, so a contact who comes back late reads "this code expired, send a new
    /// one" rather than "no login in this browser".
    pub fn at(record: FlowRecord, now: Timestamp, code_ttl: Duration) -> Flow {
        if record.completed {
            return Flow::Completed;
        }
        let mut codes = record.codes.into_iter();
        let Some(current) = codes.next() else {
            return Flow::Expired;
        };
        if now >= current.expires_at.plus(code_ttl) {
            return Flow::Expired;
        }
        Flow::Requested(Requested {
            id: record.id,
            identifier: record.identifier,
            channel: record.channel,
            contact: record.contact,
            trust: record.trust,
            current,
            older: codes.collect(),
            outcome: record.outcome,
        })
    }
}

/// A code to issue: where it goes, or why it goes nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub channel: Channel,
    pub send_to: Result<String, NotSent>,
    pub expires_at: Timestamp,
}

/// The right code: use it up, complete the flow, remember the browser and network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub code: i64,
    pub contact: ContactId,
    pub channel: Channel,
}

/// Everything one step writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub hits: Vec<(Scope, Key)>,
    pub issue: Option<Issue>,
    /// The code slot whose attempt this step counts.
    pub attempt: Option<i64>,
    pub login: Option<Login>,
    /// To keep on the flow for the next page view (`None`: clear it).
    pub outcome: Option<Outcome>,
    pub events: Vec<Event>,
}

impl Effects {
    fn event(&mut self, contact: Option<ContactId>, what: What) {
        self.events.push(Event { contact, what });
    }

    /// This step's effects followed by `then`'s.
    pub fn and(mut self, then: Effects) -> Effects {
        self.hits.extend(then.hits);
        self.events.extend(then.events);
        Effects {
            hits: self.hits,
            issue: then.issue.or(self.issue),
            attempt: then.attempt.or(self.attempt),
            login: then.login.or(self.login),
            outcome: then.outcome.or(self.outcome),
            events: self.events,
        }
    }
}

/// A network's use of one kind of step in the last hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkUsage {
    /// Requests let through.
    pub earlier: u32,
    /// Whether the network was already told it is over the limit in this window.
    pub told: bool,
}

/// The per-network limit of one kind of step, a sliding hour: a request is let through
/// and counted while fewer than `per_hour` were; a refused one writes nothing, except
/// the first refusal of a window, which is remembered and logged once. A flood costs
/// no storage.
pub fn network(step: RefusedStep, network: &str, usage: NetworkUsage, per_hour: u32) -> (bool, Effects) {
    let scope = match step {
        RefusedStep::CodeRequest => Scope::CodeRequest,
        RefusedStep::Verification => Scope::Verification,
    };
    let key = Key::Network(network.to_string());
    let mut fx = Effects::default();
    if usage.earlier < per_hour {
        fx.hits.push((scope, key));
        return (false, fx);
    }
    if !usage.told {
        fx.hits.push((Scope::Refused(step), key));
        fx.event(None, What::NetworkLimited { scope: scope.as_str().to_string(), ip: network.to_string() });
    }
    (true, fx)
}

/// Whom the sending limits count for: the contact (so their email and phone share
/// them), otherwise the identifier. Nothing of this shows in an answer.
pub fn sending_key(contact: Option<&Contact>, identifier: &Identifier) -> Key {
    match contact {
        Some(c) => Key::Contact(c.id),
        None => Key::Identifier(identifier.to_string()),
    }
}

/// Whom the failure lock counts for: the identifier as typed (normalised), never the
/// contact, so a lock reached through an email says nothing about a phone number; and
/// per network, so wrong codes from a stranger's networks lock only those networks.
/// The same rule holds for every identifier, registered or not, so a lock tells an
/// observer nothing they did not do themselves. (What bounds guessing across networks
/// is the sending limit: a guess can only hit a code that was sent.)
pub fn lock_key(identifier: &str, parsed: Option<&Identifier>, network: &str) -> Key {
    let identifier = parsed.map_or_else(|| identifier.trim().to_lowercase(), Identifier::to_string);
    Key::IdentifierOn { identifier, network: network.to_string() }
}

/// What the service loaded for a code request.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub identifier: &'a Identifier,
    pub contact: Option<&'a Contact>,
    pub channel: Channel,
    pub trust: Trust,
    /// Codes issued for [`sending_key`] in this trust pool in the last day, oldest first.
    pub sent: &'a [Timestamp],
    pub sms: SmsUsage,
}

/// SMS sent in the last hour: to the number's block, in all, and whether the
/// "budget spent" alert went out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SmsUsage {
    pub block: u32,
    pub all: u32,
    pub alerted: bool,
}

/// A code request: a code to the contact's address for the channel when there is one
/// and every limit allows it; otherwise an unsent slot. The limits count codes sent,
/// and answer alike for every identifier, registered or not.
pub fn request(r: &Request, limits: &Limits, now: Timestamp) -> Effects {
    let mut fx = Effects::default();
    let contact_id = r.contact.map(|c| c.id);
    fx.event(contact_id, What::CodeRequested { channel: r.channel, trust: r.trust, flow: None, network: None });
    let send_to = send_to(r, limits, now, &mut fx);
    let logged = match &send_to {
        Ok(to) => What::CodeQueued { channel: r.channel, to: to.clone() },
        Err(reason) => What::CodeNotSent { channel: r.channel, reason: *reason },
    };
    fx.event(contact_id, logged);
    fx.issue = Some(Issue { channel: r.channel, send_to, expires_at: now.plus(limits.code_ttl) });
    fx
}

fn send_to(r: &Request, l: &Limits, now: Timestamp, fx: &mut Effects) -> Result<String, NotSent> {
    if rules::identifier_throttled(r.sent, now, l.identifier_min_interval, l.identifier_codes_per_hour, l.identifier_codes_per_day) {
        return Err(NotSent::IdentifierLimit);
    }
    let contact = r.contact.ok_or(NotSent::NotRegistered)?;
    let Some(to) = contact.address(r.channel) else {
        return Err(if contact.address_exists(r.channel) { NotSent::OptedOut } else { NotSent::NoAddressForChannel });
    };
    if let (Channel::Sms, Some(phone)) = (r.channel, &contact.phone) {
        if !phone.calling_code().is_some_and(|c| l.sms_countries.contains(&c)) {
            return Err(NotSent::SmsCountryNotAllowed);
        }
        if r.sms.block >= l.sms_prefix_per_hour {
            return Err(NotSent::SmsPrefixLimit);
        }
        if r.sms.all >= l.sms_per_hour {
            if !r.sms.alerted {
                fx.hits.push((Scope::SmsAlert, Key::Everyone));
                fx.event(None, What::SmsBudgetSpent { per_hour: l.sms_per_hour });
            }
            return Err(NotSent::SmsBudgetSpent);
        }
        fx.hits.push((Scope::SmsBlock, Key::Block(phone.prefix().to_string())));
        fx.hits.push((Scope::Sms, Key::Everyone));
    }
    // Only a code that goes out counts against the address's interval and limits: a
    // request that sent nothing (unregistered, opted out, no such channel, limited)
    // does not hold back the next one, by the other channel or from another browser.
    // Nothing shows either way (the answer is the same, and no sooner than the floor).
    fx.hits.push((Scope::Sending(r.trust), sending_key(r.contact, r.identifier)));
    Ok(to.to_string())
}

/// Until when "Send a new code" must wait in this flow, if it must.
pub fn cooldown(flow: &Requested, limits: &Limits, now: Timestamp) -> Option<Timestamp> {
    let until = flow.current.issued_at.plus(limits.resend_cooldown);
    (now < until).then_some(until)
}

/// Which code of the flow the typed digits are: compared by the service with every
/// sent code's MAC, so the work is the same whatever matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Not six digits: nothing was compared.
    Malformed,
    Current,
    Older,
    Nothing,
}

/// What the service loaded for a code entry.
#[derive(Debug, Clone)]
pub struct Verify {
    pub typed: Match,
    /// From [`rules::locked_until`] over this identifier's failures from this network.
    pub locked_until: Option<Timestamp>,
    /// The identifier's failure lock, where a wrong code counts.
    pub lock_key: Key,
    /// The contact's newest sent code, when it is newer than this flow's current one:
    /// loaded only when the digits are the current code's.
    pub newer_elsewhere: Option<(Timestamp, Channel)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    LoggedIn(ContactId),
    Refused(Refusal),
}

/// A code entry in a `Requested` flow. Until the digits match a code that was sent for
/// this flow, the answer depends only on what every flow has alike: the form of the
/// digits, the lock of the identifier, the slot's expiry and attempts.
pub fn verify(flow: &Requested, v: &Verify, limits: &Limits, now: Timestamp) -> (Verdict, Effects) {
    let current = &flow.current;
    let before = if v.typed == Match::Malformed {
        Some(Refusal::Malformed)
    } else if let Some(until) = v.locked_until {
        Some(Refusal::Locked { until })
    } else if now >= current.expires_at {
        Some(Refusal::Expired)
    } else if current.attempts >= limits.code_max_attempts {
        Some(Refusal::TooManyAttempts)
    } else {
        None
    };
    if let Some(refusal) = before {
        return refuse(flow, refusal, false, Effects::default());
    }
    // Counted before the comparison's result is used: no guess goes uncounted.
    let mut fx = Effects { attempt: Some(current.id), ..Effects::default() };
    let refusal = match (v.typed, flow.contact) {
        // Only a sent code has a MAC to match, and codes are sent only to contacts.
        (Match::Current, Some(_)) if current.withdrawn => Refusal::Withdrawn,
        (Match::Current, Some(contact)) => match v.newer_elsewhere {
            Some((sent_at, channel)) => Refusal::Superseded { sent_at, channel, here: false },
            None => return logged_in(flow, contact, fx),
        },
        (Match::Older, _) => Refusal::Superseded { sent_at: current.issued_at, channel: current.channel, here: true },
        _ => {
            fx.hits.push((Scope::Failure, v.lock_key.clone()));
            rules::wrong_guess(current.attempts + 1, limits.code_max_attempts)
        }
    };
    refuse(flow, refusal, true, fx)
}

/// A code entry from a network over its hourly limit: refused before anything is
/// read, and logged only by [`network`], once per window.
pub fn refused_by_network() -> (Verdict, Effects) {
    let refusal = Refusal::NetworkLimited;
    (Verdict::Refused(refusal.clone()), Effects { outcome: Some(Outcome::Refused(refusal)), ..Effects::default() })
}

fn refuse(flow: &Requested, refusal: Refusal, compared: bool, mut fx: Effects) -> (Verdict, Effects) {
    fx.event(flow.contact, What::VerificationFailed { reason: refusal.reason(), flow: Some(flow.id), compared, network: None });
    fx.outcome = Some(Outcome::Refused(refusal.clone()));
    (Verdict::Refused(refusal), fx)
}

fn logged_in(flow: &Requested, contact: ContactId, mut fx: Effects) -> (Verdict, Effects) {
    fx.login = Some(Login { code: flow.current.id, contact, channel: flow.channel });
    fx.event(Some(contact), What::LoginSucceeded { channel: flow.channel, device: None, flow: Some(flow.id), network: None });
    (Verdict::LoggedIn(contact), fx)
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;
