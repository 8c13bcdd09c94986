//! What the API sends and reads: each type is the one the handlers use and the one
//! the OpenAPI document describes (utoipa derives the schema from it, so the two
//! cannot drift; `http::openapi`'s tests check every field round-trips).

use utoipa::{IntoParams, ToSchema};

/// A contact as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
#[schema(as = Contact)]
pub struct ContactView {
    pub external_id: String,
    pub name: String,
    #[schema(required = true)]
    pub email: Option<String>,
    #[schema(required = true)]
    pub phone: Option<String>,
    pub opted_out: OptOuts,
}

/// Whether the contact opted out of codes (and messages) by each channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptOuts {
    pub email: bool,
    pub sms: bool,
}

/// What the platform sends for a contact: email or phone or both, parsed as the
/// login parses them.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// A message as the API shows it; `url` is where its contacts read it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
#[schema(as = Message)]
pub struct MessageView {
    pub external_id: String,
    pub title: String,
    pub body: String,
    pub url: String,
}

/// What the platform sends for a message.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    pub title: String,
    /// Markdown.
    pub body: String,
}

/// Contacts (by external id) to publish a message to, and to withdraw it from.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[schema(as = Publications)]
#[serde(deny_unknown_fields)]
pub struct PublicationsBody {
    #[serde(default)]
    pub publish: Vec<String>,
    #[serde(default)]
    pub unpublish: Vec<String>,
}

/// How many publications the call made and withdrew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct PublicationsDone {
    pub published: u64,
    pub unpublished: u64,
}

/// A remembered browser, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
#[schema(as = Device)]
pub struct DeviceView {
    pub id: i64,
    /// "Firefox on Android", from the user agent at login.
    #[schema(required = true)]
    pub browser: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    /// Whether it still logs in without a code.
    pub remembered: bool,
}

/// A passkey, as the API shows it: it logs the contact in without a code until removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
#[schema(as = Passkey)]
pub struct PasskeyView {
    pub id: i64,
    /// "Chrome on Android": where it was made.
    #[schema(required = true)]
    pub made_on: Option<String>,
    pub created: String,
    #[schema(required = true)]
    pub last_used: Option<String>,
    /// Synced to the contact's other devices by their password manager.
    pub synced: bool,
}

/// One finding of the login diagnosis, as on the contact card.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
#[schema(as = Finding)]
pub struct FindingView {
    pub rule: String,
    pub cause: String,
    pub advice: String,
    pub evidence: Vec<EvidenceView>,
}

/// A record that shows a finding: when, and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
#[schema(as = Evidence)]
pub struct EvidenceView {
    pub at: String,
    pub what: String,
}

/// One page of a list, and the cursor of the next (absent on the last page).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[schema(required = true)]
    pub next: Option<String>,
}

/// `?after=<cursor>&limit=<1..=1000>`.
#[derive(Debug, Clone, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<u32>,
}

/// The login diagnosis of a contact, as on their card.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct Diagnosis {
    pub findings: Vec<FindingView>,
}

/// What forgetting every browser took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ToSchema)]
pub struct Forgotten {
    /// Browsers forgotten.
    pub forgotten: u64,
    pub passkeys_removed: u64,
}
