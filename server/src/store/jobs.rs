//! The durable delivery outbox. Claims are single conditional statements (with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL), so several workers (in one process or
//! several) never take the same job at once; a worker that dies loses its lease and
//! the job is taken again.

use domain::Channel;

use super::sql;
use super::{ContactId, Ex, NewEvent, Store, StoreResult, Tx, stored_channel};
use domain::Timestamp;

/// A job to write with its code, in the same transaction.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub channel: Channel,
    pub recipient: String,
    /// Subject and body, sealed: they hold the code.
    pub payload: Vec<u8>,
    pub expires_at_ms: i64,
    /// Where it goes, as delivery health groups it (`delivery::destination`).
    pub destination: Option<String>,
    /// Written already claimed by a worker of this process, with its first attempt
    /// started, to be sent as soon as the step commits (the hand-off, see
    /// `delivery::worker`); `None` queues it.
    pub claimed: Option<JobClaim>,
}

stored_names! {
    /// Why a job was written: a login code, or an administrator's test message (no
    /// code; the diagnosis never reads it as a code).
    JobPurpose {
        Code => "code",
        Test => "test",
    }
}

/// The lease a job is written under when it skips the queue.
#[derive(Debug, Clone)]
pub struct JobClaim {
    pub owner: String,
    pub lease_until_ms: i64,
}

/// A job a worker holds the lease of.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub contact: Option<ContactId>,
    pub channel: Channel,
    pub recipient: String,
    pub payload: Option<Vec<u8>>,
    pub attempts: u32,
    pub expires_at_ms: i64,
    /// The attempt row this try writes its end to; `None` for a job claimed after its
    /// code expired, which is given up without a try.
    pub attempt: Option<i64>,
    pub purpose: JobPurpose,
}

/// Where a delivery job stands. Stored as its name (`queued`, …), read back strictly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting for a worker (or for its next try).
    Queued,
    /// A worker holds its lease and is trying.
    Sending,
    /// A provider took it.
    Sent,
    /// The provider's receipt said it arrived.
    Delivered,
    /// The provider's receipt said it did not.
    Undelivered,
    /// A provider refused it for good.
    Failed,
    /// Not sent before its code expired.
    Expired,
    /// Its code was withdrawn before it went.
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 8] = [
        JobStatus::Queued,
        JobStatus::Sending,
        JobStatus::Sent,
        JobStatus::Delivered,
        JobStatus::Undelivered,
        JobStatus::Failed,
        JobStatus::Expired,
        JobStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Sending => "sending",
            JobStatus::Sent => "sent",
            JobStatus::Delivered => "delivered",
            JobStatus::Undelivered => "undelivered",
            JobStatus::Failed => "failed",
            JobStatus::Expired => "expired",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(name: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// It will not reach the contact: refused, undelivered, or too late.
    pub fn did_not_arrive(self) -> bool {
        matches!(self, JobStatus::Failed | JobStatus::Expired | JobStatus::Undelivered)
    }

    /// A provider took it (and may have said it arrived).
    pub fn handed_over(self) -> bool {
        matches!(self, JobStatus::Sent | JobStatus::Delivered)
    }

    /// A worker has yet to finish with it.
    pub fn pending(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Sending)
    }
}

/// Lets a test say `job.status == "sent"`; the code matches the variants.
impl PartialEq<&str> for JobStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for JobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a try ended.
#[derive(Debug, Clone)]
pub enum Outcome<'a> {
    Sent {
        provider: &'a str,
        message_id: Option<&'a str>,
        /// What it answered ("250 2.0.0 Ok: queued as …"), masked of codes.
        answer: Option<&'a str>,
        /// The dev outbox's message, stored with the end of the job.
        outbox: Option<&'a super::OutboxEntry>,
    },
    /// Try again at `retry_at_ms`, or give up as expired when `None`.
    Temporary {
        provider: &'a str,
        error: &'a str,
        retry_at_ms: Option<i64>,
    },
    Permanent {
        provider: &'a str,
        error: &'a str,
    },
}

