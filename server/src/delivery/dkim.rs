//! DKIM (RFC 6376): the key that signs every code email, read once at start-up, and
//! the DNS record that publishes it (`portal dkim generate`, `portal dkim record`).
//!
//! - RSA-SHA256 (RFC 8301), 2048 bits or more: what every receiver verifies.
//! - Ed25519-SHA256 (RFC 8463): short keys, but not every receiver verifies it yet
//!   (Gmail treats it as no signature), so RSA is the default.
//! - relaxed/relaxed canonicalisation: survives relays that re-fold headers or trim
//!   trailing spaces.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use lettre::message::dkim::{DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey};
use lettre::message::header::HeaderName;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;

/// RSA keys shorter than this are refused (RFC 8301 allows 1024; receivers and
/// NIST SP 800-131A want 2048).
pub const MIN_RSA_BITS: usize = 2048;

/// The DER of a PKCS#8 Ed25519 private key up to its 32-byte seed (RFC 8410).
const ED25519_PKCS8_PREFIX: [u8; 16] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Rsa,
    Ed25519,
}

impl Algorithm {
    pub fn parse(text: &str) -> Result<Algorithm, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "rsa" | "rsa-2048" | "rsa-sha256" => Ok(Algorithm::Rsa),
            "ed25519" | "ed25519-sha256" => Ok(Algorithm::Ed25519),
            other => Err(format!("{other:?} is not a DKIM algorithm: use rsa or ed25519")),
        }
    }

    /// The `k=` tag of the DNS record.
    fn tag(self) -> &'static str {
        match self {
            Algorithm::Rsa => "rsa",
            Algorithm::Ed25519 => "ed25519",
        }
    }
}

/// A private signing key. Its `Debug` names the kind of key, never the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    algorithm: Algorithm,
    bits: usize,
    /// What lettre signs with: PKCS#1 PEM for RSA, the base64 seed for Ed25519.
    signing: String,
    /// The `p=` of the DNS record: SubjectPublicKeyInfo DER for RSA, the raw 32-byte
    /// public key for Ed25519 (RFC 8463).
    public: Vec<u8>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.describe())
    }
}

impl Key {
    /// Reads a PEM private key: RSA as PKCS#1 (`BEGIN RSA PRIVATE KEY`, as OpenDKIM
    /// and `openssl genrsa` write) or PKCS#8 (`BEGIN PRIVATE KEY`, as `openssl genpkey`
    /// writes), Ed25519 as PKCS#8.
    pub fn from_pem(text: &str) -> Result<Key, String> {
        let label = text
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")))
            .ok_or("it is not a PEM private key (no -----BEGIN … PRIVATE KEY----- line)")?;
        match label {
            "RSA PRIVATE KEY" => {
                Self::rsa(rsa::RsaPrivateKey::from_pkcs1_pem(text).map_err(|e| format!("the RSA key cannot be read: {e}"))?)
            }
            "PRIVATE KEY" => {
                let der = pem_body(text)?;
                match der.strip_prefix(&ED25519_PKCS8_PREFIX[..]) {
                    Some(seed) => {
                        let seed: [u8; 32] = seed.try_into().map_err(|_| "the Ed25519 key is not 32 bytes long".to_string())?;
                        Ok(Self::ed25519(seed))
                    }
                    None => Self::rsa(
                        rsa::RsaPrivateKey::from_pkcs8_der(&der)
                            .map_err(|e| format!("it is neither an Ed25519 nor an RSA private key: {e}"))?,
                    ),
                }
            }
            "ENCRYPTED PRIVATE KEY" => Err("the key is encrypted with a passphrase; the server cannot ask for one: \
                 decrypt it with `openssl pkey -in KEY -out PLAIN` and keep that file readable only by the portal"
                .into()),
            other => Err(format!("a {other} is not a DKIM signing key: use an RSA or Ed25519 private key in PEM")),
        }
    }

