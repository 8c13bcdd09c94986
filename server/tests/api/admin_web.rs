//! The administrator's pages from outside, as a browser without JavaScript uses them:
//! logging in and out, finding contacts, and every way in that must stay shut.

use domain::Channel;
use server::admin::accounts;
use server::admin::password::Password;
use server::clock::Clock;

use crate::helpers::{Browser, TestApp, spawn_app};

const ADMIN: &str = "__Host-portal-admin";
pub(crate) const RIGHT: &str = "correct horse battery staple";

pub(crate) async fn with_admin() -> TestApp {
    let app = spawn_app().await;
    add_admin(&app).await;
    app
}

/// Adds the administrator `ops` (password [`RIGHT`]).
pub(crate) async fn add_admin(app: &TestApp) {
    accounts::add(&app.store, "ops", Password::parse(RIGHT, "ops").unwrap(), app.clock.now()).await.unwrap();
}

pub(crate) async fn log_in(browser: &Browser, username: &str, password: &str) -> crate::helpers::Page {
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
    assert!(app.store.settle(std::time::Duration::from_secs(10)).await, "look-ups are written aside");
    let lookups = app.store.events(None).await.unwrap().into_iter().filter(|e| e.kind() == "admin_lookup").count();
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
    assert!(!events.iter().any(|e| e.kind().as_str().starts_with("admin_log")), "nothing ran");
}

/// The card of the contact with `email`, as the logged-in administrator sees it.
pub(crate) async fn card_of(app: &TestApp, admin: &Browser, email: &str) -> (i64, crate::helpers::Page) {
    let contact = app.store.find_contact(&domain::Identifier::Email(domain::EmailAddress::parse(email).unwrap())).await.unwrap().unwrap();
    (contact.id.0, admin.get(&format!("/admin/contacts/{}", contact.id.0)).await)
}

#[tokio::test]
async fn the_card_diagnoses_and_its_buttons_opt_in_forget_browsers_and_publish_naming_the_administrator() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[Channel::Sms]).await;
    // Ada logs in by email in one browser, and tries SMS (opted out) in another.
    let laptop = app.browser();
    laptop.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    app.clock.advance(31);
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    let message = server::messages::add_message(&app.store, "Board minutes", "# Minutes", app.clock.now()).await.unwrap();

    let admin = app.browser();
    log_in(&admin, "ops", RIGHT).await;
    let (id, card) = card_of(&app, &admin, "ada@example.com").await;
    assert_eq!(card.status, 200);
    assert!(card.body.contains("Opted out of communication by text message"), "{}", card.body);
    assert!(card.body.contains("Opt back in to text message"));
    assert!(card.body.contains("Firefox on Linux: first seen"), "the browser, from its user agent");
    assert!(card.body.contains("(remembered)"));
    assert!(card.body.contains("code not sent (opted out) by text message"), "the timeline");

    let act = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("id", id.to_string())];
        form.extend(fields);
        form
    };
    let post = |form: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post("/api/admin/act", &refs).await
        }
    };
    let here = format!("/admin/contacts/{id}");
    assert_eq!(post(act(vec![("action", "opt-in".into()), ("channel", "sms".into())])).await.location(), Some(here.as_str()));
    assert!(!app.store.contact(server::store::ContactId(id)).await.unwrap().unwrap().sms_opt_out, "opted back in");
    assert_eq!(post(act(vec![("action", "revoke".into())])).await.location(), Some(here.as_str()));
    assert_eq!(laptop.get("/").await.location(), Some("/login"), "her browser needs a new code");
    assert_eq!(post(act(vec![("action", "publish".into()), ("message", message.clone())])).await.location(), Some(here.as_str()));
    assert!(app.store.inbox(server::store::ContactId(id)).await.unwrap().iter().any(|m| m.public_id == message));

    assert!(app.store.settle(std::time::Duration::from_secs(10)).await, "look-ups are written aside");
    let events = app.store.events(Some(server::store::ContactId(id))).await.unwrap();
    for kind in ["opt_out_changed", "devices_revoked", "message_published", "admin_lookup"] {
        let e = events.iter().find(|e| e.kind() == kind).unwrap_or_else(|| panic!("no {kind}"));
        assert!(e.detail().to_string().contains("ops"), "{kind} names the administrator: {}", e.detail());
    }
}

