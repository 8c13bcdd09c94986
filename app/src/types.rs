//! Wire types shared by the browser and the server.
//!
//! They describe what the contact sees, not how the server decides it: the server
//! turns its domain errors into a [`Notice`], and the UI turns a notice into help.

use serde::{Deserialize, Serialize};

/// How a confirmation code is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    #[default]
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn other(self) -> Channel {
        match self {
            Channel::Email => Channel::Sms,
            Channel::Sms => Channel::Email,
        }
    }

    /// "by email" / "by text message": the administrators' (English) sentences.
    pub fn by(self) -> &'static str {
        match self {
            Channel::Email => "by email",
            Channel::Sms => "by text message",
        }
    }

    /// "by email" / "på e-mail", for the contact's sentences.
    pub fn by_in(self, l: &crate::i18n::Locale) -> String {
        match self {
            Channel::Email => l.t("by-email"),
            Channel::Sms => l.t("by-sms"),
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim().to_ascii_lowercase().as_str() {
            "email" | "e-mail" | "mail" => Some(Channel::Email),
            "sms" | "text" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// What happened at the last step, told to the contact next to the field. Times are
/// Unix seconds, put in words in the page's language and the organisation's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// Not a failure: the same words whether or not the identifier is registered.
    CodeSent,
    WrongCode {
        attempts_left: u32,
    },
    /// The code entered, or the code this browser holds, was replaced by a newer one.
    /// `here` tells whether the newer code was requested in this browser.
    Superseded {
        newest_sent_at: i64,
        sent_secs_ago: i64,
        channel: Channel,
        here: bool,
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
    },
    EnterCode(CodeStep),
    /// Logged in: the browser should go to `next`.
    Done {
        next: String,
    },
}

impl LoginStep {
    pub fn start() -> LoginStep {
        LoginStep::Identify { identifier: String::new(), channel: Channel::Email, notice: None }
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
    /// not exist: the two are not told apart).
    NotPublished,
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
}

/// An administrator page's answer: no session, no such contact, or the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdminAnswer<T> {
    LoggedOut,
    NotFound,
    Shown(T),
}

/// Where to go after logging in: a local path only, so `next` cannot send the
/// contact to another site.
pub fn safe_next(next: &str) -> String {
    let ok =
        next.starts_with('/') && !next.starts_with("//") && next.len() <= 512 && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if ok { next.to_string() } else { "/".to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_local_paths_only() {
        assert_eq!(safe_next("/m/abc?x=1"), "/m/abc?x=1");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        assert_eq!(safe_next("/a b"), "/");
        assert_eq!(safe_next(""), "/");
    }

    #[test]
    fn channel_parses_common_spellings() {
        assert_eq!(Channel::parse(" SMS "), Some(Channel::Sms));
        assert_eq!(Channel::parse("e-mail"), Some(Channel::Email));
        assert_eq!(Channel::parse("fax"), None);
    }

    #[test]
    fn an_organisation_is_one_trimmed_line_of_at_most_60_characters() {
        assert_eq!(Organisation::parse("  Aarhus   Roklub \n").unwrap().as_str(), "Aarhus Roklub");
        assert_eq!(Organisation::parse(&"ø".repeat(60)).unwrap().as_str().chars().count(), 60);
        assert!(Organisation::parse(&"ø".repeat(61)).is_err());
        assert!(Organisation::parse(" \t ").is_err());
        assert!(Organisation::parse("A\u{7}B").is_err());
    }
}

/// The organisation contacts know, as they would recognise it: in every code's
/// subject and first line, in the text message, and in every page's title. One line
/// of at most 60 characters, no control characters (it goes into mail headers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation(String);

impl Organisation {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(text: &str) -> Result<Organisation, String> {
        let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err("the organisation's name is empty".into());
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(format!("the organisation's name is longer than {} characters", Self::MAX_CHARS));
        }
        if name.chars().any(char::is_control) {
            return Err("the organisation's name has control characters".into());
        }
        Ok(Organisation(name))
    }

    /// What the embedded default calls itself.
    pub fn default_for_dev() -> Organisation {
        Organisation("Contact portal".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Organisation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
