//! The delivery records as administrators and delivery health read them: a job with
//! what its latest try was told, and the rows delivery health is counted from. Reads
//! only.

use domain::{Channel, Timestamp};

use super::jobs::{JobPurpose, JobStatus};
use super::sql;
use super::{ContactId, Store, StoreResult, stored_channel};

/// A job as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub status: JobStatus,
    pub attempts: u32,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub purpose: JobPurpose,
    /// The administrator who sent a test message.
    pub requested_by: Option<String>,
    /// When a provider took it, when its receipt said it arrived, and when its code
    /// stopped working (milliseconds, as the outbox keeps them).
    pub sent_at_ms: Option<i64>,
    pub delivered_at_ms: Option<i64>,
    pub expires_at_ms: i64,
    /// What the server or provider said when it took it (its latest try's answer).
    pub answer: Option<String>,
}

impl JobRecord {
    /// It reached the provider or the phone after its code had expired: how long
    /// after it was written, in milliseconds, and whether that was the delivery
    /// receipt (rather than the provider taking it).
    pub fn late(&self) -> Option<(i64, bool)> {
        if self.purpose != JobPurpose::Code {
            return None;
        }
        let created_ms = self.created_at.0.saturating_mul(1000);
        match (self.sent_at_ms, self.delivered_at_ms) {
            (Some(sent), _) if sent > self.expires_at_ms => Some((sent - created_ms, false)),
            (_, Some(delivered)) if delivered > self.expires_at_ms => Some((delivered - created_ms, true)),
            _ => None,
        }
    }
}

type JobRow = (
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
);

/// A job as delivery health reads it: channel, destination, status, purpose, created,
/// sent, delivered, expires, deferred tries.
type HealthRow = (String, Option<String>, String, String, i64, Option<i64>, Option<i64>, i64, i64);

/// The columns of a [`JobRow`], the answer that of the job's latest try.
const JOB_COLUMNS: &str = "j.id, j.channel, j.recipient, j.status, j.attempts, j.provider, j.provider_message_id, j.last_error,
     j.created_at, j.purpose, j.requested_by, j.sent_at, j.delivered_at, j.expires_at,
     (SELECT a.answer FROM delivery_attempts a WHERE a.job_id = j.id ORDER BY a.id DESC LIMIT 1)";

impl Store {
    /// The delivery jobs of a contact (or all), oldest first.
    pub async fn jobs(&self, contact: Option<ContactId>) -> StoreResult<Vec<JobRecord>> {
        let text = format!("SELECT {JOB_COLUMNS} FROM delivery_jobs j WHERE ($1 IS NULL OR j.contact_id = $1) ORDER BY j.id");
        let rows: Vec<JobRow> = sql(sqlx::AssertSqlSafe(text)).bind(contact.map(|c| c.0)).fetch_all(&self.db).await?;
        job_records(rows)
    }

    /// A contact's newest `limit` delivery records of `purpose` since `since`, oldest
    /// first.
    pub async fn recent_jobs(&self, contact: ContactId, purpose: JobPurpose, since: Timestamp, limit: u32) -> StoreResult<Vec<JobRecord>> {
        let text = format!(
            "SELECT {JOB_COLUMNS} FROM delivery_jobs j
             WHERE j.contact_id = $1 AND j.purpose = $2 AND j.created_at > $3 ORDER BY j.id DESC LIMIT $4"
        );
        let mut rows: Vec<JobRow> = sql(sqlx::AssertSqlSafe(text))
            .bind(contact.0)
            .bind(purpose.as_str())
            .bind(since.0.saturating_mul(1000))
            .bind(limit)
            .fetch_all(&self.db)
            .await?;
        rows.reverse();
        job_records(rows)
    }

