//! Every transition of the login, as tables: the state and what was loaded in, the
//! verdict and the effects out. No database, no clock.

use std::time::Duration;

use domain::Channel;

use super::*;
use crate::store::EventKind;
use domain::{EmailAddress, PhoneNumber, Region};

const T0: Timestamp = Timestamp(1_800_000_000);
const TTL: u64 = 600;

fn limits() -> Limits {
    Limits { code_ttl: Duration::from_secs(TTL), ..Limits::default() }
}

fn at(secs: i64) -> Timestamp {
    Timestamp(T0.0 + secs)
}

/// Request `id` of the flow, linked to slot `10 * id`.
fn code(id: i64, sent: bool) -> CodeRecord {
    CodeRecord {
        id,
        slot: 10 * id,
        slot_created_at: T0,
        channel: Channel::Email,
        sent,
        issued_at: T0,
        expires_at: at(TTL as i64),
        attempts: 0,
        consumed: false,
        withdrawn: false,
    }
}

fn record(codes: Vec<CodeRecord>) -> FlowRecord {
    FlowRecord {
        id: 7,
        identifier: "ada@example.com".into(),
        channel: Channel::Email,
        contact: Some(ContactId(1)),
        trust: Trust::Stranger,
        completed: false,
        outcome: None,
        codes,
    }
}

/// A flow whose current request is `current`, after an earlier one whose code expired
/// at `T0`.
fn requested(current: CodeRecord) -> Requested {
    requested_after(current, CodeRecord { expires_at: T0, ..code(1, true) })
}

fn requested_after(current: CodeRecord, earlier: CodeRecord) -> Requested {
    match Flow::at(record(vec![current, earlier]), T0, limits().code_ttl) {
        Flow::Requested(r) => r,
        other => panic!("not requested: {other:?}"),
    }
}

#[test]
fn a_stored_flow_is_requested_until_a_code_lifetime_after_its_newest_code_expired() {
    let ttl = limits().code_ttl;
    let cases: &[(&str, FlowRecord, Timestamp, &str)] = &[
        ("fresh", record(vec![code(2, true)]), T0, "requested"),
        ("its code expired, within the grace", record(vec![code(2, true)]), at(TTL as i64), "requested"),
        ("last second of the grace", record(vec![code(2, true)]), at(2 * TTL as i64 - 1), "requested"),
        ("a lifetime after its code expired", record(vec![code(2, true)]), at(2 * TTL as i64), "expired"),
        ("an unsent slot expires alike", record(vec![code(2, false)]), at(2 * TTL as i64), "expired"),
        ("completed", FlowRecord { completed: true, ..record(vec![code(2, true)]) }, T0, "completed"),
        ("no code at all (written by an older version)", record(vec![]), T0, "expired"),
    ];
    for (name, rec, now, want) in cases {
        let got = match Flow::at(rec.clone(), *now, ttl) {
            Flow::Requested(_) => "requested",
            Flow::Completed => "completed",
            Flow::Expired => "expired",
        };
        assert_eq!(got, *want, "{name}");
    }
}

fn facts(typed: Match) -> Verify {
    Verify { typed, locked_until: None, lock_key: lock_key("ada@example.com", None, "192.0.2.1") }
}

/// One row: the flow's current slot and what was typed, the verdict, whether an
/// attempt and a failure were counted, and whether the browser logs in.
struct Row {
    name: &'static str,
    current: CodeRecord,
    facts: Verify,
    now: Timestamp,
    verdict: Verdict,
    attempt: bool,
    failure: bool,
}

fn row(name: &'static str, current: CodeRecord, facts: Verify, verdict: Verdict, attempt: bool, failure: bool) -> Row {
    Row { name, current, facts, now: at(10), verdict, attempt, failure }
}

