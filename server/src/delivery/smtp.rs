//! Email through SMTP (lettre, rustls): a pooled connection with timeouts.
//! `SMTP_URL` is `smtp://host:25` (plain, for a local relay), `smtp://host:587?tls=required`
//! (STARTTLS) or `smtps://user:password@host:465` (TLS).

use std::time::Duration;

use lettre::message::dkim::DkimConfig;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Delivery, DeliveryError, DeliveryFuture, Outgoing, Receipt};
use domain::Channel;

pub const PROVIDER: &str = "smtp";

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation replies to code mail.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    dkim: Option<DkimConfig>,
}

impl Smtp {
    pub fn new(url: &str, from: &str, reply_to: Option<&str>, timeout: Duration) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("SMTP_URL is not a valid smtp:// or smtps:// address: {e}"))?
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(4).idle_timeout(Duration::from_secs(60)))
            .build();
        let from = from.parse().map_err(|e| format!("MAIL_FROM={from:?} is not an address: {e}"))?;
        let reply_to = reply_to.map(|r| r.parse().map_err(|e| format!("MAIL_REPLY_TO={r:?} is not an address: {e}"))).transpose()?;
        Ok(Smtp { transport, from, reply_to, dkim: None })
    }

    /// A `MAIL_FROM` without a display name gets the organisation's, so the inbox
    /// shows who it is from rather than an address.
    pub fn named(mut self, organisation: &domain::Organisation) -> Self {
        if self.from.name.is_none() {
            self.from.name = Some(organisation.to_string());
        }
        self
    }

    /// Signs every message with DKIM (relaxed/relaxed), when configured.
    pub fn signed_by(mut self, dkim: Option<super::dkim::Dkim>) -> Result<Self, String> {
        self.dkim = dkim.map(|d| d.config()).transpose()?;
        Ok(self)
    }

    fn build(&self, message: &Outgoing) -> Result<Message, DeliveryError> {
        let to: Mailbox = message.to.parse().map_err(|e| DeliveryError::Permanent(format!("invalid recipient address: {e}")))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .date_now()
            // One Message-ID per job, the same on every try: a copy sent again after
            // a worker died mid-send is the same message to the mail client.
            .message_id(Some(format!("<{}@{}>", message.key, self.from.email.domain())))
            .header(AutoSubmitted);
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        let parts = MultiPart::alternative()
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(message.body.clone()))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html(&message.body)));
        let mut email = builder.multipart(parts).map_err(|e| DeliveryError::Permanent(format!("the message could not be built: {e}")))?;
        if let Some(dkim) = &self.dkim {
            email.sign(dkim);
        }
        Ok(email)
    }
}

impl Delivery for Smtp {
    fn send<'a>(&'a self, message: &'a Outgoing) -> DeliveryFuture<'a> {
        Box::pin(async move {
            let email = self.build(message)?;
            let message_id = email.headers().get_raw("Message-ID").map(|v| v.trim_matches(['<', '>']).to_string());
            match self.transport.send(email).await {
                Ok(response) => {
                    // "250 2.0.0 Ok: queued as 4XgT2k0Fz8z": how the administrator
                    // tells "our server took it" from "it reached them".
                    let lines: Vec<&str> = response.message().collect();
                    let answer = Some(format!("{} {}", response.code(), lines.join(" ")).trim().to_string());
                    Ok(Receipt { provider: PROVIDER, provider_message_id: message_id, outbox: None, answer })
                }
                // 5xx: the server refuses this message or address; trying again will not help.
                Err(e) if e.is_permanent() => Err(DeliveryError::Permanent(e.to_string())),
                Err(e) => Err(DeliveryError::Temporary(e.to_string())),
            }
        })
    }

    fn provider_for(&self, _: Channel) -> &'static str {
        PROVIDER
    }
}

/// The HTML part: the same text, paragraphs kept, the code set large. No links, no
/// images, no tracking.
pub fn html(text: &str) -> String {
    let escape = domain::html::escape;
    let paragraphs: String = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let t = p.trim();
            match t.split_at_checked(6) {
                // "012345 is your login code for …": the code on a line of its own, large.
                Some((code, rest)) if code.bytes().all(|b| b.is_ascii_digit()) && (rest.is_empty() || rest.starts_with(' ')) => format!(
                    "<p style=\"font-size:2em;font-family:monospace;letter-spacing:0.2em;margin:0\"><strong>{code}</strong></p><p>{}</p>",
                    escape(rest.trim())
                ),
                _ => format!("<p>{}</p>", escape(t).replace('\n', "<br>")),
            }
        })
        .collect();
    format!("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">{paragraphs}</body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_part_shows_the_code_and_has_no_links() {
        let h = html("012345 is your login code for A&B.\n\nA <b> & c");
        assert!(h.contains("<strong>012345</strong></p><p>is your login code for A&amp;B.</p>"), "{h}");
        assert!(h.contains("A &lt;b&gt; &amp; c"));
        assert!(!h.contains("href") && !h.contains("<img"));
    }

    #[tokio::test]
    async fn a_malformed_recipient_is_a_permanent_failure() {
        let smtp = Smtp::new("smtp://127.0.0.1:9", "portal@example.com", None, Duration::from_secs(1)).unwrap();
        let m = Outgoing {
            channel: Channel::Email,
            to: "not an address".into(),
            subject: "s".into(),
            body: "b".into(),
            key: "k".into(),
            job: 1,
        };
        assert!(matches!(smtp.send(&m).await, Err(DeliveryError::Permanent(_))));
    }
}
