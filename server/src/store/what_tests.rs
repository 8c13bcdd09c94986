use super::*;

fn by() -> Actor {
    Actor::Administrator("ops".into())
}

/// One of every kind, with every optional field set (and, for some, unset).
fn samples() -> Vec<What> {
    let s = |t: &str| t.to_string();
    vec![
        What::CodeRequested { channel: Channel::Email, trust: Trust::Stranger, flow: Some(1), network: Some(s("10.0.0.1")) },
        What::CodeQueued { channel: Channel::Sms, to: s("+4512345678"), same_code: true },
        What::CodeSent {
            job: 1,
            channel: Channel::Email,
            to: s("a@b.dk"),
            attempt: 1,
            provider: s("smtp"),
            provider_message_id: None,
            answer: None,
        },
        What::CodeSent {
            job: 1,
            channel: Channel::Email,
            to: s("a@b.dk"),
            attempt: 1,
            provider: s("smtp"),
            provider_message_id: Some(s("m1")),
            answer: Some(s("250 2.0.0 Ok")),
        },
        What::TestMessage {
            job: 2,
            channel: Channel::Email,
            to: s("a@b.dk"),
            status: TestStatus::Requested,
            admin: Some(s("ops")),
            provider: None,
            said: None,
        },
        What::TestMessage {
            job: 2,
            channel: Channel::Sms,
            to: s("+4512345678"),
            status: TestStatus::Deferred,
            admin: None,
            provider: Some(s("twilio")),
            said: Some(s("HTTP 503")),
        },
        What::CodeNotSent { channel: Channel::Email, reason: NotSent::OptedOut },
        What::DeliveryFailed { job: 1, channel: Channel::Email, to: s("a@b.dk"), attempt: 2, provider: s("smtp"), error: s("550") },
        What::DeliveryRetrying { job: 1, channel: Channel::Email, to: s("a@b.dk"), attempt: 1, provider: s("smtp"), error: s("421") },
        What::DeliveryExpired { job: 1, channel: Channel::Sms, to: s("+45"), attempt: 0, provider: None, error: None },
        What::DeliveryExpired { job: 1, channel: Channel::Sms, to: s("+45"), attempt: 3, provider: Some(s("twilio")), error: Some(s("x")) },
        What::DeliveryReceipt { job: 1, status: s("undelivered"), error_code: Some(s("30007")) },
        What::VerificationFailed { reason: FailReason::SupersededElsewhere, flow: None, compared: true, network: None },
        What::LoginSucceeded { channel: Channel::Sms, device: Some(3), flow: Some(1), network: Some(s("2001:db8::/64")) },
        What::DeviceRecognised { device: 3, network: None },
        What::DeviceRecognised { device: 3, network: Some(s("10.0.0.1")) },
        What::DeviceExpired { device: 3 },
        What::LoggedOut { device: 3 },
        What::MessageRefused { message: s("iy6xxxtac6"), reason: s("not_published") },
        What::NetworkLimited { scope: s("code_request"), ip: s("10.0.0.1"), requests: None, limit: None, resets_at: None },
        What::NetworkLimited {
            scope: s("code_request"),
            ip: s("10.0.0.1"),
            requests: Some(31),
            limit: Some(30),
            resets_at: Some(1_700_000_000),
        },
        What::SmsBudgetSpent { per_hour: 1000 },
        What::ContactRemoved { name: s("Ann"), codes_withdrawn: 1, by: Actor::CommandLine },
        What::OptOutChanged { channel: Channel::Email, opted_out: true, devices_forgotten: 0, passkeys_removed: 0, by: by() },
        What::CodesWithdrawn { channel: Channel::Email, codes: 2 },
        What::AdminAccount { action: s("added"), admin: s("ops"), by: Actor::CommandLine },
        What::AdminLoggedIn { admin: s("ops") },
        What::AdminLoginFailed { admin: s("nobody") },
        What::AdminLoggedOut { admin: s("ops") },
        What::AdminLookup { admin: s("ops"), query: Some(s("ann")), contact: None },
        What::AdminLookup { admin: s("ops"), query: None, contact: Some(4) },
        What::DevicesRevoked { by: by(), devices: vec![1, 2], passkeys_removed: 1 },
        What::MessagePublished { by: Some(by()), message: s("abc"), admin: Some(s("ops")), published: None, unpublished: None },
        What::MessagePublished {
            by: Some(Actor::ApiToken(s("crm"))),
            message: s("abc"),
            admin: None,
            published: Some(2),
            unpublished: Some(0),
        },
        What::ContactSaved {
            by: Actor::ApiToken(s("crm")),
            created: false,
            external_id: s("e1"),
            addresses_changed: Some(vec![Channel::Email]),
            codes_withdrawn: Some(1),
            devices_forgotten: Some(2),
            passkeys_removed: Some(0),
        },
        What::ContactSaved {
            by: Actor::ApiToken(s("crm")),
            created: true,
            external_id: s("e1"),
            addresses_changed: None,
            codes_withdrawn: None,
            devices_forgotten: None,
            passkeys_removed: None,
        },
        What::ApiToken { token: s("crm"), action: s("added"), by: Actor::CommandLine },
        What::MessageSaved {
            by: Actor::ApiToken(s("crm")),
            external_id: s("m1"),
            created: Some(true),
            message: Some(s("abc")),
            deleted: None,
        },
        What::MessageSaved { by: Actor::ApiToken(s("crm")), external_id: s("m1"), created: None, message: None, deleted: Some(true) },
        What::PasskeyAdded { passkey: 1, browser: Some(s("Firefox on Linux")), synced: false },
        What::PasskeyLogin { passkey: 1, synced: true },
        What::PasskeyRefused { step: s("login"), reason: s("a passkey that was removed") },
        What::PasskeyRemoved { passkey: 1, by: Actor::Contact },
    ]
}