#[test]
fn verify_answers_every_combination_as_the_table_says() {
    use Refusal::*;
    let refused = Verdict::Refused;
    let unsent = code(2, false);
    let sent = code(2, true);
    let tried = |n| CodeRecord { attempts: n, ..code(2, true) };
    let rows = [
        row("the right code logs in", sent.clone(), facts(Match::Sent(2)), Verdict::LoggedIn(ContactId(1)), true, false),
        row("a wrong code counts down", sent.clone(), facts(Match::Nothing), refused(Wrong { attempts_left: 4 }), true, true),
        row("an unsent slot answers a guess alike", unsent.clone(), facts(Match::Nothing), refused(Wrong { attempts_left: 4 }), true, true),
        row("the fifth wrong code uses the slot up", tried(4), facts(Match::Nothing), refused(TooManyAttempts), true, true),
        row("after five, even the right code is refused", tried(5), facts(Match::Sent(2)), refused(TooManyAttempts), false, false),
        row(
            "an unsent slot after five alike",
            CodeRecord { attempts: 5, ..unsent.clone() },
            facts(Match::Nothing),
            refused(TooManyAttempts),
            false,
            false,
        ),
        row("not six digits costs nothing", sent.clone(), facts(Match::Malformed), refused(Malformed), false, false),
        row(
            "a locked identifier is refused before comparing",
            sent.clone(),
            Verify { locked_until: Some(at(86_400)), ..facts(Match::Sent(2)) },
            refused(Locked { until: at(86_400) }),
            false,
            false,
        ),
        row(
            "an earlier code of this flow, expired, is named as such",
            sent.clone(),
            facts(Match::Sent(1)),
            refused(Superseded { sent_at: T0, channel: Channel::Email }),
            true,
            false,
        ),
        row(
            "a withdrawn code no longer works (and has no attempts left to count)",
            CodeRecord { withdrawn: true, ..sent.clone() },
            facts(Match::Sent(2)),
            refused(Withdrawn),
            false,
            false,
        ),
    ];
    let mut expired =
        row("at the end of its lifetime the slot expires", sent.clone(), facts(Match::Sent(2)), refused(Expired), false, false);
    expired.now = at(TTL as i64);
    let mut expired_unsent = row("an unsent slot expires alike", unsent, facts(Match::Nothing), refused(Expired), false, false);
    expired_unsent.now = at(TTL as i64);

    for r in rows.into_iter().chain([expired, expired_unsent]) {
        let flow = requested(r.current.clone());
        let (verdict, fx) = verify(&flow, &r.facts, &limits(), r.now);
        assert_eq!(verdict, r.verdict, "{}", r.name);
        let counted: &[i64] = if r.attempt { &[20] } else { &[] };
        assert_eq!(fx.attempts, counted, "{}: attempt counted on the slot", r.name);
        let failure = fx.hits.iter().any(|(s, k)| *s == Scope::Failure && *k == r.facts.lock_key);
        assert_eq!(failure, r.failure, "{}: failure counted", r.name);
        assert_eq!(fx.login.is_some(), matches!(verdict, Verdict::LoggedIn(_)), "{}: login", r.name);
        let kinds: Vec<EventKind> = fx.events.iter().map(|e| e.what.kind()).collect();
        let want = if r.verdict == Verdict::LoggedIn(ContactId(1)) { EventKind::LoginSucceeded } else { EventKind::VerificationFailed };
        assert_eq!(kinds, [want], "{}: one event", r.name);
        match &verdict {
            Verdict::Refused(refusal) => assert_eq!(fx.outcome, Some(Outcome::Refused(refusal.clone())), "{}", r.name),
            Verdict::LoggedIn(_) => assert_eq!(fx.outcome, None, "{}", r.name),
        }
    }
}

fn contact(email: Option<&str>, phone: Option<&str>, email_opt_out: bool) -> Contact {
    let dk = Region::parse("DK").unwrap();
    Contact {
        id: ContactId(1),
        name: "Ada".into(),
        email: email.map(|e| EmailAddress::parse(e).unwrap()),
        phone: phone.map(|p| PhoneNumber::parse(p, dk).unwrap()),
        email_opt_out,
        sms_opt_out: false,
        language: None,
    }
}

