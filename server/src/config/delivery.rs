//! Where each channel's codes go, derived from the settings present, and the checks
//! that stop a setup that would expose codes. Fails closed: a contradiction is one
//! line naming the variables, never a quiet fallback to the dev outbox.
//!
//! - Settings present choose the provider: `SMTP_URL` means SMTP, `TWILIO_*` Twilio,
//!   `SMS_WEBHOOK_*` the webhook. An explicit `PORTAL_DELIVERY`,
//!   `PORTAL_EMAIL_DELIVERY` or `PORTAL_SMS_DELIVERY` must agree with them.
//! - The dev outbox is all or nothing: every channel `dev` (the embedded default), or
//!   none. It shows codes to anyone who can reach it, so it starts only on a loopback
//!   address with a plain-http loopback `PORTAL_PUBLIC_URL`, unless
//!   `PORTAL_DEV_OUTBOX_ON_NETWORK=anyone-can-read-codes` says otherwise.
//! - Codes leave the machine encrypted: `smtps://` or `smtp://…?tls=required`, and
//!   `https://` provider URLs; plain text only to a loopback host, or with
//!   `PORTAL_ALLOW_UNENCRYPTED_DELIVERY=yes`.
//! - `DKIM_PRIVATE_KEY_FILE`, `DKIM_SELECTOR` and `DKIM_DOMAIN` go together, only with
//!   SMTP, with a key that reads and a domain DMARC aligns with `MAIL_FROM`.

use std::net::SocketAddr;

use super::Redacted;
use crate::delivery::dkim::{Dkim, Key};
use domain::InputError;

/// The loud opt-in for a dev outbox reachable from the network.
pub const DEV_OUTBOX_ON_NETWORK: (&str, &str) = ("PORTAL_DEV_OUTBOX_ON_NETWORK", "anyone-can-read-codes");
/// The opt-in for codes sent unencrypted to a provider on another host.
pub const ALLOW_UNENCRYPTED: (&str, &str) = ("PORTAL_ALLOW_UNENCRYPTED_DELIVERY", "yes");

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailDelivery {
    /// Stored and shown at /dev/outbox: the embedded default.
    Dev,
    Smtp {
        url: Redacted,
        from: String,
        reply_to: Option<String>,
        dkim: Option<Dkim>,
    },
    /// No email provider: email codes fail, and the delivery record says so.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsDelivery {
    Dev,
    Twilio {
        base_url: String,
        account_sid: String,
        auth_token: Redacted,
        from: Option<String>,
        messaging_service_sid: Option<String>,
    },
    Webhook {
        url: String,
        token: Option<Redacted>,
    },
    /// No SMS provider: SMS codes fail, and the delivery record says so.
    None,
}

impl EmailDelivery {
    /// Where email codes go, for the start-up banner.
    pub fn describe(&self) -> String {
        match self {
            EmailDelivery::Dev => "the dev outbox (/dev/outbox)".into(),
            EmailDelivery::Smtp { url, dkim, .. } => {
                let host = host_of(&url.0).unwrap_or_else(|| "?".into());
                match dkim {
                    Some(d) => format!("SMTP at {host}, DKIM-signed ({}, key published at {})", d.key.describe(), d.record_name()),
                    None => format!("SMTP at {host}, not DKIM-signed by the portal (set DKIM_* unless your relay signs)"),
                }
            }
            EmailDelivery::None => "nowhere: no email provider is configured, email codes fail".into(),
        }
    }
}

impl SmsDelivery {
    pub fn describe(&self) -> String {
        match self {
            SmsDelivery::Dev => "the dev outbox (/dev/outbox)".into(),
            SmsDelivery::Twilio { base_url, .. } => format!("Twilio at {}", host_of(base_url).unwrap_or_else(|| "?".into())),
            SmsDelivery::Webhook { url, .. } => format!("the SMS webhook at {}", host_of(url).unwrap_or_else(|| "?".into())),
            SmsDelivery::None => "nowhere: no SMS provider is configured, SMS codes fail".into(),
        }
    }
}

type Get<'a> = &'a dyn Fn(&str) -> Option<String>;

