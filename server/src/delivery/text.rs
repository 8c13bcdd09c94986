//! The words of a code message.

use app::types::{Channel, Organisation};

use crate::domain::{Code, Timestamp, words};

/// `host` is the portal's host name, for the WebOTP line that lets Android Chrome
/// offer the code (`@host #123456`). `organisation` is who the contact knows.
///
/// The code comes first in both: it is what a phone's notification shows and what
/// iOS and Android offer to fill in. No links, no images, nothing to track.
pub fn code_message(channel: Channel, code: &Code, requested_at: Timestamp, valid_for: std::time::Duration, host: &str, organisation: &Organisation) -> Text {
    let digits = code.digits();
    let expires = requested_at.plus(valid_for);
    let body = match channel {
        Channel::Sms => sms(digits, organisation, valid_for, host),
        Channel::Email => format!(
            "{digits} is your login code for {organisation}.\n\n\
             Type it on the login page within {} (it was requested at {} and works until {}).\n\
             Only the newest code works: if you asked for several, use the one from the latest message.\n\n\
             If you did not ask for this code, you can ignore this message; nobody can log in without it.\n",
            words(valid_for),
            requested_at.utc(),
            expires.utc(),
        ),
    };
    Text { subject: format!("Your login code for {organisation}"), body }
}

/// One GSM-7 segment (160 characters) when it can be: a long organisation name drops
/// the advice first, then the lifetime. A name outside GSM-7 makes it a UCS-2 message
/// whatever the wording, so the full text is sent.
fn sms(digits: &str, organisation: &Organisation, valid_for: std::time::Duration, host: &str) -> String {
    let webotp = format!("\n\n@{host} #{digits}");
    let wordings = [
        format!("{digits} is your {organisation} login code. Valid {}. Only the newest code works.", words(valid_for)),
        format!("{digits} is your {organisation} login code. Valid {}.", words(valid_for)),
        format!("{digits} is your {organisation} login code."),
    ];
    wordings
        .iter()
        .map(|w| format!("{w}{webotp}"))
        .find(|text| fits_one_gsm7_segment(text))
        .unwrap_or_else(|| format!("{}{webotp}", wordings[0]))
}

/// What a message says: sealed into its delivery job, opened by the worker.
pub struct Text {
    pub subject: String,
    pub body: String,
}

/// Whether `text` fits one SMS segment in the GSM 03.38 basic character set.
pub fn fits_one_gsm7_segment(text: &str) -> bool {
    const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    text.chars().count() <= 160 && text.chars().all(|c| BASIC.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(channel: Channel) -> Text {
        let code = Code::parse("012345").unwrap();
        code_message(channel, &code, Timestamp(0), std::time::Duration::from_secs(600), "portal.example.com", &org("Aarhus Roklub"))
    }

    fn org(name: &str) -> Organisation {
        Organisation::parse(name).unwrap()
    }

    #[test]
    fn the_code_and_the_organisation_come_first_and_the_subject_says_what_it_is() {
        let email = message(Channel::Email);
        assert_eq!(email.subject, "Your login code for Aarhus Roklub");
        assert_eq!(email.body.lines().next(), Some("012345 is your login code for Aarhus Roklub."));
        let sms = message(Channel::Sms);
        assert!(sms.body.starts_with("012345 is your Aarhus Roklub login code. Valid 10 minutes. Only the newest code works."), "{}", sms.body);
    }

    #[test]
    fn a_long_organisation_name_shortens_the_sms_to_keep_one_segment() {
        let code = Code::parse("012345").unwrap();
        let ttl = std::time::Duration::from_secs(600);
        let long = org("Foreningen for Bevarelse af Gamle Træbåde i Sydfyn");
        let body = code_message(Channel::Sms, &code, Timestamp(0), ttl, "portal.example.com", &long).body;
        assert!(fits_one_gsm7_segment(&body), "{} characters: {body}", body.chars().count());
        assert!(body.contains(long.as_str()) && body.ends_with("#012345"), "{body}");
        let longest = org(&"A".repeat(Organisation::MAX_CHARS));
        let body = code_message(Channel::Sms, &code, Timestamp(0), ttl, "a-rather-long-portal-host-name.example.com", &longest).body;
        assert!(fits_one_gsm7_segment(&body), "the longest name still fits: {} characters: {body}", body.chars().count());
        let outside_gsm = org("Łódź Rowing Club");
        let body = code_message(Channel::Sms, &code, Timestamp(0), ttl, "portal.example.com", &outside_gsm).body;
        assert!(body.contains("Only the newest code works") && body.contains("Łódź"), "UCS-2 anyway, so the whole text: {body}");
    }

    #[test]
    fn the_code_appears_as_six_consecutive_digits() {
        for channel in [Channel::Email, Channel::Sms] {
            assert!(message(channel).body.contains("012345"), "{channel:?}");
        }
    }

    #[test]
    fn the_sms_fits_one_gsm7_segment_and_ends_with_the_webotp_line() {
        let body = message(Channel::Sms).body;
        assert!(fits_one_gsm7_segment(&body), "{} characters: {body}", body.chars().count());
        assert!(body.ends_with("\n@portal.example.com #012345"), "{body}");
    }

    #[test]
    fn the_email_says_when_it_was_asked_for_until_when_it_works_and_what_if_not() {
        let body = message(Channel::Email).body;
        for part in ["1970-01-01 00:00:00 UTC", "1970-01-01 00:10:00 UTC", "within 10 minutes", "Only the newest code works", "did not ask"] {
            assert!(body.contains(part), "{part}: {body}");
        }
        assert!(!body.contains("http"), "no links a mail scanner could follow");
    }

    #[test]
    fn non_gsm_text_is_recognised() {
        assert!(!fits_one_gsm7_segment("emoji 🙂"));
        assert!(!fits_one_gsm7_segment(&"a".repeat(161)));
    }
}