    /// A new key from the operating system's random source.
    pub fn generate(algorithm: Algorithm) -> Result<Key, String> {
        match algorithm {
            Algorithm::Rsa => Self::rsa(
                rsa::RsaPrivateKey::new(&mut rand_core::OsRng, MIN_RSA_BITS).map_err(|e| format!("generating the RSA key failed: {e}"))?,
            ),
            Algorithm::Ed25519 => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| format!("no random numbers from the system: {e}"))?;
                Ok(Self::ed25519(seed))
            }
        }
    }

    fn rsa(key: rsa::RsaPrivateKey) -> Result<Key, String> {
        let bits = key.size() * 8;
        if bits < MIN_RSA_BITS {
            return Err(format!(
                "the RSA key has {bits} bits; DKIM keys need at least {MIN_RSA_BITS} (make one with `portal dkim generate`)"
            ));
        }
        key.validate().map_err(|e| format!("the RSA key is not valid: {e}"))?;
        let signing = key.to_pkcs1_pem(LineEnding::LF).map_err(|e| format!("the RSA key cannot be encoded: {e}"))?.to_string();
        let public = key.to_public_key().to_public_key_der().map_err(|e| format!("the RSA public key cannot be encoded: {e}"))?.into_vec();
        Ok(Key { algorithm: Algorithm::Rsa, bits, signing, public })
    }

    fn ed25519(seed: [u8; 32]) -> Key {
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes().to_vec();
        Key { algorithm: Algorithm::Ed25519, bits: 256, signing: BASE64.encode(seed), public }
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// "RSA-2048" or "Ed25519", for the start-up banner and errors.
    pub fn describe(&self) -> String {
        match self.algorithm {
            Algorithm::Rsa => format!("RSA-{}", self.bits),
            Algorithm::Ed25519 => "Ed25519".into(),
        }
    }

    /// The key as a PEM file: PKCS#1 for RSA (what OpenDKIM reads too), PKCS#8 for
    /// Ed25519 (what OpenSSL writes).
    pub fn to_pem(&self) -> String {
        match self.algorithm {
            Algorithm::Rsa => self.signing.clone(),
            Algorithm::Ed25519 => {
                let seed = BASE64.decode(&self.signing).unwrap_or_default();
                let der = [&ED25519_PKCS8_PREFIX[..], &seed].concat();
                format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", BASE64.encode(der))
            }
        }
    }

    /// The TXT record's value: `v=DKIM1; k=rsa; p=…`.
    pub fn dns_value(&self) -> String {
        format!("v=DKIM1; k={}; p={}", self.algorithm.tag(), BASE64.encode(&self.public))
    }

    fn signing_key(&self) -> Result<DkimSigningKey, String> {
        let algorithm = match self.algorithm {
            Algorithm::Rsa => DkimSigningAlgorithm::Rsa,
            Algorithm::Ed25519 => DkimSigningAlgorithm::Ed25519,
        };
        DkimSigningKey::new(&self.signing, algorithm).map_err(|e| format!("the DKIM key cannot be used: {e}"))
    }
}

/// The base64 between a PEM file's BEGIN and END lines, decoded.
fn pem_body(text: &str) -> Result<Vec<u8>, String> {
    let body: String = text
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN "))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END "))
        .collect();
    BASE64.decode(body).map_err(|e| format!("the PEM body is not base64: {e}"))
}

/// Everything that signs: the key, the selector and domain it is published under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dkim {
    pub selector: String,
    pub domain: String,
    pub key: Key,
}

/// The headers signed, in this order: RFC 6376 section 5.4.1's list as far as a code
/// email has them. A listed header the message lacks (Reply-To without
/// `MAIL_REPLY_TO`) is signed as absent, so nobody can add one on the way.
///
/// Not `Content-Type`: lettre writes a multipart message's Content-Type with the
/// body, after signing, so listing it would sign it as absent and break every
/// signature (dkimpy caught this). The body hash covers the parts and boundaries.
const SIGNED_HEADERS: &[&str] = &["From", "To", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version", "Auto-Submitted"];

impl Dkim {
    /// Checks the selector and domain as DNS names (lower-cased).
    pub fn new(selector: &str, domain: &str, key: Key) -> Result<Dkim, String> {
        let selector = dns_name(selector, "DKIM_SELECTOR", false)?;
        let domain = dns_name(domain, "DKIM_DOMAIN", true)?;
        Ok(Dkim { selector, domain, key })
    }

    /// Where the public key is published: `selector._domainkey.domain`.
    pub fn record_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }

    /// The record in zone-file syntax: TXT strings are at most 255 characters, so a
    /// 2048-bit key's value is split into several (DNS joins them back).
    pub fn zone_record(&self) -> String {
        let value = self.key.dns_value();
        let strings: Vec<String> = value.as_bytes().chunks(255).map(|c| format!("\"{}\"", String::from_utf8_lossy(c))).collect();
        format!("{}. 3600 IN TXT ( {} )", self.record_name(), strings.join(" "))
    }

    /// lettre's signing configuration (built per send: lettre's is not `Clone`).
    pub fn config(&self) -> Result<DkimConfig, String> {
        Ok(DkimConfig::new(
            self.selector.clone(),
            self.domain.clone(),
            self.key.signing_key()?,
            SIGNED_HEADERS.iter().map(|h| HeaderName::new_from_ascii_str(h)).collect(),
            DkimCanonicalization { header: DkimCanonicalizationType::Relaxed, body: DkimCanonicalizationType::Relaxed },
        ))
    }

    /// DMARC passes on DKIM only when the signing domain aligns with the From domain
    /// (relaxed alignment: one is the other or a parent of it).
    pub fn aligns_with(&self, from_domain: &str) -> bool {
        let from = from_domain.trim_end_matches('.').to_ascii_lowercase();
        let within = |inner: &str, outer: &str| inner == outer || inner.ends_with(&format!(".{outer}"));
        within(&from, &self.domain) || within(&self.domain, &from)
    }
}

