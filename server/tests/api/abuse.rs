//! Guessing, racing and flooding: each protection here has a test that fails
//! without it.

use std::collections::BTreeMap;

use domain::Channel;
use futures::future::join_all;

use crate::helpers::{Browser, TestApp, portal, spawn_app, spawn_app_with, wrong};

const DEVICE: &str = "__Host-portal-device";
const FLOW: &str = "__Host-portal-flow";

/// Posts `code` with the given flow cookie, as one of many parallel requests.
async fn verify_with_flow(app: &TestApp, flow: &str, code: &str) -> Option<String> {
    let browser = app.browser();
    browser.set_cookie(FLOW, flow);
    let posted = browser.post("/api/login/verify-code", &[("code", code), ("next", "/")]).await;
    browser.cookie(DEVICE).filter(|_| posted.location() == Some("/"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_parallel_uses_of_one_code_log_in_exactly_once_in_200_rounds() {
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "100000"), ("PORTAL_IP_VERIFICATIONS_PER_HOUR", "100000")]).await;
    const ROUNDS: usize = 200;
    for round in 0..ROUNDS {
        let email = format!("race{round}@example.com");
        let contact = app.add_contact("Racer", Some(&email), None, &[]).await;
        let browser = app.browser();
        browser.request_code(&email, Channel::Email).await;
        let flow = browser.cookie(FLOW).unwrap();
        let code = app.latest_code(&email).await;
        let results = join_all((0..16).map(|_| verify_with_flow(&app, &flow, &code))).await;
        let winners: Vec<String> = results.into_iter().flatten().collect();
        assert_eq!(winners.len(), 1, "round {round}: {} logins", winners.len());
        let devices: i64 = server::store::sql("SELECT COUNT(*) FROM devices WHERE contact_id = $1")
            .bind(contact.id.0)
            .scalar_one(app.store.db())
            .await
            .unwrap();
        assert_eq!(devices, 1, "round {round}: one device");
    }
    eprintln!("race: {ROUNDS} rounds of 16 parallel verifications, one login each");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_parallel_wrong_guesses_compare_at_most_five_times() {
    let app = spawn_app_with(&[("PORTAL_IP_VERIFICATIONS_PER_HOUR", "100000")]).await;
    let ada = app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let flow = browser.cookie(FLOW).unwrap();
    let code = app.latest_code("ada@example.com").await;
    // 50 different wrong codes at once.
    let guesses: Vec<String> = (0..50).map(|i| format!("{:06}", (code.parse::<u32>().unwrap() + 1 + i) % 1_000_000)).collect();
    let results = join_all(guesses.iter().map(|g| verify_with_flow(&app, &flow, g))).await;
    assert!(results.iter().all(Option::is_none));
    let events = app.store.events(Some(ada.id)).await.unwrap();
    let compared = events.iter().filter(|e| e.kind() == "verification_failed" && e.detail()["compared"] == true).count();
    let refused = events.iter().filter(|e| e.kind() == "verification_failed" && e.detail()["compared"] == false).count();
    assert_eq!(compared, 5, "attempts are counted before comparing");
    assert_eq!(compared + refused, 50);
    assert!(browser.enter_code(&code).await.body.contains("Too many wrong attempts"));
}

#[tokio::test]
async fn a_hundred_failures_in_a_day_lock_the_contact_even_with_the_right_code() {
    let app = spawn_app_with(&[
        ("PORTAL_IDENTIFIER_CODES_PER_HOUR", "100"),
        ("PORTAL_IDENTIFIER_CODES_PER_DAY", "100"),
        ("PORTAL_IP_VERIFICATIONS_PER_HOUR", "1000"),
    ])
    .await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    // 20 codes × 5 wrong attempts, each new code after the cooldown: resending does not reset.
    for _ in 0..20 {
        browser.request_code("ada@example.com", Channel::Email).await;
        let code = app.latest_code("ada@example.com").await;
        for _ in 0..5 {
            browser.enter_code(&wrong(&code)).await;
        }
        app.clock.advance(31);
    }
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    let page = browser.enter_code(&code).await;
    assert!(page.body.contains("no code works until"), "{}", page.body);
    // The first failure was 20 × 31 s ago; a day after it, the lock lifts.
    app.clock.advance(86_400 - 20 * 31);
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    assert!(browser.enter_code(&code).await.body.contains("Your messages"));
}

#[tokio::test]
async fn an_unregistered_identifier_locks_alike() {
    let app = spawn_app_with(&[("PORTAL_CONTACT_FAILURES_PER_DAY", "3")]).await;
    let browser = app.browser();
    browser.request_code("nobody@example.com", Channel::Email).await;
    for _ in 0..3 {
        browser.enter_code("123456").await;
    }
    assert!(browser.enter_code("123456").await.body.contains("no code works until"));
}

async fn sent_to(app: &TestApp, to: &str) -> usize {
    app.deliveries_settled().await;
    app.store.outbox().await.unwrap().iter().filter(|m| m.recipient == to).count()
}

#[tokio::test]
async fn an_identifier_gets_at_most_one_code_per_30_seconds_5_per_hour_and_10_per_day() {
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "1000")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    // Each code is delivered before the clock moves on: the delivery lease counts on the
    // test's clock too, and a jump past it would let a second worker send a slow job again.
    let ask = || async {
        let page = app.browser().request_code("ada@example.com", Channel::Email).await;
        app.deliveries_settled().await;
        page
    };
    ask().await;
    let throttled = ask().await; // a second later: within 30 s
    assert!(throttled.body.contains("a 6-digit confirmation code is on its way"), "same answer");
    assert_eq!(sent_to(&app, "ada@example.com").await, 1);
    for _ in 0..6 {
        app.clock.advance(31);
        ask().await;
    }
    assert_eq!(sent_to(&app, "ada@example.com").await, 5, "5 per hour");
    for _ in 0..10 {
        app.clock.advance(3600);
        ask().await;
    }
    assert_eq!(sent_to(&app, "ada@example.com").await, 10, "10 per day");
    let ada = app.store.contacts().await.unwrap().remove(0);
    assert!(app.event_kinds(&ada).await.contains(&"code_not_sent:identifier_limit".to_string()));
}