#[test]
fn request_sends_only_where_a_code_may_go_and_counts_only_what_it_sends() {
    let ada = contact(Some("ada@example.com"), Some("+45 20 12 34 01"), false);
    let opted_out = contact(Some("ada@example.com"), None, true);
    let no_phone = contact(Some("ada@example.com"), None, false);
    let french = contact(None, Some("+33 6 12 34 56 78"), false);
    let email = Identifier::Email(EmailAddress::parse("ada@example.com").unwrap());
    let l = Limits { sms_countries: vec![45], sms_prefix_per_hour: 10, sms_per_hour: 100, ..limits() };
    let recently = [at(-10)];
    let this_hour: Vec<Timestamp> = (1..=5).map(|i| at(-600 * i)).collect();
    let full_day: Vec<Timestamp> = (0..10).map(|i| at(-80_000 + i * 100)).collect();
    let usage = |block, all, alerted| SmsUsage { block, all, alerted };
    let sending = |c: Option<&Contact>| (Scope::Sending(Trust::Stranger), sending_key(c, &email));
    let sms_hits = vec![(Scope::SmsBlock, Key::Block("+452012".into())), (Scope::Sms, Key::Everyone)];
    type Case<'a> = (&'a str, Option<&'a Contact>, Channel, &'a [Timestamp], SmsUsage, Result<String, NotSent>, bool);
    let cases: Vec<Case> = vec![
        ("registered", Some(&ada), Channel::Email, &[], usage(0, 0, false), Ok("ada@example.com".into()), false),
        ("unregistered", None, Channel::Email, &[], usage(0, 0, false), Err(NotSent::NotRegistered), false),
        ("opted out", Some(&opted_out), Channel::Email, &[], usage(0, 0, false), Err(NotSent::OptedOut), false),
        ("no such channel", Some(&no_phone), Channel::Sms, &[], usage(0, 0, false), Err(NotSent::NoAddressForChannel), false),
        (
            "a message by the other channel 10 s ago",
            Some(&ada),
            Channel::Email,
            &recently,
            usage(0, 0, false),
            Ok("ada@example.com".into()),
            false,
        ),
        ("five this hour", Some(&ada), Channel::Email, &this_hour, usage(0, 0, false), Err(NotSent::IdentifierLimit), false),
        ("ten today", Some(&ada), Channel::Email, &full_day, usage(0, 0, false), Err(NotSent::IdentifierLimit), false),
        ("by SMS", Some(&ada), Channel::Sms, &[], usage(0, 0, false), Ok("+4520123401".into()), true),
        ("SMS abroad", Some(&french), Channel::Sms, &[], usage(0, 0, false), Err(NotSent::SmsCountryNotAllowed), false),
        ("SMS to a busy block", Some(&ada), Channel::Sms, &[], usage(10, 0, false), Err(NotSent::SmsPrefixLimit), false),
        ("SMS budget spent", Some(&ada), Channel::Sms, &[], usage(0, 100, true), Err(NotSent::SmsBudgetSpent), false),
    ];
    for (name, who, channel, sent, sms, want, sms_counted) in cases {
        let r = Request { identifier: &email, contact: who, channel, trust: Trust::Stranger, sent, sms, live: None };
        let fx = request(&r, &l, T0);
        let issue = fx.issue.clone().expect("every request has a slot");
        assert_eq!(issue.send_to, want, "{name}");
        let owner = sending_key(who, &email);
        let new = SlotChoice::New { owner, contact: who.map(|c| c.id), trust: Trust::Stranger, expires_at: at(TTL as i64) };
        assert_eq!(issue.slot, new, "{name}: a new slot when none is live");
        let mut hits = Vec::new();
        if sms_counted {
            hits.extend(sms_hits.clone());
        }
        // Only what was sent counts: a request that sent nothing holds nothing back.
        if want.is_ok() {
            hits.push(sending(who));
        }
        assert_eq!(fx.hits, hits, "{name}: hits");
        let kinds: Vec<EventKind> = fx.events.iter().map(|e| e.what.kind()).collect();
        let second = if want.is_ok() { EventKind::CodeQueued } else { EventKind::CodeNotSent };
        assert_eq!(kinds, [EventKind::CodeRequested, second], "{name}: events");
    }
}

