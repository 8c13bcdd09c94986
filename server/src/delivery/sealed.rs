//! Delivery jobs carry a code until it is sent. The code never rests in the
//! database in the clear: the job's subject and body are sealed with
//! XChaCha20-Poly1305 under a key derived from the server key.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use domain::{Keyring, Secret};

#[derive(Serialize, Deserialize)]
struct Payload {
    subject: String,
    body: String,
}

#[derive(Debug, thiserror::Error)]
#[error("a delivery payload could not be sealed or opened: {0}")]
pub struct SealError(&'static str);

/// Seals under the current key; opens under any key of the ring (rotation).
#[derive(Clone)]
pub struct Sealer {
    ciphers: Vec<XChaCha20Poly1305>,
}

fn cipher(secret: &Secret) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&secret.derive("delivery-payload").into())
}

impl Sealer {
    pub fn new(keys: &Keyring) -> Self {
        Sealer { ciphers: keys.all().iter().map(cipher).collect() }
    }

    /// Nonce (24 bytes, random) followed by the ciphertext.
    pub fn seal(&self, subject: &str, body: &str) -> Result<Vec<u8>, SealError> {
        let plain = serde_json::to_vec(&Payload { subject: subject.into(), body: body.into() }).map_err(|_| SealError("encode"))?;
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|_| SealError("randomness"))?;
        let current = self.ciphers.first().ok_or(SealError("no key"))?;
        let sealed = current.encrypt(XNonce::from_slice(&nonce), plain.as_slice()).map_err(|_| SealError("encrypt"))?;
        Ok([nonce.as_slice(), sealed.as_slice()].concat())
    }

    /// `(subject, body)`.
    pub fn open(&self, sealed: &[u8]) -> Result<(String, String), SealError> {
        if sealed.len() < 24 {
            return Err(SealError("too short"));
        }
        let (nonce, data) = sealed.split_at(24);
        let plain = self.ciphers.iter().find_map(|c| c.decrypt(XNonce::from_slice(nonce), data).ok()).ok_or(SealError("decrypt"))?;
        let payload: Payload = serde_json::from_slice(&plain).map_err(|_| SealError("decode"))?;
        Ok((payload.subject, payload.body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(&Keyring::parse(&Secret::generate_hex().unwrap()).unwrap())
    }

    #[test]
    fn sealed_payloads_open_and_hide_the_code() {
        let s = sealer();
        let sealed = s.seal("subject", "your code is 123456").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"123456"));
        assert_eq!(s.open(&sealed).unwrap(), ("subject".into(), "your code is 123456".into()));
    }

    #[test]
    fn another_key_or_a_changed_byte_does_not_open() {
        let sealed = sealer().seal("s", "b").unwrap();
        assert!(sealer().open(&sealed).is_err());
        let s = sealer();
        let mut sealed = s.seal("s", "b").unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(s.open(&sealed).is_err());
    }
}
