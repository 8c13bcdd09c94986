use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A random bearer token (flow or device cookie): 256 bits from the OS CSPRNG,
/// hex-encoded. Only its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf)?;
        Ok(Token(hex(&buf)))
    }

    /// A token from a cookie; anything that could not be ours is `None`.
    pub fn from_cookie(value: &str) -> Option<Self> {
        (value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())).then(|| Token(value.to_string()))
    }

    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

/// The server key codes are bound with (HMAC-SHA-256). Kept out of the database.
#[derive(Clone)]
pub struct Secret(Hmac<Sha256>);

impl Secret {
    pub fn from_hex(hex_key: &str) -> Option<Self> {
        let s = hex_key.trim();
        if s.len() < 32 || !s.len().is_multiple_of(2) {
            return None; // at least 128 bits
        }
        let bytes = (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect::<Option<Vec<u8>>>()?;
        <Hmac<Sha256> as Mac>::new_from_slice(&bytes).ok().map(Secret)
    }

    pub fn generate_hex() -> Result<String, getrandom::Error> {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf)?;
        Ok(hex(&buf))
    }

    /// HMAC-SHA-256 over the parts, each length-prefixed so no two inputs collide.
    pub fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        self.hmac(parts).finalize().into_bytes().to_vec()
    }

    /// The MAC of `parts` as an array (HMAC-SHA-256 is 32 bytes).
    fn mac32(&self, parts: &[&[u8]]) -> [u8; 32] {
        self.hmac(parts).finalize().into_bytes().into()
    }

    /// A 256-bit key for another purpose, derived from this one (HMAC with a label).
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let mut key = [0u8; 32];
        key.copy_from_slice(&self.mac(&[b"derive", label.as_bytes()]));
        key
    }

    /// Constant-time comparison of a stored MAC with the MAC of `parts`.
    pub fn verify(&self, parts: &[&[u8]], expected: &[u8]) -> bool {
        self.hmac(parts).verify_slice(expected).is_ok()
    }

    fn hmac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The server keys: the first signs and seals, all of them verify and open, so codes
/// issued (and jobs sealed) under a previous key keep working until they expire.
#[derive(Clone, Debug)]
pub struct Keyring {
    keys: Vec<Secret>,
}

impl Keyring {
    /// `current[,previous…]`, each at least 32 hex digits.
    pub fn parse(list: &str) -> Option<Self> {
        let keys = list.split(',').map(str::trim).filter(|k| !k.is_empty()).map(Secret::from_hex).collect::<Option<Vec<_>>>()?;
        (!keys.is_empty()).then_some(Keyring { keys })
    }

    pub fn current(&self) -> &Secret {
        &self.keys[0]
    }

    pub fn all(&self) -> &[Secret] {
        &self.keys
    }

    pub fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        self.current().mac(parts)
    }

    /// The code of a slot, under the current key: HMAC of the slot's id and creation
    /// time, truncated to six digits as HOTP does (RFC 4226, 5.3). Nothing stored
    /// reveals it; the one place its input is built.
    pub fn slot_code(&self, slot: i64, created_at: super::Timestamp) -> super::Code {
        super::Code::from_hotp(&self.current().mac32(&[SLOT_LABEL, &slot_input(slot, created_at)]))
    }

    /// Whether `typed` is the slot's code under any key (a slot made before the key was
    /// rotated keeps working until it expires). Compared in constant time, every key.
    pub fn slot_code_matches(&self, slot: i64, created_at: super::Timestamp, typed: &super::Code) -> bool {
        let input = slot_input(slot, created_at);
        self.keys.iter().fold(false, |found, key| {
            let code = super::Code::from_hotp(&key.mac32(&[SLOT_LABEL, &input]));
            let differ = code.digits().bytes().zip(typed.digits().bytes()).fold(0u8, |d, (a, b)| d | (a ^ b));
            (differ == 0) | found
        })
    }

    /// True when any key's MAC of `parts` equals `expected` (each compared in constant time).
    pub fn verify(&self, parts: &[&[u8]], expected: &[u8]) -> bool {
        self.keys.iter().fold(false, |found, key| key.verify(parts, expected) | found)
    }
}

