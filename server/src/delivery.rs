//! Getting a code to a contact. Providers are chosen at run time from the
//! configuration; all implement [`Delivery`]. The embedded default is the dev outbox.

mod dev_outbox;
mod text;

use std::future::Future;
use std::pin::Pin;

use app::types::Channel;

pub use dev_outbox::DevOutbox;
pub use text::code_message;

/// A message to one address, ready to send.
#[derive(Clone)]
pub struct Outgoing {
    pub channel: Channel,
    /// Normalised email address or E.164 number.
    pub to: String,
    pub subject: String,
    pub body: String,
}

// The body holds a code: never print it by accident.
impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing").field("channel", &self.channel).field("to", &self.to).finish_non_exhaustive()
    }
}

/// What a provider said when it took the message.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub provider: &'static str,
    pub provider_message_id: Option<String>,
}

/// Why a message was not taken. Temporary failures may be retried; permanent ones
/// (an address the provider refuses) may not.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DeliveryError {
    #[error("temporary delivery failure: {0}")]
    Temporary(String),
    #[error("permanent delivery failure: {0}")]
    Permanent(String),
}

pub type DeliveryFuture<'a> = Pin<Box<dyn Future<Output = Result<Receipt, DeliveryError>> + Send + 'a>>;

pub trait Delivery: Send + Sync {
    fn send<'a>(&'a self, message: &'a Outgoing) -> DeliveryFuture<'a>;
}
