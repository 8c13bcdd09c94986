//! The administrator's pages from outside, as a browser without JavaScript uses them:
//! logging in and out, finding contacts, and every way in that must stay shut.

use app::types::Channel;
use server::admin::accounts;
use server::admin::password::Password;
use server::clock::Clock;

use crate::helpers::{Browser, TestApp, spawn_app};

const ADMIN: &str = "__Host-portal-admin";
const RIGHT: &str = "correct horse battery staple";

async fn with_admin() -> TestApp {
    let app = spawn_app().await;
    accounts::add(&app.store, "ops", Password::parse(RIGHT, "ops").unwrap(), app.clock.now()).await.unwrap();
    app
}

async fn log_in(browser: &Browser, username: &str, password: &str) -> crate::helpers::Page {
    browser.post("/api/admin/log-in", &[("username", username), ("password", password)]).await
}

#[tokio::test]
async fn an_administrator_logs_in_with_a_strict_cookie_finds_contacts_and_logs_out() {
    let app = with_admin().await;
    app.add_contact("Ada Lovelace", Some("ada@example.com"), Some("20123401"), &[Channel::Sms]).await;
    app.add_contact("Grace Hopper", Some("grace@example.com"), None, &[]).await;
    let admin = app.browser();
    assert_eq!(admin.get("/admin").await.location(), Some("/admin/login"), "no session yet");

    let posted = log_in(&admin, "ops", RIGHT).await;
    assert_eq!(posted.location(), Some("/admin"));
    let cookie = posted.set_cookies().into_iter().find(|c| c.starts_with(ADMIN)).expect("a session cookie");
    assert!(cookie.ends_with("; Path=/; Secure; HttpOnly; SameSite=Strict"), "{cookie}");

    let list = admin.get("/admin").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Administrator <strong>ops</strong>"), "{}", list.body);
    assert!(list.body.contains("Ada Lovelace") && list.body.contains("Grace Hopper"));
    assert!(list.body.contains("+4520123401 (opted out)"));
    // By phone as a contact types it, by email in capitals, by part of a name.
    for query in ["20%2012%2034%2001", "%2B45%202012%203401", "ADA%40example.com", "lovel"] {
        let found = admin.get(&format!("/admin?q={query}")).await;
        assert!(found.body.contains("Ada Lovelace") && !found.body.contains("Grace Hopper"), "{query}: {}", found.body);
    }
    assert!(admin.get("/admin?q=nobody%40example.com").await.body.contains("No contact matches."));
    let lookups = app.store.events(None).await.unwrap().into_iter().filter(|e| e.kind == "admin_lookup").count();
    assert_eq!(lookups, 5, "every search is in the log, naming the administrator");

    let out = admin.post("/api/admin/log-out", &[]).await;
    assert_eq!(out.location(), Some("/admin/login"));
    assert!(admin.cookie(ADMIN).is_none());
    let kept = app.browser();
    kept.set_cookie(ADMIN, cookie.split(';').next().unwrap().split_once('=').unwrap().1);
    assert_eq!(kept.get("/admin").await.location(), Some("/admin/login"), "the ended session opens nothing");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_get_the_same_answer_and_no_cookie() {
    let app = with_admin().await;
    let mut answers = Vec::new();
    for (username, password) in [("ops", "wrong wrong wrong wrong"), ("nobody", RIGHT)] {
        let browser = app.browser();
        let posted = log_in(&browser, username, password).await;
        assert!(browser.cookie(ADMIN).is_none());
        let page = browser.get(posted.location().unwrap()).await;
        answers.push((posted.status, posted.location().map(str::to_string), page.stable_body()));
    }
    assert_eq!(answers[0], answers[1]);
    assert!(answers[0].2.contains("The username or the password is not right."));
}

#[tokio::test]
async fn a_contacts_cookies_open_no_administrator_page_and_an_administrators_read_no_messages() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let contact = app.browser();
    contact.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    assert_eq!(contact.get("/").await.status, 200);
    assert_eq!(contact.get("/admin").await.location(), Some("/admin/login"), "a device cookie is no admin session");
    let device = contact.cookie("__Host-portal-device").unwrap();
    let forged = app.browser();
    forged.set_cookie(ADMIN, &device);
    assert_eq!(forged.get("/admin").await.location(), Some("/admin/login"), "nor is its value in the admin cookie");

    let admin = app.browser();
    log_in(&admin, "ops", RIGHT).await;
    assert_eq!(admin.get("/admin").await.status, 200);
    assert_eq!(admin.get("/").await.location(), Some("/login"), "an admin session is no contact");
}

#[tokio::test]
async fn a_cross_site_log_in_or_log_out_is_refused_before_anything_runs() {
    let app = with_admin().await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for path in ["/api/admin/log-in", "/api/admin/log-out"] {
        let response = http
            .post(format!("{}{path}", app.base))
            .header("origin", "https://evil.example")
            .form(&[("username", "ops"), ("password", RIGHT)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    let events = app.store.events(None).await.unwrap();
    assert!(!events.iter().any(|e| e.kind.starts_with("admin_log")), "nothing ran");
}
