//! Turns what happened into words the contact can act on, in their language.

use leptos::prelude::*;

use crate::i18n::Locale;
use crate::types::{Notice, SupportRef};

/// The sentence for a notice, and whether it reports a problem (an alert) or only
/// informs (a status).
pub fn notice_text(notice: &Notice, l: &Locale) -> (bool, String) {
    match notice {
        Notice::CodeSent => (false, l.t("notice-code-sent")),
        Notice::WrongCode { attempts_left } => (true, l.tf("notice-wrong-code", &[("attempts", (*attempts_left).into())])),
        Notice::Superseded { newest_sent_at, sent_secs_ago, channel } => {
            let args = [("by", channel.by_in(l).into()), ("ago", l.ago(*sent_secs_ago).into()), ("time", l.time(*newest_sent_at).into())];
            (true, l.tf("notice-superseded", &args))
        }
        Notice::Expired { valid_for_secs } => (true, l.tf("notice-expired", &[("duration", l.duration(*valid_for_secs).into())])),
        Notice::TooManyAttempts => (true, l.t("notice-too-many-attempts")),
        Notice::Withdrawn => (true, l.t("notice-withdrawn")),
        Notice::NoFlow => (true, l.t("notice-no-flow")),
        Notice::NetworkLimited => (true, l.t("notice-network-limited")),
        Notice::Locked { until, secs_left } => {
            let args = [("until", l.moment(*until, until - secs_left).into()), ("in", l.in_future(*secs_left).into())];
            (true, l.tf("notice-locked", &args))
        }
        Notice::CooldownActive { seconds_left } => (true, l.tf("notice-cooldown", &[("seconds", (*seconds_left).into())])),
        Notice::MalformedCode => (true, l.t("notice-malformed-code")),
        Notice::MalformedIdentifier => (true, l.t("notice-malformed-identifier")),
        Notice::Internal { reference } if reference.is_empty() => (true, l.t("notice-internal")),
        Notice::Internal { reference } => (true, l.tf("notice-internal-reference", &[("reference", reference.clone().into())])),
    }
}

/// The notice next to a field. Alerts are announced by screen readers at once; the
/// support reference (issue 24), when the step gave one, follows as a line of its own,
/// there to be read out when the contact calls for help.
#[component]
pub fn NoticeLine(notice: Option<Notice>, reference: Option<SupportRef>, #[prop(into)] id: String) -> impl IntoView {
    notice.map(|notice| {
        let l = crate::locale();
        let (alert, text) = notice_text(&notice, &l);
        if alert {
            let reference = reference.map(|r| view! { <p class="notice-reference"><ReferenceLine reference=r/></p> });
            view! { <p id=id class="notice notice-alert" role="alert">{text}</p> {reference} }.into_any()
        } else {
            view! { <p id=id class="notice notice-info" role="status">{text}</p> }.into_any()
        }
    })
}

/// "If you call for help, give this reference: K7M-4QX", the reference in a form easy
/// to read aloud and to select.
#[component]
pub fn ReferenceLine(reference: SupportRef) -> impl IntoView {
    let l = crate::locale();
    let sentence = l.tf("notice-reference", &[("reference", MARK.into())]);
    let (before, after) = sentence.split_once(MARK).map_or((sentence.clone(), String::new()), |(b, a)| (b.to_string(), a.to_string()));
    view! { <span class="reference">{before}<strong class="ref-code">{reference.to_string()}</strong>{after}</span> }
}

/// Stands in a translated sentence for the reference, shown in bold.
const MARK: &str = "\u{1}";
