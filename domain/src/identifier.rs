use super::{EmailAddress, InputError, PhoneNumber, Region};

/// What a contact types to log in, or an administrator to find a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    Email(EmailAddress),
    Phone(PhoneNumber),
}

impl Identifier {
    pub fn parse(input: &str, region: Region) -> Result<Self, InputError> {
        if input.contains('@') {
            EmailAddress::parse(input).map(Identifier::Email)
        } else {
            PhoneNumber::parse(input, region)
                .map(Identifier::Phone)
                .map_err(|_| InputError::new(format!("{:?} is neither an email address nor a phone number", input.trim())))
        }
    }
}

impl std::fmt::Display for Identifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identifier::Email(e) => e.fmt(f),
            Identifier::Phone(p) => p.fmt(f),
        }
    }
}
