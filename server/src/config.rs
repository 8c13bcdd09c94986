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
                    let private = match metrics.ip() {
                        std::net::IpAddr::V4(ip) => ip.is_loopback() || ip.is_private(),
                        std::net::IpAddr::V6(ip) => ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00,
                    };
                    if !private {
                        return Err(InputError::new(format!(
                            "PORTAL_METRICS_ADDR={metrics} is not a loopback or private address (127.0.0.1, 10.x, 172.16-31.x, 192.168.x, fc00::/7): metrics are never served where the public can reach them"
                        )));
                    }
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
#[path = "config_tests.rs"]
mod tests;
