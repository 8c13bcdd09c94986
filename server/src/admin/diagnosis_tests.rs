//! Each rule of the checklist from a constructed timeline: the case that triggers it,
//! and the nearest case that must not.

use domain::Channel;

use super::*;
use crate::store::{ContactId, JobPurpose};
use domain::{EmailAddress, PhoneNumber, Region};

const NOW: Timestamp = Timestamp(1_800_000_000);
const DAY: i64 = 86_400;

fn at(secs_ago: i64) -> Timestamp {
    Timestamp(NOW.0 - secs_ago)
}

fn ada() -> Contact {
    Contact {
        id: ContactId(1),
        name: "Ada".into(),
        email: Some(EmailAddress::parse("ada@example.com").unwrap()),
        phone: Some(PhoneNumber::parse("20 12 34 01", Region::parse("DK").unwrap()).unwrap()),
        email_opt_out: false,
        sms_opt_out: false,
        language: None,
    }
}

fn event(secs_ago: i64, what: What) -> Event {
    Event { at: at(secs_ago), contact: Some(ContactId(1)), what }
}

fn requested(channel: Channel, flow: Option<i64>, network: Option<&str>) -> What {
    What::CodeRequested { channel, trust: crate::store::Trust::Stranger, flow, network: network.map(str::to_string) }
}

fn failed_entry(reason: FailReason, flow: Option<i64>, network: Option<&str>) -> What {
    What::VerificationFailed { reason, flow, compared: true, network: network.map(str::to_string) }
}

fn login(channel: Channel, device: Option<i64>) -> What {
    What::LoginSucceeded { channel, device, flow: None, network: None }
}

fn job(secs_ago: i64, channel: Channel, status: JobStatus, error: Option<&str>) -> JobRecord {
    JobRecord {
        id: secs_ago,
        channel,
        recipient: if channel == Channel::Email { "ada@example.com".into() } else { "+4520123401".into() },
        status,
        attempts: 1,
        provider: Some("smtp".into()),
        provider_message_id: None,
        last_error: error.map(str::to_string),
        created_at: at(secs_ago),
        purpose: JobPurpose::Code,
        requested_by: None,
        sent_at_ms: status.handed_over().then_some(at(secs_ago).0 * 1000 + 900),
        delivered_at_ms: None,
        expires_at_ms: (at(secs_ago).0 + 600) * 1000,
        answer: None,
    }
}

fn rules(contact: &Contact, events: &[Event], jobs: &[JobRecord], unregistered: &[(String, Timestamp)]) -> Vec<Rule> {
    let t = Timeline { contact, events, jobs, unregistered, entries_without_login: &[], titles: &[], now: NOW };
    diagnose(&t).into_iter().map(|f| f.rule).collect()
}

fn findings(contact: &Contact, events: &[Event], jobs: &[JobRecord]) -> Vec<Finding> {
    diagnose(&Timeline { contact, events, jobs, unregistered: &[], entries_without_login: &[], titles: &[], now: NOW })
}

#[test]
fn a_code_taken_after_it_expired_arrived_late_and_was_not_lost_in_spam() {
    let mut held = job(3_000, Channel::Email, JobStatus::Sent, None);
    held.sent_at_ms = Some(held.expires_at_ms + 120_000);
    let f = findings(&ada(), &[], &[held]);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::ArrivedLate]);
    assert_eq!(f[0].cause, "The code arrived after it expired (a delay of 12 minutes at the mail server).");
    assert!(f[0].advice.contains("codes to example.com keep arriving late"), "{}", f[0].advice);
    assert!(f[0].evidence[0].1.ends_with("it was taken 12 minutes after it was sent, and worked for 10 minutes"), "{:?}", f[0].evidence);

    // A text the phone network delivered after it expired says where the delay was.
    let mut text = job(3_000, Channel::Sms, JobStatus::Delivered, None);
    text.delivered_at_ms = Some(text.expires_at_ms + 300_000);
    let f = findings(&ada(), &[], &[text]);
    assert_eq!(f[0].cause, "The code arrived after it expired (a delay of 15 minutes at the phone network).");
    // In time, nothing of the kind.
    assert!(!rules(&ada(), &[], &[job(3_000, Channel::Email, JobStatus::Sent, None)], &[]).contains(&Rule::ArrivedLate));
}

