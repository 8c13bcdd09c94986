//! Who made a change the event log records, spelled one way wherever it is written.

/// Stored in an event's `by`, as its [`Display`](std::fmt::Display) form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An administrator, by username, from the admin pages: `admin:ops`.
    Administrator(String),
    /// The platform, by the name of its API token: `api token crm`.
    ApiToken(String),
    /// Whoever ran `portal` on the server: `command line`.
    CommandLine,
    /// The contact themself (removing a passkey of theirs): `contact`.
    Contact,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Administrator(name) => write!(f, "admin:{name}"),
            Actor::ApiToken(name) => write!(f, "api token {name}"),
            Actor::CommandLine => f.write_str("command line"),
            Actor::Contact => f.write_str("contact"),
        }
    }
}

impl serde::Serialize for Actor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Actor;

    #[test]
    fn each_actor_is_spelt_one_way_in_the_log() {
        assert_eq!(serde_json::json!({ "by": Actor::Administrator("ops".into()) }).to_string(), r#"{"by":"admin:ops"}"#);
        assert_eq!(Actor::ApiToken("crm".into()).to_string(), "api token crm");
        assert_eq!(Actor::CommandLine.to_string(), "command line");
        assert_eq!(Actor::Contact.to_string(), "contact");
    }
}