/// Writes a job, queued or (with `claimed`) claimed with its first attempt started:
/// what a worker then holds. `code` is the login_codes row of a code's job.
pub(super) async fn insert_job(
    mut ex: Ex<'_>,
    job: &NewJob,
    code: Option<i64>,
    contact: Option<ContactId>,
    purpose: JobPurpose,
    requested_by: Option<&str>,
    now_ms: i64,
) -> StoreResult<(i64, Option<ClaimedJob>)> {
    // Claimed, it is written as `claim_job` leaves a job it takes.
    let (status, owner, lease_until, attempts) = match &job.claimed {
        Some(claim) => (JobStatus::Sending, Some(claim.owner.as_str()), Some(claim.lease_until_ms), 1),
        None => (JobStatus::Queued, None, None, 0),
    };
    let job_id =
        sql("INSERT INTO delivery_jobs (code_id, contact_id, channel, recipient, payload, status, lease_owner, lease_until, attempts,
                                    next_attempt_at, expires_at, created_at, updated_at, purpose, requested_by, destination)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $10, $12, $13, $14) RETURNING id")
        .bind(code)
        .bind(contact.map(|c| c.0))
        .bind(job.channel.as_str())
        .bind(&job.recipient)
        .bind(&job.payload)
        .bind(status.as_str())
        .bind(owner)
        .bind(lease_until)
        .bind(attempts)
        .bind(now_ms)
        .bind(job.expires_at_ms)
        .bind(purpose.as_str())
        .bind(requested_by)
        .bind(job.destination.as_deref())
        .scalar_one::<i64>(ex.reborrow())
        .await?;
    let Some(claim) = &job.claimed else { return Ok((job_id, None)) };
    let attempt = start_attempt(ex, job_id, attempts, &claim.owner, now_ms).await?;
    Ok((
        job_id,
        Some(ClaimedJob {
            id: job_id,
            contact,
            channel: job.channel,
            recipient: job.recipient.clone(),
            payload: Some(job.payload.clone()),
            attempts: 1,
            expires_at_ms: job.expires_at_ms,
            attempt: Some(attempt),
            purpose,
        }),
    ))
}

/// Starts a job's try: the row its end is written to.
pub(super) async fn start_attempt(ex: Ex<'_>, job: i64, attempt: i64, worker: &str, now_ms: i64) -> StoreResult<i64> {
    let insert = "INSERT INTO delivery_attempts (job_id, attempt, worker, started_at) VALUES ($1, $2, $3, $4) RETURNING id";
    Ok(sql(insert).bind(job).bind(attempt).bind(worker).bind(now_ms).scalar_one::<i64>(ex).await?)
}

