use super::InputError;

/// A 6-digit confirmation code as the contact typed or pasted it: every decimal digit
/// counts, in any script (full-width `１２３４５６` from a Japanese or Chinese input
/// method, Arabic-Indic `١٢٣٤٥٦`), as its ASCII digit; everything else (spaces,
/// dashes, dots, "Your code is" around it) is dropped, and exactly six digits must
/// remain.
#[derive(Clone, PartialEq, Eq)]
pub struct Code(String);

pub const CODE_DIGITS: usize = 6;

/// The most characters a code entry may have: a pasted sentence fits, and the work
/// to read one stays bounded.
pub const CODE_INPUT_MAX: usize = 100;

/// The zero of every run of ten decimal digits in Unicode 15.0 (general category Nd;
/// each run is 0 to 9 in order), generated from Python's `unicodedata` (14.0) plus
/// Kawi and Nag Mundari (15.0).
const DIGIT_ZEROS: [u32; 68] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090,
    0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
    0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0,
    0x1E950, 0x1FBF0,
];

/// The ASCII digit a decimal digit of any script stands for.
fn decimal_digit(c: char) -> Option<char> {
    let c = u32::from(c);
    // The zeros are sorted: the run `c` may be in starts at the last zero not above it.
    let zero = DIGIT_ZEROS[..DIGIT_ZEROS.partition_point(|z| *z <= c)].last()?;
    let value = c - zero;
    (value < 10).then(|| char::from(b'0' + value as u8))
}

impl Code {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let refused = || InputError::new("a code is 6 digits");
        if input.chars().count() > CODE_INPUT_MAX {
            return Err(refused());
        }
        let digits: String = input.chars().filter_map(decimal_digit).collect();
        if digits.len() == CODE_DIGITS { Ok(Code(digits)) } else { Err(refused()) }
    }

    /// Six digits from a MAC by HOTP's dynamic truncation (RFC 4226, 5.3): 31 bits at
    /// an offset the MAC's last nibble picks, modulo 10^6.
    pub fn from_hotp(mac: &[u8; 32]) -> Self {
        let offset = usize::from(mac[31] & 0x0f);
        let bits = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
        Code(format!("{:06}", bits % 1_000_000))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }
}

// Never print a code by accident (logs, panics, `{:?}` in errors).
impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Code(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_phones_and_people_paste_them() {
        for pasted in [
            "123456",
            " 123 456 ",
            "123-456",
            "123.456",
            "１２３４５６",
            "١٢٣٤٥٦",
            "۱۲۳۴۵۶",
            "१२३४५६",
            "Your code is 123 456",
            "Din kode er 123-456.",
            "123 456 is your login code",
            "\u{a0}123\u{2009}456\t",
        ] {
            assert_eq!(Code::parse(pasted).map(|c| c.0), Ok("123456".into()), "{pasted:?}");
        }
    }

    #[test]
    fn anything_without_exactly_six_digits_is_refused() {
        let long = format!("{}123456", " ".repeat(CODE_INPUT_MAX));
        for bad in ["", "12345", "1234567", "12a45", "abcdef", "½²³456", "123456 @portal.example #123456", long.as_str()] {
            assert!(Code::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn every_run_of_decimal_digits_reads_zero_to_nine() {
        assert!(DIGIT_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]), "sorted, runs of ten apart");
        for zero in DIGIT_ZEROS {
            for value in 0..10 {
                let c = char::from_u32(zero + value).unwrap();
                assert_eq!(decimal_digit(c), Some(char::from(b'0' + value as u8)), "U+{:04X}", zero + value);
            }
        }
        for not_decimal in ['a', '/', ':', '²', '½', 'Ⅻ', '\u{65F}', '\u{66A}'] {
            assert_eq!(decimal_digit(not_decimal), None, "{not_decimal:?}");
        }
    }

    #[test]
    fn hotp_truncation_gives_rfc_4226s_example() {
        // RFC 4226, 5.4: the 20-byte HMAC 1f8698690e02ca16618550ef7f19da8e945b555a has
        // offset 0xa and gives 0x50ef7f19 = 1357872921, whose last six digits are 872921.
        let rfc = [0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19, 0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a];
        let mut mac = [0u8; 32];
        mac[..20].copy_from_slice(&rfc);
        mac[31] = 0x5a;
        assert_eq!(Code::from_hotp(&mac).digits(), "872921");
        // The offset's top bit is masked: 31 bits, never negative.
        mac[31] = 0x00;
        mac[..4].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
        assert_eq!(Code::from_hotp(&mac).digits(), format!("{:06}", 0x7fff_ffffu32 % 1_000_000));
    }

    #[test]
    fn debug_output_hides_the_digits() {
        assert_eq!(format!("{:?}", Code::parse("123456").unwrap()), "Code(******)");
    }
}
