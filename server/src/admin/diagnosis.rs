//! The help article's checklist as a pure function: a contact and what the portal
//! recorded about them in the last 30 days in, findings in plain words out, each with
//! what to tell the contact and the events that show it. One rule, one function.

use domain::Channel;

use crate::store::{Contact, Event, FailReason, JobRecord, JobStatus, NotSent, Scope, SupportRefRecord, What};
use domain::Timestamp;

mod words;

pub use words::{describe, message_name, report, titled};
use words::{job_said, said};

/// How far back the checklist looks.
pub const WINDOW_SECS: i64 = 30 * 86_400;

/// What a contact's login problems are made of, as recorded.
pub struct Timeline<'a> {
    pub contact: &'a Contact,
    /// The contact's events, oldest first.
    pub events: &'a [Event],
    /// The contact's delivery records, oldest first.
    pub jobs: &'a [JobRecord],
    /// Identifiers typed lately that belong to no contact (normalised), with when.
    pub unregistered: &'a [(String, Timestamp)],
    /// Code entries with no login in progress in their browser, from the networks the
    /// contact asked for codes from (their support reference rows), oldest first.
    pub entries_without_login: &'a [SupportRefRecord],
    /// The titles of the messages their events name: (public id, title).
    pub titles: &'a [(String, String)],
    pub now: Timestamp,
}

/// How long after a code was sent an entry with no login in progress, from the
/// network it was asked from, is taken for that code typed elsewhere.
pub const ELSEWHERE_SECS: i64 = 30 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    NoAddress(Channel),
    NearMiss,
    OptedOut(Channel),
    OneChannelOnly(Channel),
    NotDelivered,
    /// A code a provider took, or a receipt said arrived, only after it had expired.
    ArrivedLate,
    NeverEntered,
    /// A code typed in a browser with no login in progress (another browser, a
    /// private window, cookies gone), from the network it was asked from.
    TypedElsewhere,
    NewCodeOften,
    OlderCode,
    OtherBrowser,
    NetworkLimited,
    NetworkChanged,
    NotPublished,
}

/// What the administrator can do about a finding from the card, in one click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    OptIn(Channel),
    /// Publish one of these messages (public ids, as the addresses the contact opened
    /// said them: the card offers the first that exists and is not theirs yet).
    Publish(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub remedy: Option<Remedy>,
    /// What happened, for the administrator.
    pub cause: String,
    /// What to tell the contact.
    pub advice: String,
    /// The records that show it: when, and what.
    pub evidence: Vec<(Timestamp, String)>,
}

/// Runs every rule, in the order of the help article.
pub fn diagnose(t: &Timeline) -> Vec<Finding> {
    let rules: [fn(&Timeline) -> Vec<Finding>; 13] = [
        no_address,
        near_miss,
        opted_out,
        one_channel_only,
        not_delivered,
        arrived_late,
        typed_elsewhere,
        never_entered,
        new_code_often,
        older_code,
        network_limited,
        network_changed,
        not_published,
    ];
    rules.iter().flat_map(|rule| rule(t)).collect()
}

/// The events that match `what` (a pattern over [`What`]).
fn those<'a>(t: &'a Timeline, what: impl Fn(&What) -> bool + 'a) -> impl Iterator<Item = &'a Event> + 'a {
    t.events.iter().filter(move |e| what(&e.what))
}

/// A code request that sent nothing by `channel`, for `why`.
fn not_sent(ch: Channel, why: NotSent) -> impl Fn(&What) -> bool {
    move |w| matches!(w, What::CodeNotSent { channel, reason } if *channel == ch && *reason == why)
}

/// A login, by code or passkey.
fn logged_in(w: &What) -> bool {
    matches!(w, What::LoginSucceeded { .. } | What::PasskeyLogin { .. })
}

/// A code entered, right or wrong.
fn entered(w: &What) -> bool {
    matches!(w, What::VerificationFailed { .. } | What::LoginSucceeded { .. })
}

fn finding(rule: Rule, cause: String, advice: impl Into<String>, evidence: Vec<(Timestamp, String)>) -> Vec<Finding> {
    vec![Finding { rule, remedy: None, cause, advice: advice.into(), evidence }]
}

