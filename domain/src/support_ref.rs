//! Support references: what a contact reads aloud to an administrator ("K7M-4QX") so
//! the administrator lands on the very attempt the contact is looking at.

use serde::{Deserialize, Serialize};

/// Crockford's base32: digits and capitals without I, L, O and U, so nothing read
/// aloud or copied from a phone is ambiguous.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a reference: 32⁶, about a billion.
const LEN: usize = 6;

/// A support reference: six random symbols, shown as `K7M-4QX`. It names nothing by
/// itself (it is not derived from the contact, the address or the time), so it means
/// something only to an administrator who looks it up. Kept without the dash.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SupportRef(String);

impl SupportRef {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut buf = [0u8; LEN];
        getrandom::fill(&mut buf)?;
        Ok(SupportRef(buf.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).collect()))
    }

    /// A reference as a person types it: any case, with or without the dash or
    /// spaces; O is read as 0, and I and L as 1 (Crockford's rule). `None` for
    /// anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let mut symbols = String::with_capacity(LEN);
        for c in text.trim().chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || symbols.len() == LEN {
                return None;
            }
            symbols.push(c);
        }
        (symbols.len() == LEN).then_some(SupportRef(symbols))
    }

    /// As stored: the six symbols.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// As shown and read aloud: `K7M-4QX`.
impl std::fmt::Display for SupportRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, b) = self.0.split_at(LEN / 2);
        write!(f, "{a}-{b}")
    }
}

impl TryFrom<String> for SupportRef {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        SupportRef::parse(&text).ok_or_else(|| "not a support reference".to_string())
    }
}

impl From<SupportRef> for String {
    fn from(r: SupportRef) -> String {
        r.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_reads_back_however_it_is_typed() {
        let r = SupportRef::generate().expect("random");
        assert_eq!(r.as_str().len(), 6);
        let shown = r.to_string();
        assert_eq!(shown.len(), 7);
        assert_eq!(SupportRef::parse(&shown), Some(r.clone()));
        assert_eq!(SupportRef::parse(&shown.to_lowercase()), Some(r.clone()));
        assert_eq!(SupportRef::parse(&format!("  {} ", r.as_str())), Some(r));
        assert_eq!(SupportRef::parse("k7m 4qx").map(|r| r.to_string()).as_deref(), Some("K7M-4QX"));
        assert_eq!(SupportRef::parse("KOL-1IX").map(|r| r.to_string()).as_deref(), Some("K01-11X"));
    }

    #[test]
    fn anything_else_is_not_a_reference() {
        for bad in ["", "K7M-4Q", "K7M-4QXX", "K7M-4QU", "ada@example.com", "K7M_4QX", "ÆØÅ-123", "20123401"] {
            assert_eq!(SupportRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn references_spread_over_the_whole_alphabet() {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            seen.extend(SupportRef::generate().expect("random").as_str().chars());
        }
        assert_eq!(seen.len(), 32, "{seen:?}");
    }
}
