//! Property tests of the parsers: whatever comes in, no panic, and either a value that
//! keeps its promises or a message a person can read.

use proptest::prelude::*;

use super::{Code, EmailAddress, Identifier, PhoneNumber, Region};

/// Text built from the pieces attackers and accidents use.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\r\n".to_string()),
        Just("Bcc: x@y.z".to_string()),
        Just("\0".to_string()),
        Just("\u{202e}".to_string()),
        Just("٣".to_string()),
        Just("３".to_string()),
        Just("@".to_string()),
        Just(".".to_string()),
        Just("+45".to_string()),
        "[a-z0-9]{0,12}",
        "\\PC{0,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|parts| parts.concat())
}

fn dk() -> Region {
    Region::parse("DK").unwrap_or_else(|_| unreachable!())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn emails_are_clean_or_explained(input in nasty()) {
        match EmailAddress::parse(&input) {
            Ok(e) => {
                let s = e.as_str();
                prop_assert!(s.len() <= 254 && s.contains('@'));
                prop_assert!(!s.chars().any(|c| c.is_control() || c.is_whitespace()), "{:?}", s);
                prop_assert_eq!(s, s.to_lowercase());
            }
            Err(e) => prop_assert!(e.0.starts_with("not a valid email address")),
        }
    }

    #[test]
    fn phone_numbers_are_e164_or_explained(input in nasty()) {
        match PhoneNumber::parse(&input, dk()) {
            Ok(p) => {
                let s = p.as_str();
                prop_assert!(s.starts_with('+') && s[1..].bytes().all(|b| b.is_ascii_digit()) && s.len() <= 16, "{:?}", s);
            }
            Err(e) => prop_assert!(e.0.starts_with("not a valid phone number")),
        }
    }

    #[test]
    fn codes_are_six_ascii_digits_or_explained(input in nasty()) {
        match Code::parse(&input) {
            Ok(c) => prop_assert!(c.digits().len() == 6 && c.digits().bytes().all(|b| b.is_ascii_digit())),
            Err(e) => prop_assert_eq!(e.0, "a code is 6 digits"),
        }
    }

    #[test]
    fn identifiers_never_panic_even_when_huge(input in nasty(), repeat in 1usize..400) {
        let long = input.repeat(repeat);
        let _ = Identifier::parse(&long, dk());
        let _ = Code::parse(&long);
    }
}

#[test]
fn header_injection_is_refused_with_a_message() {
    for bad in ["a@b.c\r\nBcc: x@y.z", "a@b.c\nBcc: x@y.z", "Bcc: x@y.z\r\na@b.c"] {
        let e = EmailAddress::parse(bad).expect_err(bad);
        assert!(e.0.contains("spaces or control characters"), "{e}");
    }
    // Line breaks around the address are trimmed like other whitespace.
    assert_eq!(EmailAddress::parse("ada@example.com\r\n").map(|e| e.to_string()), Ok("ada@example.com".to_string()));
    assert!(PhoneNumber::parse("+4512345678\r\nX: y", dk()).is_err());
    assert!(Code::parse("123456\r\n7").is_err());
}