fn with_remedy(mut found: Vec<Finding>, remedy: Remedy) -> Vec<Finding> {
    for f in &mut found {
        f.remedy = Some(remedy.clone());
    }
    found
}

/// A missing address is a cause when a code was asked for by that channel, or when
/// the contact has no address at all; a contact who logs in by the other channel
/// and never tries this one has no problem to explain.
fn no_address(t: &Timeline) -> Vec<Finding> {
    let c = t.contact;
    let neither = !c.address_exists(Channel::Email) && !c.address_exists(Channel::Sms);
    [Channel::Email, Channel::Sms]
        .into_iter()
        .filter(|ch| !c.address_exists(*ch))
        .filter_map(|ch| {
            let (what, other) = match ch {
                Channel::Email => ("email address", "their mobile number and choose text message"),
                Channel::Sms => ("mobile number", "their email address and choose email"),
            };
            let tried: Vec<_> = those(t, not_sent(ch, NotSent::NoAddressForChannel)).map(said).collect();
            (neither || !tried.is_empty()).then(|| {
                finding(
                    Rule::NoAddress(ch),
                    format!("No {what} is registered, so no code can be sent {}.", ch.by()),
                    format!("Log in with {other}, or ask the sender to register their {what}."),
                    tried,
                )
            })
        })
        .flatten()
        .collect()
}

/// Edit distance of two short strings, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A typo of `theirs` (two edits or fewer), or their email's name at another domain.
fn close(typed: &str, theirs: &str) -> bool {
    let local = |s: &str| s.split_once('@').map(|(l, _)| l.to_string());
    typed != theirs && (distance(typed, theirs) <= 2 || (local(typed).is_some() && local(typed) == local(theirs)))
}

fn near_miss(t: &Timeline) -> Vec<Finding> {
    let c = t.contact;
    let theirs: Vec<&str> = c.email.iter().map(|e| e.as_str()).chain(c.phone.iter().map(|p| p.as_str())).collect();
    let mut evidence = Vec::new();
    let mut typed_close = Vec::new();
    for (typed, at) in t.unregistered {
        if let Some(mine) = theirs.iter().find(|m| close(typed, m)) {
            evidence.push((*at, format!("a code was asked for {typed}, which is not registered")));
            typed_close.push(format!("{typed} (close to {mine})"));
        }
    }
    if evidence.is_empty() {
        return Vec::new();
    }
    typed_close.dedup();
    finding(
        Rule::NearMiss,
        format!("Codes were asked for addresses nobody has, close to this contact's: {}.", typed_close.join(", ")),
        format!("Use exactly the address the sender has registered: {}.", theirs.join(" or ")),
        evidence,
    )
}

fn opted_out(t: &Timeline) -> Vec<Finding> {
    let c = t.contact;
    [(Channel::Email, c.email_opt_out), (Channel::Sms, c.sms_opt_out)]
        .into_iter()
        .filter(|(ch, out)| *out && c.address_exists(*ch))
        .flat_map(|(ch, _)| {
            let refused: Vec<_> = those(t, not_sent(ch, NotSent::OptedOut)).map(said).collect();
            let other = if c.address(ch.other()).is_some() {
                format!(", or use {}", ch.other().by().trim_start_matches("by "))
            } else {
                String::new()
            };
            let found = finding(
                Rule::OptedOut(ch),
                format!("Opted out of communication {}: no code is sent {}.", ch.by(), ch.by()),
                format!("If they want codes {} again, opt them back in{other}.", ch.by()),
                refused,
            );
            with_remedy(found, Remedy::OptIn(ch))
        })
        .collect()
}

