//! The rules of codes and devices, as functions of `now`. No I/O here.

use std::time::Duration;

use super::outcome::Refusal;
use crate::store::Device;
use domain::Timestamp;

/// After a wrong guess that was attempt number `attempts`.
pub fn wrong_guess(attempts: u32, max_attempts: u32) -> Refusal {
    match max_attempts.saturating_sub(attempts) {
        0 => Refusal::TooManyAttempts,
        left => Refusal::Wrong { attempts_left: left },
    }
}

/// Whole seconds from `now` until `until` ("Send a new code" again, a lock lifting), or 0.
pub fn seconds_left(until: Timestamp, now: Timestamp) -> u32 {
    u32::try_from(until.secs_since(now).max(0)).unwrap_or(u32::MAX)
}

/// Whether one more code for an identifier would break its limits, given the times
/// codes were sent to it in the last day.
pub fn identifier_throttled(sent: &[Timestamp], now: Timestamp, min_interval: Duration, per_hour: u32, per_day: u32) -> bool {
    let within = |secs: i64| sent.iter().filter(|t| now.secs_since(**t) < secs).count();
    let min = i64::try_from(min_interval.as_secs()).unwrap_or(i64::MAX);
    within(min) > 0 || within(3600) >= per_hour as usize || within(86_400) >= per_day as usize
}

/// Until when a contact is locked, given the times of its failed verifications in
/// the last day: the lock holds while `limit` or more fall within 24 hours, so it
/// lifts when the oldest of the newest `limit` failures is a day old.
pub fn locked_until(failures: &[Timestamp], now: Timestamp, limit: u32) -> Option<Timestamp> {
    let recent: Vec<Timestamp> = failures.iter().copied().filter(|t| now.secs_since(*t) < 86_400).collect();
    let limit = limit as usize;
    (limit > 0 && recent.len() >= limit).then(|| Timestamp(recent[recent.len() - limit].0 + 86_400))
}

/// The network a client counts in for limits and familiarity: an IPv4 address, or the
/// IPv6 network of `v6_prefix` bits (a /64 is what one household or phone gets, and
/// what one attacker can rotate addresses in).
pub fn network_of(ip: std::net::IpAddr, v6_prefix: u8) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let bits = u32::from(v6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                let network = std::net::Ipv6Addr::from(u128::from(v6) & mask);
                format!("{network}/{bits}")
            }
        },
    }
}

/// Whether a remembered browser is still recognised.
pub fn device_is_valid(device: &Device, now: Timestamp, idle: Duration, max_age: Duration) -> bool {
    !device.revoked && now < device.last_seen_at.plus(idle) && now < device.created_at.plus(max_age)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ContactId;

    const MAX: u32 = 5;
    const T0: Timestamp = Timestamp(1_800_000_000);

    #[test]
    fn wrong_guesses_count_down_to_too_many_attempts() {
        assert_eq!(wrong_guess(1, MAX), Refusal::Wrong { attempts_left: 4 });
        assert_eq!(wrong_guess(4, MAX), Refusal::Wrong { attempts_left: 1 });
        assert_eq!(wrong_guess(5, MAX), Refusal::TooManyAttempts);
    }

    #[test]
    fn an_ipv6_client_counts_as_its_64_and_a_mapped_ipv4_as_its_address() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert_eq!(network_of(ip("2001:db8:1:2:aaaa::1"), 64), "2001:db8:1:2::/64");
        assert_eq!(network_of(ip("2001:db8:1:2:ffff::9"), 64), network_of(ip("2001:db8:1:2::1"), 64));
        assert_ne!(network_of(ip("2001:db8:1:3::1"), 64), network_of(ip("2001:db8:1:2::1"), 64));
        assert_eq!(network_of(ip("2001:db8:1:2:aaaa::1"), 48), "2001:db8:1::/48");
        assert_eq!(network_of(ip("2001:db8::1"), 128), "2001:db8::1/128");
        assert_eq!(network_of(ip("::ffff:192.0.2.7"), 64), "192.0.2.7");
        assert_eq!(network_of(ip("192.0.2.7"), 64), "192.0.2.7");
    }

    #[test]
    fn cooldown_counts_down_to_zero() {
        let resend_at = T0.plus(Duration::from_secs(30));
        assert_eq!(seconds_left(resend_at, T0), 30);
        assert_eq!(seconds_left(resend_at, Timestamp(T0.0 + 29)), 1);
        assert_eq!(seconds_left(resend_at, Timestamp(T0.0 + 31)), 0);
    }

    fn device(created: i64, seen: i64) -> Device {
        Device {
            id: 1,
            contact: ContactId(1),
            created_at: Timestamp(created),
            last_seen_at: Timestamp(seen),
            revoked: false,
            browser: None,
            welcomed: true,
        }
    }

    #[test]
    fn a_device_expires_after_being_idle() {
        let idle = Duration::from_secs(30 * 86_400);
        let max = Duration::from_secs(180 * 86_400);
        let d = device(T0.0, T0.0);
        assert!(device_is_valid(&d, Timestamp(T0.0 + 30 * 86_400 - 1), idle, max));
        assert!(!device_is_valid(&d, Timestamp(T0.0 + 30 * 86_400), idle, max));
    }

    #[test]
    fn a_device_in_daily_use_still_expires_at_its_absolute_age() {
        let idle = Duration::from_secs(30 * 86_400);
        let max = Duration::from_secs(180 * 86_400);
        let end = T0.0 + 180 * 86_400;
        assert!(device_is_valid(&device(T0.0, end - 86_400), Timestamp(end - 1), idle, max));
        assert!(!device_is_valid(&device(T0.0, end - 1), Timestamp(end), idle, max));
    }

    #[test]
    fn an_identifier_gets_a_code_every_30_seconds_5_an_hour_10_a_day() {
        let (min, hour, day) = (Duration::from_secs(30), 5, 10);
        let at = |secs: &[i64]| secs.iter().map(|s| Timestamp(T0.0 + s)).collect::<Vec<_>>();
        let now = Timestamp(T0.0 + 4000);
        assert!(!identifier_throttled(&[], now, min, hour, day));
        assert!(identifier_throttled(&at(&[3990]), now, min, hour, day), "within 30 s");
        assert!(!identifier_throttled(&at(&[3970]), now, min, hour, day));
        assert!(identifier_throttled(&at(&[500, 1000, 1500, 2000, 2500]), now, min, hour, day), "5 in the hour");
        assert!(!identifier_throttled(&at(&[100, 1000, 1500, 2000, 2500]), now, min, hour, day), "one fell out of the hour");
        let day_of = at(&[-80_000, -70_000, -60_000, -50_000, -40_000, -30_000, -20_000, -10_000, -5_000, 100]);
        assert!(identifier_throttled(&day_of, now, min, hour, day), "10 in the day");
    }

    #[test]
    fn the_lock_lifts_a_day_after_the_failure_that_made_it() {
        let fails: Vec<Timestamp> = (0..100).map(|i| Timestamp(T0.0 + i * 60)).collect();
        assert_eq!(locked_until(&fails[..99], Timestamp(T0.0 + 6000), 100), None);
        assert_eq!(locked_until(&fails, Timestamp(T0.0 + 6000), 100), Some(Timestamp(T0.0 + 86_400)));
        assert_eq!(locked_until(&fails, Timestamp(T0.0 + 86_400), 100), None, "the first failure is a day old");
    }

    #[test]
    fn a_revoked_device_is_not_recognised() {
        let d = Device { revoked: true, ..device(T0.0, T0.0) };
        assert!(!device_is_valid(&d, T0, Duration::from_secs(60), Duration::from_secs(60)));
    }
}
