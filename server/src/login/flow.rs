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
//! `Requested` holds every request of the flow, newest first, each linked to its code
//! slot. One code per login: while a slot's code can log in, every request for the
//! same sender, channel and trust pool (this browser's "Send a new code", a switch
//! back, another browser) links to it and re-sends its code, whose expiry does not
//! move. A slot whose code was never sent (unregistered, opted out, no such channel,
//! throttled) behaves exactly like a sent one whose digits are never typed: it is
//! shared, counts attempts, locks and expires alike. Nothing on the code step differs
//! until the digits typed match a code that was really sent.
//!
//! Every function returns the verdict with the [`Effects`] to write; the service
//! writes all of them in one transaction.

use std::time::Duration;

use domain::Channel;

use super::Limits;
pub use super::events::{Event, NotSent, What};
pub use super::issue::{Issue, SlotChoice};
pub use super::outcome::{Outcome, Refusal};
use super::rules;
use crate::store::{CodeRecord, Contact, ContactId, FlowRecord, Key, RefusedStep, Scope, Slot, Trust};
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
    /// The newest request's code: the only one that can log in here.
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

/// The right code: use it up, complete the flow, remember the browser and network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub code: CodeRecord,
    pub contact: ContactId,
    pub channel: Channel,
}

/// Everything one step writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub hits: Vec<(Scope, Key)>,
    pub issue: Option<Issue>,
    /// The code slots whose attempts this step raises by one.
    pub attempts: Vec<i64>,
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
        self.attempts.extend(then.attempts);
        Effects {
            hits: self.hits,
            issue: then.issue.or(self.issue),
            attempts: self.attempts,
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
        fx.event(
            None,
            What::NetworkLimited {
                scope: scope.as_str().to_string(),
                ip: network.to_string(),
                requests: None,
                limit: None,
                resets_at: None,
            },
        );
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
    /// The slot whose code can still log in for this sender, channel and pool.
    pub live: Option<Slot>,
}

/// SMS sent in the last hour: to the number's block, in all, and whether the
/// "budget spent" alert went out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SmsUsage {
    pub block: u32,
    pub all: u32,
    pub alerted: bool,
}

/// A code request: the live slot's code (or a new slot's) to the contact's address for
/// the channel when there is one and every limit allows it; otherwise the request links
/// to the slot and sends nothing. The limits count codes sent, and answer alike for
/// every identifier, registered or not.
pub fn request(r: &Request, limits: &Limits, now: Timestamp) -> Effects {
    let mut fx = Effects::default();
    let contact_id = r.contact.map(|c| c.id);
    fx.event(contact_id, What::CodeRequested { channel: r.channel, trust: r.trust, flow: None, network: None });
    let slot = match r.live {
        Some(live) => SlotChoice::Live(live),
        None => SlotChoice::New {
            owner: sending_key(r.contact, r.identifier),
            contact: contact_id,
            trust: r.trust,
            expires_at: now.plus(limits.code_ttl),
        },
    };
    let send_to = send_to(r, &slot, limits, now, &mut fx);
    let logged = match &send_to {
        Ok(to) => What::CodeQueued { channel: r.channel, to: to.clone(), same_code: slot.sent_at().is_some() },
        Err(reason) => What::CodeNotSent { channel: r.channel, reason: *reason },
    };
    fx.event(contact_id, logged);
    fx.issue = Some(Issue { channel: r.channel, send_to, slot });
    fx
}