fn one_channel_only(t: &Timeline) -> Vec<Finding> {
    let requests: Vec<&Event> = those(t, |w| matches!(w, What::CodeRequested { .. })).collect();
    let channels: Vec<Option<Channel>> = requests.iter().map(|e| e.what.channel()).collect();
    let Some(Some(ch)) = channels.first().copied() else { return Vec::new() };
    let first = requests[0].at;
    // A passkey login counts: the contact got in.
    let logged_in = those(t, logged_in).any(|e| e.at >= first);
    if requests.len() < 2 || logged_in || channels.iter().any(|c| *c != Some(ch)) || t.contact.address(ch.other()).is_none() {
        return Vec::new();
    }
    finding(
        Rule::OneChannelOnly(ch),
        format!("Asked for {} codes, all {}, and has not logged in since.", requests.len(), ch.by()),
        format!(
            "Try {} instead: the code goes to their registered {}.",
            ch.other().by(),
            if ch.other() == Channel::Email { "email address" } else { "mobile number" }
        ),
        requests.into_iter().map(said).collect(),
    )
}

fn not_delivered(t: &Timeline) -> Vec<Finding> {
    let failed: Vec<&JobRecord> = t.jobs.iter().filter(|j| j.status.did_not_arrive()).collect();
    if failed.is_empty() {
        return Vec::new();
    }
    let mut advice = Vec::new();
    if failed.iter().any(|j| j.status == JobStatus::Failed && j.channel == Channel::Email) {
        advice.push("The mail server refused the address: check with them that it is right and their mailbox works.");
    }
    if failed.iter().any(|j| j.channel == Channel::Sms && j.status != JobStatus::Expired) {
        advice.push("The phone network could not deliver the text: check the number, and that the phone has signal and accepts texts.");
    }
    if failed.iter().any(|j| j.status == JobStatus::Expired) {
        advice.push("A provider was unreachable until the code expired, which was on our side: ask them to try again.");
    }
    finding(
        Rule::NotDelivered,
        format!("{} code(s) did not reach them.", failed.len()),
        advice.join(" "),
        failed.into_iter().map(job_said).collect(),
    )
}

/// A code that reached the provider (or, by its receipt, the phone) only after it had
/// expired: held at a mail server or the phone network. Typing it could only fail.
fn arrived_late(t: &Timeline) -> Vec<Finding> {
    let late: Vec<(&JobRecord, i64, bool)> = t.jobs.iter().filter_map(|j| j.late().map(|(ms, receipt)| (j, ms, receipt))).collect();
    let Some(&(newest, delay_ms, receipt)) = late.last() else { return Vec::new() };
    let lifetime = |j: &JobRecord| span(j.expires_at_ms - j.created_at.0.saturating_mul(1000));
    let place = |j: &JobRecord, receipt: bool| match (j.channel, receipt) {
        (Channel::Email, _) => "the mail server",
        (Channel::Sms, false) => "the SMS provider",
        (Channel::Sms, true) => "the phone network",
    };
    let evidence = late
        .iter()
        .map(|&(j, ms, receipt)| {
            let (at, line) = job_said(j);
            let how = if receipt { "arrived" } else { "was taken" };
            (at, format!("{line}; it {how} {} after it was sent, and worked for {}", span(ms), lifetime(j)))
        })
        .collect();
    let advice = match crate::delivery::destination(newest.channel, &newest.recipient).filter(|_| newest.channel == Channel::Email) {
        Some(domain) => format!(
            "Ask them to ask for a new code and type it as soon as it arrives. If codes to {domain} keep arriving late, the delay is at their mail provider: see Delivery health for that domain."
        ),
        None => "Ask them to ask for a new code and type it as soon as it arrives. If texts keep arriving late, the delay is in the phone network: see Delivery health for their country.".to_string(),
    };
    finding(
        Rule::ArrivedLate,
        format!("The code arrived after it expired (a delay of {} at {}).", span(delay_ms), place(newest, receipt)),
        advice,
        evidence,
    )
}

/// A delay in words, rounded up: "7 seconds", "1 minute", "12 minutes".
fn span(ms: i64) -> String {
    let (n, unit) = if ms < 60_000 { ((ms + 999) / 1000, "second") } else { ((ms + 59_999) / 60_000, "minute") };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The networks the contact asked for a code from within `secs` before `at`.
fn asked_from<'a>(t: &'a Timeline, at: Timestamp, secs: i64) -> Vec<&'a str> {
    those(t, |w| matches!(w, What::CodeRequested { .. }))
        .filter(|e| e.at <= at && at.0 - e.at.0 <= secs)
        .filter_map(|e| e.what.network())
        .collect()
}