type ClaimRow = (i64, Option<i64>, String, String, Option<Vec<u8>>, i64, i64, String);
impl Store {
    /// Takes the next due job (or one whose lease ran out) for `worker` until
    /// `lease_until_ms`, and starts its attempt, in one transaction: a code costs the
    /// single writer two transactions in all (this, and [`Store::finish_attempt`]).
    pub async fn claim_job(&self, worker: &str, now_ms: i64, lease_until_ms: i64) -> StoreResult<Option<ClaimedJob>> {
        // The outer condition is checked again on the row as it is when updated, so a
        // job another worker took in between is not taken twice. On PostgreSQL, rows
        // other workers are claiming are skipped rather than waited for; SQLite runs
        // one writer at a time and needs no such clause.
        let skip_locked = match self.backend() {
            super::Backend::Sqlite => "",
            super::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let mut tx = self.begin().await?;
        let row: Option<ClaimRow> = sql(sqlx::AssertSqlSafe(format!(
            "UPDATE delivery_jobs
             SET status = 'sending', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
             WHERE id = (SELECT id FROM delivery_jobs
                         WHERE (status = 'queued' AND next_attempt_at <= $3) OR (status = 'sending' AND lease_until <= $3)
                         ORDER BY next_attempt_at, id LIMIT 1 {skip_locked})
               AND (status = 'queued' OR (status = 'sending' AND lease_until <= $3))
             RETURNING id, contact_id, channel, recipient, payload, attempts, expires_at, purpose"
        )))
        .bind(worker)
        .bind(lease_until_ms)
        .bind(now_ms)
        .fetch_optional(&mut tx)
        .await?;
        let Some((id, contact, channel, recipient, payload, attempts, expires_at_ms, purpose)) = row else { return Ok(None) };
        let attempt =
            if now_ms < expires_at_ms { Some(start_attempt((&mut tx).into(), id, attempts, worker, now_ms).await?) } else { None };
        tx.commit().await?;
        Ok(Some(ClaimedJob {
            id,
            contact: contact.map(ContactId),
            channel: stored_channel(&channel)?,
            recipient,
            payload,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            expires_at_ms,
            attempt,
            purpose: JobPurpose::parse(&purpose).ok_or_else(|| super::StoreError::Corrupt(format!("job purpose {purpose:?}")))?,
        }))
    }

    /// Puts a job `owner` holds and has not started sending back in the queue, its
    /// attempt undone; false when no such job was written (the step rolled back).
    pub async fn requeue_job(&self, job_id: i64, owner: &str) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let back = sql("UPDATE delivery_jobs SET status = 'queued', lease_owner = NULL, lease_until = NULL, attempts = attempts - 1
             WHERE id = $1 AND status = 'sending' AND lease_owner = $2")
        .bind(job_id)
        .bind(owner)
        .execute(&mut tx)
        .await?
        .rows_affected()
            == 1;
        if back {
            sql("DELETE FROM delivery_attempts WHERE job_id = $1 AND worker = $2 AND finished_at IS NULL")
                .bind(job_id)
                .bind(owner)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(back)
    }

    /// The outbox now: how many jobs wait or are being sent, and when the
    /// longest-waiting due one became due. One aggregate on the queue's index.
    pub async fn outbox_now(&self, now_ms: i64) -> StoreResult<(i64, Option<i64>)> {
        Ok(sql("SELECT COUNT(*), MIN(CASE WHEN status = 'queued' AND next_attempt_at <= $1 THEN next_attempt_at END)
             FROM delivery_jobs WHERE status IN ('queued', 'sending')")
        .bind(now_ms)
        .fetch_one(&self.db)
        .await?)
    }

    /// Whether a job is due (queued and due, or its lease ran out): what
    /// [`Store::claim_job`] would take, read without a write.
    pub async fn job_due(&self, now_ms: i64) -> StoreResult<bool> {
        let due: Option<i64> = sql("SELECT id FROM delivery_jobs
             WHERE (status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until <= $1) LIMIT 1")
        .bind(now_ms)
        .scalar_optional(&self.db)
        .await?;
        Ok(due.is_some())
    }

    /// Records how a try ended, and its event, if `worker` still holds the lease, in one
    /// transaction. Returns false when the lease was lost (another worker took the job
    /// over, and writes its own end).
    pub async fn finish_attempt(
        &self,
        job_id: i64,
        attempt_id: i64,
        worker: &str,
        outcome: Outcome<'_>,
        now_ms: i64,
        event: NewEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let (kind, provider, message_id, error, answer) = match &outcome {
            Outcome::Sent { provider, message_id, answer, .. } => ("sent", *provider, *message_id, None, *answer),
            Outcome::Temporary { provider, error, .. } => ("temporary_failure", *provider, None, Some(*error), None),
            Outcome::Permanent { provider, error } => ("permanent_failure", *provider, None, Some(*error), None),
        };
        let (status, next_at, wipe) = match &outcome {
            Outcome::Sent { .. } => (JobStatus::Sent, None, true),
            Outcome::Temporary { retry_at_ms: Some(at), .. } => (JobStatus::Queued, Some(*at), false),
            Outcome::Temporary { retry_at_ms: None, .. } => (JobStatus::Expired, None, true),
            Outcome::Permanent { .. } => (JobStatus::Failed, None, true),
        };
        let done = sql("UPDATE delivery_jobs
             SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), lease_owner = NULL, lease_until = NULL,
                 provider = $3, provider_message_id = COALESCE($4, provider_message_id), last_error = $5, updated_at = $6,
                 sent_at = CASE WHEN $1 = 'sent' THEN $6 ELSE sent_at END,
                 payload = CASE WHEN $7 THEN NULL ELSE payload END
             WHERE id = $8 AND status = 'sending' AND lease_owner = $9")
        .bind(status.as_str())
        .bind(next_at)
        .bind(provider)
        .bind(message_id)
        .bind(error)
        .bind(now_ms)
        .bind(wipe)
        .bind(job_id)
        .bind(worker)
        .execute(&mut tx)
        .await?;
        let held = done.rows_affected() == 1;
        // The attempt's end, the outbox and the event go with the commit (one round trip
        // on SQLite): nothing here reads them.
        tx.defer(
            sql("UPDATE delivery_attempts SET finished_at = $1, outcome = $2, provider = $3, provider_message_id = $4, error = $5, answer = $6
                 WHERE id = $7")
            .bind(now_ms)
            .bind(kind)
            .bind(provider)
            .bind(message_id)
            .bind(error)
            .bind(answer)
            .bind(attempt_id),
        );
        if held {
            // Not when the lease was lost: the worker that took the job over keeps its own.
            if let Outcome::Sent { outbox: Some(entry), .. } = &outcome {
                tx.defer(super::outbox::insertion(entry));
            }
            tx.record_events(&[event], Timestamp(now_ms.div_euclid(1000))).await?;
        }
        tx.commit().await?;
        Ok(held)
    }

    /// Gives up on a claimed job whose code expired before it could be sent.
    /// Its event is written with it.
    pub async fn expire_job(&self, job_id: i64, worker: &str, now_ms: i64, event: NewEvent) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let done =
            sql("UPDATE delivery_jobs SET status = 'expired', payload = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $1
             WHERE id = $2 AND status = 'sending' AND lease_owner = $3")
            .bind(now_ms)
            .bind(job_id)
            .bind(worker)
            .execute(&mut tx)
            .await?;
        let held = done.rows_affected() == 1;
        if held {
            tx.record_events(&[event], Timestamp(now_ms.div_euclid(1000))).await?;
        }
        tx.commit().await?;
        Ok(held)
    }

    /// A provider's delivery receipt. Returns the job's contact when a job matched.
    pub async fn record_receipt(
        &self,
        provider: &str,
        message_id: &str,
        delivered: bool,
        error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Option<(i64, Option<ContactId>)>> {
        let row: Option<(i64, Option<i64>)> = sql("UPDATE delivery_jobs
             SET status = $1, delivered_at = CASE WHEN $1 = 'delivered' THEN $2 ELSE delivered_at END,
                 last_error = COALESCE($3, last_error), updated_at = $2
             WHERE provider = $4 AND provider_message_id = $5 AND status IN ('sent', 'delivered', 'undelivered')
             RETURNING id, contact_id")
        .bind(if delivered { JobStatus::Delivered } else { JobStatus::Undelivered }.as_str())
        .bind(now_ms)
        .bind(error)
        .bind(provider)
        .bind(message_id)
        .fetch_optional(&self.db)
        .await?;
        Ok(row.map(|(id, contact)| (id, contact.map(ContactId))))
    }
}

impl Tx {
    /// Writes an administrator's test message to `contact`: a job with no code, queued
    /// or claimed like a code's. Returns its id, and the job as its worker holds it when
    /// it was written claimed.
    pub async fn insert_test_job(
        &mut self,
        job: &NewJob,
        contact: ContactId,
        admin: &str,
        now_ms: i64,
    ) -> StoreResult<(i64, Option<ClaimedJob>)> {
        insert_job(self.conn(), job, None, Some(contact), JobPurpose::Test, Some(admin), now_ms).await
    }
}

#[cfg(test)]
mod tests {
    use super::JobStatus;

    #[test]
    fn every_status_is_stored_under_a_name_of_its_own_and_read_back_as_itself() {
        let names: std::collections::BTreeSet<&str> = JobStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names.len(), JobStatus::ALL.len());
        for status in JobStatus::ALL {
            assert_eq!(JobStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(JobStatus::parse("snet"), None);
        // Each status is in exactly one of: pending, handed over, did not arrive, cancelled.
        for status in JobStatus::ALL {
            let groups = [status.pending(), status.handed_over(), status.did_not_arrive(), status == JobStatus::Cancelled];
            assert_eq!(groups.iter().filter(|g| **g).count(), 1, "{status}");
        }
    }
}