fn optional(get: Get, name: &str) -> Option<String> {
    get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn required(get: Get, name: &str, why: &str) -> Result<String, InputError> {
    optional(get, name).ok_or_else(|| InputError::new(format!("{name} is required {why}")))
}

/// The first of `names` that is set.
fn present<'n>(get: Get, names: &[&'n str]) -> Option<&'n str> {
    names.iter().copied().find(|n| optional(get, n).is_some())
}

const SMTP_VARS: &[&str] = &["SMTP_URL", "MAIL_FROM", "MAIL_REPLY_TO"];
const DKIM_VARS: &[&str] = &["DKIM_PRIVATE_KEY_FILE", "DKIM_SELECTOR", "DKIM_DOMAIN"];
const TWILIO_VARS: &[&str] = &["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_MESSAGING_SERVICE_SID", "TWILIO_BASE_URL"];
const WEBHOOK_VARS: &[&str] = &["SMS_WEBHOOK_URL", "SMS_WEBHOOK_TOKEN"];

/// A channel's kind and the variable that chose it (for the error that names it).
struct Choice {
    kind: String,
    by: String,
}

/// Both channels, checked against each other, the address and the public URL.
pub fn resolve(get: Get, addr: SocketAddr, public_url: &str) -> Result<(EmailDelivery, SmsDelivery), InputError> {
    let overall = optional(get, "PORTAL_DELIVERY");
    if let Some(o) = overall.as_deref().filter(|o| !["dev", "smtp"].contains(o)) {
        return Err(InputError::new(format!("PORTAL_DELIVERY={o:?} is not supported; use \"dev\" or \"smtp\"")));
    }
    let smtp = present(get, SMTP_VARS);
    let twilio = present(get, TWILIO_VARS);
    let webhook = present(get, WEBHOOK_VARS);
    let real = smtp.or(twilio).or(webhook);

    let email = match (optional(get, "PORTAL_EMAIL_DELIVERY"), &overall) {
        (Some(k), _) => Choice { by: format!("PORTAL_EMAIL_DELIVERY={k}"), kind: k },
        (None, Some(o)) => Choice { kind: o.clone(), by: format!("PORTAL_DELIVERY={o}") },
        (None, None) if smtp.is_some() => Choice { kind: "smtp".into(), by: "SMTP_URL".into() },
        (None, None) if real.is_some() => Choice { kind: "none".into(), by: "no SMTP_URL".into() },
        (None, None) => Choice { kind: "dev".into(), by: "the default".into() },
    };
    let sms = match optional(get, "PORTAL_SMS_DELIVERY") {
        Some(k) => Choice { by: format!("PORTAL_SMS_DELIVERY={k}"), kind: k },
        None => match (twilio, webhook) {
            (Some(t), Some(w)) => {
                return Err(InputError::new(format!("both {t} and {w} are set: choose the SMS provider with PORTAL_SMS_DELIVERY")));
            }
            (Some(t), None) => Choice { kind: "twilio".into(), by: t.into() },
            (None, Some(w)) => Choice { kind: "webhook".into(), by: w.into() },
            (None, None) if email.kind == "dev" && overall.as_deref() != Some("smtp") => {
                Choice { kind: "dev".into(), by: email.by.clone() }
            }
            (None, None) => Choice { kind: "none".into(), by: "no SMS provider settings".into() },
        },
    };

    // Settings for a provider the channel does not use are a contradiction.
    if let (Some(var), false) = (smtp.or(present(get, DKIM_VARS)), email.kind == "smtp") {
        return Err(InputError::new(format!("{} contradicts {var}: email would not go through SMTP; remove one", email.by)));
    }
    for (var, provider) in [(twilio, "twilio"), (webhook, "webhook")] {
        if let (Some(var), false) = (var, sms.kind == provider) {
            return Err(InputError::new(format!(
                "{} contradicts {var}: text messages would not go through {provider}; remove one",
                sms.by
            )));
        }
    }
    if (email.kind == "dev") != (sms.kind == "dev") {
        let (dev, other) = if email.kind == "dev" { (&email, &sms) } else { (&sms, &email) };
        return Err(InputError::new(format!(
            "{} cannot be mixed with {}: the dev outbox would show codes while the portal runs for real; use \"none\" for a channel without a provider",
            dev.by, other.by
        )));
    }
    let email = email_of(get, &email)?;
    let sms = sms_of(get, &sms)?;
    if email == EmailDelivery::Dev {
        dev_outbox_stays_local(get, addr, public_url)?;
    }
    codes_leave_encrypted(get, &email, &sms)?;
    Ok((email, sms))
}