/// The entries with no login in progress that a code sent at `sent` (accepted, never
/// entered in its own browser) was probably typed in: from a network it was asked
/// from, within [`ELSEWHERE_SECS`] after it was sent.
fn typed_elsewhere_entries<'a>(t: &'a Timeline, sent: Timestamp) -> Vec<&'a SupportRefRecord> {
    let from = asked_from(t, sent, 60);
    t.entries_without_login
        .iter()
        .filter(|r| r.at >= sent && r.at.0 - sent.0 <= ELSEWHERE_SECS && from.contains(&r.network.as_str()))
        .collect()
}

/// A delivered code never entered in its browser, and an entry with no login in
/// progress from the same network soon after: typed in another browser or a private
/// window. (Only the network and the time link them: the digits typed are never
/// compared with codes outside their own login.)
fn typed_elsewhere(t: &Timeline) -> Vec<Finding> {
    let acted_after = |at: Timestamp| those(t, entered).any(|e| e.at >= at && e.what.flow().is_some());
    let mut evidence = Vec::new();
    for j in t.jobs.iter().filter(|j| j.status.handed_over() && !acted_after(j.created_at)) {
        for r in typed_elsewhere_entries(t, j.created_at) {
            let browser = r.browser.as_deref().unwrap_or("an unknown browser");
            let minutes = (r.at.0 - j.created_at.0) / 60;
            evidence.push((
                r.at,
                format!(
                    "a code was typed in {browser} with no login in progress, from {} ({minutes} min after the code {} was sent; reference {})",
                    r.network,
                    j.channel.by(),
                    r.reference
                ),
            ));
        }
    }
    if evidence.is_empty() {
        return Vec::new();
    }
    finding(
        Rule::TypedElsewhere,
        "The code was probably typed in another browser or a private window: an entry with no login in progress came from the network that asked for it, soon after it was sent.".into(),
        "Open the link in the browser that asked for the code and type it there, or ask for a new code in the browser where they will type it. A private window forgets the login when it closes, and logging in needs cookies.",
        evidence,
    )
}

fn never_entered(t: &Timeline) -> Vec<Finding> {
    let acted_after = |at: Timestamp| those(t, entered).any(|e| e.at >= at);
    // A code typed elsewhere was not lost in spam: `typed_elsewhere` says so.
    let unused: Vec<&JobRecord> = t
        .jobs
        .iter()
        .filter(|j| j.status.handed_over() && !acted_after(j.created_at) && typed_elsewhere_entries(t, j.created_at).is_empty())
        // A code that arrived after it expired was not lost in spam: `arrived_late` says so.
        .filter(|j| j.late().is_none())
        .collect();
    if unused.is_empty() {
        return Vec::new();
    }
    let email = unused.iter().any(|j| j.channel == Channel::Email);
    let advice = if email {
        "Ask them to look in the spam or junk folder, and to add the sender's address to their contacts or safe senders so codes land in the inbox."
    } else {
        "Ask them to look for the text message, and check that texts from unknown senders are not filtered or blocked on their phone."
    };
    finding(
        Rule::NeverEntered,
        format!("{} code(s) were accepted for delivery but never entered.", unused.len()),
        advice,
        unused.into_iter().map(job_said).collect(),
    )
}

fn new_code_often(t: &Timeline) -> Vec<Finding> {
    let logins: Vec<&Event> = those(t, |w| matches!(w, What::LoginSucceeded { .. })).collect();
    let mut days: Vec<i64> = logins.iter().map(|e| e.at.0.div_euclid(86_400)).collect();
    days.dedup();
    if days.len() < 3 {
        return Vec::new();
    }
    finding(
        Rule::NewCodeOften,
        format!("Needed a new code on {} different days in 30 days: their browser did not stay remembered.", days.len()),
        "This happens in a private (incognito) window, when cookies are deleted automatically, or on a new device. A normal window that keeps cookies for the portal stays remembered for 30 days.",
        logins.into_iter().map(said).collect(),
    )
}