#[test]
fn every_kind_is_written_and_read_back_as_itself() {
    let mut seen = std::collections::BTreeSet::new();
    for what in samples() {
        let kind = what.kind();
        seen.insert(kind.as_str());
        let stored = what.detail();
        assert!(stored.get("kind").is_none(), "{kind}: the kind is its own column");
        assert_eq!(serde_json::to_value(&what).unwrap()["kind"], kind.as_str(), "{kind}: the tag is the stored name");
        assert_eq!(What::read(kind.as_str(), &stored.to_string()), what, "{kind} does not round-trip");
    }
    let all: std::collections::BTreeSet<&str> =
        EventKind::ALL.iter().filter(|k| **k != EventKind::Unreadable).map(|k| k.as_str()).collect();
    assert_eq!(seen, all, "a kind without a sample (or a sample of no kind)");
}

#[test]
fn rows_in_the_shapes_the_log_has_always_had_read_back() {
    // As the portal wrote them before the log had one type (json! and LoginEvent).
    let rows = [
        ("code_not_sent", r#"{"channel":"email","reason":"opted_out"}"#),
        ("verification_failed", r#"{"reason":"wrong_code","flow":7,"compared":true,"network":"10.0.0.1"}"#),
        ("code_sent", r#"{"job":3,"channel":"sms","to":"+4512345678","attempt":1,"provider":"dev","provider_message_id":null}"#),
        ("delivery_expired", r#"{"job":3,"channel":"sms","to":"+4512345678","attempt":0}"#),
        ("devices_revoked", r#"{"by":"admin:ops","devices":[1],"passkeys_removed":0}"#),
        ("admin_lookup", r#"{"admin":"ops","contact":4}"#),
        ("message_published", r#"{"admin":"ops","message":"abc","by":"admin:ops"}"#),
    ];
    for (kind, detail) in rows {
        let what = What::read(kind, detail);
        assert_eq!(what.kind().as_str(), kind, "{detail}");
        assert_eq!(what.detail(), serde_json::from_str::<serde_json::Value>(detail).unwrap(), "{kind} is written back alike");
    }
}

#[test]
fn rows_from_before_a_field_was_kept_read_back_with_its_default() {
    // Shapes the portal wrote before `passkeys_removed` and `by` were kept, and the
    // spelling of an administrator before `Actor` (`administrator ops`).
    let rows = [
        ("opt_out_changed", r#"{"channel":"email","opted_out":true,"devices_forgotten":1,"by":"admin:ops"}"#),
        ("devices_revoked", r#"{"by":"administrator ops","devices":[1,2]}"#),
        ("api_token", r#"{"token":"crm","action":"added"}"#),
        ("message_published", r#"{"admin":"ops","message":"abc"}"#),
    ];
    for (kind, detail) in rows {
        let what = What::read(kind, detail);
        assert_eq!(what.kind().as_str(), kind, "{detail} did not read back");
    }
    assert_eq!(
        What::read("devices_revoked", rows[1].1),
        What::DevicesRevoked { by: Actor::Administrator("ops".into()), devices: vec![1, 2], passkeys_removed: 0 }
    );
    assert!(matches!(What::read("api_token", rows[2].1), What::ApiToken { by: Actor::CommandLine, .. }));
}

#[test]
fn a_row_that_does_not_decode_is_kept_as_unreadable_never_as_something_else() {
    for (kind, detail) in [("code_not_sent", r#"{"channel":"email","reason":"opted_in"}"#), ("code_snet", "{}"), ("logged_out", "not json")]
    {
        let what = What::read(kind, detail);
        assert_eq!(what, What::Unreadable { kind: kind.into(), detail: detail.into() });
        assert_eq!(what.kind(), EventKind::Unreadable);
    }
}