fn email_of(get: Get, c: &Choice) -> Result<EmailDelivery, InputError> {
    match c.kind.as_str() {
        "dev" => Ok(EmailDelivery::Dev),
        "none" => Ok(EmailDelivery::None),
        "smtp" => {
            let url = Redacted(required(get, "SMTP_URL", "to send email by SMTP")?);
            let from = required(get, "MAIL_FROM", "to send email by SMTP")?;
            let from_domain = from
                .parse::<lettre::message::Mailbox>()
                .map_err(|e| InputError::new(format!("MAIL_FROM={from:?} is not an address like \"Example <portal@example.com>\": {e}")))?
                .email
                .domain()
                .to_string();
            let reply_to = optional(get, "MAIL_REPLY_TO");
            if let Some(r) = &reply_to {
                r.parse::<lettre::message::Mailbox>()
                    .map_err(|e| InputError::new(format!("MAIL_REPLY_TO={r:?} is not an address: {e}")))?;
            }
            Ok(EmailDelivery::Smtp { url, dkim: dkim_of(get, &from_domain)?, from, reply_to })
        }
        other => Err(InputError::new(format!("PORTAL_EMAIL_DELIVERY={other:?} is not supported; use \"dev\", \"smtp\" or \"none\""))),
    }
}

/// The DKIM signer, when its three settings are given.
fn dkim_of(get: Get, from_domain: &str) -> Result<Option<Dkim>, InputError> {
    let Some(first) = present(get, DKIM_VARS) else { return Ok(None) };
    let why = format!("with {first}: DKIM_PRIVATE_KEY_FILE, DKIM_SELECTOR and DKIM_DOMAIN go together");
    let file = required(get, "DKIM_PRIVATE_KEY_FILE", &why)?;
    let selector = required(get, "DKIM_SELECTOR", &why)?;
    let domain = required(get, "DKIM_DOMAIN", &why)?;
    let pem = std::fs::read_to_string(&file).map_err(|e| InputError::new(format!("DKIM_PRIVATE_KEY_FILE={file} cannot be read: {e}")))?;
    let key = Key::from_pem(&pem).map_err(|e| InputError::new(format!("DKIM_PRIVATE_KEY_FILE={file}: {e}")))?;
    let dkim = Dkim::new(&selector, &domain, key).map_err(InputError::new)?;
    if !dkim.aligns_with(from_domain) {
        return Err(InputError::new(format!(
            "DKIM_DOMAIN={} does not align with MAIL_FROM's domain {from_domain}: receivers checking DMARC would not count the signature; sign with {from_domain} or a parent of it",
            dkim.domain
        )));
    }
    warn_if_readable_by_others(&file);
    Ok(Some(dkim))
}

/// The key signs mail as the organisation: say so when others on the machine can read it.
fn warn_if_readable_by_others(file: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(file) {
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    file,
                    mode = format!("{:o}", mode & 0o777),
                    "DKIM_PRIVATE_KEY_FILE can be read by other users; chmod 600 it"
                );
            }
        }
    }
}

fn sms_of(get: Get, c: &Choice) -> Result<SmsDelivery, InputError> {
    let why = "for SMS through Twilio";
    match c.kind.as_str() {
        "dev" => Ok(SmsDelivery::Dev),
        "none" => Ok(SmsDelivery::None),
        "twilio" => {
            let from = optional(get, "TWILIO_FROM");
            let messaging_service_sid = optional(get, "TWILIO_MESSAGING_SERVICE_SID");
            if from.is_none() && messaging_service_sid.is_none() {
                return Err(InputError::new("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required for SMS through Twilio"));
            }
            Ok(SmsDelivery::Twilio {
                base_url: optional(get, "TWILIO_BASE_URL").unwrap_or_else(|| "https://api.twilio.com".into()),
                account_sid: required(get, "TWILIO_ACCOUNT_SID", why)?,
                auth_token: Redacted(required(get, "TWILIO_AUTH_TOKEN", why)?),
                from,
                messaging_service_sid,
            })
        }
        "webhook" => Ok(SmsDelivery::Webhook {
            url: required(get, "SMS_WEBHOOK_URL", "for SMS through a webhook")?,
            token: optional(get, "SMS_WEBHOOK_TOKEN").map(Redacted),
        }),
        other => Err(InputError::new(format!(
            "PORTAL_SMS_DELIVERY={other:?} is not supported; use \"dev\", \"twilio\", \"webhook\" or \"none\""
        ))),
    }
}