#[test]
fn the_first_request_over_the_sms_budget_raises_one_alert() {
    let ada = contact(None, Some("+45 20 12 34 01"), false);
    let phone = Identifier::Phone(ada.phone.clone().unwrap());
    let l = Limits { sms_per_hour: 3, ..limits() };
    let r = Request {
        identifier: &phone,
        contact: Some(&ada),
        channel: Channel::Sms,
        trust: Trust::Stranger,
        sent: &[],
        sms: SmsUsage { block: 0, all: 3, alerted: false },
        live: None,
    };
    let fx = request(&r, &l, T0);
    assert!(fx.hits.contains(&(Scope::SmsAlert, Key::Everyone)));
    assert!(fx.events.iter().any(|e| e.what == What::SmsBudgetSpent { per_hour: 3 }));
}

#[test]
fn a_familiar_request_counts_in_its_own_pool() {
    let ada = contact(Some("ada@example.com"), None, false);
    let email = Identifier::Email(ada.email.clone().unwrap());
    let r = Request {
        identifier: &email,
        contact: Some(&ada),
        channel: Channel::Email,
        trust: Trust::Familiar,
        sent: &[],
        sms: SmsUsage::default(),
        live: None,
    };
    assert_eq!(request(&r, &limits(), T0).hits, [(Scope::Sending(Trust::Familiar), Key::Contact(ContactId(1)))]);
}

#[test]
fn send_a_new_code_waits_for_the_cooldown() {
    let flow = requested(code(2, true));
    let l = limits();
    assert_eq!(cooldown(&flow, Channel::Email, &l, at(10)), Some(at(30)));
    assert_eq!(cooldown(&flow, Channel::Email, &l, at(30)), None);
    assert_eq!(cooldown(&flow, Channel::Sms, &l, at(10)), None, "the other channel goes at once");
}

#[test]
fn the_network_limit_counts_what_it_lets_through_and_logs_one_refusal_per_window() {
    let net = || Key::Network("192.0.2.1".into());
    let step = RefusedStep::CodeRequest;
    let (limited, fx) = network(step, "192.0.2.1", NetworkUsage { earlier: 29, told: false }, 30);
    assert!(!limited);
    assert_eq!(fx.hits, [(Scope::CodeRequest, net())]);
    assert!(fx.events.is_empty());
    let (limited, fx) = network(step, "192.0.2.1", NetworkUsage { earlier: 30, told: false }, 30);
    assert!(limited);
    assert_eq!(fx.hits, [(Scope::Refused(step), net())], "the first refusal is remembered, not counted");
    assert_eq!(fx.events.iter().map(|e| e.what.kind()).collect::<Vec<_>>(), [EventKind::NetworkLimited]);
    let (limited, fx) = network(step, "192.0.2.1", NetworkUsage { earlier: 30, told: true }, 30);
    assert!(limited);
    assert_eq!(fx, Effects::default(), "later refusals write nothing");
}

#[test]
fn locks_count_per_identifier_typed_and_network_never_per_contact() {
    let phone = Identifier::Phone(PhoneNumber::parse("20 12 34 01", Region::parse("DK").unwrap()).unwrap());
    let on = |identifier: &str, network: &str| Key::IdentifierOn { identifier: identifier.into(), network: network.into() };
    assert_eq!(lock_key("20 12 34 01", Some(&phone), "192.0.2.1"), on("+4520123401", "192.0.2.1"));
    assert_eq!(lock_key(" ADA@Example.com ", None, "2001:db8::/64"), on("ada@example.com", "2001:db8::/64"));
}

// The checks the rules module had before the states were explicit, kept by name.

#[test]
fn a_code_is_valid_until_the_last_second_of_its_lifetime() {
    let flow = requested(code(2, true));
    let (verdict, _) = verify(&flow, &facts(Match::Sent(2)), &limits(), at(TTL as i64 - 1));
    assert_eq!(verdict, Verdict::LoggedIn(ContactId(1)));
    let (verdict, _) = verify(&flow, &facts(Match::Sent(2)), &limits(), at(TTL as i64));
    assert_eq!(verdict, Verdict::Refused(Refusal::Expired));
}