#[test]
fn a_contact_with_nothing_recorded_has_no_finding() {
    assert!(rules(&ada(), &[], &[], &[]).is_empty());
}

#[test]
fn no_phone_registered_is_found_with_the_requests_it_refused() {
    let no_phone = Contact { phone: None, ..ada() };
    let tried = [event(60, What::CodeNotSent { channel: Channel::Sms, reason: NotSent::NoAddressForChannel })];
    let f = findings(&no_phone, &tried, &[]);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::NoAddress(Channel::Sms)]);
    assert_eq!(f[0].evidence.len(), 1);
    assert!(f[0].advice.contains("email"), "{}", f[0].advice);
    assert!(rules(&no_phone, &[], &[], &[]).is_empty(), "never tried by text message: nothing to explain");
    let nothing = Contact { email: None, phone: None, ..ada() };
    assert_eq!(rules(&nothing, &[], &[], &[]), [Rule::NoAddress(Channel::Email), Rule::NoAddress(Channel::Sms)], "no way to log in at all");
}

#[test]
fn a_typo_or_another_domain_of_their_address_is_a_near_miss_and_a_stranger_is_not() {
    let typed = |s: &str| vec![(s.to_string(), at(60))];
    assert_eq!(rules(&ada(), &[], &[], &typed("ada@exmaple.com")), [Rule::NearMiss], "swapped letters");
    assert_eq!(rules(&ada(), &[], &[], &typed("ada@gmail.com")), [Rule::NearMiss], "another domain");
    assert_eq!(rules(&ada(), &[], &[], &typed("+4520123410")), [Rule::NearMiss], "two digits swapped");
    assert!(rules(&ada(), &[], &[], &typed("grace@example.org")).is_empty(), "someone else");
    assert!(rules(&ada(), &[], &[], &typed("+4599887766")).is_empty(), "another number");
}

#[test]
fn an_opt_out_is_found_with_what_it_refused_and_the_other_channel_suggested() {
    let out = Contact { sms_opt_out: true, ..ada() };
    let refused = [event(60, What::CodeNotSent { channel: Channel::Sms, reason: NotSent::OptedOut })];
    let f = findings(&out, &refused, &[]);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::OptedOut(Channel::Sms)]);
    assert_eq!(f[0].evidence.len(), 1);
    assert!(f[0].advice.contains("opt them back in") && f[0].advice.contains("email"), "{}", f[0].advice);
    assert_eq!(f[0].remedy, Some(Remedy::OptIn(Channel::Sms)), "a button beside the finding");
}

#[test]
fn only_one_channel_tried_without_logging_in_suggests_the_other() {
    let (email, sms) = (Channel::Email, Channel::Sms);
    let asked = |ch: Channel, ago| event(ago, requested(ch, None, None));
    assert_eq!(rules(&ada(), &[asked(email, 600), asked(email, 300)], &[], &[]), [Rule::OneChannelOnly(Channel::Email)]);
    assert!(rules(&ada(), &[asked(email, 600), asked(sms, 300)], &[], &[]).is_empty(), "both tried");
    assert!(rules(&ada(), &[asked(email, 600)], &[], &[]).is_empty(), "one request is no pattern");
    let logged_in = event(200, login(Channel::Email, None));
    assert!(!rules(&ada(), &[asked(email, 600), asked(email, 300), logged_in], &[], &[]).contains(&Rule::OneChannelOnly(Channel::Email)));
    let email_only = Contact { phone: None, ..ada() };
    assert!(
        !rules(&email_only, &[asked(email, 600), asked(email, 300)], &[], &[]).contains(&Rule::OneChannelOnly(Channel::Email)),
        "no other channel"
    );
}

