//! The outbox worker: takes due jobs, sends them through the configured providers,
//! records every try, and retries temporary failures until the code expires.
//!
//! Requests never wait for it: issuing a code only writes the job. A worker holds a
//! job under a lease; if it dies, the lease runs out and another worker takes the
//! job. A job marked sent is final, so a restart never sends it again.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::backoff::{jitter, next_attempt_at};
use super::{Delivery, DeliveryError, Outgoing, Sealer};
use crate::clock::Clock;
use crate::store::{ClaimedJob, Outcome, Store, StoreError, What};
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
    name: String,
}

impl Worker {
    pub fn new(
        store: Store,
        delivery: Arc<dyn Delivery>,
        clock: Arc<dyn Clock>,
        sealer: Sealer,
        settings: WorkerSettings,
        wake: Arc<Notify>,
    ) -> Self {
        let id = Token::generate().map(|t| t.expose()[..8].to_string()).unwrap_or_else(|_| "worker".into());
        Worker { store, delivery, clock, sealer, settings, wake, name: format!("{}-{id}", std::process::id()) }
    }

    /// Starts the configured number of worker tasks on the current runtime.
    pub fn spawn(self) -> Vec<tokio::task::JoinHandle<()>> {
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
            match self.run_once().await {
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

    /// Takes and handles one due job; false when there was none.
    pub async fn run_once(&self) -> Result<bool, StoreError> {
        let now = self.clock.now_ms();
        let lease_until = now + i64::try_from(self.settings.lease.as_millis()).unwrap_or(i64::MAX);
        let Some(job) = self.store.claim_job(&self.name, now, lease_until).await? else {
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
            let what = What::DeliveryExpired { job: id, channel, to, attempt, provider: None, error: None };
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
        let result = match &message {
            Some(m) => self.delivery.send(m).await,
            None => Err(DeliveryError::Permanent("the message could not be read (was the server key changed?)".into())),
        };
        let now = self.clock.now_ms();
        let provider = self.delivery.provider_for(job.channel);
        // What the provider said, masked of codes: kept on the attempt and in the event.
        let said = match &result {
            Err(DeliveryError::Temporary(e) | DeliveryError::Permanent(e)) => super::redact(e),
            Ok(_) => String::new(),
        };
        // How the try ended and its event are written in one transaction.
        let (outcome, what) = match &result {
            Ok(receipt) => {
                let (provider, provider_message_id) = (receipt.provider.to_string(), receipt.provider_message_id.clone());
                let (message_id, outbox) = (receipt.provider_message_id.as_deref(), receipt.outbox.as_ref());
                let outcome = Outcome::Sent { provider: receipt.provider, message_id, outbox };
                (outcome, What::CodeSent { job: id, channel, to, attempt, provider, provider_message_id })
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
            _ => {}
        }
        tracing::info!(event = what.kind().as_str(), contact = job.contact.map(|c| c.0), detail = %what.detail(), "delivery event");
    }
}
