//! Settings from the environment, parsed once at start-up.

use std::net::SocketAddr;
use std::time::Duration;

use crate::domain::{InputError, Region, parse_duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind {
    /// Messages are stored and shown at /dev/outbox: the embedded default.
    Dev,
}

#[derive(Debug, Clone)]
pub struct Limits {
    pub code_ttl: Duration,
    pub code_max_attempts: u32,
    pub resend_cooldown: Duration,
    pub device_idle: Duration,
    pub device_max_age: Duration,
    pub ip_code_requests_per_hour: u32,
    pub ip_verifications_per_hour: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            code_ttl: Duration::from_secs(10 * 60),
            code_max_attempts: 5,
            resend_cooldown: Duration::from_secs(30),
            device_idle: Duration::from_secs(30 * 86_400),
            device_max_age: Duration::from_secs(180 * 86_400),
            ip_code_requests_per_hour: 30,
            ip_verifications_per_hour: 60,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub delivery: DeliveryKind,
    pub region: Region,
    pub limits: Limits,
    /// Hex key for code MACs; when absent in dev mode, `key_file` is used (and created).
    pub secret_key: Option<String>,
    pub key_file: String,
    /// Where the built CSS, JS and WASM are served from.
    pub site_root: String,
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
        let addr = addr_text
            .parse()
            .map_err(|_| InputError::new(format!("PORTAL_ADDR={addr_text:?} is not an address like 127.0.0.1:3000")))?;
        let delivery = match or("PORTAL_DELIVERY", "dev").as_str() {
            "dev" => DeliveryKind::Dev,
            other => {
                return Err(InputError::new(format!("PORTAL_DELIVERY={other:?} is not supported; use \"dev\"")));
            }
        };
        let region = Region::parse(&or("PORTAL_DEFAULT_REGION", "DK"))?;
        Ok(Config {
            database_url: or("DATABASE_URL", "sqlite://data/portal.db"),
            addr,
            delivery,
            region,
            limits: Limits {
                code_ttl: duration("PORTAL_CODE_TTL", defaults.code_ttl)?,
                code_max_attempts: count("PORTAL_CODE_MAX_ATTEMPTS", defaults.code_max_attempts)?,
                resend_cooldown: duration("PORTAL_RESEND_COOLDOWN", defaults.resend_cooldown)?,
                device_idle: duration("PORTAL_DEVICE_IDLE", defaults.device_idle)?,
                device_max_age: duration("PORTAL_DEVICE_MAX_AGE", defaults.device_max_age)?,
                ip_code_requests_per_hour: count("PORTAL_IP_CODE_REQUESTS_PER_HOUR", defaults.ip_code_requests_per_hour)?,
                ip_verifications_per_hour: count("PORTAL_IP_VERIFICATIONS_PER_HOUR", defaults.ip_verifications_per_hour)?,
            },
            secret_key: get("PORTAL_SECRET_KEY").filter(|v| !v.trim().is_empty()),
            key_file: or("PORTAL_KEY_FILE", "data/secret.key"),
            site_root: or("LEPTOS_SITE_ROOT", "target/site"),
        })
    }

    pub fn is_dev(&self) -> bool {
        self.delivery == DeliveryKind::Dev
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
}