#[test]
fn codes_that_failed_expired_or_bounced_are_found_with_the_providers_reason() {
    let jobs = [
        job(900, Channel::Email, JobStatus::Failed, Some("permanent error (550): mailbox unavailable")),
        job(600, Channel::Sms, JobStatus::Undelivered, Some("30003")),
        job(300, Channel::Email, JobStatus::Expired, Some("connection refused")),
    ];
    let f = findings(&ada(), &[], &jobs);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::NotDelivered]);
    assert_eq!(f[0].evidence.len(), 3);
    assert!(f[0].evidence[0].1.contains("mailbox unavailable"));
    for words in ["mail server refused", "phone network", "our side"] {
        assert!(f[0].advice.contains(words), "{words}: {}", f[0].advice);
    }
}

#[test]
fn an_email_code_accepted_but_never_entered_points_to_the_spam_folder() {
    let sent = [job(600, Channel::Email, JobStatus::Sent, None)];
    let f = findings(&ada(), &[], &sent);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::NeverEntered]);
    assert!(f[0].advice.contains("spam"), "{}", f[0].advice);
    let entered = [event(300, failed_entry(FailReason::WrongCode, None, None))];
    assert!(rules(&ada(), &entered, &sent, &[]).is_empty(), "a code was entered after it");
}

#[test]
fn logging_in_on_three_days_in_a_month_is_needing_a_new_code_often() {
    let login = |days_ago: i64| event(days_ago * DAY + 60, login(Channel::Email, Some(days_ago)));
    assert_eq!(rules(&ada(), &[login(20), login(10), login(1)], &[], &[]), [Rule::NewCodeOften]);
    assert!(rules(&ada(), &[login(20), login(1)], &[], &[]).is_empty(), "twice is not often");
}

#[test]
fn an_older_code_and_a_code_from_another_browser_are_told_apart() {
    let failed = |reason: FailReason| event(60, failed_entry(reason, None, None));
    assert_eq!(rules(&ada(), &[failed(FailReason::Superseded)], &[], &[]), [Rule::OlderCode]);
    assert_eq!(rules(&ada(), &[failed(FailReason::SupersededElsewhere)], &[], &[]), [Rule::OtherBrowser]);
    assert!(rules(&ada(), &[failed(FailReason::WrongCode)], &[], &[]).is_empty());
}

#[test]
fn a_network_over_its_limit_and_a_network_that_changed_point_to_a_vpn() {
    let limited = [event(
        60,
        What::NetworkLimited { scope: "verification".into(), ip: "203.0.113.9".into(), requests: None, limit: None, resets_at: None },
    )];
    assert_eq!(rules(&ada(), &limited, &[], &[]), [Rule::NetworkLimited]);
    let asked = event(600, requested(Channel::Email, Some(7), Some("192.0.2.1")));
    let same = event(300, failed_entry(FailReason::WrongCode, Some(7), Some("192.0.2.1")));
    let moved = event(200, failed_entry(FailReason::WrongCode, Some(7), Some("203.0.113.9")));
    let other_flow = event(100, failed_entry(FailReason::WrongCode, Some(8), Some("203.0.113.9")));
    assert!(rules(&ada(), &[asked.clone(), same.clone(), other_flow], &[], &[]).is_empty(), "same network, or another flow");
    let f = findings(&ada(), &[asked, same, moved], &[]);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::NetworkChanged]);
    assert!(f[0].evidence[0].1.contains("192.0.2.1") && f[0].evidence[0].1.contains("203.0.113.9"));
    assert!(f[0].advice.contains("VPN"));
}

#[test]
fn a_refused_message_is_named_by_its_title() {
    let refused = [event(60, What::MessageRefused { message: "abc123".into(), reason: "not_published".into() })];
    let titles = [("abc123".to_string(), "Pay rise 2027".to_string())];
    let t =
        Timeline { contact: &ada(), events: &refused, jobs: &[], unregistered: &[], entries_without_login: &[], titles: &titles, now: NOW };
    let f = diagnose(&t);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::NotPublished]);
    assert!(f[0].cause.contains("“Pay rise 2027” (abc123)"), "{}", f[0].cause);
    assert!(f[0].evidence[0].1.contains("“Pay rise 2027”"), "{:?}", f[0].evidence);
    assert_eq!(f[0].remedy, Some(Remedy::Publish(vec!["abc123".into()])), "a button to publish it");
    assert!(describe(&refused[0], &titles).1.ends_with(": “Pay rise 2027” (abc123)"));
    // An address that names no message says so.
    let f = findings(&ada(), &refused, &[]);
    assert!(f[0].cause.contains("abc123 (no such message)"), "{}", f[0].cause);
}

