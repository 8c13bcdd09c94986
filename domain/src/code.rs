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

    /// A fresh code from the operating system's CSPRNG, uniform over 000000–999999.
    pub fn generate() -> Result<Self, getrandom::Error> {
        // Rejection sampling: 4_294_000_000 is the largest multiple of 10^6 below 2^32.
        loop {
            let mut buf = [0u8; 4];
            getrandom::fill(&mut buf)?;
            let n = u32::from_le_bytes(buf);
            if n < 4_294_000_000 {
                return Ok(Code(format!("{:06}", n % 1_000_000)));
            }
        }
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
    fn generated_codes_are_six_ascii_digits() {
        for _ in 0..1000 {
            let code = Code::generate().unwrap();
            assert!(Code::parse(code.digits()).is_ok());
        }
    }

    #[test]
    fn debug_output_hides_the_digits() {
        assert_eq!(format!("{:?}", Code::parse("123456").unwrap()), "Code(******)");
    }
}
