//! The view model: what the pages render, built by the server's services.
//!
//! It describes what the contact or administrator sees, not how the server decides
//! it: the login turns its refusals into a [`Notice`], and the page turns a notice into
//! help.

use serde::{Deserialize, Serialize};

mod delivery;
pub use delivery::{DeliveryHealthView, DestinationView, TestMessageRow, WindowView};

pub use crate::{Channel, Organisation, SupportRef};

/// What happened at the last step, told to the contact next to the field. Times are
/// Unix seconds, put in words in the page's language and the organisation's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// Not a failure: the same words whether or not the identifier is registered.
    CodeSent,
    WrongCode {
        attempts_left: u32,
    },
    /// The code entered is an earlier one of this login, replaced by a newer one after
    /// it expired, was used or locked.
    Superseded {
        newest_sent_at: i64,
        sent_secs_ago: i64,
        channel: Channel,
    },
    Expired {
        valid_for_secs: u64,
    },
    TooManyAttempts,
    /// The code was used up without a login: its contact's way of getting codes changed.
    Withdrawn,
    /// No login in progress in this browser: the flow cookie is missing or unknown.
    NoFlow,
    /// The per-network limit was reached.
    NetworkLimited,
    /// Too many wrong codes for this contact in 24 hours; `until` is when it lifts.
    Locked {
        until: i64,
        secs_left: i64,
    },
    /// "Send a new code" was pressed before the cooldown ended.
    CooldownActive {
        seconds_left: u32,
    },
    MalformedCode,
    MalformedIdentifier,
    /// Something broke on our side; `reference` lets support find the log line.
    Internal {
        reference: String,
    },
}

impl Notice {
    /// Step-1 notices travel in the address (`/login?notice=…`) after a form post
    /// without JavaScript: there may be no flow cookie to keep them in.
    pub fn slug(&self) -> Option<&'static str> {
        match self {
            Notice::NoFlow => Some("no-flow"),
            Notice::NetworkLimited => Some("network-limited"),
            Notice::MalformedIdentifier => Some("malformed-identifier"),
            _ => None,
        }
    }

    pub fn from_slug(slug: &str) -> Option<Notice> {
        match slug {
            "no-flow" => Some(Notice::NoFlow),
            "network-limited" => Some(Notice::NetworkLimited),
            "malformed-identifier" => Some(Notice::MalformedIdentifier),
            _ => None,
        }
    }
}

/// The state of the login card, as the server renders it (the page, and the card the
/// login script fetches and swaps in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginStep {
    Identify {
        identifier: String,
        channel: Channel,
        notice: Option<Notice>,
        /// Given with a refusal the contact may call about, shown with the notice.
        reference: Option<SupportRef>,
    },
    EnterCode(CodeStep),
    /// Logged in: the browser should go to `next`.
    Done {
        next: String,
    },
}

impl LoginStep {
    pub fn start() -> LoginStep {
        LoginStep::Identify { identifier: String::new(), channel: Channel::Email, notice: None, reference: None }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeStep {
    /// What the contact typed, echoed back as typed (never the registered address).
    pub identifier: String,
    pub channel: Channel,
    /// Seconds until "Send a new code" may be used again.
    pub cooldown_secs: u32,
    /// How long a code is valid.
    pub valid_for_secs: u64,
    pub notice: Option<Notice>,
    /// Given with a refusal the contact may call about, shown with the notice.
    pub reference: Option<SupportRef>,
}

/// One message in the contact's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    pub id: String,
    pub title: String,
    /// When it was published to the contact; `None` when it has not been.
    pub published_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub contact_name: String,
    /// The server's clock, for "today at 14:05".
    pub now: i64,
    /// True on the first page after logging in: tell the contact the browser is remembered.
    pub just_logged_in: bool,
    pub messages: Vec<MessageSummary>,
    /// The contact's passkeys, to see and remove.
    pub passkeys: Vec<PasskeyRow>,
    /// Shown while a passkey can be saved (minutes after a code login, unless "Not now").
    pub passkey_offer: Option<PasskeyOffer>,
}

/// One of a contact's passkeys, as they see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyRow {
    pub id: i64,
    /// Where it was made ("Chrome on Android"), `None` when not known.
    pub made_on: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// Synced to the contact's other devices by their password manager.
    pub synced: bool,
}

/// The offer to save a passkey, with why it would help this contact, when their
/// history says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyOffer {
    /// On how many days this month the contact needed a code, when that is often.
    pub code_login_days: Option<u32>,
}

/// The dev loop (`./scripts/dev`) is on: pages reload themselves when the server
/// restarts with a new build, this one's boot id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevReload(pub String);

/// Whether this portal offers passkeys (its public address is a domain name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeysOffered(pub bool);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageView {
    Shown {
        title: String,
        body_html: String,
        published_at: i64,
        /// The server's clock, for "today at 14:05".
        now: i64,
        contact_name: String,
        just_logged_in: bool,
        /// Shown while a passkey can be saved, as on the messages page.
        passkey_offer: Option<PasskeyOffer>,
    },
    /// The contact is logged in, but this message is not published to them (or does
    /// not exist: the two are not told apart). With the reference to call about it.
    NotPublished { reference: Option<SupportRef> },
}

/// How an administrator's log-in went. Wrong username or password: one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdminLogin {
    LoggedIn,
    Refused,
    Throttled,
}

/// One contact in the administrator's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub email_opt_out: bool,
    pub sms_opt_out: bool,
}

/// A page of the administrator's contact list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactList {
    /// Who is logged in.
    pub admin: String,
    pub query: String,
    pub page: u32,
    pub has_more: bool,
    pub rows: Vec<ContactRow>,
    /// The query was a support reference: what it names (usually one attempt; two
    /// references may meet by chance). Empty otherwise.
    pub references: Vec<ReferenceView>,
}

