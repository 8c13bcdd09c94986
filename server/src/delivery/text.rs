//! The words of a code message.

use app::types::Channel;

use super::Outgoing;
use crate::domain::{Code, Timestamp, words};

pub const SERVICE_NAME: &str = "Contact portal";

pub fn code_message(channel: Channel, to: &str, code: &Code, requested_at: Timestamp, valid_for: std::time::Duration) -> Outgoing {
    let digits = code.digits();
    let expires = requested_at.plus(valid_for);
    let body = match channel {
        // One GSM-7 segment.
        Channel::Sms => format!("{digits} is your {SERVICE_NAME} code. Valid {}. Only the newest code works.", words(valid_for)),
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
    Outgoing {
        channel,
        to: to.to_string(),
        subject: format!("{SERVICE_NAME}: your confirmation code"),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_appears_as_six_consecutive_digits() {
        let code = Code::parse("012345").unwrap();
        for channel in [Channel::Email, Channel::Sms] {
            let m = code_message(channel, "x", &code, Timestamp(0), std::time::Duration::from_secs(600));
            assert!(m.body.contains("012345"), "{channel:?}");
        }
    }

    #[test]
    fn the_sms_fits_one_segment() {
        let code = Code::parse("012345").unwrap();
        let m = code_message(Channel::Sms, "x", &code, Timestamp(0), std::time::Duration::from_secs(600));
        assert!(m.body.len() <= 160, "{} characters", m.body.len());
    }
}