    /// What delivery health is counted from: the newest `limit` jobs written since
    /// `since_ms`, newest first, each with how many of its tries a server deferred. A
    /// read, bounded by `limit` (it uses the jobs' time index).
    pub async fn delivery_rows(&self, since_ms: i64, limit: u32) -> StoreResult<Vec<DeliveryRow>> {
        let rows: Vec<HealthRow> =
            sql("SELECT j.channel, j.destination, j.status, j.purpose, j.created_at, j.sent_at, j.delivered_at, j.expires_at,
                    (SELECT COUNT(*) FROM delivery_attempts a WHERE a.job_id = j.id AND a.outcome = 'temporary_failure')
             FROM delivery_jobs j
             WHERE j.created_at > $1
             ORDER BY j.created_at DESC LIMIT $2")
            .bind(since_ms)
            .bind(limit)
            .fetch_all(&self.db)
            .await?;
        rows.into_iter()
            .map(|(channel, destination, status, purpose, created_at_ms, sent_at_ms, delivered_at_ms, expires_at_ms, deferred)| {
                Ok(DeliveryRow {
                    channel: stored_channel(&channel)?,
                    destination,
                    status: JobStatus::parse(&status).ok_or_else(|| super::StoreError::Corrupt(format!("job status {status:?}")))?,
                    purpose: JobPurpose::parse(&purpose).ok_or_else(|| super::StoreError::Corrupt(format!("job purpose {purpose:?}")))?,
                    created_at_ms,
                    sent_at_ms,
                    delivered_at_ms,
                    expires_at_ms,
                    deferred: u32::try_from(deferred).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }
}

/// Counts of one destination's jobs written in a window, as delivery health counts
/// them (see `admin::health`), counted by the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DestinationCounts {
    pub sent: u32,
    pub accepted: u32,
    pub deferred: u32,
    pub failed: u32,
    pub late: u32,
    pub pending: u32,
    /// Deferred, failed or late.
    pub troubled: u32,
}

impl DestinationCounts {
    /// The share deferred, failed or late.
    pub fn share(&self) -> f64 {
        if self.sent == 0 { 0.0 } else { f64::from(self.troubled) / f64::from(self.sent) }
    }

    /// Two windows' counts together.
    pub fn plus(&self, other: &DestinationCounts) -> DestinationCounts {
        DestinationCounts {
            sent: self.sent + other.sent,
            accepted: self.accepted + other.accepted,
            deferred: self.deferred + other.deferred,
            failed: self.failed + other.failed,
            late: self.late + other.late,
            pending: self.pending + other.pending,
            troubled: self.troubled + other.troubled,
        }
    }
}

/// One destination's counts over the last hour and over the 23 hours before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationWindows {
    pub channel: Channel,
    /// `None` for numbers sent before destinations were kept.
    pub destination: Option<String>,
    pub hour: DestinationCounts,
    pub earlier: DestinationCounts,
}

/// Channel, destination, then sent, accepted, deferred, failed, late, pending and
/// troubled for the last hour, and the same for the 23 hours before.
type WindowsRow = (String, Option<String>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

impl Store {
    /// Every destination's counts (or `one`'s) over the last hour and the 23 hours
    /// before `now_ms`: one grouped aggregate over the day's jobs, on the database,
    /// whatever their number. The health page and a contact's card both mark from
    /// these, so they never disagree.
    pub async fn destination_windows(&self, now_ms: i64, one: Option<(Channel, &str)>) -> StoreResult<Vec<DestinationWindows>> {
        let rows: Vec<WindowsRow> = sql("SELECT channel, destination,
                    SUM(recent), SUM(recent * accepted), SUM(recent * deferred), SUM(recent * failed),
                    SUM(recent * late), SUM(recent * pending), SUM(recent * troubled),
                    SUM(1 - recent), SUM((1 - recent) * accepted), SUM((1 - recent) * deferred), SUM((1 - recent) * failed),
                    SUM((1 - recent) * late), SUM((1 - recent) * pending), SUM((1 - recent) * troubled)
             FROM (SELECT channel, destination, recent, accepted, deferred, failed, late, pending,
                          CASE WHEN deferred + failed + late > 0 THEN 1 ELSE 0 END AS troubled
                   FROM (SELECT j.channel, j.destination,
                                CASE WHEN j.created_at > $2 THEN 1 ELSE 0 END AS recent,
                                CASE WHEN j.sent_at IS NOT NULL THEN 1 ELSE 0 END AS accepted,
                                CASE WHEN EXISTS (SELECT 1 FROM delivery_attempts a
                                                  WHERE a.job_id = j.id AND a.outcome = 'temporary_failure') THEN 1 ELSE 0 END AS deferred,
                                CASE WHEN j.status IN ('failed', 'expired', 'undelivered') THEN 1 ELSE 0 END AS failed,
                                CASE WHEN j.purpose = 'code' AND (j.sent_at > j.expires_at OR j.delivered_at > j.expires_at)
                                     THEN 1 ELSE 0 END AS late,
                                CASE WHEN j.status IN ('queued', 'sending') THEN 1 ELSE 0 END AS pending
                         FROM delivery_jobs j
                         WHERE j.created_at > $1 AND ($3 IS NULL OR (j.channel = $3 AND j.destination = $4))) flagged) counted
             GROUP BY channel, destination")
        .bind(now_ms - 86_400_000)
        .bind(now_ms - 3_600_000)
        .bind(one.map(|(c, _)| c.as_str()))
        .bind(one.map(|(_, d)| d))
        .fetch_all(&self.db)
        .await?;
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        rows.into_iter()
            .map(|r| {
                let hour = DestinationCounts {
                    sent: n(r.2),
                    accepted: n(r.3),
                    deferred: n(r.4),
                    failed: n(r.5),
                    late: n(r.6),
                    pending: n(r.7),
                    troubled: n(r.8),
                };
                let earlier = DestinationCounts {
                    sent: n(r.9),
                    accepted: n(r.10),
                    deferred: n(r.11),
                    failed: n(r.12),
                    late: n(r.13),
                    pending: n(r.14),
                    troubled: n(r.15),
                };
                Ok(DestinationWindows { channel: stored_channel(&r.0)?, destination: r.1, hour, earlier })
            })
            .collect()
    }
}

/// One job as delivery health counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub channel: Channel,
    /// The email domain or the country calling code (`+45`); `None` for a number sent
    /// before destinations were kept.
    pub destination: Option<String>,
    pub status: JobStatus,
    pub purpose: JobPurpose,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
    pub delivered_at_ms: Option<i64>,
    pub expires_at_ms: i64,
    /// Tries a server answered "later" (a temporary failure).
    pub deferred: u32,
}

fn job_records(rows: Vec<JobRow>) -> StoreResult<Vec<JobRecord>> {
    rows.into_iter()
        .map(|row| {
            let (id, channel, recipient, status, attempts, provider, provider_message_id, last_error, created_at_ms, purpose, requested_by) =
                (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10);
            let (sent_at_ms, delivered_at_ms, expires_at_ms, answer) = (row.11, row.12, row.13, row.14);
            Ok(JobRecord {
                id,
                channel: stored_channel(&channel)?,
                recipient,
                status: JobStatus::parse(&status).ok_or_else(|| super::StoreError::Corrupt(format!("job status {status:?}")))?,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                provider,
                provider_message_id,
                last_error,
                created_at: Timestamp(created_at_ms.div_euclid(1000)),
                purpose: JobPurpose::parse(&purpose).ok_or_else(|| super::StoreError::Corrupt(format!("job purpose {purpose:?}")))?,
                requested_by,
                sent_at_ms,
                delivered_at_ms,
                expires_at_ms,
                answer,
            })
        })
        .collect()
}

impl Store {
    /// Outcomes of every try of a job, oldest first: `(outcome, provider, error)`.
    pub async fn attempts(&self, job_id: i64) -> StoreResult<Vec<(Option<String>, Option<String>, Option<String>)>> {
        Ok(sql("SELECT outcome, provider, error FROM delivery_attempts WHERE job_id = $1 ORDER BY id")
            .bind(job_id)
            .fetch_all(&self.db)
            .await?)
    }
}
