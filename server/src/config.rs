//! Settings from the environment, parsed once at start-up.

pub use crate::login::Limits;
use std::net::SocketAddr;
use std::time::Duration;

mod delivery;

pub use delivery::{ALLOW_UNENCRYPTED, DEV_OUTBOX_ON_NETWORK, EmailDelivery, SmsDelivery};

use crate::delivery::WorkerSettings;
use domain::{InputError, Region, parse_duration};

/// A setting that must not appear in logs or `{:?}` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Redacted(pub String);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("…")
    }
}

#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub email: EmailDelivery,
    pub sms: SmsDelivery,
    /// Timeout of one call to a provider.
    pub provider_timeout: Duration,
    pub worker: WorkerSettings,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Connections each process keeps to the database, and how long a request waits
    /// for one before it gets the "try again in a moment" page.
    pub database: crate::store::PoolSettings,
    pub addr: SocketAddr,
    /// How contacts reach the portal (`https://portal.example.com`): the WebOTP line
    /// of text messages and the address providers post receipts to.
    pub public_url: String,
    /// In dev mode with no `PORTAL_PUBLIC_URL`, the public URL is
    /// `http://localhost:<port>` and this is the loopback address it listens on
    /// (`http://127.0.0.1:<port>`): pages asked for there are sent to the name, and
    /// posts from there are the portal's own.
    pub loopback_alias: Option<String>,
    /// `PORTAL_DEV_LOOP=1`, set by `./scripts/dev`: translations read from
    /// `domain/locales/` at start and pages that reload when the server restarts. Dev
    /// mode only: refused otherwise.
    pub dev_loop: bool,
    pub delivery: DeliveryConfig,
    /// Who sends the codes (`PORTAL_ORGANISATION`): in the email, the text message and
    /// every page title. Required once codes go to real contacts.
    pub organisation: domain::Organisation,
    /// The language of a contact whose browser asks for none the portal speaks
    /// (`PORTAL_DEFAULT_LANGUAGE`, `en` or `da`; English by default).
    pub language: domain::i18n::Lang,
    /// Where times shown to contacts are told (`PORTAL_TIME_ZONE`, an IANA name).
    pub zone: domain::i18n::Zone,
    /// The code in the email's subject as well as its first line
    /// (`PORTAL_CODE_IN_SUBJECT`, `true` or `false`; true by default): `false` keeps it
    /// off lock-screen previews.
    pub code_in_subject: bool,
    pub region: Region,
    pub limits: Limits,
    /// Hex key for code MACs; when absent in dev mode, `key_file` is used (and created).
    pub secret_key: Option<String>,
    pub key_file: String,
    /// Where the built CSS, JS and WASM are served from.
    pub site_root: String,
    /// Proxies whose `X-Forwarded-For` is believed (`PORTAL_TRUSTED_PROXIES`, comma-separated).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub retention: crate::retention::Retention,
    /// Where Prometheus metrics are served (`PORTAL_METRICS_ADDR`): off when `None`.
    /// A separate address, so they are never on the public one.
    pub metrics_addr: Option<SocketAddr>,
}