fn send_to(r: &Request, slot: &SlotChoice, l: &Limits, now: Timestamp, fx: &mut Effects) -> Result<String, NotSent> {
    // The interval between two messages is per code, so per channel: an email does
    // not hold back the text message asked for next (its own inbox, its own code).
    if slot.last_sent_at().is_some_and(|last| now < last.plus(l.identifier_min_interval)) {
        return Err(NotSent::SameCodeSent);
    }
    // The hourly and daily limits count every message to the sender, by any channel.
    let (hour, day) = (l.identifier_codes_per_hour, l.identifier_codes_per_day);
    if rules::identifier_throttled(r.sent, now, std::time::Duration::ZERO, hour, day) {
        // Not sent again, but a code already sent still logs in, here too.
        return Err(if slot.sent_at().is_some() { NotSent::SameCodeSent } else { NotSent::IdentifierLimit });
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

/// Until when a request by `channel` must wait in this flow, if it must: the cooldown
/// runs from the flow's last request by that channel, so "Send by text message
/// instead" goes at once (and a request that sent nothing holds nothing back).
pub fn cooldown(flow: &Requested, channel: Channel, limits: &Limits, now: Timestamp) -> Option<Timestamp> {
    let last = flow.codes().find(|c| c.channel == channel)?;
    let until = last.issued_at.plus(limits.resend_cooldown);
    (now < until).then_some(until)
}

/// Which code of the flow the typed digits are: compared by the service with every
/// request's slot, sent or not, so the work is the same whatever matches; only a code
/// that was sent counts as a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Not six digits: nothing was compared.
    Malformed,
    /// The code of this request of the flow (its `CodeRecord::id`), newest first.
    Sent(i64),
    Nothing,
}

impl Requested {
    /// The flow's requests, newest first.
    pub fn codes(&self) -> impl Iterator<Item = &CodeRecord> {
        std::iter::once(&self.current).chain(&self.older)
    }

    /// The slots of this flow whose codes can log in at `now`, each once: "Send by
    /// text message instead" leaves the email's code working, as its message says.
    fn live_slots(&self, now: Timestamp, max_attempts: u32) -> Vec<i64> {
        let mut slots: Vec<i64> = Vec::new();
        for code in self.codes() {
            if live(code, now, max_attempts) && !slots.contains(&code.slot) {
                slots.push(code.slot);
            }
        }
        slots
    }
}

fn live(code: &CodeRecord, now: Timestamp, max_attempts: u32) -> bool {
    now < code.expires_at && code.attempts < max_attempts && !code.withdrawn
}

/// What the service loaded for a code entry.
#[derive(Debug, Clone)]
pub struct Verify {
    pub typed: Match,
    /// From [`rules::locked_until`] over this identifier's failures from this network.
    pub locked_until: Option<Timestamp>,
    /// The identifier's failure lock, where a wrong code counts.
    pub lock_key: Key,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    LoggedIn(ContactId),
    Refused(Refusal),
}

/// A code entry in a `Requested` flow. Until the digits match a code that was sent, the
/// answer depends only on what every flow has alike: the form of the digits, the lock
/// of the identifier, the current slot's expiry and attempts. Any code of the flow that
/// still works logs in, however many browsers share it (each once); a newer slot
/// elsewhere does not replace it. A guess counts against every slot it was compared
/// with that could have let it in, so no slot takes more guesses than its limit.
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
    let live = flow.live_slots(now, limits.code_max_attempts);
    let mut fx = Effects { attempts: live.clone(), ..Effects::default() };
    let matched = match v.typed {
        Match::Sent(id) => flow.codes().find(|c| c.id == id),
        Match::Malformed | Match::Nothing => None,
    };
    let refusal = match (matched, flow.contact) {
        // Only a sent code matches (see `Match`), and codes are sent only to contacts.
        (Some(code), Some(_)) if code.withdrawn => Refusal::Withdrawn,
        (Some(code), Some(contact)) if live.contains(&code.slot) => return logged_in(flow, code, contact, fx),
        // Expired, or used up by wrong guesses: replaced by the current code.
        (Some(_), _) => Refusal::Superseded { sent_at: current.issued_at, channel: current.channel },
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

fn logged_in(flow: &Requested, code: &CodeRecord, contact: ContactId, mut fx: Effects) -> (Verdict, Effects) {
    fx.login = Some(Login { code: code.clone(), contact, channel: code.channel });
    fx.event(Some(contact), What::LoginSucceeded { channel: code.channel, device: None, flow: Some(flow.id), network: None });
    (Verdict::LoggedIn(contact), fx)
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;
