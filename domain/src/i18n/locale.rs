//! The organisation's time zone, and a language and a zone together: the contact's
//! words for times, dates and durations.

use fluent_bundle::FluentValue;

use super::Lang;

/// The organisation's time zone (`PORTAL_TIME_ZONE`, an IANA name).
#[derive(Clone, Debug, PartialEq)]
pub struct Zone(pub jiff::tz::TimeZone);

impl Zone {
    pub const DEFAULT: &str = "Europe/Copenhagen";

    pub fn parse(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("the time zone is empty".into());
        }
        jiff::tz::TimeZone::get(name).map(Zone).map_err(|_| format!("{name:?} is not an IANA time zone (like Europe/Copenhagen)"))
    }

    /// The default zone, or UTC should the time zone database lack it (it is built in).
    pub fn default_zone() -> Zone {
        Zone::parse(Zone::DEFAULT).unwrap_or(Zone(jiff::tz::TimeZone::UTC))
    }

    pub fn name(&self) -> &str {
        self.0.iana_name().unwrap_or("UTC")
    }
}

/// How a page speaks: its language and the organisation's time zone. Times are Unix
/// seconds.
#[derive(Clone, Debug)]
pub struct Locale {
    pub lang: Lang,
    pub zone: Zone,
}

impl Locale {
    pub fn new(lang: Lang, zone: Zone) -> Locale {
        Locale { lang, zone }
    }

    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    pub fn tf(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.lang.tf(id, args)
    }

    /// The wall-clock time in the organisation's zone.
    fn zoned(&self, at: i64) -> Option<jiff::civil::DateTime> {
        jiff::Timestamp::from_second(at).ok().map(|t| self.zone.0.to_datetime(t))
    }

    /// "14:05" / "14.05".
    pub fn time(&self, at: i64) -> String {
        let Some(z) = self.zoned(at) else { return at.to_string() };
        self.tf("time-of-day", &[("hour", format!("{:02}", z.hour()).into()), ("minute", format!("{:02}", z.minute()).into())])
    }

    /// "28 November 2026" / "28. november 2026".
    pub fn date(&self, at: i64) -> String {
        let Some(z) = self.zoned(at) else { return at.to_string() };
        let month = self.t(&format!("month-{}", z.month()));
        self.tf("date", &[("day", i64::from(z.day()).into()), ("month", month.into()), ("year", i64::from(z.year()).into())])
    }

    /// "28 November 2026 at 14:05" / "28. november 2026 kl. 14.05".
    pub fn date_time(&self, at: i64) -> String {
        self.tf("date-time", &[("date", self.date(at).into()), ("time", self.time(at).into())])
    }

    /// "2026-11-28 11:49:16 CET": for administrators, who match it against what a
    /// contact tells them and against logs.
    pub fn stamp(&self, at: i64) -> String {
        let Some(t) = self.zoned(at) else { return at.to_string() };
        format!("{} {}", t.strftime("%Y-%m-%d %H:%M:%S"), self.zone_abbreviation(at))
    }

    /// "CET", "CEST": for texts read away from the page (the code email).
    pub fn zone_abbreviation(&self, at: i64) -> String {
        jiff::Timestamp::from_second(at).map(|t| self.zone.0.to_offset_info(t).abbreviation().to_string()).unwrap_or_default()
    }

    /// A moment as it reads best from `now`: "today at 14:05", "yesterday at 09:12",
    /// "tomorrow at 09:00", else the date and time.
    pub fn moment(&self, at: i64, now: i64) -> String {
        let (Some(then), Some(today)) = (self.zoned(at), self.zoned(now)) else { return at.to_string() };
        let (then, today) = (then.date(), today.date());
        if then == today {
            self.tf("today-at", &[("time", self.time(at).into())])
        } else if today.yesterday().is_ok_and(|y| y == then) {
            self.tf("yesterday-at", &[("time", self.time(at).into())])
        } else if today.tomorrow().is_ok_and(|t| t == then) {
            self.tf("tomorrow-at", &[("time", self.time(at).into())])
        } else {
            self.date_time(at)
        }
    }

    /// "10 minutes", "1 hour", "30 seconds": whole units only.
    pub fn duration(&self, secs: u64) -> String {
        let (n, id) = match secs {
            s if s >= 86_400 && s.is_multiple_of(86_400) => (s / 86_400, "duration-days"),
            s if s >= 3600 && s.is_multiple_of(3600) => (s / 3600, "duration-hours"),
            s if s >= 60 && s.is_multiple_of(60) => (s / 60, "duration-minutes"),
            s => (s, "duration-seconds"),
        };
        self.tf(id, &[("n", n.into())])
    }

    /// A span rounded to its largest unit, for "2 minutes ago" and "in 3 hours".
    fn rounded(&self, secs: u64) -> String {
        let (n, id) = match secs {
            s if s >= 86_400 => (s / 86_400, "duration-days"),
            s if s >= 3600 => (s / 3600, "duration-hours"),
            s if s >= 60 => (s / 60, "duration-minutes"),
            s => (s, "duration-seconds"),
        };
        self.tf(id, &[("n", n.into())])
    }

    /// "just now", "2 minutes ago" / "for et øjeblik siden", "for 2 minutter siden".
    pub fn ago(&self, secs: i64) -> String {
        if secs < 10 {
            return self.t("ago-now");
        }
        self.tf("ago", &[("duration", self.rounded(secs.unsigned_abs()).into())])
    }

    /// "in 3 hours" / "om 3 timer".
    pub fn in_future(&self, secs: i64) -> String {
        self.tf("in-future", &[("duration", self.rounded(secs.max(1).unsigned_abs()).into())])
    }
}
