//! Remembered browsers, messages, logging out and the dev outbox.

use domain::Channel;

use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};

const DEVICE: &str = "__Host-portal-device";

/// Asks for a code for Ada and posts it with `next`, as a browser without JavaScript;
/// returns the answer to the post (not followed).
async fn post_right_code(app: &TestApp, browser: &Browser, next: &str) -> crate::helpers::Page {
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    browser.post("/api/login/verify-code", &[("code", &code), ("next", next)]).await
}

async fn logged_in(app: &TestApp) -> Browser {
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.log_in(app, "ada@example.com", Channel::Email, "ada@example.com").await;
    browser
}

#[tokio::test]
async fn an_unrecognised_browser_is_sent_to_log_in_and_back() {
    let app = spawn_app().await;
    let page = app.browser().get("/m/abc123").await;
    assert_eq!(page.status, 302);
    assert_eq!(page.location(), Some("/login?next=/m/abc123"));
    assert_eq!(app.browser().get("/").await.location(), Some("/login"));

    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    let form = [("identifier", "ada@example.com"), ("channel", "email"), ("next", "/m/abc123")];
    assert_eq!(browser.post("/api/login/request-code", &form).await.location(), Some("/login?next=/m/abc123"));
    let code = app.latest_code("ada@example.com").await;
    let posted = browser.post("/api/login/verify-code", &[("code", &code), ("next", "/m/abc123")]).await;
    assert_eq!(posted.location(), Some("/m/abc123"));
}

#[tokio::test]
async fn next_cannot_send_the_contact_to_another_site() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let posted = post_right_code(&app, &app.browser(), "//evil.example/").await;
    assert_eq!(posted.location(), Some("/"));
}

#[tokio::test]
async fn the_device_cookie_is_host_only_secure_http_only_and_stored_hashed() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    let posted = post_right_code(&app, &browser, "/").await;
    let cookie = posted.set_cookies().into_iter().find(|c| c.starts_with(DEVICE)).expect("device cookie");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain="));
    let token = browser.cookie(DEVICE).unwrap();
    assert!(token.len() >= 32, "at least 128 bits, hex-encoded");

    let stored = app.db.raw_contents();
    assert!(stored.len() > 1000, "the contents were read");
    assert!(!stored.windows(token.len()).any(|w| w == token.as_bytes()), "the token itself is not in the database");
}

#[tokio::test]
async fn a_remembered_browser_needs_no_code_until_it_is_idle_too_long() {
    let app = spawn_app().await;
    let browser = logged_in(&app).await;
    let before = app.outbox_count().await;
    app.clock.advance(29 * 86_400);
    let page = browser.get("/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Your messages"));
    assert!(!page.body.contains("This browser will remember you"), "said once, after logging in");
    assert_eq!(app.outbox_count().await, before);

    app.clock.advance(30 * 86_400);
    assert_eq!(browser.get("/").await.location(), Some("/login"));
    assert!(browser.cookie(DEVICE).is_none(), "an expired device cookie is cleared");
}

#[tokio::test]
async fn a_browser_in_daily_use_is_still_forgotten_at_its_absolute_age() {
    let app = spawn_app_with(&[("PORTAL_DEVICE_MAX_AGE", "3d"), ("PORTAL_DEVICE_IDLE", "2d")]).await;
    let browser = logged_in(&app).await;
    for _ in 0..2 {
        app.clock.advance(86_400);
        assert_eq!(browser.get("/").await.status, 200);
    }
    app.clock.advance(86_400);
    assert_eq!(browser.get("/").await.location(), Some("/login"));
}

#[tokio::test]
async fn logging_out_forgets_the_browser_even_if_the_cookie_is_kept() {
    let app = spawn_app().await;
    let browser = logged_in(&app).await;
    let token = browser.cookie(DEVICE).unwrap();
    let posted = browser.post("/api/log-out", &[("next", "/")]).await;
    assert_eq!(posted.location(), Some("/login"));
    assert!(browser.cookie(DEVICE).is_none());

    let kept = app.browser();
    kept.set_cookie(DEVICE, &token);
    assert_eq!(kept.get("/").await.location(), Some("/login"));
}

#[tokio::test]
async fn a_message_not_published_to_the_contact_is_refused_with_403() {
    let app = spawn_app().await;
    let browser = logged_in(&app).await;
    let other = app.add_contact("Bob", Some("bob@example.com"), None, &[]).await;
    let now = domain::Timestamp(0);
    let id = server::messages::add_message(&app.store, "Bob's secret", "# For Bob", now).await.unwrap();
    app.store.publish(&id, other.id, now).await.unwrap();

    let page = browser.get(&format!("/m/{id}")).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("This message has not been published to you"));
    assert!(page.body.contains("not a login problem"));
    assert!(page.body.contains("Log in as someone else"));
    assert!(!page.body.contains("Bob&#x27;s secret") && !page.body.contains("For Bob"));
    assert_eq!(browser.get("/m/doesnotexist").await.status, 403, "unknown and unpublished look alike");
}

#[tokio::test]
async fn a_published_message_is_shown_as_sanitised_html() {
    let app = spawn_app().await;
    let browser = logged_in(&app).await;
    let ada = app.store.contacts().await.unwrap().remove(0);
    let now = domain::Timestamp(0);
    let id = server::messages::add_message(&app.store, "Hello", "## Next steps\n\n<script>alert(1)</script>", now).await.unwrap();
    app.store.publish(&id, ada.id, now).await.unwrap();

    let inbox = browser.get("/").await;
    assert!(inbox.body.contains(&format!("href=\"/m/{id}\"")));
    let page = browser.get(&format!("/m/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h2>Next steps</h2>"));
    assert!(!page.body.contains("alert(1)"));
}

