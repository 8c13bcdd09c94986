//! How a confirmation code is delivered.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_parses_common_spellings() {
        assert_eq!(Channel::parse(" SMS "), Some(Channel::Sms));
        assert_eq!(Channel::parse("e-mail"), Some(Channel::Email));
        assert_eq!(Channel::parse("fax"), None);
    }
}