#[tokio::test]
async fn the_card_refuses_bad_input_unknown_contacts_and_everyone_without_a_session() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let admin = app.browser();
    log_in(&admin, "ops", RIGHT).await;
    let (id, _) = card_of(&app, &admin, "ada@example.com").await;
    assert_eq!(admin.get("/admin/contacts/999999").await.status, 404);
    assert_eq!(admin.get("/admin/contacts/not-a-number").await.status, 404);
    let cases = [
        ("opt-out", ("channel", "fax"), "Choose a channel"),
        ("fly", ("channel", "sms"), "not something this page can do"),
        ("publish", ("message", ""), "Choose a message"),
        ("publish", ("message", "no-such-message"), "does not exist"),
        ("revoke", ("device", "424242"), "does not exist"),
    ];
    for (action, extra, says) in cases {
        let page = admin.submit("/api/admin/act", &[("id", &id.to_string()), ("action", action), extra]).await;
        assert!(page.body.contains(says), "{action} {extra:?}: {}", page.body);
    }
    let before = app.store.contact(server::store::ContactId(id)).await.unwrap();
    // No session, a contact's cookie, a cross-site post: nothing changes.
    let stranger = app.browser();
    let posted = stranger.post("/api/admin/act", &[("id", &id.to_string()), ("action", "opt-out"), ("channel", "email")]).await;
    assert_eq!(posted.location(), Some("/admin/login"));
    assert_eq!(stranger.get(&format!("/admin/contacts/{id}")).await.location(), Some("/admin/login"));
    // A contact's own session is the wrong kind: its posts reach no admin action.
    let contact = app.browser();
    contact.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let posted = contact.post("/api/admin/act", &[("id", &id.to_string()), ("action", "opt-out"), ("channel", "email")]).await;
    assert_eq!(posted.location(), Some("/admin/login"));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cross = http
        .post(format!("{}/api/admin/act", app.base))
        .header("origin", "https://evil.example")
        .header("cookie", format!("{ADMIN}={}", admin.cookie(ADMIN).unwrap()))
        .form(&[("id", id.to_string().as_str()), ("action", "opt-out"), ("channel", "email")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    let after = app.store.contact(server::store::ContactId(id)).await.unwrap().unwrap();
    // The contact's own login above remembered its language, and that is all.
    assert_eq!(after.language, Some(domain::i18n::Lang::En));
    assert_eq!(Some(server::store::Contact { language: None, ..after }), before, "nothing else changed");
}

#[tokio::test]
async fn the_contact_list_pages_25_at_a_time() {
    let app = with_admin().await;
    for i in 0..30 {
        app.add_contact(&format!("Contact {i:02}"), Some(&format!("c{i:02}@example.com")), None, &[]).await;
    }
    let admin = app.browser();
    log_in(&admin, "ops", RIGHT).await;
    let first = admin.get("/admin").await;
    assert!(first.body.contains("Contact 00") && first.body.contains("Contact 24") && !first.body.contains("Contact 25"));
    assert!(first.body.contains("href=\"/admin?q=&amp;page=1\"") && !first.body.contains("Previous"), "{}", first.body);
    let second = admin.get("/admin?q=&page=1").await;
    assert!(second.body.contains("Contact 25") && second.body.contains("Contact 29") && !second.body.contains("Contact 24"));
    assert!(second.body.contains("Previous") && !second.body.contains("Next"));
    let searched = admin.get("/admin?q=contact%202&page=0").await;
    assert!(searched.body.contains("Contact 20") && searched.body.contains("Contact 29") && !searched.body.contains("Contact 19"));
}
