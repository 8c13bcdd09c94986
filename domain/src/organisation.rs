//! Who runs the portal, as contacts know it.

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisation_is_one_trimmed_line_of_at_most_60_characters() {
        assert_eq!(Organisation::parse("  Aarhus   Roklub \n").unwrap().as_str(), "Aarhus Roklub");
        assert_eq!(Organisation::parse(&"ø".repeat(60)).unwrap().as_str().chars().count(), 60);
        assert!(Organisation::parse(&"ø".repeat(61)).is_err());
        assert!(Organisation::parse(" \t ").is_err());
        assert!(Organisation::parse("A\u{7}B").is_err());
    }
}
