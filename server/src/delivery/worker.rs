//! The outbox worker: takes due jobs, sends them through the configured providers,
//! records every try, and retries temporary failures until the code expires.
//!
//! Requests never wait for it: issuing a code only writes the job. A worker holds a
//! job under a lease; if it dies, the lease runs out and another worker takes the
//! job. A job marked sent is final, so a restart never sends it again.
//!
//! A process sends at most `workers` jobs at a time: a send takes one of that many
//! places. A job skips the queue when a place is free as it is written
//! ([`Worker::reserve`]): once the workers run, the step that issues a code writes
//! its job already claimed, with its first attempt, and the job is sent as soon as
//! the step commits ([`Worker::hand_off`]). That saves the code its wait in the queue
//! and the single writer the claim's transaction. Otherwise the job queues, and a
//! worker takes it when a place frees (places go to waiting workers first). A
//! handed-off job is held under a lease like any other, so a process that dies with
//! one in hand leaves it to the next worker when the lease runs out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::backoff::{jitter, next_attempt_at};
use super::{Delivery, DeliveryError, Outgoing, Sealer};
use crate::clock::Clock;
use crate::store::{ClaimedJob, JobPurpose, Outcome, Store, StoreError, TestStatus, What};
use domain::Token;

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub workers: usize,
    pub lease: Duration,
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How often an idle worker looks for due jobs (retries, other processes' jobs).
    pub poll: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            workers: 2,
            lease: Duration::from_secs(60),
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
            poll: Duration::from_secs(1),
        }
    }
}

#[derive(Clone)]
pub struct Worker {
    store: Store,
    delivery: Arc<dyn Delivery>,
    clock: Arc<dyn Clock>,
    sealer: Sealer,
    settings: WorkerSettings,
    wake: Arc<Notify>,
    handoff: Arc<HandOff>,
    name: String,
}

/// The process's places to send in, shared by its workers and the hand-off.
struct HandOff {
    /// Set when the workers start: a portal whose workers are not running (a test's,
    /// a CLI command's) leaves every job to the queue.
    open: AtomicBool,
    places: Arc<Semaphore>,
    /// When a worker last went round its loop (milliseconds after `started`): what
    /// `/readyz` reads to tell running workers from dead or stuck ones.
    beat: AtomicU64,
    started: std::time::Instant,
}

/// A job a step wrote claimed, until it is sent. Dropped unsent (the request was
/// cancelled after its transaction, or the commit failed), it is put back in the
/// queue if it was written, rather than waiting out its lease.
pub struct HandedOff {
    worker: Worker,
    claim: Option<(Reservation, ClaimedJob)>,
}

impl HandedOff {
    /// Sends it; the place is freed when the try has ended.
    pub fn send(mut self) {
        let Some((reservation, job)) = self.claim.take() else { return };
        let mut worker = self.worker.clone();
        worker.name = reservation.owner;
        let place = reservation.place;
        tokio::spawn(async move {
            if let Err(e) = worker.handle(job).await {
                tracing::error!(error = %e, worker = %worker.name, "delivery worker error");
            }
            drop(place);
        });
    }
}

impl Drop for HandedOff {
    fn drop(&mut self) {
        let Some((reservation, job)) = self.claim.take() else { return };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let worker = self.worker.clone();
        drop(reservation.place);
        runtime.spawn(async move {
            match worker.store.requeue_job(job.id, &reservation.owner).await {
                Ok(true) => worker.wake(),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, job = job.id, "a handed-off job was not put back; its lease will free it"),
            }
        });
    }
}

/// A hand-off place, taken before the step writes its job, and the claim the job is
/// written under. Dropped unused (the step rolled back, or sent nothing), it frees
/// the place.
pub struct Reservation {
    place: OwnedSemaphorePermit,
    /// The lease's holder and end, as [`Store::claim_job`] would have written them.
    pub owner: String,
    pub lease_until_ms: i64,
}

impl Worker {
    pub fn new(store: Store, delivery: Arc<dyn Delivery>, clock: Arc<dyn Clock>, sealer: Sealer, settings: WorkerSettings) -> Self {
        let wake = Arc::new(Notify::new());
        let id = Token::generate().map(|t| t.expose()[..8].to_string()).unwrap_or_else(|_| "worker".into());
        let places = Arc::new(Semaphore::new(settings.workers.max(1)));
        let handoff =
            Arc::new(HandOff { open: AtomicBool::new(false), places, beat: AtomicU64::new(0), started: std::time::Instant::now() });
        Worker { store, delivery, clock, sealer, settings, wake, handoff, name: format!("{}-{id}", std::process::id()) }
    }

