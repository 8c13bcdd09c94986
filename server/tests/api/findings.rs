//! The security review of issue 20, finding by finding, from outside: each test fails
//! on the code before its fix (SECURITY.md lists them).

use domain::Channel;
use server::clock::Clock;

use crate::admin_web::{card_of, log_in, with_admin};
use crate::helpers::{Browser, Page, TestApp};

/// A contact name and a message title an attacker controls (through the API or the
/// command line): each tries to end `<title>` and add markup of its own.
const HOSTILE: &str = r#"Eve</title><meta http-equiv=refresh content="0;url=https://evil.example/"><form action=/api/admin/act>"#;

/// The one `<title>` of a page, checked to carry `text` as text, and nothing injected.
fn title_of(page: &Page) -> String {
    let body = &page.body;
    assert_eq!(body.matches("<title>").count(), 1, "exactly one <title>: {body}");
    assert_eq!(body.matches("</title>").count(), 1, "exactly one </title>: {body}");
    assert!(!body.contains("<meta http-equiv"), "no injected <meta>: {body}");
    assert!(!body.contains("<form action=/api/admin/act>"), "no injected <form>: {body}");
    let start = body.find("<title>").unwrap() + "<title>".len();
    let end = body.find("</title>").unwrap();
    body[start..end].to_string()
}

async fn contact_logged_in(app: &TestApp, name: &str, email: &str) -> (server::store::Contact, Browser) {
    let contact = app.add_contact(name, Some(email), None, &[]).await;
    let browser = app.browser();
    browser.log_in(app, email, Channel::Email, email).await;
    (contact, browser)
}

#[tokio::test]
async fn h1_a_hostile_contact_name_or_message_title_stays_text_in_the_page_title() {
    let app = with_admin().await;
    let (contact, reader) = contact_logged_in(&app, HOSTILE, "eve@example.com").await;
    let id = server::messages::add_message(&app.store, HOSTILE, "Hello", app.clock.now()).await.unwrap();
    app.store.publish(&id, contact.id, app.clock.now()).await.unwrap();

    let admin = app.browser();
    log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    let (_, card) = card_of(&app, &admin, "eve@example.com").await;
    assert_eq!(card.status, 200);
    let escaped = "Eve&lt;/title&gt;&lt;meta http-equiv=refresh content=&quot;0;url=https://evil.example/&quot;&gt;&lt;form action=/api/admin/act&gt;";
    assert_eq!(title_of(&card), format!("{escaped} · Aarhus Roklub"), "the administrator's card");

    let message = reader.get(&format!("/m/{id}")).await;
    assert_eq!(message.status, 200);
    assert_eq!(title_of(&message), format!("{escaped} · Aarhus Roklub"), "the message page");

    // Pages that title with fixed words keep them, escaped alike ('&' and the
    // organisation's own characters).
    let org = crate::helpers::spawn_app_with(&[("PORTAL_ORGANISATION", "Smith & Sons <Rowing>")]).await;
    assert_eq!(title_of(&org.browser().get("/login").await), "Log in · Smith &amp; Sons &lt;Rowing&gt;");
    for path in ["/help", "/admin/login", "/nowhere"] {
        let title = title_of(&org.browser().get(path).await);
        assert!(title.ends_with(" · Smith &amp; Sons &lt;Rowing&gt;"), "{path}: {title}");
    }
}

/// A transaction held open from outside the portal, holding what every login step
/// waits for: SQLite's write lock (`BEGIN IMMEDIATE`) or PostgreSQL's step lock.
enum Holder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Holder {
    async fn take(app: &TestApp) -> Holder {
        use sqlx::Connection;
        if app.db.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(&app.db.url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("BEGIN; SELECT pg_advisory_xact_lock({})", TEST_NETWORK.id())))
                .execute(&mut conn)
                .await
                .unwrap();
            Holder::Postgres(conn)
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&app.db.url).await.unwrap();
            sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut conn).await.unwrap();
            Holder::Sqlite(conn)
        }
    }

    async fn release(self) {
        match self {
            Holder::Sqlite(mut c) => sqlx::raw_sql("ROLLBACK").execute(&mut c).await.map(|_| ()).unwrap(),
            Holder::Postgres(mut c) => sqlx::raw_sql("ROLLBACK").execute(&mut c).await.map(|_| ()).unwrap(),
        }
    }
}