fn older_code(t: &Timeline) -> Vec<Finding> {
    let failed = |why: FailReason| move |w: &What| matches!(w, What::VerificationFailed { reason, .. } if *reason == why);
    let here: Vec<_> = those(t, failed(FailReason::Superseded)).map(said).collect();
    let elsewhere: Vec<_> = those(t, failed(FailReason::SupersededElsewhere)).map(said).collect();
    let mut out = Vec::new();
    if !here.is_empty() {
        out.extend(finding(
            Rule::OlderCode,
            "Entered an earlier code of the login after it had been replaced by a new one.".into(),
            "Use the code from the newest message. Asking again sends the same code while it works; a new code replaces it only once it has expired, was used, or was locked by wrong attempts, so this now happens mostly when a message arrives late.",
            here,
        ));
    }
    if !elsewhere.is_empty() {
        out.extend(finding(
            Rule::OtherBrowser,
            "Entered a code after a newer one was asked for in another browser or device (before the portal sent one code per login).".into(),
            "Since one code per login, every browser that asks while a code works gets the same code, and it works in each of them: ask again where the code will be typed.",
            elsewhere,
        ));
    }
    out
}

const VPN_ADVICE: &str = "A VPN or a shared network (office, school, public Wi-Fi) can cause this: ask them to turn the VPN off, or to use their own connection, and to ask for a code and enter it on the same one.";

fn network_limited(t: &Timeline) -> Vec<Finding> {
    let limited: Vec<_> = t
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::NetworkLimited { scope, ip, requests, limit, resets_at } => {
                let step = if scope == Scope::Verification.as_str() { "code entries" } else { "code requests" };
                let line = match (requests, limit, resets_at) {
                    (Some(n), Some(limit), Some(at)) => format!(
                        "a \"Send code\" for their address was refused: its network {ip} had made {n} code requests in the hour (limit {limit}); it could ask again from {} UTC",
                        Timestamp(*at).utc()
                    ),
                    _ => format!("their network had too many {step} in an hour"),
                };
                Some((e.at, line))
            }
            _ => None,
        })
        .collect();
    if limited.is_empty() {
        return Vec::new();
    }
    finding(Rule::NetworkLimited, "Their network was refused for too many requests in an hour.".into(), VPN_ADVICE, limited)
}

fn network_changed(t: &Timeline) -> Vec<Finding> {
    let mut evidence = Vec::new();
    for asked in those(t, |w| matches!(w, What::CodeRequested { .. })) {
        let (Some(id), Some(from)) = (asked.what.flow(), asked.what.network()) else { continue };
        let moved = those(t, entered).find(|e| e.what.flow() == Some(id) && e.what.network().is_some_and(|n| n != from));
        if let Some(there) = moved {
            evidence.push((there.at, format!("asked from {from}, entered the code from {}", there.what.network().unwrap_or_default())));
        }
    }
    if evidence.is_empty() {
        return Vec::new();
    }
    finding(Rule::NetworkChanged, "Their network changed between asking for a code and entering it.".into(), VPN_ADVICE, evidence)
}

fn not_published(t: &Timeline) -> Vec<Finding> {
    let refused: Vec<(Timestamp, &str)> = t
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::MessageRefused { message, .. } => Some((e.at, message.as_str())),
            _ => None,
        })
        .collect();
    if refused.is_empty() {
        return Vec::new();
    }
    let mut ids: Vec<&str> = refused.iter().map(|(_, id)| *id).collect();
    ids.sort();
    ids.dedup();
    let remedy = (!ids.is_empty()).then(|| Remedy::Publish(ids.iter().map(|id| (*id).to_string()).collect()));
    let names: Vec<String> = ids.iter().map(|id| titled(id, t.titles)).collect();
    let found = finding(
        Rule::NotPublished,
        format!("Logged in, but opened message(s) not published to them: {}.", names.join(", ")),
        "The login works; the message is not theirs to read. Publish it to them if they should read it.",
        refused.into_iter().map(|(at, id)| (at, format!("message {} refused: not published", titled(id, t.titles)))).collect(),
    );
    match remedy {
        Some(r) => with_remedy(found, r),
        None => found,
    }
}

#[cfg(test)]
#[path = "diagnosis_tests.rs"]
mod tests;
