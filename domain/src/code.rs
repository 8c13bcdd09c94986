use super::InputError;

/// A 6-digit confirmation code as the contact typed it; spaces and dashes from
/// copying are dropped, and only ASCII digits count.
#[derive(Clone, PartialEq, Eq)]
pub struct Code(String);

pub const CODE_DIGITS: usize = 6;

impl Code {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Code(digits))
        } else {
            Err(InputError::new("a code is 6 digits"))
        }
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
    fn pasted_codes_with_spaces_are_accepted() {
        assert_eq!(Code::parse(" 123 456 ").map(|c| c.0), Ok("123456".into()));
        assert_eq!(Code::parse("123-456").map(|c| c.0), Ok("123456".into()));
    }

    #[test]
    fn wrong_lengths_and_non_ascii_digits_are_refused() {
        for bad in ["", "12345", "1234567", "١٢٣٤٥٦", "１２３４５６", "12a456"] {
            assert!(Code::parse(bad).is_err(), "{bad:?} was accepted");
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