/// Issue 20, M2: before, every `GET /login` began a step transaction and waited on the
/// lock without end, so a stalled holder took every page down with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_step_lock_held_from_outside_pages_answer_at_once_and_steps_say_try_again_within_the_bound() {
    const BOUND: &str = "1s";
    let app = crate::helpers::spawn_app_with(&[("PORTAL_DB_TIMEOUT", BOUND), ("PORTAL_DB_POOL", "4")]).await;
    let (_, reader) = contact_logged_in(&app, "Ada", "ada@example.com").await;
    app.add_contact("Grace", Some("grace@example.com"), None, &[]).await;
    // Long enough since the last visit that the page records one (aside).
    app.clock.advance(31 * 60);
    crate::admin_web::add_admin(&app).await;
    let admin = app.browser();
    log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    let card = format!("/admin/contacts/{}", app.store.contacts().await.unwrap()[0].id.0);
    let waiting = app.browser();
    waiting.request_code("grace@example.com", Channel::Email).await;

    let holder = Holder::take(&app).await;
    let mut times = Vec::new();
    for round in 0..3 {
        for (what, browser, path) in [
            ("GET /login, no cookies", &app.browser(), "/login"),
            ("GET /login, code step", &waiting, "/login"),
            ("GET / (messages), logged in", &reader, "/"),
            ("GET /help", &app.browser(), "/help"),
            ("GET /admin?q=ada (a search, recorded)", &admin, "/admin?q=ada"),
            ("GET the contact's card (recorded)", &admin, card.as_str()),
        ] {
            let started = std::time::Instant::now();
            let page = browser.get(path).await;
            let took = started.elapsed();
            assert_eq!(page.status, 200, "{what}: {page:?}");
            assert!(took < std::time::Duration::from_secs(1), "{what} took {took:?} with the lock held");
            if round == 0 && what.contains("code step") {
                assert!(page.body.contains("grace@example.com"), "the code step still shows: {}", page.body);
            }
            times.push((what, took));
        }
    }
    let started = std::time::Instant::now();
    let step =
        app.browser().post("/api/login/request-code", &[("identifier", "ada@example.com"), ("channel", "email"), ("next", "/")]).await;
    let took = started.elapsed();
    assert_eq!(step.status, 503, "{step:?}");
    assert!(step.body.contains("try again in a moment"), "{}", step.body);
    assert!(took < std::time::Duration::from_millis(2500), "a step waits at most about the bound ({BOUND}): {took:?}");
    for (what, took) in &times {
        eprintln!("lock held ({}): {what}: {} ms", if app.db.is_postgres() { "PostgreSQL" } else { "SQLite" }, took.as_millis());
    }
    eprintln!("lock held: Send code answered 503 in {} ms (PORTAL_DB_TIMEOUT={BOUND}, pool 4)", took.as_millis());
    holder.release().await;
    let after = app.browser().request_code("ada@example.com", Channel::Email).await;
    assert_eq!(after.status, 200, "the lock released, steps work again");
}

/// On PostgreSQL the lock every login step from the test's browsers takes first: their
/// network's (`store/tx.rs`). Held from outside, it stalls those steps as a stalled
/// holder of the one global lock stalled every step before per-key locks.
const TEST_NETWORK: server::store::Lock = server::store::Lock::Network("127.0.0.1");

/// Issue 20, M3: before, each `GET /m/<any text>` stored the whole text in a 400-day
/// event (100 requests: 6.4 MB, a 13 MB card).
#[tokio::test]
async fn a_contact_cannot_grow_the_event_log_at_will_and_the_card_reads_a_bounded_window() {
    let app = with_admin().await;
    let (contact, reader) = contact_logged_in(&app, "Eve", "eve@example.com").await;
    let long = "x".repeat(8 * 1024);
    for i in 0..100 {
        let page = reader.get(&format!("/m/{i}{long}")).await;
        assert_eq!(page.status, 403);
    }
    assert!(app.store.settle(std::time::Duration::from_secs(10)).await, "refusals are written aside");
    let refused: Vec<_> = app.store.events(Some(contact.id)).await.unwrap().into_iter().filter(|e| e.kind() == "message_refused").collect();
    assert_eq!(refused.len(), 20, "twenty an hour are recorded");
    assert!(refused.iter().all(|e| e.detail().to_string().len() < 200), "each bounded: {:?}", refused[0].detail());
    // Each hour twenty more: 120 in six hours. The card shows its timeline a page of
    // 100 at a time, the newest first.
    for _ in 0..5 {
        app.clock.advance(3601);
        for i in 0..25 {
            reader.get(&format!("/m/abcdefghi{i}")).await;
        }
    }
    let admin = app.browser();
    log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    let (id, card) = card_of(&app, &admin, "eve@example.com").await;
    assert_eq!(card.status, 200);
    assert!(card.body.len() < 100_000, "the card is {} bytes", card.body.len());
    let lines = |body: &str| {
        let timeline = &body[body.find("<ul class=\"timeline\">").expect("a timeline")..];
        timeline[..timeline.find("</ul>").unwrap()].matches("<li>").count()
    };
    assert!(app.store.settle(std::time::Duration::from_secs(10)).await);
    let total = app.store.events(Some(contact.id)).await.unwrap().into_iter().filter(|e| e.kind() != "admin_lookup").count();
    assert!(total > 120, "{total} events");
    assert_eq!(lines(&card.body), 100, "one page of the timeline");
    assert!(!card.body.contains("login succeeded"), "the oldest events are on the next page");
    let link = format!("/admin/contacts/{id}?older=");
    let start = card.body.find(&link).expect("a link to older events");
    let href: String = card.body[start..].chars().take_while(|c| *c != '"').collect();
    let older = admin.get(&href).await;
    assert_eq!(older.status, 200);
    assert_eq!(lines(&older.body), total - 100, "the rest");
    assert!(older.body.contains("login succeeded by email"));
    assert!(!older.body.contains(&link), "no page after the last");
}