#[tokio::test]
async fn the_dev_outbox_lists_messages_newest_last_as_json_and_html() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    app.browser().request_code("ada@example.com", Channel::Email).await;
    app.clock.advance(31);
    app.browser().request_code("ada@example.com", Channel::Sms).await;

    app.deliveries_settled().await;
    let json = app.browser().get("/dev/outbox.json").await;
    assert_eq!(json.status, 200);
    let list: Vec<serde_json::Value> = serde_json::from_str(&json.body).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["channel"], "email");
    assert_eq!(list[0]["to"], "ada@example.com");
    assert_eq!(list[1]["channel"], "sms");
    assert_eq!(list[1]["to"], "+4520123401");
    assert!(list[1]["body"].as_str().and_then(crate::helpers::six_digits).is_some());
    assert!(list[1]["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));

    let html = app.browser().get("/dev/outbox").await;
    assert_eq!(html.status, 200);
    assert!(html.body.contains("+4520123401"));
}

#[tokio::test]
async fn pages_are_not_cached_and_bodies_over_16_kib_are_refused() {
    let app = spawn_app().await;
    let page = app.browser().get("/login").await;
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    assert_eq!(page.headers.get("x-content-type-options").unwrap(), "nosniff");
    let big = "x".repeat(17 * 1024);
    let posted = app.browser().post("/api/login/request-code", &[("identifier", &big), ("channel", "email"), ("next", "/")]).await;
    assert_eq!(posted.status, 413);
}

#[tokio::test]
async fn help_is_there_without_logging_in() {
    let app = spawn_app().await;
    let page = app.browser().get("/help").await;
    assert_eq!(page.status, 200);
    for topic in ["spam", "opted out", "incognito", "new device", "VPN", "sends the same code until it expires", "not been published"] {
        assert!(page.body.to_lowercase().contains(&topic.to_lowercase()), "help mentions {topic}");
    }
}

/// The nonce of a page's Content-Security-Policy, and the body with it taken out.
fn without_nonce(page: &crate::helpers::Page) -> (String, String) {
    let policy = page.headers.get("content-security-policy").expect("a policy").to_str().unwrap();
    let nonce = policy.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce").to_string();
    assert!(nonce.len() >= 16, "{policy}");
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the header's nonce");
    (nonce.clone(), page.body.replace(&nonce, "NONCE"))
}

#[tokio::test]
async fn a_strangers_login_page_served_from_memory_is_the_page_the_renderer_makes() {
    let app = spawn_app().await;
    for (lang, says) in [("en", "lang=\"en\""), ("da", "lang=\"da\"")] {
        // The first stranger's page is rendered and kept; the next ones come from memory.
        let first = app.browser().speaking(lang).get("/login").await;
        let again = app.browser().speaking(lang).get("/login").await;
        // A browser with a cookie of the portal's (here a flow that does not exist) is
        // always rendered: it shows the same start of a login.
        let rendered = app.browser().speaking(lang);
        rendered.set_cookie("__Host-portal-flow", "no-such-flow");
        let rendered = rendered.get("/login").await;
        for page in [&first, &again, &rendered] {
            assert_eq!(page.status, 200);
            assert!(page.body.contains(says), "{lang}: {}", page.body);
            assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
            assert_eq!(page.headers.get("content-type").unwrap(), "text/html; charset=utf-8");
        }
        let (n1, first) = without_nonce(&first);
        let (n2, again) = without_nonce(&again);
        let (n3, rendered) = without_nonce(&rendered);
        assert!(n1 != n2 && n2 != n3, "a fresh nonce in every answer");
        assert_eq!(again, first, "{lang}: from memory as rendered");
        assert_eq!(again, rendered, "{lang}: the same page the renderer makes for it");
    }
}

#[tokio::test]
async fn readyz_is_ready_once_the_delivery_workers_run_and_says_how_long_the_oldest_message_waited() {
    let app = crate::helpers::spawn_app_idle(&[]).await;
    let browser = app.browser();
    assert_eq!(browser.get("/healthz").await.status, 200, "alive from the start");
    let before = browser.get("/readyz").await;
    assert_eq!(before.status, 503, "{}", before.body);
    assert_eq!(before.body, "database: ok\ndelivery workers: not running\noldest due message: none waiting\n");

    // A code queued while no worker runs waits; the probe says for how long.
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    browser.request_code("ada@example.com", Channel::Email).await;
    app.clock.advance(5);
    assert!(browser.get("/readyz").await.body.contains("oldest due message: 5 s"));

    app.worker.clone().expect("a worker").spawn();
    crate::helpers::eventually("ready", || async { browser.get("/readyz").await.status == 200 }).await;
    let ready = browser.get("/readyz").await;
    assert!(ready.body.starts_with("database: ok\ndelivery workers: running\n"), "{}", ready.body);
    assert_eq!(ready.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
}

#[tokio::test]
async fn in_the_dev_loop_pages_reload_when_the_server_restarts_and_never_otherwise() {
    let looping = spawn_app_with(&[("PORTAL_DEV_LOOP", "1")]).await;
    let boot = looping.browser().get("/dev/boot").await;
    assert_eq!(boot.status, 200);
    assert_eq!(boot.body.len(), 12, "{}", boot.body);
    let page = looping.browser().get("/login").await;
    assert!(page.body.contains(&format!("const boot=\"{}\"", boot.body)), "{}", page.body);
    assert!(page.body.contains("fetch('/dev/boot'"), "{}", page.body);

    let plain = spawn_app().await;
    assert_eq!(plain.browser().get("/dev/boot").await.status, 404);
    assert!(!plain.browser().get("/login").await.body.contains("/dev/boot"));
}
