//! Delivery health (issue 24): "is it us or them?" per recipient email domain and SMS
//! country, over the last hour and the last day, counted from the delivery records.
//! A pure function of the rows, so the page, the card's line and the tests read the
//! same numbers. Reading it writes nothing and takes no lock.

use domain::Channel;

use domain::view::{DeliveryHealthView, DestinationView, WindowView};

use super::Cards;
use std::collections::HashMap;

use crate::store::{Contact, DeliveryRow, DestinationCounts, DestinationWindows, JobStatus, StoreError};

/// The newest delivery records one look at the health reads: a day of a busy portal,
/// bounded. The page says so when it was cut.
pub const HEALTH_ROWS: u32 = 50_000;
const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// A destination is marked when, in the last hour, at least this many messages went
/// to it, at least [`MARK_SHARE`] of them were deferred, failed or late, and that
/// share is at least twice the share of the 23 hours before (or those hours had fewer
/// than `MARK_MIN` messages to compare with).
pub const MARK_MIN: u32 = 3;
pub const MARK_SHARE: f64 = 0.3;

/// What went to one destination in one window: the database's counts, and the times
/// taken from the newest rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub counts: DestinationCounts,
    /// Milliseconds from being written to being taken: median and 95th percentile.
    pub to_accept: Option<(i64, i64)>,
    /// Milliseconds from being written to the receipt that it arrived.
    pub to_deliver: Option<(i64, i64)>,
}

/// Whether a destination's trouble jumped in the last hour (see [`MARK_MIN`]).
fn marked(hour: &DestinationCounts, earlier: &DestinationCounts) -> bool {
    hour.sent >= MARK_MIN && hour.share() >= MARK_SHARE && (earlier.sent < MARK_MIN || hour.share() >= 2.0 * earlier.share())
}

/// One destination: an email domain or a country calling code.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub channel: Channel,
    /// `example.com`, `+45`, or `unknown` (numbers sent before destinations were kept).
    pub destination: String,
    pub hour: Window,
    pub day: Window,
    /// Its trouble jumped in the last hour.
    pub marked: bool,
}

impl Health {
    /// "Mail to outlook.com" / "Text messages to +45".
    pub fn name(&self) -> String {
        match self.channel {
            Channel::Email => format!("Mail to {}", self.destination),
            Channel::Sms => format!("Text messages to {}", self.destination),
        }
    }

    /// The line an affected contact's card shows.
    pub fn warning(&self) -> String {
        let (h, day) = (&self.hour.counts, &self.day.counts);
        format!(
            "{} is in trouble: in the last hour {} of {} messages were deferred, failed or arrived late ({} deferred, {} failed, {} late); in the last day {} of {}. Codes to this contact may be late or not arrive: it is not them.",
            self.name(),
            h.troubled,
            h.sent,
            h.deferred,
            h.failed,
            h.late,
            day.troubled,
            day.sent
        )
    }
}

/// The health of every destination: its counts from the database (`windows`), its
/// times from the day's newest delivery records (`rows`); marked ones first, then by
/// the day's volume.
pub fn health(windows: &[DestinationWindows], rows: &[DeliveryRow], now_ms: i64) -> Vec<Health> {
    let name = |d: &Option<String>| d.clone().unwrap_or_else(|| "unknown".into());
    let mut times: HashMap<(Channel, String), Vec<&DeliveryRow>> = HashMap::new();
    for row in rows.iter().filter(|r| r.created_at_ms > now_ms - DAY_MS) {
        times.entry((row.channel, name(&row.destination))).or_default().push(row);
    }
    let mut all: Vec<Health> = windows
        .iter()
        .map(|w| {
            let destination = name(&w.destination);
            let own = times.get(&(w.channel, destination.clone())).map(Vec::as_slice).unwrap_or_default();
            let recent: Vec<&DeliveryRow> = own.iter().copied().filter(|r| r.created_at_ms > now_ms - HOUR_MS).collect();
            let ((hour_accept, hour_deliver), (day_accept, day_deliver)) = (times_of(&recent), times_of(own));
            Health {
                channel: w.channel,
                destination,
                marked: marked(&w.hour, &w.earlier),
                hour: Window { counts: w.hour, to_accept: hour_accept, to_deliver: hour_deliver },
                day: Window { counts: w.hour.plus(&w.earlier), to_accept: day_accept, to_deliver: day_deliver },
            }
        })
        .collect();
    all.sort_by(|a, b| b.marked.cmp(&a.marked).then(b.day.counts.sent.cmp(&a.day.counts.sent)).then(a.destination.cmp(&b.destination)));
    all
}

