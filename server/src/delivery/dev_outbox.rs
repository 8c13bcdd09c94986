use super::{Delivery, DeliveryError, DeliveryFuture, Outgoing, Receipt};
use crate::clock::Clock;
use crate::store::{OutboxEntry, Store};
use std::sync::Arc;

/// Stores each message for `/dev/outbox` instead of sending it.
pub struct DevOutbox {
    store: Store,
    clock: Arc<dyn Clock>,
}

impl DevOutbox {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        DevOutbox { store, clock }
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
            let id = self.store.add_to_outbox(&entry).await.map_err(|e| DeliveryError::Temporary(e.to_string()))?;
            // The body (and its code) stays out of the log; the outbox page shows it.
            tracing::info!(channel = message.channel.as_str(), to = %message.to, id, "dev outbox: message stored, see /dev/outbox");
            Ok(Receipt { provider: "dev-outbox", provider_message_id: Some(id.to_string()) })
        })
    }

    fn provider_for(&self, _: domain::Channel) -> &'static str {
        "dev-outbox"
    }
}
