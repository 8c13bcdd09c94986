//! The rules of codes and devices, as functions of `now`. No I/O here.

use std::time::Duration;

use app::types::Channel;

use crate::domain::Timestamp;
use crate::store::{CodeRow, Device};

/// Why a code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("no login flow in this browser")]
    NoFlow,
    #[error("a newer code was sent")]
    Superseded { newest_sent_at: Timestamp, channel: Channel, here: bool },
    #[error("the code expired")]
    Expired,
    #[error("too many attempts")]
    TooManyAttempts,
    #[error("the code was already used")]
    AlreadyUsed,
    #[error("wrong code")]
    Wrong { attempts_left: u32 },
    #[error("not a 6-digit code")]
    Malformed,
    #[error("too many requests from this network")]
    NetworkLimited,
    #[error("too many failed codes for this contact")]
    Locked { until: Timestamp },
}

impl VerifyError {
    /// The reason as the event log spells it.
    pub fn reason(&self) -> &'static str {
        match self {
            VerifyError::NoFlow => "no_flow",
            VerifyError::Superseded { .. } => "superseded",
            VerifyError::Expired => "expired",
            VerifyError::TooManyAttempts => "too_many_attempts",
            VerifyError::AlreadyUsed => "already_used",
            VerifyError::Wrong { .. } => "wrong_code",
            VerifyError::Malformed => "malformed",
            VerifyError::NetworkLimited => "network_limited",
            VerifyError::Locked { .. } => "locked",
        }
    }
}

/// The checks on the browser's current code that come before looking at the digits.
/// `newest_sent` is the contact's newest sent code from any browser.
pub fn check_current(current: &CodeRow, newest_sent: Option<&CodeRow>, now: Timestamp, max_attempts: u32) -> Result<(), VerifyError> {
    if current.consumed {
        return Err(VerifyError::AlreadyUsed);
    }
    if let Some(newest) = newest_sent.filter(|n| n.id > current.id) {
        return Err(VerifyError::Superseded {
            newest_sent_at: newest.created_at,
            channel: newest.channel,
            here: newest.flow_id == current.flow_id,
        });
    }
    if now >= current.expires_at {
        return Err(VerifyError::Expired);
    }
    if current.attempts >= max_attempts {
        return Err(VerifyError::TooManyAttempts);
    }
    Ok(())
}

/// After a wrong guess that was attempt number `attempts`.
pub fn wrong_guess(attempts: u32, max_attempts: u32) -> VerifyError {
    match max_attempts.saturating_sub(attempts) {
        0 => VerifyError::TooManyAttempts,
        left => VerifyError::Wrong { attempts_left: left },
    }
}

/// Seconds until "Send a new code" may be used again.
pub fn cooldown_left(last_sent_at: Timestamp, now: Timestamp, cooldown: Duration) -> u32 {
    let left = last_sent_at.plus(cooldown).secs_since(now);
    u32::try_from(left.max(0)).unwrap_or(u32::MAX)
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

    fn code(id: i64, flow_id: i64) -> CodeRow {
        CodeRow {
            id,
            flow_id,
            contact: Some(ContactId(1)),
            channel: Channel::Email,
            mac: vec![],
            sent: true,
            created_at: T0,
            expires_at: T0.plus(Duration::from_secs(600)),
            attempts: 0,
            consumed: false,
        }
    }

    #[test]
    fn a_code_is_valid_until_the_last_second_of_its_lifetime() {
        let c = code(1, 1);
        assert_eq!(check_current(&c, Some(&c), Timestamp(T0.0 + 599), MAX), Ok(()));
        assert_eq!(check_current(&c, Some(&c), Timestamp(T0.0 + 600), MAX), Err(VerifyError::Expired));
    }

    #[test]
    fn a_code_with_all_attempts_used_is_refused_even_before_comparing() {
        let c = CodeRow { attempts: MAX, ..code(1, 1) };
        assert_eq!(check_current(&c, None, T0, MAX), Err(VerifyError::TooManyAttempts));
    }

    #[test]
    fn wrong_guesses_count_down_to_too_many_attempts() {
        assert_eq!(wrong_guess(1, MAX), VerifyError::Wrong { attempts_left: 4 });
        assert_eq!(wrong_guess(4, MAX), VerifyError::Wrong { attempts_left: 1 });
        assert_eq!(wrong_guess(5, MAX), VerifyError::TooManyAttempts);
    }

    #[test]
    fn only_the_newest_code_works_and_the_error_names_the_newer_one() {
        let old = code(1, 1);
        let newer = CodeRow { id: 2, flow_id: 2, channel: Channel::Sms, created_at: Timestamp(T0.0 + 40), ..code(2, 2) };
        assert_eq!(
            check_current(&old, Some(&newer), T0, MAX),
            Err(VerifyError::Superseded { newest_sent_at: Timestamp(T0.0 + 40), channel: Channel::Sms, here: false })
        );
    }

    #[test]
    fn a_used_code_cannot_be_used_again() {
        let c = CodeRow { consumed: true, ..code(1, 1) };
        assert_eq!(check_current(&c, Some(&c), T0, MAX), Err(VerifyError::AlreadyUsed));
    }

    #[test]
    fn cooldown_counts_down_to_zero() {
        let cd = Duration::from_secs(30);
        assert_eq!(cooldown_left(T0, T0, cd), 30);
        assert_eq!(cooldown_left(T0, Timestamp(T0.0 + 29), cd), 1);
        assert_eq!(cooldown_left(T0, Timestamp(T0.0 + 31), cd), 0);
    }

    fn device(created: i64, seen: i64) -> Device {
        Device { id: 1, contact: ContactId(1), created_at: Timestamp(created), last_seen_at: Timestamp(seen), revoked: false }
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