/// What a slot's code is derived from: a label, the slot's id and its creation time
/// (so a database started over, whose ids begin again, does not repeat codes).
fn slot_input(slot: i64, created_at: super::Timestamp) -> [u8; 16] {
    let mut input = [0u8; 16];
    input[..8].copy_from_slice(&slot.to_be_bytes());
    input[8..].copy_from_slice(&created_at.0.to_be_bytes());
    input
}

const SLOT_LABEL: &[u8] = b"code-slot";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_round_trip_through_the_cookie() {
        let t = Token::generate().unwrap();
        assert_eq!(t.expose().len(), 64);
        assert_eq!(Token::from_cookie(t.expose()), Some(t.clone()));
        assert_ne!(Token::generate().unwrap(), t);
    }

    #[test]
    fn foreign_cookie_values_are_not_tokens() {
        assert!(Token::from_cookie("abc").is_none());
        assert!(Token::from_cookie(&"Z".repeat(64)).is_none());
    }

    #[test]
    fn mac_verifies_only_the_same_parts() {
        let key = Secret::from_hex(&Secret::generate_hex().unwrap()).unwrap();
        let mac = key.mac(&[b"1", b"123456"]);
        assert!(key.verify(&[b"1", b"123456"], &mac));
        assert!(!key.verify(&[b"1", b"123457"], &mac));
        assert!(!key.verify(&[b"11", b"23456"], &mac));
    }

    #[test]
    fn a_rotated_keyring_still_verifies_what_the_previous_key_signed() {
        let (old, new) = (Secret::generate_hex().unwrap(), Secret::generate_hex().unwrap());
        let before = Keyring::parse(&old).unwrap();
        let mac = before.mac(&[b"flow", b"123456"]);
        let rotated = Keyring::parse(&format!("{new}, {old}")).unwrap();
        assert!(rotated.verify(&[b"flow", b"123456"], &mac));
        assert_ne!(rotated.mac(&[b"flow", b"123456"]), mac, "new codes use the new key");
        assert!(!Keyring::parse(&new).unwrap().verify(&[b"flow", b"123456"], &mac), "a dropped key verifies nothing");
        assert!(Keyring::parse("").is_none() && Keyring::parse(&format!("{new},xyz")).is_none());
    }

    #[test]
    fn a_slots_code_is_its_own_and_outlives_a_key_rotation() {
        use crate::{Code, Timestamp};
        // Fixed keys, so what is compared below is the same in every run.
        let (old, new) = ("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
        let before = Keyring::parse(old).unwrap();
        let at = Timestamp(1_700_000_000);
        let code = before.slot_code(7, at);
        assert_eq!(before.slot_code(7, at), code, "a slot's code is the same at every send");
        assert!(before.slot_code_matches(7, at, &code));
        // Another slot, or the same id in a database started over, has another code.
        let others = [before.slot_code(8, at), before.slot_code(7, Timestamp(at.0 + 1))];
        assert!(others.iter().all(|other| other != &code && !before.slot_code_matches(7, at, other)));
        let rotated = Keyring::parse(&format!("{new}, {old}")).unwrap();
        assert!(rotated.slot_code_matches(7, at, &code), "a slot made under the previous key still logs in");
        assert!(!Keyring::parse(new).unwrap().slot_code_matches(7, at, &code), "a dropped key's codes do not");
        let typed = Code::parse("Your code is ０００ ０００").unwrap();
        assert_eq!(before.slot_code_matches(7, at, &typed), code.digits() == "000000");
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(Secret::from_hex("abcd").is_none());
        assert!(Secret::from_hex("zz".repeat(16).as_str()).is_none());
    }
}