#[tokio::test]
async fn sms_goes_only_to_allowed_countries() {
    let app = spawn_app_with(&[("PORTAL_SMS_COUNTRIES", "45,1")]).await;
    app.add_contact("US", None, Some("+1 415 555 2671"), &[]).await;
    let fr = app.add_contact("FR", None, Some("+33 6 12 34 56 78"), &[]).await;
    let us_page = app.browser().request_code("+1 415 555 2671", Channel::Sms).await;
    let fr_page = app.browser().request_code("+33 6 12 34 56 78", Channel::Sms).await;
    assert_eq!(sent_to(&app, "+14155552671").await, 1);
    assert_eq!(sent_to(&app, "+33612345678").await, 0);
    let mask = |p: &crate::helpers::Page, id: &str| p.stable_body().replace(id, "ID");
    assert_eq!(mask(&us_page, "+1 415 555 2671"), mask(&fr_page, "+33 6 12 34 56 78"), "the same answer");
    assert!(app.event_kinds(&fr).await.contains(&"code_not_sent:sms_country_not_allowed".to_string()));
}

#[tokio::test]
async fn a_block_of_numbers_gets_at_most_ten_codes_an_hour() {
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "1000")]).await;
    for i in 0..12 {
        let number = format!("+45 2012 34{i:02}");
        app.add_contact("Pump", None, Some(&number), &[]).await;
        app.browser().request_code(&number, Channel::Sms).await;
    }
    app.deliveries_settled().await;
    let sms = app.store.outbox().await.unwrap().iter().filter(|m| m.channel == Channel::Sms).count();
    assert_eq!(sms, 10);
    app.clock.advance(3601);
    app.browser().request_code("+45 2012 3411", Channel::Sms).await;
    assert_eq!(sent_to(&app, "+4520123411").await, 1, "the next hour");
}

