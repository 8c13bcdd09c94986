//! `portal doctor`: the checklist on the command line, from real failed logins.

use app::types::Channel;

use crate::helpers::{portal, spawn_app_with};

#[tokio::test]
async fn doctor_explains_an_opt_out_a_typo_and_an_older_code_from_what_really_happened() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/shared.db", dir.path().display());
    let app = spawn_app_with(&[("DATABASE_URL", &db)]).await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[Channel::Sms]).await;
    // Ada asks twice for a text message (she opted out of SMS), then types her email
    // with a slip, then gets an email code, asks again and types the first one.
    let browser = app.browser();
    browser.request_code("20 12 34 01", Channel::Sms).await;
    app.clock.advance(31);
    browser.resend(Channel::Sms).await;
    app.browser().request_code("ada@exmaple.com", Channel::Email).await;
    app.clock.advance(31);
    browser.resend(Channel::Email).await;
    let first = app.latest_code("ada@example.com").await;
    app.clock.advance(31);
    browser.resend(Channel::Email).await;
    app.latest_code("ada@example.com").await;
    browser.enter_code(&first).await;

    let out = portal(&db, &["doctor", "20 12 34 01"]).await;
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("phone: +4520123401 (opted out)"), "{text}");
    assert!(text.contains("Opted out of communication by text message"), "{text}");
    assert!(text.contains("ada@exmaple.com (close to ada@example.com)"), "{text}");
    assert!(text.contains("Entered an older code after a newer one was sent"), "{text}");
    assert!(!text.contains(&first), "no code in the report");

    let unknown = portal(&db, &["doctor", "nobody@example.com"]).await;
    assert!(!unknown.status.success());
    assert_eq!(String::from_utf8_lossy(&unknown.stderr).lines().count(), 1, "{unknown:?}");
}
