//! The diagnosis in words: a record as a line of the card's timeline, and the whole
//! diagnosis as the text `portal doctor` prints.

use domain::Timestamp;

use super::Finding;
use crate::store::{Contact, Event, JobRecord, What};

/// The diagnosis as plain text, for `portal doctor`.
pub fn report(c: &Contact, findings: &[Finding]) -> String {
    let address = |a: Option<&str>, out: bool| match (a, out) {
        (None, _) => "none registered".to_string(),
        (Some(a), true) => format!("{a} (opted out)"),
        (Some(a), false) => a.to_string(),
    };
    let mut out = format!(
        "{} (contact {})\n  email: {}\n  phone: {}\n\nLogin diagnosis, last 30 days:\n",
        c.name,
        c.id.0,
        address(c.email.as_ref().map(|e| e.as_str()), c.email_opt_out),
        address(c.phone.as_ref().map(|p| p.as_str()), c.sms_opt_out),
    );
    if findings.is_empty() {
        out.push_str("  Nothing recorded explains a failed login. Ask what they see, and when; then run this again.\n");
    }
    for (i, f) in findings.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n     What to do: {}\n", i + 1, f.cause, f.advice));
        for (at, what) in &f.evidence {
            out.push_str(&format!("       {}  {what}\n", at.utc()));
        }
    }
    out
}

pub(super) use crate::store::stored_name;

/// A message as administrators know it: “Title” (id), or its id alone when no message
/// has it (an address the contact opened may name none).
pub fn message_name(id: &str, title: Option<&str>) -> String {
    match title {
        Some(title) => format!("“{title}” ({id})"),
        None => format!("{id} (no such message)"),
    }
}

/// [`message_name`], its title found in `titles` (public id and title).
pub fn titled(id: &str, titles: &[(String, String)]) -> String {
    message_name(id, titles.iter().find(|(known, _)| known == id).map(|(_, title)| title.as_str()))
}

/// An event as a line of the contact card's timeline; a refused message named by its
/// title (`titles`: public id and title).
pub fn describe(e: &Event, titles: &[(String, String)]) -> (Timestamp, String) {
    let (at, line) = said(e);
    match &e.what {
        What::MessageRefused { message, .. } => (at, format!("{line}: {}", titled(message, titles))),
        _ => (at, line),
    }
}

pub(super) fn said(e: &Event) -> (Timestamp, String) {
    if let What::TestMessage { channel, to, status, admin, said, .. } = &e.what {
        let by = admin.as_deref().map(|a| format!(", sent by {a}")).unwrap_or_default();
        let said = said.as_deref().map(|s| format!(": {s}")).unwrap_or_default();
        return (e.at, format!("test message {} to {to}: {}{by}{said}", channel.by(), stored_name(status)));
    }
    let reason = match &e.what {
        What::CodeNotSent { reason, .. } => Some(stored_name(reason)),
        What::VerificationFailed { reason, .. } => Some(stored_name(reason)),
        What::MessageRefused { reason, .. } | What::PasskeyRefused { reason, .. } => Some(reason.clone()),
        What::DeliveryReceipt { status, .. } => Some(status.clone()),
        _ => None,
    };
    let channel = e.what.channel().map(|c| format!(" {}", c.by())).unwrap_or_default();
    let name = e.kind().as_str().replace('_', " ");
    let what = match reason {
        Some(reason) => format!("{name} ({})", reason.replace('_', " ")),
        None => name,
    };
    // A delivery's failure says what the provider said (already masked of codes).
    let error = match &e.what {
        What::DeliveryFailed { error, .. } | What::DeliveryRetrying { error, .. } => Some(error.as_str()),
        What::DeliveryExpired { error, .. } => error.as_deref(),
        _ => None,
    };
    let error = error.map(|x| format!(": {x}")).unwrap_or_default();
    (e.at, format!("{what}{channel}{error}"))
}

pub(super) fn job_said(j: &JobRecord) -> (Timestamp, String) {
    let error = j.last_error.as_deref().map(|e| format!(": {e}")).unwrap_or_default();
    (j.created_at, format!("code {} to {}: {}{error}", j.channel.by(), j.recipient, j.status))
}
