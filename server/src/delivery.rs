//! Getting a code to a contact. Providers are chosen at run time from the
//! configuration; all implement [`Delivery`]. The embedded default is the dev outbox.

pub mod backoff;
mod dev_outbox;
pub mod dkim;
mod routing;
pub mod sealed;
pub mod sms;
pub mod smtp;
mod text;
pub mod worker;

use std::future::Future;
use std::pin::Pin;

use domain::Channel;

pub use dev_outbox::DevOutbox;
pub use routing::ByChannel;
pub use sealed::Sealer;
pub use text::{CodeMessage, Text, code_message, fits_one_gsm7_segment, test_message};
pub use worker::{HandedOff, Reservation, Worker, WorkerSettings};

/// A message to one address, ready to send.
#[derive(Clone)]
pub struct Outgoing {
    pub channel: Channel,
    /// Normalised email address or E.164 number.
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The same for every try of one delivery job: the email's Message-ID and the
    /// webhook's `Idempotency-Key`, so a message sent again after a worker died
    /// mid-send can be recognised as the same one (mail clients show one copy).
    pub key: String,
    /// The delivery job's id: codes issued later have larger ids.
    pub job: i64,
}

// The body holds a code: never print it by accident.
impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing").field("channel", &self.channel).field("to", &self.to).finish_non_exhaustive()
    }
}

/// What a provider said when it took the message.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub provider: &'static str,
    pub provider_message_id: Option<String>,
    /// A dev-outbox message: the dev outbox sends nothing itself, and the worker
    /// writes it with the job's end, in one transaction (one write fewer per code, and
    /// a message in the outbox exactly once).
    pub outbox: Option<crate::store::OutboxEntry>,
    /// What it answered when it took the message ("250 2.0.0 Ok: queued as …",
    /// "HTTP 201, queued"), before it is masked of codes and kept.
    pub answer: Option<String>,
}

/// Why a message was not taken. Temporary failures may be retried; permanent ones
/// (an address the provider refuses) may not.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DeliveryError {
    #[error("temporary delivery failure: {0}")]
    Temporary(String),
    #[error("permanent delivery failure: {0}")]
    Permanent(String),
}

pub type DeliveryFuture<'a> = Pin<Box<dyn Future<Output = Result<Receipt, DeliveryError>> + Send + 'a>>;

pub trait Delivery: Send + Sync {
    fn send<'a>(&'a self, message: &'a Outgoing) -> DeliveryFuture<'a>;

    /// The provider's name as the delivery records show it.
    fn provider_for(&self, channel: Channel) -> &'static str;
}

/// A provider's words made safe to keep: every run of six or more digits (a code, or
/// anything that could be one) is masked, and the text is cut at 300 characters.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 6 {
            out.push_str(&"*".repeat(digits.len()));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars().take(300) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// Where a message goes, as delivery health groups it: an email address's domain
/// (lowercase), or a number's country calling code (`+45`).
pub fn destination(channel: Channel, to: &str) -> Option<String> {
    match channel {
        Channel::Email => to.rsplit_once('@').map(|(_, domain)| domain.to_ascii_lowercase()).filter(|d| !d.is_empty()),
        Channel::Sms => domain::PhoneNumber::from_stored(to).ok().and_then(|p| p.calling_code()).map(|c| format!("+{c}")),
    }
}

/// For a channel with no provider configured: every message fails permanently, and
/// the record says why.
pub struct NotConfigured;

impl Delivery for NotConfigured {
    fn send<'a>(&'a self, message: &'a Outgoing) -> DeliveryFuture<'a> {
        Box::pin(async move { Err(DeliveryError::Permanent(format!("no provider is configured for {}", message.channel.as_str()))) })
    }

    fn provider_for(&self, _: Channel) -> &'static str {
        "none"
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn runs_of_six_digits_or_more_are_masked_and_shorter_ones_kept() {
        assert_eq!(redact("550 5.1.1 code 123456 rejected"), "550 5.1.1 code ****** rejected");
        assert_eq!(redact("HTTP 400 (provider error 21211)"), "HTTP 400 (provider error 21211)");
        assert_eq!(redact("+4520123401"), "+**********");
        assert_eq!(redact(&"x".repeat(400)).len(), 300);
    }

    #[test]
    fn a_destination_is_the_mail_domain_or_the_country_calling_code() {
        use domain::Channel;
        assert_eq!(super::destination(Channel::Email, "Ada@Mail.Example.COM").as_deref(), Some("mail.example.com"));
        assert_eq!(super::destination(Channel::Email, "no-domain@").as_deref(), None);
        assert_eq!(super::destination(Channel::Sms, "+4520123401").as_deref(), Some("+45"));
        assert_eq!(super::destination(Channel::Sms, "+14155550100").as_deref(), Some("+1"));
        assert_eq!(super::destination(Channel::Sms, "not a number").as_deref(), None);
    }
}
