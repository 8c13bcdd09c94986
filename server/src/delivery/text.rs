//! The words of a code message, in the contact's language, with times in the
//! organisation's zone.

use domain::i18n::Locale;
use domain::{Channel, Organisation};

use domain::{Code, Timestamp};

/// `host` is the portal's host name, for the WebOTP line that lets Android Chrome
/// offer the code (`@host #123456`). `organisation` is who the contact knows.
///
/// The code comes first in both: it is what a phone's notification shows and what
/// iOS and Android offer to fill in. No links, no images, nothing to track.
pub fn code_message(m: &CodeMessage, l: &Locale) -> Text {
    let digits = m.code.digits();
    let expires = m.expires_at;
    // What is left of the code's life (a re-send does not extend it), in whole minutes
    // rounded down, so "within" is never longer than the truth.
    let left = u64::try_from(expires.secs_since(m.requested_at)).unwrap_or(0);
    let duration = l.duration(if left >= 60 { left - left % 60 } else { left });
    let org = || m.organisation.as_str().to_string().into();
    // The last line binds the code to the portal's origin: phones offer to fill it in
    // there only (WebOTP for SMS; Safari and Apple Mail read the same line in an email).
    let origin_line = format!("@{} #{digits}", m.host);
    let body = match m.channel {
        Channel::Sms => sms(digits, m.organisation, &duration, &origin_line, l),
        Channel::Email => {
            // Read away from the page, perhaps in another zone: the zone is named.
            let when = |at: Timestamp| format!("{} ({})", l.date_time(at.0), l.zone_abbreviation(at.0));
            let within =
                [("duration", duration.clone().into()), ("requested", when(m.requested_at).into()), ("expires", when(expires).into())];
            let asked_from = m.asked_from.map(|(browser, system)| {
                format!("{}\n", l.tf("email-asked-from", &[("browser", browser.into()), ("system", system.into())]))
            });
            let same_code = m.first_sent_at.map(|first| format!("{}\n", l.tf("email-same-code", &[("first", when(first).into())])));
            format!(
                "{}\n\n{}\n{}{}{}\n\n{}\n\n{origin_line}\n",
                l.tf("email-first-line", &[("code", digits.into()), ("organisation", org())]),
                l.tf("email-within", &within),
                asked_from.unwrap_or_default(),
                same_code.unwrap_or_default(),
                l.t("email-newest"),
                l.t("email-ignore"),
            )
        }
    };
    let subject = if m.code_in_subject {
        l.tf("email-subject-with-code", &[("code", digits.into()), ("organisation", org())])
    } else {
        l.tf("email-subject", &[("organisation", org())])
    };
    Text { subject, body }
}

/// An administrator's test message, in the contact's language: who sent it and when
/// (in the organisation's zone, named), no code and no link.
pub fn test_message(organisation: &Organisation, at: Timestamp, l: &Locale) -> Text {
    let time = format!("{} {}", l.time(at.0), l.zone_abbreviation(at.0));
    let org = || organisation.as_str().to_string().into();
    Text {
        subject: l.tf("test-subject", &[("organisation", org())]),
        body: format!("{}\n", l.tf("test-body", &[("organisation", org()), ("time", time.into())])),
    }
}

/// What a code's message says, besides its words.
pub struct CodeMessage<'a> {
    pub channel: Channel,
    pub code: &'a Code,
    /// This request's time.
    pub requested_at: Timestamp,
    /// The code's expiry, the same at every send of it.
    pub expires_at: Timestamp,
    /// When this code was first sent, when this message sends it again.
    pub first_sent_at: Option<Timestamp>,
    /// The portal's host name, for the origin-bound last line.
    pub host: &'a str,
    pub organisation: &'a Organisation,
    /// The browser and system that asked ("Firefox", "Android"), when both are known.
    pub asked_from: Option<(&'a str, &'a str)>,
    /// The code in the email's subject too (`PORTAL_CODE_IN_SUBJECT`): off where
    /// lock-screen previews should not show it.
    pub code_in_subject: bool,
}

