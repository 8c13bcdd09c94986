//! The login's limits: how long codes live, how many attempts and sends, per what.
//! Read from the environment by `config`; the defaults are the documented ones.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Limits {
    pub code_ttl: Duration,
    pub code_max_attempts: u32,
    pub resend_cooldown: Duration,
    pub device_idle: Duration,
    pub device_max_age: Duration,
    pub ip_code_requests_per_hour: u32,
    pub ip_verifications_per_hour: u32,
    /// Per identifier (the contact, or the typed address when unregistered).
    pub identifier_min_interval: Duration,
    pub identifier_codes_per_hour: u32,
    pub identifier_codes_per_day: u32,
    /// Failed verifications per contact across all codes in 24 hours before a lock.
    pub contact_failures_per_day: u32,
    /// Country calling codes SMS may go to.
    pub sms_countries: Vec<u16>,
    /// Codes per hour to numbers sharing all but their last 4 digits (SMS pumping).
    pub sms_prefix_per_hour: u32,
    /// Codes per hour by SMS in all; when spent, SMS stops and an alert is logged.
    pub sms_per_hour: u32,
    /// "Send code" answers no sooner than this, so its timing does not tell whether a
    /// code was sent. Zero turns it off.
    pub send_code_floor: Duration,
    /// IPv6 clients count per network of this prefix length (a household or a phone
    /// gets a /64); IPv4 clients per address.
    pub ipv6_prefix: u8,
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
            identifier_min_interval: Duration::from_secs(30),
            identifier_codes_per_hour: 5,
            identifier_codes_per_day: 10,
            contact_failures_per_day: 100,
            sms_countries: vec![45, 46, 47, 49, 44, 1],
            sms_prefix_per_hour: 10,
            sms_per_hour: 1000,
            send_code_floor: Duration::from_millis(100),
            ipv6_prefix: 64,
        }
    }
}