/// A DNS name of letters, digits and hyphens; `whole` names need a dot (a domain).
pub fn dns_name(text: &str, setting: &str, whole: bool) -> Result<String, String> {
    let name = text.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) || (whole && !name.contains('.')) {
        let like = if whole { "a domain like example.com" } else { "a DNS label like portal2026" };
        return Err(format!("{setting}={text:?} is not {like}"));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_reads_back_from_its_pem_and_publishes_the_same_public_key() {
        for algorithm in [Algorithm::Rsa, Algorithm::Ed25519] {
            let key = Key::generate(algorithm).expect("generated");
            let again = Key::from_pem(&key.to_pem()).expect("reads back");
            assert_eq!(again, key);
            assert!(key.signing_key().is_ok());
        }
        let rsa = Key::generate(Algorithm::Rsa).unwrap();
        assert_eq!(rsa.describe(), "RSA-2048");
        assert!(
            rsa.dns_value().starts_with("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"),
            "SubjectPublicKeyInfo: {}",
            rsa.dns_value()
        );
        let ed = Key::generate(Algorithm::Ed25519).unwrap();
        // RFC 8463: the bare 32-byte key, 44 characters of base64.
        assert_eq!(ed.dns_value().len(), "v=DKIM1; k=ed25519; p=".len() + 44);
    }

    #[test]
    fn a_pkcs8_rsa_key_as_openssl_genpkey_writes_it_is_read() {
        use rsa::pkcs8::EncodePrivateKey;
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
        let read = Key::from_pem(&pem).expect("PKCS#8 RSA");
        assert_eq!(read.algorithm(), Algorithm::Rsa);
        assert_eq!(read, Key::from_pem(&key.to_pkcs1_pem(LineEnding::LF).unwrap()).unwrap());
    }

    #[test]
    fn short_encrypted_and_foreign_keys_are_refused_with_the_reason() {
        let short = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).unwrap().to_pkcs1_pem(LineEnding::LF).unwrap();
        assert!(Key::from_pem(&short).unwrap_err().contains("1024 bits"));
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert!(Key::from_pem(encrypted).unwrap_err().contains("encrypted"));
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert!(Key::from_pem(cert).unwrap_err().contains("CERTIFICATE is not a DKIM signing key"));
        assert!(Key::from_pem("p=abc").unwrap_err().contains("not a PEM"));
        let garbage = "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n";
        assert!(Key::from_pem(garbage).unwrap_err().contains("base64"));
    }

    #[test]
    fn the_zone_record_splits_long_values_into_strings_of_at_most_255() {
        let dkim = Dkim::new("Portal2026", "Example.COM.", Key::generate(Algorithm::Rsa).unwrap()).unwrap();
        assert_eq!(dkim.record_name(), "portal2026._domainkey.example.com");
        let zone = dkim.zone_record();
        assert!(zone.starts_with("portal2026._domainkey.example.com. 3600 IN TXT ( \"v=DKIM1; k=rsa; p="), "{zone}");
        let strings: Vec<&str> = zone.split('"').skip(1).step_by(2).collect();
        assert!(strings.len() >= 2 && strings.iter().all(|s| s.len() <= 255), "{zone}");
        assert_eq!(strings.concat(), dkim.key.dns_value());
    }

    #[test]
    fn names_are_checked_and_alignment_follows_dmarc_relaxed_mode() {
        let key = Key::generate(Algorithm::Ed25519).unwrap();
        assert!(Dkim::new("bad selector", "example.com", key.clone()).unwrap_err().contains("DKIM_SELECTOR"));
        assert!(Dkim::new("s1", "localhost", key.clone()).unwrap_err().contains("DKIM_DOMAIN"));
        assert!(Dkim::new("s1", "-x.example.com", key.clone()).is_err());
        let dkim = Dkim::new("s1", "example.com", key).unwrap();
        assert!(dkim.aligns_with("example.com") && dkim.aligns_with("mail.Example.com"));
        assert!(!dkim.aligns_with("example.org") && !dkim.aligns_with("badexample.com"));
    }
}
