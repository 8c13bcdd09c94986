use super::*;

fn with(pairs: &[(&str, &str)]) -> Result<Config, InputError> {
    let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

#[test]
fn the_language_and_time_zone_default_to_english_and_copenhagen_and_refuse_what_they_do_not_know() {
    let c = with(&[]).unwrap();
    assert_eq!((c.language, c.zone.name()), (domain::i18n::Lang::En, "Europe/Copenhagen"));
    let c = with(&[("PORTAL_DEFAULT_LANGUAGE", " DA "), ("PORTAL_TIME_ZONE", "America/New_York")]).unwrap();
    assert_eq!((c.language, c.zone.name()), (domain::i18n::Lang::Da, "America/New_York"));
    let e = with(&[("PORTAL_DEFAULT_LANGUAGE", "de")]).unwrap_err().to_string();
    assert_eq!(e, r#"PORTAL_DEFAULT_LANGUAGE="de" is not a language the portal speaks: en or da"#);
    let e = with(&[("PORTAL_TIME_ZONE", "Europe/Kobenhavn")]).unwrap_err().to_string();
    assert!(e.starts_with(r#"PORTAL_TIME_ZONE="Europe/Kobenhavn": "Europe/Kobenhavn" is not an IANA time zone"#), "{e}");
    assert!(!e.contains('\n'), "one line: {e}");
}

#[test]
fn the_code_is_in_the_subject_unless_told_false_and_nothing_else_is_read_as_either() {
    assert!(with(&[]).unwrap().code_in_subject);
    assert!(!with(&[("PORTAL_CODE_IN_SUBJECT", " false ")]).unwrap().code_in_subject);
    for bad in ["no", "0", "False"] {
        let e = with(&[("PORTAL_CODE_IN_SUBJECT", bad)]).unwrap_err().to_string();
        assert_eq!(e, format!("PORTAL_CODE_IN_SUBJECT={bad:?} is neither true nor false"));
    }
}

#[test]
fn defaults_are_the_embedded_setup() {
    let c = with(&[]).unwrap();
    assert_eq!(c.database_url, "sqlite://data/portal.db");
    assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
    assert_eq!(c.limits.code_ttl, Duration::from_secs(600));
    assert_eq!(c.limits.resend_cooldown, Duration::from_secs(30));
}

#[test]
fn bad_settings_name_the_variable() {
    let e = with(&[("PORTAL_CODE_TTL", "soon")]).unwrap_err();
    assert!(e.0.contains("PORTAL_CODE_TTL"), "{e}");
    assert!(with(&[("PORTAL_DELIVERY", "carrier-pigeon")]).is_err());
    assert!(with(&[("PORTAL_CODE_MAX_ATTEMPTS", "0")]).is_err());
    assert!(with(&[("PORTAL_DEFAULT_REGION", "ZZ")]).is_err());
}

#[test]
fn the_dev_loop_is_for_the_embedded_default_only() {
    assert!(!with(&[]).unwrap().dev_loop);
    assert!(with(&[("PORTAL_DEV_LOOP", "1")]).unwrap().dev_loop);
    let smtp =
        [("PORTAL_DELIVERY", "smtp"), ("SMTP_URL", "smtp://127.0.0.1:2525"), ("MAIL_FROM", "p@example.com"), ("PORTAL_ORGANISATION", "E")];
    let e = with(&[&smtp[..], &[("PORTAL_DEV_LOOP", "1")]].concat()).unwrap_err();
    assert!(e.0.starts_with("PORTAL_DEV_LOOP=1 is for ./scripts/dev on the embedded default"), "{e}");
    assert!(with(&[("PORTAL_DEV_LOOP", "yes")]).is_err());
}

#[test]
fn metrics_are_off_by_default_and_only_ever_on_an_address_of_their_own() {
    assert_eq!(with(&[]).unwrap().metrics_addr, None);
    let c = with(&[("PORTAL_METRICS_ADDR", "127.0.0.1:9464")]).unwrap();
    assert_eq!(c.metrics_addr.map(|a| a.to_string()).as_deref(), Some("127.0.0.1:9464"));
    let e = with(&[("PORTAL_METRICS_ADDR", "127.0.0.1:3000")]).unwrap_err();
    assert!(e.0.contains("metrics need an address of their own"), "{e}");
    assert!(with(&[("PORTAL_METRICS_ADDR", "10.0.0.5:9464")]).is_ok(), "a private interface, for a Prometheus on another host");
    for public in ["0.0.0.0:9464", "[::]:9464", "203.0.113.7:9464"] {
        let e = with(&[("PORTAL_METRICS_ADDR", public)]).unwrap_err();
        assert!(e.0.contains("is not a loopback or private address"), "{public}: {e}");
    }
    let e = with(&[("PORTAL_METRICS_ADDR", "everywhere")]).unwrap_err();
    assert!(e.0.starts_with("PORTAL_METRICS_ADDR=\"everywhere\" is not an address"), "{e}");
}

#[test]
fn smtp_needs_its_url_and_sender() {
    let e = with(&[("PORTAL_DELIVERY", "smtp")]).unwrap_err();
    assert!(e.0.contains("SMTP_URL"), "{e}");
    let c = with(&[
        ("PORTAL_DELIVERY", "smtp"),
        ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ("MAIL_FROM", "portal@example.com"),
        ("PORTAL_ORGANISATION", "Example"),
    ])
    .unwrap();
    assert!(matches!(c.delivery.email, EmailDelivery::Smtp { .. }));
    assert_eq!(c.delivery.sms, SmsDelivery::None);
    assert!(!c.is_dev() && !c.has_dev_outbox());
    assert!(!format!("{c:?}").contains("127.0.0.1:2525"), "the SMTP URL may hold a password");
}

#[test]
fn sms_provider_follows_the_settings_present() {
    let base = [("PORTAL_DELIVERY", "smtp"), ("SMTP_URL", "smtps://h"), ("MAIL_FROM", "a@b.dk"), ("PORTAL_ORGANISATION", "B")];
    let twilio = [&base[..], &[("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "t"), ("TWILIO_FROM", "+4511111111")]].concat();
    assert!(matches!(with(&twilio).unwrap().delivery.sms, SmsDelivery::Twilio { .. }));
    let webhook = [&base[..], &[("SMS_WEBHOOK_URL", "https://sms.example.com/send")]].concat();
    assert!(matches!(with(&webhook).unwrap().delivery.sms, SmsDelivery::Webhook { .. }));
    let no_sender = [&base[..], &[("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "t")]].concat();
    assert!(with(&no_sender).is_err());
}

const SMTP: [(&str, &str); 3] =
    [("SMTP_URL", "smtp://127.0.0.1:2525"), ("MAIL_FROM", "Example <portal@example.com>"), ("PORTAL_ORGANISATION", "Example")];

#[test]
fn the_organisation_is_required_once_codes_reach_real_contacts() {
    assert_eq!(with(&[]).unwrap().organisation.as_str(), "Contact portal");
    let e = with(&SMTP[..2]).unwrap_err();
    assert!(e.0.starts_with("PORTAL_ORGANISATION is required"), "{e}");
    assert_eq!(with(&SMTP).unwrap().organisation.as_str(), "Example");
    let e = with(&[("PORTAL_ORGANISATION", &"x".repeat(61))]).unwrap_err();
    assert!(e.0.contains("longer than 60"), "{e}");
}

#[test]
fn dkim_settings_go_together_with_smtp_a_readable_key_and_an_aligned_domain() {
    use crate::delivery::dkim::{Algorithm, Key};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dkim.pem");
    std::fs::write(&file, Key::generate(Algorithm::Ed25519).unwrap().to_pem()).unwrap();
    let file = file.display().to_string();
    let dkim = [("DKIM_PRIVATE_KEY_FILE", file.as_str()), ("DKIM_SELECTOR", "portal1"), ("DKIM_DOMAIN", "example.com")];

    let c = with(&[&SMTP[..], &dkim[..]].concat()).unwrap();
    let EmailDelivery::Smtp { dkim: Some(signer), .. } = &c.delivery.email else { panic!("signed SMTP: {:?}", c.delivery.email) };
    assert_eq!(signer.record_name(), "portal1._domainkey.example.com");
    assert!(c.delivery.email.describe().contains("DKIM-signed (Ed25519"), "{}", c.delivery.email.describe());
    assert!(!format!("{c:?}").contains(&signer.key.to_pem()), "the key stays out of Debug");

    let e = with(&[&SMTP[..], &dkim[..2]].concat()).unwrap_err();
    assert!(e.0.contains("DKIM_DOMAIN is required") && e.0.contains("go together"), "{e}");
    let e = with(&dkim).unwrap_err();
    assert!(e.0.contains("contradicts DKIM_PRIVATE_KEY_FILE"), "DKIM without SMTP: {e}");
    let e = with(&[&SMTP[..], &[("DKIM_PRIVATE_KEY_FILE", "/nonexistent/k.pem"), dkim[1], dkim[2]]].concat()).unwrap_err();
    assert!(e.0.starts_with("DKIM_PRIVATE_KEY_FILE=/nonexistent/k.pem cannot be read"), "{e}");
    let e = with(&[&SMTP[..], &[dkim[0], dkim[1], ("DKIM_DOMAIN", "example.org")]].concat()).unwrap_err();
    assert!(e.0.contains("does not align with MAIL_FROM's domain example.com"), "{e}");
    std::fs::write(&file, "not a key").unwrap();
    let e = with(&[&SMTP[..], &dkim[..]].concat()).unwrap_err();
    assert!(e.0.contains("not a PEM private key"), "{e}");
}

#[test]
fn the_public_host_drops_scheme_port_and_path() {
    let public = [("PORTAL_PUBLIC_URL", "https://portal.example.com:8443/x/"), DEV_OUTBOX_ON_NETWORK];
    let c = with(&public).unwrap();
    assert_eq!(c.public_host(), "portal.example.com");
    // The embedded default is reached by name (passkeys need one), and says where
    // it listens; an address set by hand stays as it is.
    let dev = with(&[]).unwrap();
    assert_eq!((dev.public_url.as_str(), dev.loopback_alias.as_deref()), ("http://localhost:3000", Some("http://127.0.0.1:3000")));
    let set = with(&[("PORTAL_PUBLIC_URL", "http://127.0.0.1:3000")]).unwrap();
    assert_eq!((set.public_host(), set.loopback_alias.as_deref()), ("127.0.0.1", None));
}
