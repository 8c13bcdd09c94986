//! The words of a code message.

use app::types::Channel;

use crate::domain::{Code, Timestamp, words};

pub const SERVICE_NAME: &str = "Contact portal";

/// `host` is the portal's host name, for the WebOTP line that lets Android Chrome
/// offer the code (`@host #123456`).
pub fn code_message(channel: Channel, code: &Code, requested_at: Timestamp, valid_for: std::time::Duration, host: &str) -> Text {
    let digits = code.digits();
    let expires = requested_at.plus(valid_for);
    let body = match channel {
        // One GSM-7 segment (160 characters), ending with the WebOTP line.
        Channel::Sms => format!(
            "{digits} is your {SERVICE_NAME} code. Valid {}. Only the newest code works.\n\n@{host} #{digits}",
            words(valid_for)
        ),
        Channel::Email => format!(
            "Your confirmation code for {SERVICE_NAME} is:\n\n    {digits}\n\n\
             It was requested at {} and is valid until {} ({}).\n\
             Only the newest code works: if you asked for several, use the one from the latest message.\n\n\
             If you did not ask for this code, you can ignore this message; nobody can log in without it.\n",
            requested_at.utc(),
            expires.utc(),
            words(valid_for),
        ),
    };
    Text { subject: format!("{SERVICE_NAME}: your confirmation code"), body }
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
        code_message(channel, &code, Timestamp(0), std::time::Duration::from_secs(600), "portal.example.com")
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
        for part in ["1970-01-01 00:00:00 UTC", "1970-01-01 00:10:00 UTC", "Only the newest code works", "did not ask"] {
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