#[test]
fn a_code_with_all_attempts_used_is_refused_even_before_comparing() {
    let flow = requested(CodeRecord { attempts: 5, ..code(2, true) });
    let (verdict, fx) = verify(&flow, &facts(Match::Sent(2)), &limits(), at(10));
    assert_eq!(verdict, Verdict::Refused(Refusal::TooManyAttempts));
    assert_eq!(fx.attempts, [] as [i64; 0]);
}

#[test]
fn a_live_slots_code_is_sent_again_with_its_own_expiry_or_not_at_all_within_the_interval() {
    let ada = contact(Some("ada@example.com"), None, false);
    let email = Identifier::Email(ada.email.clone().unwrap());
    let live = |sent_at: Option<Timestamp>| Slot { id: 40, created_at: at(-100), expires_at: at(500), sent_at, last_sent_at: sent_at };
    let ask = |who: Option<&Contact>, slot: Slot, sent: &[Timestamp]| {
        let r = Request {
            identifier: &email,
            contact: who,
            channel: Channel::Email,
            trust: Trust::Stranger,
            sent,
            sms: SmsUsage::default(),
            live: Some(slot),
        };
        request(&r, &limits(), T0)
    };
    // Asked again a minute and a half after it went out: the same code, the same end.
    let fx = ask(Some(&ada), live(Some(at(-100))), &[at(-100)]);
    let issue = fx.issue.clone().unwrap();
    assert_eq!(issue.slot.expires_at(), at(500), "a re-send never extends a code's life");
    assert_eq!((issue.send_to, issue.slot), (Ok("ada@example.com".into()), SlotChoice::Live(live(Some(at(-100))))));
    assert!(fx.events.iter().any(|e| matches!(e.what, What::CodeQueued { same_code: true, .. })));
    // Within 30 s of the send (another browser, say): linked, not sent again.
    let fx = ask(Some(&ada), live(Some(at(-10))), &[at(-10)]);
    let issue = fx.issue.clone().unwrap();
    assert_eq!((issue.send_to, issue.slot), (Err(NotSent::SameCodeSent), SlotChoice::Live(live(Some(at(-10))))));
    assert!(fx.hits.is_empty(), "nothing sent, nothing counted");
    // An identifier nobody has shares its (never sent) slot alike.
    let fx = ask(None, live(None), &[]);
    let issue = fx.issue.unwrap();
    assert_eq!((issue.send_to, issue.slot), (Err(NotSent::NotRegistered), SlotChoice::Live(live(None))));
    // A slot never sent is sent now as a first send (the contact opted in again, say).
    let fx = ask(Some(&ada), live(None), &[]);
    assert!(fx.events.iter().any(|e| matches!(e.what, What::CodeQueued { same_code: false, .. })));
}

#[test]
fn a_code_of_the_other_channel_that_still_works_logs_in_and_every_guess_counts_on_both() {
    // Asked by email (slot 10), then "Send by text message instead" (slot 20).
    let email = CodeRecord { channel: Channel::Email, ..code(1, true) };
    let flow = requested_after(CodeRecord { channel: Channel::Sms, ..code(2, true) }, email);
    let (verdict, fx) = verify(&flow, &facts(Match::Sent(1)), &limits(), at(10));
    assert_eq!(verdict, Verdict::LoggedIn(ContactId(1)));
    let login = fx.login.unwrap();
    assert_eq!((login.code.slot, login.channel), (10, Channel::Email), "the email's request is the one used");
    let (verdict, fx) = verify(&flow, &facts(Match::Nothing), &limits(), at(10));
    assert_eq!(verdict, Verdict::Refused(Refusal::Wrong { attempts_left: 4 }));
    assert_eq!(fx.attempts, [20, 10], "a guess compared with two live codes counts against both");
    // A slot both requests share is counted once.
    let same = requested_after(code(2, true), CodeRecord { id: 1, ..code(2, true) });
    assert_eq!(verify(&same, &facts(Match::Nothing), &limits(), at(10)).1.attempts, [20]);
}

#[test]
fn a_used_code_cannot_be_used_again() {
    let used = FlowRecord { completed: true, ..record(vec![CodeRecord { consumed: true, ..code(2, true) }]) };
    assert_eq!(Flow::at(used, at(10), limits().code_ttl), Flow::Completed);
}
