//! Administrator passwords, as NIST SP 800-63B asks: at least 15 characters, no
//! composition rules, and not a common or breached password (the 30,000 most common
//! passwords ship in `server/data/common-passwords.txt`, from zxcvbn's lists), nor a
//! repetition or a sequence, nor the username. Stored as argon2id with OWASP's
//! parameters (m = 19 MiB, t = 2, p = 1), hashed off the async runtime.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;

use domain::InputError;

pub const MIN_CHARS: usize = 15;
const MAX_CHARS: usize = 256;
const M_KIB: u32 = 19_456;
const T: u32 = 2;
const P: u32 = 1;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| include_str!("../../data/common-passwords.txt").lines().collect());

/// A password that passed the checks. Never printed.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    pub fn parse(input: &str, username: &str) -> Result<Password, InputError> {
        let chars = input.chars().count();
        if chars < MIN_CHARS {
            return Err(InputError::new(format!(
                "the password must be at least {MIN_CHARS} characters (it has {chars}); a few unrelated words make a good one"
            )));
        }
        if chars > MAX_CHARS {
            return Err(InputError::new(format!("the password may be at most {MAX_CHARS} characters")));
        }
        let lower = input.to_lowercase();
        let core = lower.trim_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace());
        if COMMON.contains(lower.as_str()) || COMMON.contains(core) {
            return Err(InputError::new("that password is one of the most common ones, which attackers try first: choose another"));
        }
        if repeats(&lower) || sequential(&lower) {
            return Err(InputError::new("that password is a repetition or a sequence, which attackers try first: choose another"));
        }
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err(InputError::new("the password must not contain the username"));
        }
        Ok(Password(input.to_string()))
    }
}

/// `abcabcabc…`, `passwordpassword`: one short unit repeated.
fn repeats(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    (1..=chars.len() / 2).any(|unit| chars.len().is_multiple_of(unit) && chars.chunks(unit).all(|c| c == &chars[..unit]))
}

/// `123456789012345`, `abcdefghijklmnop`: mostly steps of one.
fn sequential(s: &str) -> bool {
    let chars: Vec<u32> = s.chars().map(u32::from).collect();
    let steps = chars
        .windows(2)
        .filter(|w| w[1].wrapping_sub(w[0]) == 1 || w[0].wrapping_sub(w[1]) == 1 || (w[0] == u32::from('9') && w[1] == u32::from('0')))
        .count();
    steps * 10 >= (chars.len() - 1) * 8
}

fn argon2() -> Result<Argon2<'static>, String> {
    let params = Params::new(M_KIB, T, P, Some(32)).map_err(|e| format!("argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The stored form: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (PHC string format).
/// Slow on purpose (tens of milliseconds): call it from `spawn_blocking`.
pub fn hash(password: &Password) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness: {e}"))?;
    let mut out = [0u8; 32];
    argon2()?.hash_password_into(password.0.as_bytes(), &salt, &mut out).map_err(|e| format!("argon2: {e}"))?;
    Ok(format!("$argon2id$v=19$m={M_KIB},t={T},p={P}${}${}", B64.encode(salt), B64.encode(out)))
}

/// Whether `candidate` is the password `stored` was made from, compared in constant
/// time. A stored value that does not parse matches nothing. Slow: `spawn_blocking`.
pub fn verify(stored: &str, candidate: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [_, "argon2id", "v=19", params, salt, expected] = parts.as_slice() else { return false };
    let mut m = 0;
    let mut t = 0;
    let mut p = 0;
    for kv in params.split(',') {
        match kv.split_once('=') {
            Some(("m", v)) => m = v.parse().unwrap_or(0),
            Some(("t", v)) => t = v.parse().unwrap_or(0),
            Some(("p", v)) => p = v.parse().unwrap_or(0),
            _ => return false,
        }
    }
    let (Ok(salt), Ok(expected)) = (B64.decode(salt), B64.decode(expected)) else { return false };
    let Ok(params) = Params::new(m, t, p, Some(expected.len())) else { return false };
    let mut out = vec![0u8; expected.len()];
    if Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into(candidate.as_bytes(), &salt, &mut out).is_err() {
        return false;
    }
    out.iter().zip(&expected).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
}

/// A hash no password is known for, verified against when a username does not exist,
/// so the answer takes as long as for one that does.
pub static DUMMY: LazyLock<String> = LazyLock::new(|| {
    let mut random = [0u8; 24];
    let _ = getrandom::fill(&mut random);
    hash(&Password(B64.encode(random))).unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_repeated_sequential_and_username_passwords_are_refused() {
        let refused = |p: &str| Password::parse(p, "ada").is_err();
        assert!(refused("fourteen chars"), "14 characters");
        assert!(refused("passwordpassword"), "a repetition");
        assert!(refused("123456789012345"), "a sequence");
        assert!(refused("abcdefghijklmnopq"), "a sequence of letters");
        assert!(refused("1qaz2wsx3edc4rfv"), "a common password");
        assert!(refused("!!!baseball2024!!!"), "a common word padded with digits and symbols");
        assert!(refused("ada-is-the-admin-here"), "the username");
        assert!(!refused("correct horse battery staple"), "no composition rules: words are fine");
        assert!(!refused("lampe kaffe regnvejr"), "any language, any characters");
    }

    #[test]
    fn a_hash_is_argon2id_with_owasp_parameters_and_verifies_only_its_password() {
        let p = Password::parse("correct horse battery staple", "ada").unwrap();
        let stored = hash(&p).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify(&stored, "correct horse battery staple"));
        assert!(!verify(&stored, "correct horse battery stapl"));
        assert_ne!(stored, hash(&p).unwrap(), "a fresh salt each time");
        assert!(!verify("garbage", "anything"));
        assert!(!verify(&DUMMY, "correct horse battery staple"));
    }
}