#[tokio::test]
async fn when_the_sms_budget_is_spent_sms_stops_with_one_alert_and_email_goes_on() {
    let app = spawn_app_with(&[("PORTAL_SMS_PER_HOUR", "2"), ("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "1000")]).await;
    let numbers = ["+45 2011 1111", "+45 2122 2222", "+45 3133 3333", "+45 4144 4444"];
    for (i, number) in numbers.iter().enumerate() {
        app.add_contact("P", Some(&format!("p{i}@example.com")), Some(number), &[]).await;
        app.browser().request_code(number, Channel::Sms).await;
    }
    app.deliveries_settled().await;
    let outbox = app.store.outbox().await.unwrap();
    assert_eq!(outbox.iter().filter(|m| m.channel == Channel::Sms).count(), 2);
    let alerts = app.store.events(None).await.unwrap().into_iter().filter(|e| e.kind() == "sms_budget_spent").count();
    assert_eq!(alerts, 1, "one alert, not one per refused SMS");
    app.clock.advance(31); // the same contact: past the 30 s between codes
    app.browser().request_code("p3@example.com", Channel::Email).await;
    assert_eq!(sent_to(&app, "p3@example.com").await, 1, "email keeps working");
}

#[tokio::test]
async fn codes_issued_under_the_previous_key_verify_after_a_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let (old, new) = ("11".repeat(32), "22".repeat(32));
    let before = spawn_app_with(&[("DATABASE_URL", &db), ("PORTAL_SECRET_KEY", &old)]).await;
    before.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = before.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let flow = browser.cookie(FLOW).unwrap();
    let code = before.latest_code("ada@example.com").await;

    let rotated_key = format!("{new},{old}");
    let rotated = spawn_app_with(&[("DATABASE_URL", &db), ("PORTAL_SECRET_KEY", &rotated_key)]).await;
    let dropped = spawn_app_with(&[("DATABASE_URL", &db), ("PORTAL_SECRET_KEY", &new)]).await;
    assert!(verify_with_flow(&dropped, &flow, &code).await.is_none(), "without the old key the code is wrong");
    assert!(verify_with_flow(&rotated, &flow, &code).await.is_some(), "with the old key still listed it works");
}

#[tokio::test]
async fn every_login_makes_a_new_device_token_and_the_old_one_stops_working() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let first = browser.cookie(DEVICE).unwrap();
    app.clock.advance(31);
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let second = browser.cookie(DEVICE).unwrap();
    assert_ne!(first, second);
    let copy = app.browser();
    copy.set_cookie(DEVICE, &first);
    assert_eq!(copy.get("/").await.location(), Some("/login"), "the cookie from before the login");
    assert_eq!(browser.get("/").await.status, 200);
}

async fn logged_in_on_shared_db(db: &str) -> (TestApp, Browser) {
    let app = spawn_app_with(&[("DATABASE_URL", db)]).await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    let browser = app.browser();
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    assert_eq!(browser.get("/").await.status, 200);
    (app, browser)
}

#[tokio::test]
async fn opting_out_of_every_channel_forgets_the_contacts_browsers() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let (_app, browser) = logged_in_on_shared_db(&db).await;
    assert!(portal(&db, &["contact", "opt-out", "ada@example.com", "--channel", "email"]).await.status.success());
    assert_eq!(browser.get("/").await.status, 200, "one channel left: still logged in");
    let out = portal(&db, &["contact", "opt-out", "ada@example.com", "--channel", "sms"]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 remembered browser(s) forgotten"));
    assert_eq!(browser.get("/").await.location(), Some("/login"));
}

#[tokio::test]
async fn removing_a_contact_forgets_their_browsers() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let (app, browser) = logged_in_on_shared_db(&db).await;
    assert!(portal(&db, &["contact", "remove", "ada@example.com"]).await.status.success());
    assert_eq!(browser.get("/").await.location(), Some("/login"));
    assert!(app.store.events(None).await.unwrap().iter().any(|e| e.kind() == "contact_removed"), "the log keeps it");
}

#[tokio::test]
async fn codes_and_device_tokens_are_in_no_event_and_no_table_in_the_clear() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let first = app.latest_code("ada@example.com").await;
    browser.enter_code(&wrong(&first)).await;
    app.clock.advance(31);
    browser.resend(Channel::Sms).await;
    let second = app.latest_code("+4520123401").await;
    browser.enter_code(&first).await;
    browser.enter_code(&second).await;
    let token = browser.cookie(DEVICE).unwrap();
    app.deliveries_settled().await;

    let events: Vec<String> = app.store.events(None).await.unwrap().into_iter().map(|e| e.detail().to_string()).collect();
    let mut tables: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (table, query) in [
        ("events", "SELECT detail FROM events"),
        ("login_flows", "SELECT identifier || COALESCE(outcome, '') FROM login_flows"),
        ("delivery_jobs", "SELECT recipient || COALESCE(last_error, '') || COALESCE(provider_message_id, '') FROM delivery_jobs"),
        ("delivery_attempts", "SELECT COALESCE(error, '') || COALESCE(provider_message_id, '') FROM delivery_attempts"),
        ("rate_hits", "SELECT key FROM rate_hits"),
    ] {
        tables.insert(table, server::store::sql(query).scalar_all(app.store.db()).await.unwrap());
    }
    for secret in [first.as_str(), second.as_str(), token.as_str()] {
        assert!(!events.iter().any(|e| e.contains(secret)), "{secret} in an event");
        for (table, rows) in &tables {
            assert!(!rows.iter().any(|r| r.contains(secret)), "{secret} in {table}");
        }
    }
}
