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

impl Actor {
    /// The actor a stored `by` names; `None` for a text no actor is written as.
    pub fn parse(text: &str) -> Option<Actor> {
        // `administrator ops`: how the log spelt an administrator before this type.
        if let Some(name) = text.strip_prefix("admin:").or_else(|| text.strip_prefix("administrator ")) {
            return Some(Actor::Administrator(name.to_string()));
        }
        if let Some(name) = text.strip_prefix("api token ") {
            return Some(Actor::ApiToken(name.to_string()));
        }
        match text {
            "command line" => Some(Actor::CommandLine),
            "contact" => Some(Actor::Contact),
            _ => None,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Actor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Actor::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("no actor is written {text:?}")))
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

    #[test]
    fn each_actor_reads_back_as_itself() {
        for actor in [Actor::Administrator("ops".into()), Actor::ApiToken("crm".into()), Actor::CommandLine, Actor::Contact] {
            assert_eq!(Actor::parse(&actor.to_string()), Some(actor));
        }
        assert_eq!(Actor::parse("root"), None);
    }
}
