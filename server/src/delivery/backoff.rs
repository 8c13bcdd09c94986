//! When to try again after a temporary failure: exponential backoff with jitter,
//! and never after the code expired.

use std::time::Duration;

/// The delay before try number `attempt + 1`, for `jitter` in [0, 1): the delay
/// doubles from `base` up to `max`, and is spread over [½, 1½) of that ("equal jitter"),
/// so many jobs that failed together do not retry together.
pub fn retry_delay(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    let capped = exp.min(max);
    capped.mul_f64(0.5 + jitter.clamp(0.0, 1.0))
}

/// When to retry, or `None` when that would be after the code expired.
pub fn next_attempt_at(now_ms: i64, attempt: u32, base: Duration, max: Duration, jitter: f64, expires_at_ms: i64) -> Option<i64> {
    let delay = i64::try_from(retry_delay(attempt, base, max, jitter).as_millis()).unwrap_or(i64::MAX);
    let at = now_ms.saturating_add(delay);
    (at < expires_at_ms).then_some(at)
}

/// A jitter value from the OS RNG.
pub fn jitter() -> f64 {
    let mut b = [0u8; 4];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Duration = Duration::from_secs(1);
    const M: Duration = Duration::from_secs(60);

    #[test]
    fn delays_double_up_to_the_cap() {
        let mid = |a| retry_delay(a, B, M, 0.5);
        assert_eq!(mid(1), Duration::from_secs(1));
        assert_eq!(mid(2), Duration::from_secs(2));
        assert_eq!(mid(4), Duration::from_secs(8));
        assert_eq!(mid(10), Duration::from_secs(60));
        assert_eq!(mid(200), Duration::from_secs(60));
    }

    #[test]
    fn jitter_spreads_between_half_and_one_and_a_half() {
        assert_eq!(retry_delay(3, B, M, 0.0), Duration::from_secs(2));
        assert!(retry_delay(3, B, M, 0.999) < Duration::from_secs(6));
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }

    #[test]
    fn no_retry_after_the_code_expires() {
        assert_eq!(next_attempt_at(0, 1, B, M, 0.5, 10_000), Some(1000));
        assert_eq!(next_attempt_at(9_500, 1, B, M, 0.5, 10_000), None);
    }
}