/// Median and 95th percentile of the times to accept and to deliver.
type Times = (Option<(i64, i64)>, Option<(i64, i64)>);

fn times_of(rows: &[&DeliveryRow]) -> Times {
    let to_accept = rows.iter().filter_map(|r| r.sent_at_ms.map(|at| at - r.created_at_ms)).collect();
    let to_deliver =
        rows.iter().filter(|r| r.status == JobStatus::Delivered).filter_map(|r| r.delivered_at_ms.map(|at| at - r.created_at_ms)).collect();
    (percentiles(to_accept), percentiles(to_deliver))
}

/// Median and 95th percentile (nearest rank).
fn percentiles(mut ms: Vec<i64>) -> Option<(i64, i64)> {
    if ms.is_empty() {
        return None;
    }
    ms.sort_unstable();
    let rank = |p: usize| ms[((ms.len() * p).div_ceil(100)).clamp(1, ms.len()) - 1];
    Some((rank(50), rank(95)))
}

/// "850 ms", "4.2 s", "12 min".
pub fn duration(ms: i64) -> String {
    match ms {
        ..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min", (ms + 30_000) / 60_000),
    }
}

impl Cards {
    /// The lines of delivery health that concern this contact: their mail domain or
    /// phone country, when marked. Counted by the database (one aggregate a
    /// destination, the page's), so a card costs the same for gmail.com as for a small
    /// domain, and marks exactly as the page does.
    pub(super) async fn troubles_of(&self, contact: &Contact) -> Result<Vec<String>, StoreError> {
        let now_ms = self.clock.now_ms();
        let mut lines = Vec::new();
        let email = contact.email.as_ref().map(|e| (Channel::Email, e.as_str()));
        let phone = contact.phone.as_ref().map(|p| (Channel::Sms, p.as_str()));
        for (channel, address) in email.into_iter().chain(phone) {
            let Some(destination) = crate::delivery::destination(channel, address) else { continue };
            let windows = self.store.destination_windows(now_ms, Some((channel, &destination))).await?;
            lines.extend(health(&windows, &[], now_ms).into_iter().filter(|h| h.marked).map(|h| h.warning()));
        }
        Ok(lines)
    }

    /// Delivery health per email domain and SMS country, over the last hour and day:
    /// every marked destination, then the busiest.
    pub async fn delivery_health(&self, admin: &str) -> Result<DeliveryHealthView, StoreError> {
        /// Destinations the page lists besides the marked ones.
        const SHOWN: usize = 100;
        let now_ms = self.clock.now_ms();
        let windows = self.store.destination_windows(now_ms, None).await?;
        let rows = self.store.delivery_rows(now_ms - DAY_MS, HEALTH_ROWS).await?;
        let counted = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        let all = health(&windows, &rows, now_ms);
        let destinations = all.iter().enumerate().filter(|(i, h)| h.marked || *i < SHOWN).map(|(_, h)| destination_view(h)).collect();
        Ok(DeliveryHealthView { admin: admin.to_string(), destinations, counted, complete: counted < HEALTH_ROWS })
    }
}

