use super::{Delivery, DeliveryFuture, Outgoing, Receipt};
use crate::clock::Clock;
use crate::store::OutboxEntry;
use std::sync::Arc;

/// Keeps each message for `/dev/outbox` instead of sending it: the worker stores it
/// with the job's end, in the same transaction (see [`Receipt::outbox`]).
pub struct DevOutbox {
    clock: Arc<dyn Clock>,
}

impl DevOutbox {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        DevOutbox { clock }
    }
}

impl Delivery for DevOutbox {
    fn send<'a>(&'a self, message: &'a Outgoing) -> DeliveryFuture<'a> {
        Box::pin(async move {
            let entry = OutboxEntry {
                channel: message.channel,
                recipient: message.to.clone(),
                subject: message.subject.clone(),
                body: message.body.clone(),
                created_at: self.clock.now(),
                job: message.job,
            };
            // The body (and its code) stays out of the log; the outbox page shows it.
            tracing::info!(channel = message.channel.as_str(), to = %message.to, job = message.job, "dev outbox: message kept, see /dev/outbox");
            let answer = Some("kept in the dev outbox (/dev/outbox)".to_string());
            Ok(Receipt { provider: "dev-outbox", provider_message_id: None, outbox: Some(entry), answer })
        })
    }

    fn provider_for(&self, _: domain::Channel) -> &'static str {
        "dev-outbox"
    }
}