/// The attempt a support reference names, as an administrator reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceView {
    /// As the contact reads it: `K7M-4QX`.
    pub reference: String,
    pub at: String,
    /// Which step: "Send code", "a code entry", "opening a message".
    pub step: String,
    /// What the contact was told, in the administrator's words.
    pub told: String,
    /// The email or number typed (or the message's title), when there was one.
    pub typed: Option<String>,
    pub network: String,
    pub browser: Option<String>,
    /// The contact it concerns, when the address was theirs (or they were logged in).
    pub contact: Option<i64>,
}

/// Something that happened, as a line of the contact card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRow {
    pub at: String,
    pub what: String,
}

/// One cause the login diagnosis found, with what to do and the records that show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    /// The one-click fix, when there is one.
    pub remedy: Option<ContactAction>,
    /// The fix's button, in words the server built from stored data (a message's
    /// title, never what a request said).
    pub remedy_label: Option<String>,
    pub cause: String,
    pub advice: String,
    pub evidence: Vec<TimelineRow>,
}

/// A browser the contact logged in with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRow {
    pub id: i64,
    /// "Firefox on Android", or "an unknown browser".
    pub browser: String,
    pub first_seen: String,
    pub last_seen: String,
    /// Still remembered (not revoked, logged out or expired).
    pub active: bool,
}

/// What an administrator sees of one contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCard {
    pub admin: String,
    pub contact: ContactRow,
    /// The language of their last login, which their codes are written in.
    pub language: Option<crate::i18n::Lang>,
    pub findings: Vec<FindingView>,
    pub devices: Vec<DeviceRow>,
    /// Their passkeys (logins without a code).
    pub passkeys: Vec<PasskeyRow>,
    pub messages: Vec<MessageSummary>,
    /// Messages that could still be published to them (`published_at` is empty).
    pub publishable: Vec<MessageSummary>,
    pub timeline: Vec<TimelineRow>,
    /// Where the next page of the timeline starts (`?older=`), when there is one.
    pub older: Option<i64>,
    /// Opened from a support reference: the attempt it names; the timeline then
    /// starts at that moment.
    pub reference: Option<ReferenceView>,
    /// Their test messages of the last day, newest first.
    pub tests: Vec<TestMessageRow>,
    /// A test message is still on its way: the page looks again in a few seconds.
    pub watching: bool,
    /// Their mail domain or phone country is in trouble now (delivery health): one
    /// line each.
    pub delivery: Vec<String>,
}

/// What an administrator can do on a contact card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactAction {
    OptOut(Channel),
    OptIn(Channel),
    /// One browser, or every one (`None`).
    Revoke(Option<i64>),
    /// One of their passkeys.
    RemovePasskey(i64),
    Publish(String),
    /// A message with no code, to see whether messages reach them.
    TestMessage(Channel),
}

/// A button of the contact card, as its form posts it: `action` is `opt-out`, `opt-in`
/// or `test` (with `channel`), `revoke` (with `device`, or every browser without), `remove-passkey`
/// (with `passkey`), or `publish` (with `message`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionForm {
    pub action: String,
    pub channel: Option<String>,
    pub device: Option<i64>,
    pub message: Option<String>,
    pub passkey: Option<i64>,
}

impl ContactAction {
    /// The action a card's form asks for; `Err` names the field that is missing or
    /// wrong (the card says which), and nothing is done.
    pub fn from_form(form: &ActionForm) -> Result<ContactAction, &'static str> {
        let channel = form.channel.as_deref().and_then(Channel::parse);
        let message = form.message.clone().filter(|m| !m.trim().is_empty());
        match (form.action.as_str(), channel, message) {
            ("opt-out", Some(c), _) => Ok(ContactAction::OptOut(c)),
            ("opt-in", Some(c), _) => Ok(ContactAction::OptIn(c)),
            ("test", Some(c), _) => Ok(ContactAction::TestMessage(c)),
            ("opt-out" | "opt-in" | "test", None, _) => Err("channel"),
            ("revoke", _, _) => Ok(ContactAction::Revoke(form.device)),
            ("remove-passkey", _, _) => form.passkey.map(ContactAction::RemovePasskey).ok_or("passkey"),
            ("publish", _, Some(m)) => Ok(ContactAction::Publish(m)),
            ("publish", _, None) => Err("message"),
            _ => Err("action"),
        }
    }
}

/// An administrator page's answer: no session, no such contact, or the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdminAnswer<T> {
    LoggedOut,
    NotFound,
    Shown(T),
}

/// A cookie the answer must set or clear. The web layer turns these into `Set-Cookie` headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CookieChange {
    /// A session cookie: it ends with the browser (or the private window).
    SetFlow(String),
    ClearFlow,
    SetDevice {
        token: String,
        max_age_secs: i64,
    },
    ClearDevice,
    /// An administrator's session: `SameSite=Strict`, ended by the server.
    SetAdmin(String),
    ClearAdmin,
    /// Marks a browser an administrator logged in with: their right password always
    /// gets through from it, whatever strangers guessed.
    SetAdminBrowser {
        token: String,
        max_age_secs: i64,
    },
}

/// An answer plus the cookies that go with it.
#[derive(Clone, Debug)]
pub struct Reply<T> {
    pub value: T,
    pub cookies: Vec<CookieChange>,
}

impl<T> Reply<T> {
    pub fn plain(value: T) -> Self {
        Reply { value, cookies: Vec::new() }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply { value: f(self.value), cookies: self.cookies }
    }
}

#[cfg(test)]
mod tests;