/// One destination as the health page shows it.
fn destination_view(h: &Health) -> DestinationView {
    let window = |w: &Window| {
        let times = |t: Option<(i64, i64)>| t.map(|(p50, p95)| format!("{} / {}", duration(p50), duration(p95)));
        WindowView {
            sent: w.counts.sent,
            accepted: w.counts.accepted,
            deferred: w.counts.deferred,
            failed: w.counts.failed,
            late: w.counts.late,
            pending: w.counts.pending,
            to_accept: times(w.to_accept),
            to_deliver: times(w.to_deliver),
        }
    };
    DestinationView {
        channel: h.channel,
        destination: h.destination.clone(),
        trouble: h.marked.then(|| h.warning()),
        hour: window(&h.hour),
        day: window(&h.day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::JobPurpose;

    /// What the database counts (`Store::destination_windows`), counted here from the
    /// rows: the integration tests hold the SQL to the same marks.
    fn windows_of(rows: &[DeliveryRow]) -> Vec<DestinationWindows> {
        let mut all: Vec<DestinationWindows> = Vec::new();
        for r in rows.iter().filter(|r| r.created_at_ms > NOW - DAY_MS) {
            let at = match all.iter().position(|w| w.channel == r.channel && w.destination == r.destination) {
                Some(at) => at,
                None => {
                    let empty = DestinationCounts::default();
                    all.push(DestinationWindows { channel: r.channel, destination: r.destination.clone(), hour: empty, earlier: empty });
                    all.len() - 1
                }
            };
            let w = &mut all[at];
            let c = if r.created_at_ms > NOW - HOUR_MS { &mut w.hour } else { &mut w.earlier };
            let late = r.purpose == JobPurpose::Code
                && (r.sent_at_ms.is_some_and(|t| t > r.expires_at_ms) || r.delivered_at_ms.is_some_and(|t| t > r.expires_at_ms));
            let (deferred, failed) = (r.deferred > 0, r.status.did_not_arrive());
            c.sent += 1;
            c.accepted += u32::from(r.sent_at_ms.is_some());
            c.deferred += u32::from(deferred);
            c.failed += u32::from(failed);
            c.late += u32::from(late);
            c.pending += u32::from(r.status.pending());
            c.troubled += u32::from(deferred || failed || late);
        }
        all
    }

    fn of(rows: &[DeliveryRow]) -> Vec<Health> {
        health(&windows_of(rows), rows, NOW)
    }

    const NOW: i64 = 10 * DAY_MS;

    fn row(destination: &str, minutes_ago: i64, status: JobStatus, deferred: u32) -> DeliveryRow {
        let created_at_ms = NOW - minutes_ago * 60_000;
        DeliveryRow {
            channel: Channel::Email,
            destination: Some(destination.into()),
            status,
            purpose: JobPurpose::Code,
            created_at_ms,
            sent_at_ms: status.handed_over().then_some(created_at_ms + 800),
            delivered_at_ms: None,
            expires_at_ms: created_at_ms + 600_000,
            deferred,
        }
    }

    #[test]
    fn a_domain_whose_deferrals_jump_in_the_last_hour_is_marked_and_a_steady_one_is_not() {
        let mut rows = Vec::new();
        // deferred.example: fine all day, then 3 of 4 deferred in the last hour.
        rows.extend((0..20).map(|i| row("deferred.example", 120 + i * 30, JobStatus::Sent, 0)));
        rows.extend([
            row("deferred.example", 5, JobStatus::Queued, 1),
            row("deferred.example", 10, JobStatus::Expired, 4),
            row("deferred.example", 20, JobStatus::Sent, 2),
            row("deferred.example", 30, JobStatus::Sent, 0),
        ]);
        // steady.example: one deferral in ten, all day long.
        rows.extend((0..30).map(|i| row("steady.example", i * 40, JobStatus::Sent, u32::from(i % 10 == 0))));
        let all = of(&rows);
        let (deferred, steady) = (&all[0], &all[1]);
        assert_eq!((deferred.destination.as_str(), deferred.marked), ("deferred.example", true));
        assert_eq!(
            (
                deferred.hour.counts.sent,
                deferred.hour.counts.deferred,
                deferred.hour.counts.failed,
                deferred.hour.counts.pending,
                deferred.hour.counts.troubled
            ),
            (4, 3, 1, 1, 3)
        );
        assert_eq!(deferred.day.counts.sent, 24);
        assert_eq!(deferred.hour.to_accept, Some((800, 800)));
        assert_eq!((steady.destination.as_str(), steady.marked), ("steady.example", false));
        assert!(deferred.warning().starts_with("Mail to deferred.example is in trouble: in the last hour 3 of 4 messages"));
    }

    #[test]
    fn a_destination_always_in_trouble_is_not_marked_as_a_jump_and_two_messages_are_too_few() {
        let always: Vec<DeliveryRow> = (0..30).map(|i| row("always.example", i * 15, JobStatus::Failed, 0)).collect();
        assert!(!of(&always)[0].marked, "its last hour is no worse than its day");
        let few = [row("few.example", 1, JobStatus::Failed, 0), row("few.example", 2, JobStatus::Failed, 0)];
        assert!(!of(&few)[0].marked, "two messages are not a trend");
    }

    #[test]
    fn a_code_taken_after_it_expired_counts_as_late_and_a_test_message_never_does() {
        let mut late = row("late.example", 30, JobStatus::Sent, 0);
        late.sent_at_ms = Some(late.expires_at_ms + 60_000);
        let mut test = late.clone();
        test.purpose = JobPurpose::Test;
        let w = &of(&[late, test])[0].hour;
        assert_eq!((w.counts.sent, w.counts.accepted, w.counts.late, w.counts.troubled), (2, 2, 1, 1));
        assert_eq!(w.to_accept, Some((660_000, 660_000)));
    }

    #[test]
    fn percentiles_are_nearest_rank_and_durations_read_in_their_unit() {
        assert_eq!(percentiles((1..=100).collect()), Some((50, 95)));
        assert_eq!(percentiles(vec![7]), Some((7, 7)));
        assert_eq!(percentiles(vec![]), None);
        assert_eq!([duration(850), duration(4_200), duration(660_000)], ["850 ms", "4.2 s", "11 min"]);
    }
}
