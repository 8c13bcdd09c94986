use std::time::Duration;

/// Seconds since the Unix epoch, UTC. The only clock reading is in `crate::clock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)))
    }

    pub fn secs_since(self, earlier: Timestamp) -> i64 {
        self.0 - earlier.0
    }

    /// "2026-11-27 14:32:05 UTC"
    pub fn utc(self) -> String {
        let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        time::OffsetDateTime::from_unix_timestamp(self.0).ok().and_then(|t| t.format(&fmt).ok()).unwrap_or_else(|| self.0.to_string())
    }

    /// RFC 3339, for machine-readable output.
    pub fn rfc3339(self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| self.0.to_string())
    }
}

/// Parses `250ms`, `90`, `90s`, `10m`, `2h`, `30d` (a bare number is seconds).
pub fn parse_duration(input: &str) -> Option<Duration> {
    let s = input.trim();
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let ms = match unit.trim() {
        "ms" => n,
        "s" => n.checked_mul(1000)?,
        "m" => n.checked_mul(60_000)?,
        "h" => n.checked_mul(3_600_000)?,
        "d" => n.checked_mul(86_400_000)?,
        _ => return None,
    };
    Some(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("30d"), Some(Duration::from_secs(2_592_000)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("ten"), None);
        assert_eq!(parse_duration("5w"), None);
    }

    #[test]
    fn timestamps_format_in_utc() {
        assert_eq!(Timestamp(0).utc(), "1970-01-01 00:00:00 UTC");
    }
}