/// One GSM-7 segment (160 characters) when it can be: a long organisation name drops
/// the advice first, then the lifetime. A name outside GSM-7 makes it a UCS-2 message
/// whatever the wording, so the full text is sent.
fn sms(digits: &str, organisation: &Organisation, duration: &str, origin_line: &str, l: &Locale) -> String {
    let webotp = format!("\n\n{origin_line}");
    let args = [("code", digits.into()), ("organisation", organisation.as_str().into()), ("duration", duration.into())];
    let wordings = [l.tf("sms-full", &args), l.tf("sms-valid", &args), l.tf("sms-short", &args)];
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
    use domain::i18n::Lang;

    fn message(channel: Channel) -> Text {
        message_in(channel, Lang::En)
    }

    fn message_in(channel: Channel, lang: Lang) -> Text {
        let (code, org) = (Code::parse("012345").unwrap(), org("Aarhus Roklub"));
        code_message(&facts(channel, &code, "portal.example.com", &org), &locale(lang))
    }

    /// A code's facts as a test sends them: asked from Firefox on Android, the code in
    /// the subject.
    fn facts<'a>(channel: Channel, code: &'a Code, host: &'a str, organisation: &'a Organisation) -> CodeMessage<'a> {
        CodeMessage {
            channel,
            code,
            requested_at: Timestamp(0),
            expires_at: Timestamp(600),
            first_sent_at: None,
            host,
            organisation,
            asked_from: Some(("Firefox", "Android")),
            code_in_subject: true,
        }
    }

    #[test]
    fn a_test_message_says_who_sent_it_and_when_in_their_language_with_no_code_or_link() {
        let org = org("Aarhus Roklub");
        // 13:02 UTC is 14:02 in Copenhagen in winter.
        let at = Timestamp(1_796_562_120);
        let en = test_message(&org, at, &locale(Lang::En));
        assert_eq!(en.subject, "Test message from Aarhus Roklub");
        assert!(en.body.starts_with("This is a test from Aarhus Roklub, sent at 14:02 CET."), "{}", en.body);
        let da = test_message(&org, at, &locale(Lang::Da));
        assert_eq!(da.subject, "Testbesked fra Aarhus Roklub");
        assert!(da.body.starts_with("Dette er en test fra Aarhus Roklub, sendt kl. 14.02 CET."), "{}", da.body);
        for text in [&en.body, &da.body] {
            assert!(!text.as_bytes().windows(6).any(|w| w.iter().all(u8::is_ascii_digit)), "nothing like a code: {text}");
            assert!(!text.contains("http") && fits_one_gsm7_segment(text), "one plain segment: {text}");
        }
    }

    fn locale(lang: Lang) -> Locale {
        Locale::new(lang, domain::i18n::Zone::default_zone())
    }

    fn org(name: &str) -> Organisation {
        Organisation::parse(name).unwrap()
    }

    #[test]
    fn the_code_and_the_organisation_come_first_and_the_subject_says_what_it_is() {
        let email = message(Channel::Email);
        assert_eq!(email.subject, "012345 is your login code for Aarhus Roklub");
        assert_eq!(email.body.lines().next(), Some("012345 is your login code for Aarhus Roklub."));
        let sms = message(Channel::Sms);
        assert!(
            sms.body.starts_with("012345 is your Aarhus Roklub login code. Valid 10 minutes. Asking again sends the same code."),
            "{}",
            sms.body
        );
    }

    #[test]
    fn a_long_organisation_name_shortens_the_sms_to_keep_one_segment() {
        let code = Code::parse("012345").unwrap();
        let long = org("Foreningen for Bevarelse af Gamle Træbåde i Sydfyn");
        let body = code_message(&facts(Channel::Sms, &code, "portal.example.com", &long), &locale(Lang::En)).body;
        assert!(fits_one_gsm7_segment(&body), "{} characters: {body}", body.chars().count());
        assert!(body.contains(long.as_str()) && body.ends_with("#012345"), "{body}");
        let longest = org(&"A".repeat(Organisation::MAX_CHARS));
        let host = "a-rather-long-portal-host-name.example.com";
        let body = code_message(&facts(Channel::Sms, &code, host, &longest), &locale(Lang::En)).body;
        assert!(fits_one_gsm7_segment(&body), "the longest name still fits: {} characters: {body}", body.chars().count());
        let outside_gsm = org("Łódź Rowing Club");
        let body = code_message(&facts(Channel::Sms, &code, "portal.example.com", &outside_gsm), &locale(Lang::En)).body;
        assert!(body.contains("Asking again sends the same code") && body.contains("Łódź"), "UCS-2 anyway, so the whole text: {body}");
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
        // The epoch was 01:00 in Copenhagen (CET).
        for part in [
            "requested on 1 January 1970 at 01:00 (CET)",
            "works until 1 January 1970 at 01:10 (CET)",
            "within 10 minutes",
            "Asking again sends this same code until it expires",
            "did not ask",
        ] {
            assert!(body.contains(part), "{part}: {body}");
        }
        assert!(!body.contains("http"), "no links a mail scanner could follow");
    }

    #[test]
    fn a_danish_contact_gets_the_code_in_danish_with_copenhagen_times() {
        let email = message_in(Channel::Email, Lang::Da);
        assert_eq!(email.subject, "012345 er din kode til at logge ind hos Aarhus Roklub");
        assert_eq!(email.body.lines().next(), Some("012345 er din kode til at logge ind hos Aarhus Roklub."));
        for part in [
            "inden for 10 minutter",
            "bestilt 1. januar 1970 kl. 01.00 (CET)",
            "virker indtil 1. januar 1970 kl. 01.10 (CET)",
            "Beder du igen, får du den samme kode",
        ] {
            assert!(email.body.contains(part), "{part}: {}", email.body);
        }
        let sms = message_in(Channel::Sms, Lang::Da).body;
        assert!(sms.starts_with("012345 er din kode til Aarhus Roklub. Gælder i 10 minutter. Beder du igen, får du samme kode."), "{sms}");
        assert!(fits_one_gsm7_segment(&sms), "æ, ø and å are GSM-7: {} characters: {sms}", sms.chars().count());
    }

    #[test]
    fn the_longest_danish_text_message_still_fits_one_segment() {
        let code = Code::parse("012345").unwrap();
        let longest = org(&"Å".repeat(Organisation::MAX_CHARS));
        let host = "a-rather-long-portal-host-name.example.com";
        let body = code_message(&facts(Channel::Sms, &code, host, &longest), &locale(Lang::Da)).body;
        assert!(fits_one_gsm7_segment(&body), "{} characters: {body}", body.chars().count());
    }

    #[test]
    fn the_email_names_the_browser_that_asked_and_ends_with_the_origin_bound_line() {
        let (en, da) = (message_in(Channel::Email, Lang::En).body, message_in(Channel::Email, Lang::Da).body);
        assert!(en.contains("It was asked for from Firefox on Android."), "{en}");
        assert!(da.contains("Den blev bestilt fra Firefox på Android."), "{da}");
        for body in [&en, &da] {
            assert!(body.ends_with("\n\n@portal.example.com #012345\n"), "{body}");
        }
        let (code, org) = (Code::parse("012345").unwrap(), org("Aarhus Roklub"));
        let quiet = CodeMessage { asked_from: None, code_in_subject: false, ..facts(Channel::Email, &code, "portal.example.com", &org) };
        let quiet = code_message(&quiet, &locale(Lang::En));
        assert_eq!(quiet.subject, "Your login code for Aarhus Roklub", "PORTAL_CODE_IN_SUBJECT=false leaves it out");
        assert!(!quiet.body.contains("asked for from"), "{}", quiet.body);
    }

    #[test]
    fn a_re_send_says_it_is_the_same_code_and_keeps_its_expiry() {
        let (code, org) = (Code::parse("012345").unwrap(), org("Aarhus Roklub"));
        // Asked again 4 minutes after the first send: 6 minutes left, same end.
        let again = CodeMessage {
            requested_at: Timestamp(240),
            first_sent_at: Some(Timestamp(0)),
            ..facts(Channel::Email, &code, "portal.example.com", &org)
        };
        let en = code_message(&again, &locale(Lang::En)).body;
        for part in [
            "within 6 minutes",
            "works until 1 January 1970 at 01:10 (CET)",
            "the same code as in our message of 1 January 1970 at 01:00 (CET)",
        ] {
            assert!(en.contains(part), "{part}: {en}");
        }
        let da = code_message(&again, &locale(Lang::Da)).body;
        assert!(da.contains("den samme kode som i vores besked fra 1. januar 1970 kl. 01.00 (CET)"), "{da}");
        assert!(!message(Channel::Email).body.contains("same code as in our message"), "a first send says nothing of the kind");
        let sms = code_message(&CodeMessage { channel: Channel::Sms, ..again }, &locale(Lang::En)).body;
        assert!(sms.contains("Valid 6 minutes") && fits_one_gsm7_segment(&sms), "{sms}");
    }

    #[test]
    fn non_gsm_text_is_recognised() {
        assert!(!fits_one_gsm7_segment("emoji 🙂"));
        assert!(!fits_one_gsm7_segment(&"a".repeat(161)));
    }
}