fn opted_in(get: Get, (name, value): (&str, &str)) -> bool {
    optional(get, name).is_some_and(|v| v == value)
}

/// The dev outbox answers anyone who reaches it: only on this machine, unless told.
fn dev_outbox_stays_local(get: Get, addr: SocketAddr, public_url: &str) -> Result<(), InputError> {
    if opted_in(get, DEV_OUTBOX_ON_NETWORK) {
        tracing::warn!("{}: the dev outbox shows every code to anyone who can reach the portal", DEV_OUTBOX_ON_NETWORK.0);
        return Ok(());
    }
    let (name, value) = DEV_OUTBOX_ON_NETWORK;
    let why = "codes go to the dev outbox, which anyone who reaches the portal can read";
    if !addr.ip().is_loopback() {
        return Err(InputError::new(format!(
            "PORTAL_ADDR={addr} is not a loopback address and {why}: configure a provider (SMTP_URL, TWILIO_*, SMS_WEBHOOK_URL), or set {name}={value}"
        )));
    }
    let public_host = url::Url::parse(public_url).ok().and_then(|u| u.host_str().map(str::to_string));
    if public_url.starts_with("https://") || !public_host.is_some_and(|h| is_loopback_host(&h)) {
        return Err(InputError::new(format!(
            "PORTAL_PUBLIC_URL={public_url} is not a plain-http loopback address and {why}: configure a provider, or set {name}={value}"
        )));
    }
    Ok(())
}

/// Codes go to another host only over TLS, unless the operator says otherwise.
fn codes_leave_encrypted(get: Get, email: &EmailDelivery, sms: &SmsDelivery) -> Result<(), InputError> {
    if opted_in(get, ALLOW_UNENCRYPTED) {
        return Ok(());
    }
    let (name, value) = ALLOW_UNENCRYPTED;
    let refuse = |var: &str, host: &str, fix: &str| {
        Err(InputError::new(format!("{var} would send codes unencrypted to {host}: {fix}, or set {name}={value}")))
    };
    if let EmailDelivery::Smtp { url, .. } = email {
        let parsed =
            url::Url::parse(&url.0).map_err(|e| InputError::new(format!("SMTP_URL is not a valid smtp:// or smtps:// address: {e}")))?;
        // The first `tls` pair, as lettre reads it.
        let tls_required = parsed.query_pairs().find(|(k, _)| k == "tls").is_some_and(|(_, v)| v == "required");
        let host = parsed.host_str().unwrap_or_default();
        if parsed.scheme() != "smtps" && !tls_required && !is_loopback_host(host) {
            return refuse("SMTP_URL", host, "use smtps://…:465 or smtp://…:587?tls=required");
        }
    }
    let http_url = match sms {
        SmsDelivery::Twilio { base_url, .. } => Some(("TWILIO_BASE_URL", base_url)),
        SmsDelivery::Webhook { url, .. } => Some(("SMS_WEBHOOK_URL", url)),
        SmsDelivery::Dev | SmsDelivery::None => None,
    };
    if let Some((var, u)) = http_url {
        let parsed = url::Url::parse(u).map_err(|e| InputError::new(format!("{var}={u:?} is not an http(s) address: {e}")))?;
        let host = parsed.host_str().unwrap_or_default();
        if parsed.scheme() != "https" && !is_loopback_host(host) {
            return refuse(var, host, "use https://");
        }
    }
    Ok(())
}

/// The host (and port) of a URL, without credentials, path or query: safe to print.
fn host_of(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u).ok()?;
    let host = parsed.host_str()?.to_string();
    Some(match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost") || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