impl Config {
    pub fn from_env() -> Result<Self, InputError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `get`, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, InputError> {
        let or = |name: &str, default: &str| get(name).filter(|v| !v.trim().is_empty()).unwrap_or_else(|| default.to_string());
        let defaults = Limits::default();
        let duration = |name: &str, default: Duration| -> Result<Duration, InputError> {
            match get(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(default),
                Some(v) => parse_duration(&v)
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| InputError::new(format!("{name}={v:?} is not a duration like 30s, 10m, 2h or 30d"))),
            }
        };
        let count = |name: &str, default: u32| -> Result<u32, InputError> {
            match get(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| InputError::new(format!("{name}={v:?} is not a positive whole number"))),
            }
        };
        let addr_text = or("PORTAL_ADDR", "127.0.0.1:3000");
        let addr =
            addr_text.parse().map_err(|_| InputError::new(format!("PORTAL_ADDR={addr_text:?} is not an address like 127.0.0.1:3000")))?;
        let given = get("PORTAL_PUBLIC_URL").filter(|v| !v.trim().is_empty());
        let mut public_url = given.clone().unwrap_or_else(|| format!("http://{addr}")).trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(InputError::new(format!("PORTAL_PUBLIC_URL={public_url:?} must start with http:// or https://")));
        }
        let (email, sms) = delivery::resolve(&get, addr, &public_url)?;
        let dev_loop = match get("PORTAL_DEV_LOOP").as_deref().map(str::trim) {
            None | Some("" | "0") => false,
            Some("1") if email == EmailDelivery::Dev && sms == SmsDelivery::Dev => true,
            Some("1") => {
                return Err(InputError::new(
                    "PORTAL_DEV_LOOP=1 is for ./scripts/dev on the embedded default: it reloads pages and reads translations from disk, never with real delivery",
                ));
            }
            Some(v) => return Err(InputError::new(format!("PORTAL_DEV_LOOP={v:?} must be 1 or 0"))),
        };
        // The embedded default on this machine is reached as http://localhost:<port>, a
        // name, so passkeys work out of the box; the loopback address still leads there.
        let loopback_alias = match (&given, email == EmailDelivery::Dev && sms == SmsDelivery::Dev) {
            (None, true) if addr.ip().is_loopback() => {
                public_url = format!("http://localhost:{}", addr.port());
                Some(format!("http://{addr}"))
            }
            _ => None,
        };
        let organisation = match get("PORTAL_ORGANISATION").filter(|v| !v.trim().is_empty()) {
            Some(v) => domain::Organisation::parse(&v).map_err(|e| InputError::new(format!("PORTAL_ORGANISATION={v:?}: {e}")))?,
            None if email == EmailDelivery::Dev => domain::Organisation::default_for_dev(),
            None => {
                return Err(InputError::new(
                    "PORTAL_ORGANISATION is required when codes go to real contacts: the name they know you by, shown in the code's email, text message and page titles",
                ));
            }
        };
        let delivery = DeliveryConfig {
            email,
            sms,
            provider_timeout: duration("PORTAL_PROVIDER_TIMEOUT", Duration::from_secs(10))?,
            worker: WorkerSettings {
                workers: count("PORTAL_DELIVERY_WORKERS", 2)? as usize,
                lease: duration("PORTAL_DELIVERY_LEASE", Duration::from_secs(60))?,
                retry_base: duration("PORTAL_DELIVERY_RETRY_BASE", Duration::from_secs(1))?,
                retry_max: duration("PORTAL_DELIVERY_RETRY_MAX", Duration::from_secs(60))?,
                poll: duration("PORTAL_DELIVERY_POLL", Duration::from_secs(1))?,
            },
        };
        let region = Region::parse(&or("PORTAL_DEFAULT_REGION", "DK"))?;
        let language_text = or("PORTAL_DEFAULT_LANGUAGE", "en");
        let language =
            domain::i18n::Lang::ALL.into_iter().find(|l| l.code() == language_text.trim().to_ascii_lowercase()).ok_or_else(|| {
                InputError::new(format!("PORTAL_DEFAULT_LANGUAGE={language_text:?} is not a language the portal speaks: en or da"))
            })?;
        let zone_text = or("PORTAL_TIME_ZONE", domain::i18n::Zone::DEFAULT);
        let zone = domain::i18n::Zone::parse(&zone_text).map_err(|e| InputError::new(format!("PORTAL_TIME_ZONE={zone_text:?}: {e}")))?;
        let code_in_subject = match or("PORTAL_CODE_IN_SUBJECT", "true").trim() {
            "true" => true,
            "false" => false,
            other => return Err(InputError::new(format!("PORTAL_CODE_IN_SUBJECT={other:?} is neither true nor false"))),
        };
        let database_url = or("DATABASE_URL", "sqlite://data/portal.db");
        crate::store::Backend::of(&database_url)?;
        Ok(Config {
            database: crate::store::PoolSettings {
                max_connections: count("PORTAL_DB_POOL", 8)?.max(1),
                acquire_timeout: duration("PORTAL_DB_TIMEOUT", Duration::from_secs(5))?,
            },
            database_url,
            addr,
            public_url,
            dev_loop,
            loopback_alias,
            delivery,
            organisation,
            language,
            zone,
            code_in_subject,
            region,
            limits: Limits {
                code_ttl: duration("PORTAL_CODE_TTL", defaults.code_ttl)?,
                code_max_attempts: count("PORTAL_CODE_MAX_ATTEMPTS", defaults.code_max_attempts)?,
                resend_cooldown: duration("PORTAL_RESEND_COOLDOWN", defaults.resend_cooldown)?,
                device_idle: duration("PORTAL_DEVICE_IDLE", defaults.device_idle)?,
                device_max_age: duration("PORTAL_DEVICE_MAX_AGE", defaults.device_max_age)?,
                ip_code_requests_per_hour: count("PORTAL_IP_CODE_REQUESTS_PER_HOUR", defaults.ip_code_requests_per_hour)?,
                ip_verifications_per_hour: count("PORTAL_IP_VERIFICATIONS_PER_HOUR", defaults.ip_verifications_per_hour)?,
                identifier_min_interval: duration("PORTAL_IDENTIFIER_MIN_INTERVAL", defaults.identifier_min_interval)?,
                identifier_codes_per_hour: count("PORTAL_IDENTIFIER_CODES_PER_HOUR", defaults.identifier_codes_per_hour)?,
                identifier_codes_per_day: count("PORTAL_IDENTIFIER_CODES_PER_DAY", defaults.identifier_codes_per_day)?,
                contact_failures_per_day: count("PORTAL_CONTACT_FAILURES_PER_DAY", defaults.contact_failures_per_day)?,
                sms_countries: match get("PORTAL_SMS_COUNTRIES").filter(|v| !v.trim().is_empty()) {
                    None => defaults.sms_countries.clone(),
                    Some(list) => list
                        .split(',')
                        .map(|c| c.trim().trim_start_matches('+').parse::<u16>().ok().filter(|n| (1..1000).contains(n)))
                        .collect::<Option<Vec<u16>>>()
                        .ok_or_else(|| {
                            InputError::new(format!("PORTAL_SMS_COUNTRIES={list:?} is not a list of calling codes like 45,46,1"))
                        })?,
                },
                sms_prefix_per_hour: count("PORTAL_SMS_PREFIX_PER_HOUR", defaults.sms_prefix_per_hour)?,
                sms_per_hour: count("PORTAL_SMS_PER_HOUR", defaults.sms_per_hour)?,
                send_code_floor: match get("PORTAL_SEND_CODE_FLOOR").filter(|v| !v.trim().is_empty()) {
                    None => defaults.send_code_floor,
                    Some(v) => parse_duration(&v)
                        .ok_or_else(|| InputError::new(format!("PORTAL_SEND_CODE_FLOOR={v:?} is not a duration like 100ms")))?,
                },
                ipv6_prefix: match get("PORTAL_IPV6_PREFIX").filter(|v| !v.trim().is_empty()) {
                    None => defaults.ipv6_prefix,
                    Some(v) => v
                        .trim()
                        .trim_start_matches('/')
                        .parse::<u8>()
                        .ok()
                        .filter(|n| (16..=128).contains(n))
                        .ok_or_else(|| InputError::new(format!("PORTAL_IPV6_PREFIX={v:?} is not a prefix length from 16 to 128")))?,
                },
            },
            secret_key: get("PORTAL_SECRET_KEY").filter(|v| !v.trim().is_empty()),
            key_file: or("PORTAL_KEY_FILE", "data/secret.key"),
            site_root: or("LEPTOS_SITE_ROOT", "target/site"),
            retention: crate::retention::Retention {
                flows: duration("PORTAL_FLOW_RETENTION", crate::retention::Retention::default().flows)?,
                records: match duration("PORTAL_RECORD_RETENTION", crate::retention::Retention::default().records)? {
                    // The card and `portal doctor` read 30 days back: a shorter retention
                    // would delete what they explain a failed login with.
                    r if r < crate::retention::MIN_RECORDS => {
                        return Err(InputError::new(format!(
                            "PORTAL_RECORD_RETENTION must be at least {} days (the login diagnosis reads 30 days back)",
                            crate::retention::MIN_RECORDS.as_secs() / 86_400
                        )));
                    }
                    r => r,
                },
                every: duration("PORTAL_PRUNE_EVERY", crate::retention::Retention::default().every)?,
            },
            metrics_addr: match get("PORTAL_METRICS_ADDR").filter(|v| !v.trim().is_empty()) {
                None => None,
                Some(text) => {
                    let metrics: SocketAddr = text
                        .trim()
                        .parse()
                        .map_err(|_| InputError::new(format!("PORTAL_METRICS_ADDR={text:?} is not an address like 127.0.0.1:9464")))?;
                    if metrics == addr {
                        return Err(InputError::new(format!(
                            "PORTAL_METRICS_ADDR={metrics} is PORTAL_ADDR: metrics need an address of their own, never the public one"
                        )));
                    }
                    Some(metrics)
                }
            },
            trusted_proxies: or("PORTAL_TRUSTED_PROXIES", "")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().map_err(|_| InputError::new(format!("PORTAL_TRUSTED_PROXIES: {s:?} is not an IP address"))))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The embedded default: nothing leaves the machine. Demo data and a key file are
    /// made on first start only then.
    pub fn is_dev(&self) -> bool {
        self.delivery.email == EmailDelivery::Dev && self.delivery.sms == SmsDelivery::Dev
    }

    /// Whether `/dev/outbox` exists: only on the embedded default, every channel `dev`.
    pub fn has_dev_outbox(&self) -> bool {
        self.is_dev()
    }

    /// The host name contacts see, for the WebOTP line of text messages.
    pub fn public_host(&self) -> &str {
        let rest = self.public_url.split_once("://").map(|(_, r)| r).unwrap_or(&self.public_url);
        let host_port = rest.split('/').next().unwrap_or(rest);
        match host_port.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => host_port,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, InputError> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_language_and_time_zone_default_to_english_and_copenhagen_and_refuse_what_they_do_not_know() {
        let c = with(&[]).unwrap();
        assert_eq!((c.language, c.zone.name()), (domain::i18n::Lang::En, "Europe/Copenhagen"));
        let c = with(&[("PORTAL_DEFAULT_LANGUAGE", " DA "), ("PORTAL_TIME_ZONE", "America/New_York")]).unwrap();
        assert_eq!((c.language, c.zone.name()), (domain::i18n::Lang::Da, "America/New_York"));
        let e = with(&[("PORTAL_DEFAULT_LANGUAGE", "de")]).unwrap_err().to_string();
        assert_eq!(e, r#"PORTAL_DEFAULT_LANGUAGE="de" is not a language the portal speaks: en or da"#);
        let e = with(&[("PORTAL_TIME_ZONE", "Europe/Kobenhavn")]).unwrap_err().to_string();
        assert!(e.starts_with(r#"PORTAL_TIME_ZONE="Europe/Kobenhavn": "Europe/Kobenhavn" is not an IANA time zone"#), "{e}");
        assert!(!e.contains('\n'), "one line: {e}");
    }

    #[test]
    fn the_code_is_in_the_subject_unless_told_false_and_nothing_else_is_read_as_either() {
        assert!(with(&[]).unwrap().code_in_subject);
        assert!(!with(&[("PORTAL_CODE_IN_SUBJECT", " false ")]).unwrap().code_in_subject);
        for bad in ["no", "0", "False"] {
            let e = with(&[("PORTAL_CODE_IN_SUBJECT", bad)]).unwrap_err().to_string();
            assert_eq!(e, format!("PORTAL_CODE_IN_SUBJECT={bad:?} is neither true nor false"));
        }
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = with(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/portal.db");
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.limits.code_ttl, Duration::from_secs(600));
        assert_eq!(c.limits.resend_cooldown, Duration::from_secs(30));
    }

    #[test]
    fn bad_settings_name_the_variable() {
        let e = with(&[("PORTAL_CODE_TTL", "soon")]).unwrap_err();
        assert!(e.0.contains("PORTAL_CODE_TTL"), "{e}");
        assert!(with(&[("PORTAL_DELIVERY", "carrier-pigeon")]).is_err());
        assert!(with(&[("PORTAL_CODE_MAX_ATTEMPTS", "0")]).is_err());
        assert!(with(&[("PORTAL_DEFAULT_REGION", "ZZ")]).is_err());
    }

    #[test]
    fn the_dev_loop_is_for_the_embedded_default_only() {
        assert!(!with(&[]).unwrap().dev_loop);
        assert!(with(&[("PORTAL_DEV_LOOP", "1")]).unwrap().dev_loop);
        let smtp = [
            ("PORTAL_DELIVERY", "smtp"),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
            ("MAIL_FROM", "p@example.com"),
            ("PORTAL_ORGANISATION", "E"),
        ];
        let e = with(&[&smtp[..], &[("PORTAL_DEV_LOOP", "1")]].concat()).unwrap_err();
        assert!(e.0.starts_with("PORTAL_DEV_LOOP=1 is for ./scripts/dev on the embedded default"), "{e}");
        assert!(with(&[("PORTAL_DEV_LOOP", "yes")]).is_err());
    }

    #[test]
    fn metrics_are_off_by_default_and_only_ever_on_an_address_of_their_own() {
        assert_eq!(with(&[]).unwrap().metrics_addr, None);
        let c = with(&[("PORTAL_METRICS_ADDR", "127.0.0.1:9464")]).unwrap();
        assert_eq!(c.metrics_addr.map(|a| a.to_string()).as_deref(), Some("127.0.0.1:9464"));
        let e = with(&[("PORTAL_METRICS_ADDR", "127.0.0.1:3000")]).unwrap_err();
        assert!(e.0.contains("metrics need an address of their own"), "{e}");
        let e = with(&[("PORTAL_METRICS_ADDR", "everywhere")]).unwrap_err();
        assert!(e.0.starts_with("PORTAL_METRICS_ADDR=\"everywhere\" is not an address"), "{e}");
    }

    #[test]
    fn smtp_needs_its_url_and_sender() {
        let e = with(&[("PORTAL_DELIVERY", "smtp")]).unwrap_err();
        assert!(e.0.contains("SMTP_URL"), "{e}");
        let c = with(&[
            ("PORTAL_DELIVERY", "smtp"),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
            ("MAIL_FROM", "portal@example.com"),
            ("PORTAL_ORGANISATION", "Example"),
        ])
        .unwrap();
        assert!(matches!(c.delivery.email, EmailDelivery::Smtp { .. }));
        assert_eq!(c.delivery.sms, SmsDelivery::None);
        assert!(!c.is_dev() && !c.has_dev_outbox());
        assert!(!format!("{c:?}").contains("127.0.0.1:2525"), "the SMTP URL may hold a password");
    }

    #[test]
    fn sms_provider_follows_the_settings_present() {
        let base = [("PORTAL_DELIVERY", "smtp"), ("SMTP_URL", "smtps://h"), ("MAIL_FROM", "a@b.dk"), ("PORTAL_ORGANISATION", "B")];
        let twilio = [&base[..], &[("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "t"), ("TWILIO_FROM", "+4511111111")]].concat();
        assert!(matches!(with(&twilio).unwrap().delivery.sms, SmsDelivery::Twilio { .. }));
        let webhook = [&base[..], &[("SMS_WEBHOOK_URL", "https://sms.example.com/send")]].concat();
        assert!(matches!(with(&webhook).unwrap().delivery.sms, SmsDelivery::Webhook { .. }));
        let no_sender = [&base[..], &[("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "t")]].concat();
        assert!(with(&no_sender).is_err());
    }

    const SMTP: [(&str, &str); 3] =
        [("SMTP_URL", "smtp://127.0.0.1:2525"), ("MAIL_FROM", "Example <portal@example.com>"), ("PORTAL_ORGANISATION", "Example")];

    #[test]
    fn the_organisation_is_required_once_codes_reach_real_contacts() {
        assert_eq!(with(&[]).unwrap().organisation.as_str(), "Contact portal");
        let e = with(&SMTP[..2]).unwrap_err();
        assert!(e.0.starts_with("PORTAL_ORGANISATION is required"), "{e}");
        assert_eq!(with(&SMTP).unwrap().organisation.as_str(), "Example");
        let e = with(&[("PORTAL_ORGANISATION", &"x".repeat(61))]).unwrap_err();
        assert!(e.0.contains("longer than 60"), "{e}");
    }

    #[test]
    fn dkim_settings_go_together_with_smtp_a_readable_key_and_an_aligned_domain() {
        use crate::delivery::dkim::{Algorithm, Key};
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dkim.pem");
        std::fs::write(&file, Key::generate(Algorithm::Ed25519).unwrap().to_pem()).unwrap();
        let file = file.display().to_string();
        let dkim = [("DKIM_PRIVATE_KEY_FILE", file.as_str()), ("DKIM_SELECTOR", "portal1"), ("DKIM_DOMAIN", "example.com")];

        let c = with(&[&SMTP[..], &dkim[..]].concat()).unwrap();
        let EmailDelivery::Smtp { dkim: Some(signer), .. } = &c.delivery.email else { panic!("signed SMTP: {:?}", c.delivery.email) };
        assert_eq!(signer.record_name(), "portal1._domainkey.example.com");
        assert!(c.delivery.email.describe().contains("DKIM-signed (Ed25519"), "{}", c.delivery.email.describe());
        assert!(!format!("{c:?}").contains(&signer.key.to_pem()), "the key stays out of Debug");

        let e = with(&[&SMTP[..], &dkim[..2]].concat()).unwrap_err();
        assert!(e.0.contains("DKIM_DOMAIN is required") && e.0.contains("go together"), "{e}");
        let e = with(&dkim).unwrap_err();
        assert!(e.0.contains("contradicts DKIM_PRIVATE_KEY_FILE"), "DKIM without SMTP: {e}");
        let e = with(&[&SMTP[..], &[("DKIM_PRIVATE_KEY_FILE", "/nonexistent/k.pem"), dkim[1], dkim[2]]].concat()).unwrap_err();
        assert!(e.0.starts_with("DKIM_PRIVATE_KEY_FILE=/nonexistent/k.pem cannot be read"), "{e}");
        let e = with(&[&SMTP[..], &[dkim[0], dkim[1], ("DKIM_DOMAIN", "example.org")]].concat()).unwrap_err();
        assert!(e.0.contains("does not align with MAIL_FROM's domain example.com"), "{e}");
        std::fs::write(&file, "not a key").unwrap();
        let e = with(&[&SMTP[..], &dkim[..]].concat()).unwrap_err();
        assert!(e.0.contains("not a PEM private key"), "{e}");
    }

    #[test]
    fn the_public_host_drops_scheme_port_and_path() {
        let public = [("PORTAL_PUBLIC_URL", "https://portal.example.com:8443/x/"), DEV_OUTBOX_ON_NETWORK];
        let c = with(&public).unwrap();
        assert_eq!(c.public_host(), "portal.example.com");
        // The embedded default is reached by name (passkeys need one), and says where
        // it listens; an address set by hand stays as it is.
        let dev = with(&[]).unwrap();
        assert_eq!((dev.public_url.as_str(), dev.loopback_alias.as_deref()), ("http://localhost:3000", Some("http://127.0.0.1:3000")));
        let set = with(&[("PORTAL_PUBLIC_URL", "http://127.0.0.1:3000")]).unwrap();
        assert_eq!((set.public_host(), set.loopback_alias.as_deref()), ("127.0.0.1", None));
    }
}
