//! Turns what happened into words the contact can act on.

use leptos::prelude::*;

use crate::types::Notice;

/// The sentence for a notice, and whether it reports a problem (an alert) or only
/// informs (a status).
pub fn notice_text(notice: &Notice) -> (bool, String) {
    match notice {
        Notice::CodeSent => (false, "A new code is on its way. Only the newest code works.".into()),
        Notice::WrongCode { attempts_left: 1 } => (true, "That code is not right. You have 1 attempt left.".into()),
        Notice::WrongCode { attempts_left } => {
            (true, format!("That code is not right. You have {attempts_left} attempts left."))
        }
        Notice::Superseded { newest_sent_at, channel, here: true } => (
            true,
            format!(
                "That is an older code. A newer code was sent at {newest_sent_at} {}. \
                 Only the newest code works: use the code from the latest message.",
                channel.by()
            ),
        ),
        Notice::Superseded { newest_sent_at, channel, here: false } => (
            true,
            format!(
                "A newer code was sent at {newest_sent_at} {}, in another browser, tab or device. \
                 Only the newest code works, and only where it was asked for: send a new code here.",
                channel.by()
            ),
        ),
        Notice::Expired { valid_for } => (
            true,
            format!("This code has expired: codes are valid for {valid_for}. Send a new code and use it within that time."),
        ),
        Notice::TooManyAttempts => (
            true,
            "Too many wrong attempts for this code, so it no longer works. Send a new code.".into(),
        ),
        Notice::Withdrawn => (
            true,
            "This code no longer works: how you receive codes was changed after it was sent. \
             Send a new code, or contact the sender if you did not expect this."
                .into(),
        ),
        Notice::NoFlow => (
            true,
            "We can't find a login in progress in this browser. This happens when the code was asked for \
             in another browser or device, when a private (incognito) window was closed, or when cookies \
             were deleted or are blocked. Logging in needs cookies: allow cookies for this site, then ask \
             for a new code here."
                .into(),
        ),
        Notice::NetworkLimited => (
            true,
            "Too many requests from your network. Please wait a while and try again. A VPN or a shared \
             network (office, school, public Wi-Fi) can cause this: turning the VPN off may help."
                .into(),
        ),
        Notice::Locked { until } => (
            true,
            format!(
                "Too many wrong codes have been entered for this login, so no code works until {until}. \
                 Please wait until then, then ask for a new code. If you did not enter them, contact the sender."
            ),
        ),
        Notice::CooldownActive { seconds_left: 1 } => (true, "Please wait 1 second before asking for another code.".into()),
        Notice::CooldownActive { seconds_left } => {
            (true, format!("Please wait {seconds_left} seconds before asking for another code."))
        }
        Notice::MalformedCode => (true, "Enter the 6 digits from the message (spaces are fine).".into()),
        Notice::MalformedIdentifier => (
            true,
            "Enter an email address (like name@example.com) or a mobile number (like +45 12 34 56 78).".into(),
        ),
        Notice::Internal { reference } if reference.is_empty() => (
            true,
            "Something went wrong on our side, or the connection was lost. Please try again.".into(),
        ),
        Notice::Internal { reference } => (
            true,
            format!(
                "Something went wrong on our side. Please try again. If it keeps happening, contact \
                 the sender and quote reference {reference}."
            ),
        ),
    }
}

/// The notice next to a field. Alerts are announced by screen readers at once.
#[component]
pub fn NoticeLine(notice: Option<Notice>, #[prop(into)] id: String) -> impl IntoView {
    notice.map(|notice| {
        let (alert, text) = notice_text(&notice);
        if alert {
            view! { <p id=id class="notice notice-alert" role="alert">{text}</p> }.into_any()
        } else {
            view! { <p id=id class="notice notice-info" role="status">{text}</p> }.into_any()
        }
    })
}