/// Issue 20, L1: before, a changed password or a removed administrator left their
/// sessions working.
#[tokio::test]
async fn a_new_password_or_removing_the_administrator_ends_their_sessions() {
    let app = with_admin().await;
    let admin = app.browser();
    log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    assert_eq!(admin.get("/admin").await.status, 200);
    let new = server::admin::password::Password::parse("a brand new passphrase here", "ops").unwrap();
    server::admin::accounts::passwd(&app.store, "ops", new, app.clock.now()).await.unwrap();
    assert_eq!(admin.get("/admin").await.location(), Some("/admin/login"), "the session ended with the old password");
    assert_eq!(log_in(&admin, "ops", "a brand new passphrase here").await.location(), Some("/admin"));
    assert_eq!(admin.get("/admin").await.status, 200);
    server::admin::accounts::remove(&app.store, "ops", app.clock.now()).await.unwrap();
    assert_eq!(admin.get("/admin").await.location(), Some("/admin/login"), "no session outlives its administrator");
}

/// Issue 20, M1 from outside: the known-browser cookie is set at log-in, strict, and
/// lets the administrator in from a network that strangers closed.
#[tokio::test]
async fn the_administrators_own_browser_logs_in_from_a_network_strangers_closed() {
    let app = crate::helpers::spawn_app_with(&[("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    crate::admin_web::add_admin(&app).await;
    let mine = app.browser_from("192.0.2.10");
    let posted = log_in(&mine, "ops", crate::admin_web::RIGHT).await;
    let cookie = posted.set_cookies().into_iter().find(|c| c.starts_with("__Host-portal-admin-browser=")).expect("a known-browser cookie");
    assert!(cookie.ends_with("; Max-Age=7776000; Path=/; Secure; HttpOnly; SameSite=Strict"), "{cookie}");
    mine.post("/api/admin/log-out", &[]).await;
    // A stranger on the same shared network guesses until it is closed for "ops".
    let stranger = app.browser_from("203.0.113.9");
    for _ in 0..10 {
        assert_eq!(log_in(&stranger, "ops", "wrong wrong wrong wrong").await.location(), Some("/admin/login?failed=1"));
    }
    assert_eq!(log_in(&stranger, "ops", crate::admin_web::RIGHT).await.location(), Some("/admin/login?failed=throttled"));
    // The administrator, travelling, is on that network now, in their own browser.
    let on_that_network = app.browser_from("203.0.113.9");
    on_that_network.set_cookie("__Host-portal-admin-browser", cookie.split(';').next().unwrap().split_once('=').unwrap().1);
    assert_eq!(log_in(&on_that_network, "ops", crate::admin_web::RIGHT).await.location(), Some("/admin"), "their own browser gets in");
}

/// An API token for the tests below.
async fn api_token(app: &TestApp) -> String {
    server::platform::add_token(&app.store, "crm", app.clock.now()).await.unwrap()
}

async fn api(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Option<&str>) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().request(method, format!("{}/api/v1{path}", app.base)).bearer_auth(token);
    if let Some(b) = body {
        request = request.header("content-type", "application/json").body(b.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, if text.is_empty() { serde_json::Value::Null } else { serde_json::from_str(&text).unwrap() })
}

/// Issue 20, L5: before, a body was buffered (up to 2 MiB) and parsed for anyone, and
/// only then was the token checked.
#[tokio::test]
async fn the_api_answers_401_before_it_reads_a_body() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app().await;
    let host = app.base.trim_start_matches("http://");
    for auth in ["", "Authorization: Bearer not-a-token\r\n"] {
        let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
        // A body announced as 1 MB, of which 10 bytes ever come.
        let head = format!(
            "PUT /api/v1/contacts/c1 HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{{\"name\":\"x"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 4096];
        let read = tokio::time::timeout(std::time::Duration::from_secs(3), stream.read(&mut answer)).await;
        let n = read.expect("answered without waiting for the body").unwrap();
        let text = String::from_utf8_lossy(&answer[..n]);
        assert!(text.starts_with("HTTP/1.1 401"), "{auth:?}: {text}");
    }
}

/// Issue 20, L6: before, "forget every browser" left the passkeys that log in without
/// a code, and the API could neither list nor remove them.
#[tokio::test]
async fn forgetting_every_browser_removes_passkeys_and_the_api_lists_and_removes_them() {
    let app = crate::helpers::spawn_app().await;
    let token = api_token(&app).await;
    let (status, _) = api(&app, &token, reqwest::Method::PUT, "/contacts/c1", Some(r#"{"name":"Ada","email":"ada@example.com"}"#)).await;
    assert_eq!(status, 201);
    let ada = app.store.contact_by_external_id("c1").await.unwrap().unwrap();
    let browser = app.browser();
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    for (i, made_on) in ["Chrome on Android", "Safari on iOS"].iter().enumerate() {
        let credential = format!("cred{i}");
        let new = server::store::NewPasskey {
            contact: ada.id,
            credential_id: &credential,
            passkey: "{}",
            browser: Some(made_on),
            backup_eligible: true,
            backup_state: i == 0,
        };
        app.store.add_passkey(&new, app.clock.now()).await.unwrap();
    }
    let (status, listed) = api(&app, &token, reqwest::Method::GET, "/contacts/c1/passkeys", None).await;
    assert_eq!(status, 200);
    let listed = listed.as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["made_on"], "Chrome on Android");
    assert_eq!(listed[0]["synced"], true);
    let first = listed[0]["id"].as_i64().unwrap();
    assert_eq!(api(&app, &token, reqwest::Method::DELETE, &format!("/contacts/c1/passkeys/{first}"), None).await.0, 204);
    assert_eq!(api(&app, &token, reqwest::Method::DELETE, &format!("/contacts/c1/passkeys/{first}"), None).await.0, 404, "gone");
    assert_eq!(api(&app, &token, reqwest::Method::DELETE, "/contacts/c1/passkeys/x", None).await.0, 404);
    // From outside: no contact of that key, another contact's passkey, no token or a
    // wrong one; each refused, nothing removed.
    assert_eq!(api(&app, &token, reqwest::Method::GET, "/contacts/nobody/passkeys", None).await.0, 404);
    let second = listed[1]["id"].as_i64().unwrap();
    api(&app, &token, reqwest::Method::PUT, "/contacts/c2", Some(r#"{"name":"Bo","email":"bo@example.com"}"#)).await;
    assert_eq!(api(&app, &token, reqwest::Method::DELETE, &format!("/contacts/c2/passkeys/{second}"), None).await.0, 404);
    assert_eq!(api(&app, "pat_not-a-token", reqwest::Method::GET, "/contacts/c1/passkeys", None).await.0, 401);
    assert_eq!(api(&app, "pat_not-a-token", reqwest::Method::DELETE, &format!("/contacts/c1/passkeys/{second}"), None).await.0, 401);
    let unauthorised = reqwest::Client::new().get(format!("{}/api/v1/contacts/c1/passkeys", app.base)).send().await.unwrap();
    assert_eq!(unauthorised.status(), 401);
    assert_eq!(app.store.passkeys_of(ada.id).await.unwrap().len(), 1, "only the one removed above went");
    let (status, forgotten) = api(&app, &token, reqwest::Method::DELETE, "/contacts/c1/devices", None).await;
    assert_eq!(status, 200);
    assert_eq!(forgotten, serde_json::json!({ "forgotten": 1, "passkeys_removed": 1 }));
    assert!(app.store.passkeys_of(ada.id).await.unwrap().is_empty(), "no way in without a new code");
    assert_eq!(browser.get("/").await.location(), Some("/login"));
}

/// Issue 20, L8: before, a contact's address could change under codes already sent to
/// the old one and browsers logged in through it.
#[tokio::test]
async fn changing_an_address_withdraws_its_codes_and_forgets_browsers_and_passkeys() {
    let app = crate::helpers::spawn_app().await;
    let token = api_token(&app).await;
    api(&app, &token, reqwest::Method::PUT, "/contacts/c1", Some(r#"{"name":"Ada","email":"ada@example.com"}"#)).await;
    let ada = app.store.contact_by_external_id("c1").await.unwrap().unwrap();
    let remembered = app.browser();
    remembered.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let new = server::store::NewPasskey {
        contact: ada.id,
        credential_id: "cred",
        passkey: "{}",
        browser: None,
        backup_eligible: false,
        backup_state: false,
    };
    app.store.add_passkey(&new, app.clock.now()).await.unwrap();
    let waiting = app.browser();
    waiting.request_code("ada@example.com", Channel::Email).await;
    let old_code = app.latest_code("ada@example.com").await;
    // A phone added where there was none takes nothing.
    let (status, _) =
        api(&app, &token, reqwest::Method::PUT, "/contacts/c1", Some(r#"{"name":"Ada","email":"ada@example.com","phone":"20123401"}"#))
            .await;
    assert_eq!(status, 200);
    assert_eq!(remembered.get("/").await.status, 200, "adding an address forgets nothing");
    // The email changes: the code sent to the old one stops working, and so do the
    // browser and the passkey.
    let (status, _) =
        api(&app, &token, reqwest::Method::PUT, "/contacts/c1", Some(r#"{"name":"Ada","email":"ada.new@example.com","phone":"20123401"}"#))
            .await;
    assert_eq!(status, 200);
    assert_eq!(remembered.get("/").await.location(), Some("/login"));
    assert!(app.store.passkeys_of(ada.id).await.unwrap().is_empty());
    let entered = waiting.enter_code(&old_code).await;
    assert!(!entered.body.contains("You are logged in"), "the old address's code does not log in");
    assert_eq!(waiting.get("/").await.location(), Some("/login"));
    let saved = app.store.events(Some(ada.id)).await.unwrap().into_iter().rfind(|e| e.kind() == "contact_saved").unwrap();
    assert_eq!(saved.detail()["addresses_changed"], serde_json::json!(["email"]));
    assert_eq!(saved.detail()["codes_withdrawn"], 1);
    assert_eq!(saved.detail()["devices_forgotten"], 1);
    assert_eq!(saved.detail()["passkeys_removed"], 1);
}

/// Issue 20, L7: before, the card's one-click fix named the message by the text of an
/// address the contact opened.
#[tokio::test]
async fn the_publish_fix_names_the_message_by_its_stored_title_and_only_for_a_real_one() {
    let app = with_admin().await;
    let (_, reader) = contact_logged_in(&app, "Eve", "eve@example.com").await;
    let id = server::messages::add_message(&app.store, "Board <minutes>", "Hi", app.clock.now()).await.unwrap();
    reader.get(&format!("/m/{id}")).await;
    reader.get("/m/Publishthisnow").await;
    let admin = app.browser();
    log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    let (_, card) = card_of(&app, &admin, "eve@example.com").await;
    assert!(card.body.contains("Publish “Board &lt;minutes&gt;” to them"), "{}", card.body);
    assert!(
        !card.body.contains("Publish Publishthisnow") && !card.body.contains("Publish “Publishthisnow"),
        "no fix for a message that does not exist"
    );
}

/// Issue 20, Info: before, any retention (a setting of `1s`) emptied the event log.
#[tokio::test]
async fn pruning_never_empties_the_last_30_days_of_the_log_and_a_short_retention_stops_the_server() {
    let app = crate::helpers::spawn_app().await;
    let contact = app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.browser().request_code("ada@example.com", Channel::Email).await;
    app.wait_for_event(&contact, "code_sent").await;
    let before = app.store.events(Some(contact.id)).await.unwrap().len();
    assert!(before > 0);
    // A caller that asks for a retention of one second, 29 days later.
    app.clock.advance(29 * 86_400);
    let short = server::retention::Retention { records: std::time::Duration::from_secs(1), ..server::retention::Retention::default() };
    server::retention::prune(&app.store, &short, &server::config::Limits::default(), app.clock.now()).await.unwrap();
    assert_eq!(app.store.events(Some(contact.id)).await.unwrap().len(), before, "the last 30 days stay");
    let refused = server::store::sql("DELETE FROM events").execute(app.store.db()).await;
    assert!(refused.is_err(), "and cannot be deleted directly");
    app.clock.advance(2 * 86_400);
    let pruned = server::retention::prune(&app.store, &short, &server::config::Limits::default(), app.clock.now()).await.unwrap();
    assert_eq!(pruned.events as usize, before, "past 30 days they go");
    let refused = server::config::Config::from_lookup(|k| (k == "PORTAL_RECORD_RETENTION").then(|| "7d".to_string()));
    let message = refused.expect_err("refused").to_string();
    assert!(message.contains("PORTAL_RECORD_RETENTION must be at least 30 days"), "{message}");
}