    /// Starts the configured number of worker tasks on the current runtime, and opens
    /// the hand-off.
    pub fn spawn(self) -> Vec<tokio::task::JoinHandle<()>> {
        self.handoff.open.store(true, Ordering::Release);
        (0..self.settings.workers.max(1))
            .map(|i| {
                let mut worker = self.clone();
                worker.name = format!("{}/{i}", self.name);
                tokio::spawn(async move { worker.run().await })
            })
            .collect()
    }

    async fn run(self) {
        loop {
            self.beat();
            match self.take_one().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, worker = %self.name, "delivery worker error"),
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.settings.poll) => {}
            }
        }
    }

    fn beat(&self) {
        let now = u64::try_from(self.handoff.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.handoff.beat.store(now, Ordering::Release);
    }

    /// Whether this process's workers are running: started, and one went round its
    /// loop within `within` (an idle worker does every `poll`; a busy one after each
    /// send, which its provider's timeout bounds).
    pub fn running(&self, within: std::time::Duration) -> bool {
        let since =
            self.handoff.started.elapsed().saturating_sub(std::time::Duration::from_millis(self.handoff.beat.load(Ordering::Acquire)));
        self.handoff.open.load(Ordering::Acquire) && since <= within
    }

    /// A place to send a job straight from the step that issues it: `None` while the
    /// workers are not running or every place is taken (the job then queues).
    pub fn reserve(&self) -> Option<Reservation> {
        if !self.handoff.open.load(Ordering::Acquire) {
            return None;
        }
        let place = self.handoff.places.clone().try_acquire_owned().ok()?;
        Some(Reservation { place, owner: format!("{}/handoff", self.name), lease_until_ms: self.lease_from(self.clock.now_ms()) })
    }

    /// The job a step wrote claimed under `reservation`, to send once the step has
    /// committed ([`HandedOff::send`]).
    pub fn handed_off(&self, reservation: Reservation, job: ClaimedJob) -> HandedOff {
        HandedOff { worker: self.clone(), claim: Some((reservation, job)) }
    }

    /// When a lease taken at `now_ms` runs out.
    fn lease_from(&self, now_ms: i64) -> i64 {
        now_ms.saturating_add(i64::try_from(self.settings.lease.as_millis()).unwrap_or(i64::MAX))
    }

    /// Wakes a worker for a job written to the queue.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Takes a place and handles one due job with it; false when there was none. An
    /// idle worker holds no place while it looks, so it never keeps a new code from
    /// being handed off.
    async fn take_one(&self) -> Result<bool, StoreError> {
        if !self.store.job_due(self.clock.now_ms()).await? {
            return Ok(false);
        }
        // Never closed: a place always comes.
        let Ok(_place) = self.handoff.places.clone().acquire_owned().await else { return Ok(false) };
        self.run_once().await
    }

    /// Takes and handles one due job; false when there was none.
    pub async fn run_once(&self) -> Result<bool, StoreError> {
        let now = self.clock.now_ms();
        let Some(job) = self.store.claim_job(&self.name, now, self.lease_from(now)).await? else {
            return Ok(false);
        };
        self.handle(job).await?;
        Ok(true)
    }

    async fn handle(&self, job: ClaimedJob) -> Result<(), StoreError> {
        let now = self.clock.now_ms();
        let (id, channel, to, attempt) = (job.id, job.channel, job.recipient.clone(), i64::from(job.attempts));
        // The claim started an attempt unless the code had expired by then.
        let Some(attempt_id) = job.attempt else {
            let what = match job.purpose {
                JobPurpose::Code => What::DeliveryExpired { job: id, channel, to, attempt, provider: None, error: None },
                JobPurpose::Test => test_event(&job, TestStatus::Expired, None, None),
            };
            if self.store.expire_job(job.id, &self.name, now, self.event(&job, &what)).await? {
                self.said(&job, &what);
            }
            return Ok(());
        };
        let message = job.payload.as_deref().and_then(|p| self.sealer.open(p).ok()).map(|(subject, body)| Outgoing {
            channel: job.channel,
            to: job.recipient.clone(),
            subject,
            body,
            key: format!("portal-job-{}-{}", job.id, job.expires_at_ms),
            job: job.id,
        });
        let sending = std::time::Instant::now();
        let result = match &message {
            Some(m) => self.delivery.send(m).await,
            None => Err(DeliveryError::Permanent("the message could not be read (was the server key changed?)".into())),
        };
        let now = self.clock.now_ms();
        let provider = self.delivery.provider_for(job.channel);
        // What the provider said, masked of codes: kept on the attempt and in the event.
        let said = match &result {
            Err(DeliveryError::Temporary(e) | DeliveryError::Permanent(e)) => super::redact(e),
            Ok(receipt) => receipt.answer.as_deref().map(super::redact).unwrap_or_default(),
        };
        let answer = (!said.is_empty()).then_some(said.as_str());
        // How the try ended and its event are written in one transaction.
        let (outcome, what) = match &result {
            Ok(receipt) => {
                let (provider, provider_message_id) = (receipt.provider.to_string(), receipt.provider_message_id.clone());
                let (message_id, outbox) = (receipt.provider_message_id.as_deref(), receipt.outbox.as_ref());
                let outcome = Outcome::Sent { provider: receipt.provider, message_id, outbox, answer };
                let answer = answer.map(str::to_string);
                (outcome, What::CodeSent { job: id, channel, to, attempt, provider, provider_message_id, answer })
            }
            Err(DeliveryError::Temporary(_)) => {
                let (base, max) = (self.settings.retry_base, self.settings.retry_max);
                let retry_at = next_attempt_at(now, job.attempts, base, max, jitter(), job.expires_at_ms);
                let (p, e) = (provider.to_string(), said.clone());
                let what = match retry_at {
                    Some(_) => What::DeliveryRetrying { job: id, channel, to, attempt, provider: p, error: e },
                    None => What::DeliveryExpired { job: id, channel, to, attempt, provider: Some(p), error: Some(e) },
                };
                (Outcome::Temporary { provider, error: &said, retry_at_ms: retry_at }, what)
            }
            Err(DeliveryError::Permanent(_)) => {
                let what = What::DeliveryFailed { job: id, channel, to, attempt, provider: provider.to_string(), error: said.clone() };
                (Outcome::Permanent { provider, error: &said }, what)
            }
        };
        // A test message's events say so: the diagnosis never reads it as a code.
        let what = match (job.purpose, &what) {
            (JobPurpose::Code, _) => what,
            (JobPurpose::Test, What::CodeSent { .. }) => test_event(&job, TestStatus::Accepted, Some(provider), answer),
            (JobPurpose::Test, What::DeliveryRetrying { .. }) => test_event(&job, TestStatus::Deferred, Some(provider), answer),
            (JobPurpose::Test, What::DeliveryExpired { .. }) => test_event(&job, TestStatus::Expired, Some(provider), Some(&said)),
            (JobPurpose::Test, _) => test_event(&job, TestStatus::Failed, Some(provider), Some(&said)),
        };
        let ended = match &what {
            What::CodeSent { .. } | What::TestMessage { status: TestStatus::Accepted, .. } => "sent",
            What::DeliveryRetrying { .. } | What::TestMessage { status: TestStatus::Deferred, .. } => "deferred",
            What::DeliveryExpired { .. } | What::TestMessage { status: TestStatus::Expired, .. } => "expired",
            _ => "failed",
        };
        crate::metrics::get().delivery(job.channel.as_str(), provider, ended, sending.elapsed());
        if self.store.finish_attempt(job.id, attempt_id, &self.name, outcome, now, self.event(&job, &what)).await? {
            self.said(&job, &what);
        }
        Ok(())
    }

    /// The event of a job, to write with its change.
    fn event(&self, job: &ClaimedJob, what: &What) -> crate::store::NewEvent {
        crate::store::NewEvent::new(job.contact, what.clone())
    }

    /// Logs an event once it is written (not when another worker took the job over),
    /// and a failure as a warning.
    fn said(&self, job: &ClaimedJob, what: &What) {
        match what {
            What::DeliveryRetrying { error, .. } => {
                tracing::warn!(job = job.id, attempt = job.attempts, %error, "delivery failed, will retry")
            }
            What::DeliveryExpired { error: Some(error), .. } => {
                tracing::warn!(job = job.id, attempt = job.attempts, %error, "delivery failed, and the code expires before another try")
            }
            What::DeliveryFailed { error, .. } => tracing::warn!(job = job.id, %error, "delivery failed permanently"),
            What::TestMessage { status: TestStatus::Deferred | TestStatus::Failed | TestStatus::Expired, said, .. } => {
                tracing::warn!(job = job.id, error = said.as_deref().unwrap_or_default(), "a test message was not taken")
            }
            _ => {}
        }
        tracing::info!(event = what.kind().as_str(), contact = job.contact.map(|c| c.0), detail = %what.detail(), "delivery event");
    }
}

/// A test message's event: how its try ended, with what the provider said.
fn test_event(job: &ClaimedJob, status: TestStatus, provider: Option<&str>, said: Option<&str>) -> What {
    What::TestMessage {
        job: job.id,
        channel: job.channel,
        to: job.recipient.clone(),
        status,
        admin: None,
        provider: provider.map(str::to_string),
        said: said.map(str::to_string),
    }
}