/// A code entry with no login in progress, `secs_ago`, from `network`.
fn entry_without_login(secs_ago: i64, network: &str) -> SupportRefRecord {
    SupportRefRecord {
        reference: domain::SupportRef::parse("K7M-4QX").unwrap(),
        at: at(secs_ago),
        step: crate::store::AtStep::CodeEntry,
        told: crate::store::Told::NoFlow,
        contact: None,
        flow: None,
        typed: None,
        network: network.into(),
        browser: Some("Safari on iOS".into()),
    }
}

#[test]
fn a_code_typed_soon_after_in_a_browser_with_no_login_from_the_same_network_is_typed_elsewhere_not_lost() {
    let asked = [event(600, requested(Channel::Email, Some(7), Some("192.0.2.1")))];
    let sent = [job(600, Channel::Email, JobStatus::Sent, None)];
    let diagnose_with = |entries: &[SupportRefRecord]| {
        let t = Timeline {
            contact: &ada(),
            events: &asked,
            jobs: &sent,
            unregistered: &[],
            entries_without_login: entries,
            titles: &[],
            now: NOW,
        };
        diagnose(&t)
    };
    let f = diagnose_with(&[entry_without_login(540, "192.0.2.1")]);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::TypedElsewhere]);
    assert!(f[0].advice.contains("browser that asked"), "{}", f[0].advice);
    assert!(f[0].evidence[0].1.contains("Safari on iOS") && f[0].evidence[0].1.contains("1 min after"), "{:?}", f[0].evidence);
    // Another network, or long after the code: nothing links them.
    for other in [entry_without_login(540, "203.0.113.9"), entry_without_login(600 - 31 * 60, "192.0.2.1")] {
        let rules: Vec<Rule> = diagnose_with(&[other]).iter().map(|f| f.rule).collect();
        assert_eq!(rules, [Rule::NeverEntered]);
    }
    // Before the code was sent: not it either.
    let rules: Vec<Rule> = diagnose_with(&[entry_without_login(700, "192.0.2.1")]).iter().map(|f| f.rule).collect();
    assert_eq!(rules, [Rule::NeverEntered]);
}

#[test]
fn a_send_code_refused_for_the_network_says_how_many_requests_and_when_it_frees() {
    let limited = What::NetworkLimited {
        scope: "code_request".into(),
        ip: "198.51.100.7".into(),
        requests: Some(30),
        limit: Some(30),
        resets_at: Some(NOW.0 + 1200),
    };
    let f = findings(&ada(), &[event(60, limited)], &[]);
    assert_eq!(f.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::NetworkLimited]);
    let line = &f[0].evidence[0].1;
    assert!(line.contains("198.51.100.7") && line.contains("30 code requests") && line.contains("(limit 30)"), "{line}");
    assert!(line.contains(&Timestamp(NOW.0 + 1200).utc()), "{line}");
}

#[test]
fn a_delivery_failure_in_the_timeline_says_what_the_provider_said() {
    let failed = event(
        60,
        What::DeliveryFailed {
            job: 1,
            channel: Channel::Email,
            to: "ada@example.com".into(),
            attempt: 1,
            provider: "smtp".into(),
            error: "permanent error (550): mailbox unavailable".into(),
        },
    );
    assert_eq!(describe(&failed, &[]).1, "delivery failed by email: permanent error (550): mailbox unavailable");
}

#[test]
fn edit_distance_counts_insertions_deletions_and_substitutions() {
    assert_eq!(distance("kitten", "sitting"), 3);
    assert_eq!(distance("ada@example.com", "ada@exmaple.com"), 2);
    assert_eq!(distance("", "abc"), 3);
}
