use std::sync::Arc;

use domain::Channel;

use super::{Delivery, DeliveryFuture, Outgoing};

/// Sends email through one provider and text messages through another.
pub struct ByChannel {
    pub email: Arc<dyn Delivery>,
    pub sms: Arc<dyn Delivery>,
}

impl ByChannel {
    fn pick(&self, channel: Channel) -> &dyn Delivery {
        match channel {
            Channel::Email => self.email.as_ref(),
            Channel::Sms => self.sms.as_ref(),
        }
    }
}

impl Delivery for ByChannel {
    fn send<'a>(&'a self, message: &'a Outgoing) -> DeliveryFuture<'a> {
        self.pick(message.channel).send(message)
    }

    fn provider_for(&self, channel: Channel) -> &'static str {
        self.pick(channel).provider_for(channel)
    }
}
