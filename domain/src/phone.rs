use std::str::FromStr;

use super::InputError;

/// The country whose numbering plan applies to numbers typed without a country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

impl Region {
    pub fn parse(code: &str) -> Result<Self, InputError> {
        phonenumber::country::Id::from_str(&code.trim().to_ascii_uppercase())
            .map(Region)
            .map_err(|_| InputError::new(format!("unknown region {code:?}: use a two-letter country code like DK")))
    }
}

/// A mobile number in E.164 form (`+4512345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number as people type it (`12 34 56 78`, `+45 1234 5678`, `0045…`),
    /// reading numbers without a country code in `region`.
    pub fn parse(input: &str, region: Region) -> Result<Self, InputError> {
        let bad = || InputError::new(format!("not a valid phone number: {:?}", input.trim()));
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 32 {
            return Err(bad());
        }
        // Only what people type in a number: digits, spaces, + - . ( ) /.
        if !trimmed.chars().all(|c| c.is_ascii_digit() || " +-.()/".contains(c)) {
            return Err(bad());
        }
        let normalised = match trimmed.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => trimmed.to_string(),
        };
        let number = phonenumber::parse(Some(region.0), &normalised).map_err(|_| bad())?;
        if number.extension().is_some() || !(number.is_valid() || has_possible_length(&number)) {
            return Err(bad());
        }
        Ok(PhoneNumber(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country calling code (`45` for `+4512345678`).
    pub fn calling_code(&self) -> Option<u16> {
        phonenumber::parse(None, &self.0).ok().map(|n| n.code().value())
    }

    /// The number without its last four digits: numbers that share it belong to one
    /// block, the unit SMS pumping fraud works in.
    pub fn prefix(&self) -> &str {
        let cut = self.0.len().saturating_sub(4);
        self.0.get(..cut).unwrap_or(&self.0)
    }

    /// An E.164 number read back from the database: `+` and 6 to 15 digits.
    pub fn from_stored(stored: &str) -> Result<Self, InputError> {
        let digits = stored.strip_prefix('+').unwrap_or("");
        if (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(PhoneNumber(stored.to_string()))
        } else {
            Err(InputError::new(format!("not an E.164 number: {stored:?}")))
        }
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A number of a length the country uses, even in a range not (yet) allocated:
/// registries hold numbers like `12 34 56 78` that strict range checks refuse.
fn has_possible_length(number: &phonenumber::PhoneNumber) -> bool {
    let Some(meta) = number.metadata(&phonenumber::metadata::DATABASE) else {
        return false;
    };
    let digits = number.national().to_string().len() + usize::from(number.national().zeros());
    let Ok(digits) = u16::try_from(digits) else {
        return false;
    };
    let d = meta.descriptors();
    [Some(d.general()), d.mobile(), d.fixed_line()].into_iter().flatten().any(|desc| desc.possible_length().contains(&digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dk() -> Region {
        Region::parse("dk").unwrap()
    }

    #[test]
    fn local_and_international_spellings_are_the_same_number() {
        let a = PhoneNumber::parse("12 34 56 78", dk()).unwrap();
        let b = PhoneNumber::parse("+45 12345678", dk()).unwrap();
        let c = PhoneNumber::parse("0045 1234 5678", dk()).unwrap();
        assert_eq!(a.as_str(), "+4512345678");
        assert_eq!(a, b);
        assert_eq!(b, c);
    }

    #[test]
    fn a_number_with_another_country_code_keeps_it() {
        let se = PhoneNumber::parse("+46 70 123 45 67", dk()).unwrap();
        assert_eq!(se.as_str(), "+46701234567");
    }

    #[test]
    fn garbage_and_non_ascii_digits_are_refused() {
        for bad in ["", "123", "12 34 56 78 90 12", "٣٣٣٣٣٣٣٣", "１２３４５６７８", "12345678\r\nX: y", "abc"] {
            assert!(PhoneNumber::parse(bad, dk()).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn calling_code_and_prefix_come_from_the_e164_form() {
        let n = PhoneNumber::parse("+1 415 555 2671", dk()).unwrap();
        assert_eq!(n.calling_code(), Some(1));
        assert_eq!(n.prefix(), "+1415555");
        assert_eq!(PhoneNumber::parse("20123401", dk()).unwrap().calling_code(), Some(45));
    }

    #[test]
    fn unknown_region_is_refused() {
        assert!(Region::parse("XX").is_err());
    }
}
