use super::InputError;

/// An email address, trimmed and lowercased, so one person has one spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let email = input.trim().to_lowercase();
        let bad = |why: &str| Err(InputError::new(format!("not a valid email address: {why}")));
        if email.is_empty() {
            return bad("it is empty");
        }
        if email.len() > 254 {
            return bad("it is longer than 254 characters");
        }
        if email.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return bad("it contains spaces or control characters");
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return bad("it has no @");
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return bad("the part before @ is empty, too long or has another @");
        }
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
        if !domain.contains('.') || !labels_ok {
            return bad("the part after @ is not a domain like example.com");
        }
        if email.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '"', '\\']) {
            return bad("it contains characters that are not allowed");
        }
        Ok(EmailAddress(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(EmailAddress::parse("  Ada@Example.COM ").map(|e| e.0), Ok("ada@example.com".into()));
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "a@b.c\r\nBcc: x@y.z", "a@-x.com", "a@b..com"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
