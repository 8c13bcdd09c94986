//! Writing a step's effects inside its transaction: the code and its sealed delivery
//! job, hits, attempts, the login (device, network), outcome and events.

use super::LoginService;
use super::flow::{self, Effects};
use super::service::{Queued, ServiceError, Step, Written, new_event};
use crate::delivery::{CodeMessage, code_message};
use crate::store::{JobClaim, NewCode, NewJob, NewSlot, Tx};
use domain::Token;

impl LoginService {
    /// Writes a step's effects inside its transaction.
    pub(super) async fn write(&self, tx: &mut Tx, step: &Step<'_>, fx: Effects) -> Result<Written, ServiceError> {
        let now = step.now;
        let mut written = Written::default();
        // Kept on the flow with its support reference until a page shows it.
        let said = fx.outcome.clone().map(|outcome| super::Said { outcome, reference: step.reference.clone() });
        let outcome = said.as_ref().map(serde_json::to_string).transpose()?;
        if let (Some(issue), Some(flow_id)) = (&fx.issue, step.flow_id) {
            let slot = match &issue.slot {
                flow::SlotChoice::Live(slot) => *slot,
                flow::SlotChoice::New { owner, contact, trust, expires_at } => {
                    let new = NewSlot { owner, contact: *contact, channel: issue.channel, trust: *trust, expires_at: *expires_at };
                    tx.insert_slot(&new, now).await?
                }
            };
            let job = match &issue.send_to {
                Ok(to) => {
                    let code = self.secret.slot_code(slot.id, slot.created_at);
                    let locale = domain::i18n::Locale::new(step.code_language(), self.outbox.zone.clone());
                    let asked_from = match step.who.user_agent.as_deref().map(domain::browser_parts) {
                        Some((Some(browser), Some(system))) => Some((browser, system)),
                        _ => None,
                    };
                    let facts = CodeMessage {
                        channel: issue.channel,
                        code: &code,
                        requested_at: now,
                        expires_at: slot.expires_at,
                        first_sent_at: slot.sent_at,
                        host: &self.outbox.host,
                        organisation: &self.outbox.organisation,
                        asked_from,
                        code_in_subject: self.outbox.code_in_subject,
                    };
                    let message = code_message(&facts, &locale);
                    let payload = self.outbox.sealer.seal(&message.subject, &message.body)?;
                    // The job stops trying when the code stops working.
                    let left_ms = slot.expires_at.0.saturating_sub(now.0).saturating_mul(1000);
                    let expires_at_ms = self.clock.now_ms().saturating_add(left_ms);
                    let destination = crate::delivery::destination(issue.channel, to);
                    Some(NewJob { channel: issue.channel, recipient: to.clone(), payload, expires_at_ms, destination, claimed: None })
                }
                Err(_) => None,
            };
            // Sent straight after the commit when a worker of this process has a place.
            let reservation = job.as_ref().and_then(|_| self.outbox.worker.reserve());
            let claimed = reservation.as_ref().map(|r| JobClaim { owner: r.owner.clone(), lease_until_ms: r.lease_until_ms });
            let queued = job.is_some();
            let job = job.map(|job| NewJob { claimed, ..job });
            let new = NewCode { flow_id, contact: step.contact, channel: issue.channel, slot: slot.id, job };
            let handed = tx.insert_code(&new, now, self.clock.now_ms()).await?;
            written.job = match (reservation, handed) {
                (Some(reservation), Some(job)) => Some(Queued::HandedOff(Box::new(self.outbox.worker.handed_off(reservation, job)))),
                _ => queued.then_some(Queued::ToQueue),
            };
            // A new flow was written with its channel; "Send a new code" changes it.
            if fx.outcome.is_some() {
                tx.update_flow(flow_id, issue.channel, outcome.as_deref(), now).await?;
            }
        } else if let (Some(flow_id), None) = (step.flow_id, &fx.login) {
            tx.set_outcome(flow_id, outcome.as_deref()).await?;
        }
        for slot in &fx.attempts {
            tx.take_attempt(*slot).await?;
        }
        let mut device_id = None;
        if let (Some(login), Some(flow_id)) = (&fx.login, step.flow_id) {
            tx.consume_code(&login.code, now).await?;
            tx.complete_flow(flow_id, now).await?;
            // A fresh device token at every login: a cookie the browser had stops working.
            if let Some(old) = step.who.device.clone()
                && let Some(device) = tx.device_by_token(&old.hash()).await?
            {
                tx.revoke_device(device.id, now).await?;
            }
            let token = Token::generate()?;
            let browser = step.who.user_agent.as_deref().map(domain::browser_and_platform);
            device_id = Some(tx.add_device(login.contact, &token.hash(), browser.as_deref(), now).await?);
            tx.remember_network(login.contact, &step.network, now).await?;
            // Their codes from now on are in the language they logged in with.
            tx.set_contact_language(login.contact, step.who.language.lang).await?;
            written.device = Some(token);
        }
        let mut events = Vec::with_capacity(fx.events.len());
        for e in fx.events {
            let what = e.what.in_step(step.flow_id, device_id, &step.network);
            // A network over its limit while a contact's flow is open: the contact's
            // card shows it (once per window, like the event itself).
            let contact = match what {
                flow::What::NetworkLimited { .. } => e.contact.or(step.contact),
                _ => e.contact,
            };
            if what.kind() == crate::store::EventKind::SmsBudgetSpent {
                tracing::error!(
                    budget = self.limits.sms_per_hour,
                    "ALERT: the hourly SMS budget is spent; SMS codes stop until it frees up"
                );
            }
            events.push(new_event(contact, &what)?);
        }
        // Last, with the events: writes nothing after them reads, so on SQLite they go
        // to the database together, at the commit (see `store::Deferred`).
        tx.record_hits(&fx.hits, now).await?;
        tx.record_events(&events, now).await?;
        Ok(written)
    }

    /// After the step's commit: the job it wrote goes to its worker.
    pub(super) fn sent(&self, written: &mut Written) {
        match written.job.take() {
            Some(Queued::HandedOff(job)) => job.send(),
            Some(Queued::ToQueue) => self.outbox.worker.wake(),
            None => {}
        }
    }
}
