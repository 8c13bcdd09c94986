//! The login's events: what each step records for the administrator, as the log's one
//! type ([`What`]), with the contact it is about.

use crate::store::ContactId;
pub use crate::store::{NotSent, What};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub contact: Option<ContactId>,
    pub what: What,
}
