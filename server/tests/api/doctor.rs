//! `portal doctor`: the checklist on the command line, from real failed logins.

use domain::Channel;

use crate::helpers::{portal, spawn_app_with};

#[tokio::test]
async fn doctor_explains_an_opt_out_a_typo_and_an_older_code_from_what_really_happened() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let app = spawn_app_with(&[("DATABASE_URL", &db)]).await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[Channel::Sms]).await;
    // Ada asks twice for a text message (she opted out of SMS), then types her email
    // with a slip, then gets an email code, lets it expire, asks again and types the
    // first one.
    let browser = app.browser();
    browser.request_code("20 12 34 01", Channel::Sms).await;
    app.clock.advance(31);
    browser.resend(Channel::Sms).await;
    app.browser().request_code("ada@exmaple.com", Channel::Email).await;
    app.clock.advance(31);
    browser.resend(Channel::Email).await;
    let first = app.latest_code("ada@example.com").await;
    app.clock.advance(601);
    browser.resend(Channel::Email).await;
    app.latest_code("ada@example.com").await;
    browser.enter_code(&first).await;

    let out = portal(&db, &["doctor", "20 12 34 01"]).await;
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("phone: +4520123401 (opted out)"), "{text}");
    assert!(text.contains("Opted out of communication by text message"), "{text}");
    assert!(text.contains("ada@exmaple.com (close to ada@example.com)"), "{text}");
    assert!(text.contains("Entered an earlier code of the login after it had been replaced by a new one"), "{text}");
    assert!(!text.contains(&first), "no code in the report");

    let unknown = portal(&db, &["doctor", "nobody@example.com"]).await;
    assert!(!unknown.status.success());
    assert_eq!(String::from_utf8_lossy(&unknown.stderr).lines().count(), 1, "{unknown:?}");
}

#[tokio::test]
async fn doctor_sees_a_network_that_changed_and_one_over_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let app =
        spawn_app_with(&[("DATABASE_URL", &db), ("PORTAL_TRUSTED_PROXIES", "127.0.0.1"), ("PORTAL_IP_VERIFICATIONS_PER_HOUR", "2")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    // Asked at home; the VPN comes on before she types the code, and its exit is busy.
    let home = app.browser_from("192.0.2.10");
    home.request_code("ada@example.com", Channel::Email).await;
    let vpn = app.browser_from("203.0.113.77");
    vpn.set_cookie("__Host-portal-flow", &home.cookie("__Host-portal-flow").unwrap());
    for _ in 0..3 {
        vpn.enter_code("000000").await;
    }
    let out = portal(&db, &["doctor", "ada@example.com"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Their network changed between asking for a code and entering it"), "{text}");
    assert!(text.contains("asked from 192.0.2.10, entered the code from 203.0.113.77"), "{text}");
    assert!(text.contains("Their network was refused for too many requests"), "{text}");
    assert!(text.contains("VPN"), "{text}");
}

#[tokio::test]
async fn doctor_takes_a_support_reference_and_says_what_that_attempt_was() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let app = spawn_app_with(&[("DATABASE_URL", &db)]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let phone = app.browser();
    phone.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    let reference = phone.enter_code(&crate::helpers::wrong(&code)).await.reference().unwrap();

    let out = portal(&db, &["doctor", &reference.to_lowercase()]).await;
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("Reference {reference}")) && text.contains("they were told the code was wrong"), "{text}");
    assert!(text.contains("typed: ada@example.com") && text.contains("browser: Firefox on Linux"), "{text}");
    assert!(text.contains("Ada (contact ") && text.contains("Login diagnosis, last 30 days"), "her checklist follows: {text}");
    assert!(!text.contains(&code), "no code in the report");

    // An address nobody has, and a reference nobody was given.
    let stranger = app.browser();
    stranger.request_code("nobody@example.com", Channel::Email).await;
    let theirs = stranger.enter_code("123456").await.reference().unwrap();
    let out = portal(&db, &["doctor", &theirs]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("No contact has this address"), "{text}");
    let other = if theirs == "ZZZ-ZZZ" || reference == "ZZZ-ZZZ" { "YYY-YYY" } else { "ZZZ-ZZZ" };
    let out = portal(&db, &["doctor", other]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no attempt has the support reference"), "{out:?}");
}
