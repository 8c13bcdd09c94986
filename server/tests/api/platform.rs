//! The integration API from outside, as the platform calls it: bearer tokens, contacts
//! by the platform's own key, opt-outs, and every refusal a problem that changes
//! nothing.

use domain::Channel;
use server::clock::Clock;

use crate::helpers::{TestApp, portal, spawn_app};

struct Api<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    token: Option<String>,
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    json: serde_json::Value,
}

impl<'a> Api<'a> {
    async fn new(app: &'a TestApp) -> Api<'a> {
        let token = server::platform::add_token(&app.store, "crm", app.clock.now()).await.unwrap();
        Api { app, client: reqwest::Client::new(), token: Some(token) }
    }

    fn with_token(&self, token: Option<&str>) -> Api<'a> {
        Api { app: self.app, client: self.client.clone(), token: token.map(str::to_string) }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&str>) -> Answer {
        let mut request = self.client.request(method, format!("{}/api/v1{path}", self.app.base));
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.header("content-type", "application/json").body(b.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        Answer { status, headers, json }
    }

    async fn put(&self, path: &str, body: &str) -> Answer {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn delete(&self, path: &str) -> Answer {
        self.send(reqwest::Method::DELETE, path, None).await
    }
}

impl Answer {
    /// A problem (RFC 9457) with `status`, whose detail mentions `words`.
    fn problem(&self, status: u16, words: &str) {
        assert_eq!(self.status, status, "{}", self.json);
        let kind = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(kind, "application/problem+json", "{}", self.json);
        assert_eq!(self.json["status"], status);
        let detail = self.json["detail"].as_str().unwrap_or_default();
        assert!(detail.to_lowercase().contains(&words.to_lowercase()), "detail {detail:?} should mention {words:?}");
    }
}

async fn contact_count(app: &TestApp) -> i64 {
    app.store.contact_count().await.unwrap()
}

#[tokio::test]
async fn a_contact_is_created_read_replaced_idempotently_and_deleted_by_its_external_id() {
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    let ada = r#"{"name":"Ada Lovelace","email":"Ada@Example.com","phone":"20 12 34 01"}"#;
    let created = api.put("/contacts/crm-42", ada).await;
    assert_eq!(created.status, 201, "{}", created.json);
    assert_eq!(created.json["email"], "ada@example.com", "parsed as the login parses it");
    assert_eq!(created.json["phone"], "+4520123401");
    assert_eq!(created.json["opted_out"], serde_json::json!({ "email": false, "sms": false }));

    let again = api.put("/contacts/crm-42", ada).await;
    assert_eq!((again.status, &again.json), (200, &created.json), "the same PUT twice changes nothing");
    let events = app.store.events(None).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind() == "contact_saved").count(), 1, "the no-op PUT wrote no event");
    assert!(events.iter().any(|e| e.kind() == "contact_saved" && e.detail()["by"] == "api token crm"), "the write names the token");

    let renamed = api.put("/contacts/crm-42", r#"{"name":"Ada King","email":"ada@example.com"}"#).await;
    assert_eq!(renamed.status, 200);
    assert_eq!((renamed.json["name"].as_str(), renamed.json["phone"].is_null()), (Some("Ada King"), true), "a PUT replaces");
    assert_eq!(api.get("/contacts/crm-42").await.json, renamed.json);
    assert_eq!(contact_count(&app).await, 1);

    assert_eq!(api.delete("/contacts/crm-42").await.status, 204);
    api.get("/contacts/crm-42").await.problem(404, "crm-42");
    api.delete("/contacts/crm-42").await.problem(404, "crm-42");
    let removed = app.store.events(None).await.unwrap().into_iter().find(|e| e.kind() == "contact_removed").unwrap();
    assert_eq!(removed.detail()["by"], "api token crm");
}

#[tokio::test]
async fn no_token_a_wrong_one_or_a_revoked_one_gets_401_and_changes_nothing() {
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    let body = r#"{"name":"Ada","email":"ada@example.com"}"#;
    let none = api.with_token(None).put("/contacts/x", body).await;
    none.problem(401, "Authorization: Bearer");
    assert_eq!(none.headers.get("www-authenticate").unwrap(), "Bearer");
    let forged = format!("pat_{}", "0".repeat(64));
    for wrong in [forged.as_str(), "pat_short", "not a token at all"] {
        let answer = api.with_token(Some(wrong)).put("/contacts/x", body).await;
        answer.problem(401, "not one in use");
        assert_eq!(answer.headers.get("www-authenticate").unwrap(), "Bearer error=\"invalid_token\"");
    }
    server::platform::revoke_token(&app.store, "crm", app.clock.now()).await.unwrap();
    api.put("/contacts/x", body).await.problem(401, "not one in use");
    api.get("/contacts/x").await.problem(401, "not one in use");
    assert_eq!(contact_count(&app).await, 0);

    // A browser's cookies are no token: a logged-in contact's device cookie opens nothing.
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let cookie = browser.cookie("__Host-portal-device").unwrap();
    let with_cookie = reqwest::Client::new()
        .get(format!("{}/api/v1/contacts/x", app.base))
        .header("cookie", format!("__Host-portal-device={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), 401);
}

#[tokio::test]
async fn every_bad_input_is_a_problem_that_says_what_and_changes_nothing() {
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    api.put("/contacts/taken", r#"{"name":"Bo","email":"bo@example.com"}"#).await;
    let before = contact_count(&app).await;
    let cases: [(&str, &str, u16, &str); 8] = [
        ("/contacts/a", r#"{"name":"Ada","email":"not-an-address"}"#, 422, "email"),
        ("/contacts/a", r#"{"name":"Ada","phone":"12"}"#, 422, "phone"),
        ("/contacts/a", r#"{"name":"Ada"}"#, 422, "email, phone or both"),
        ("/contacts/a", r#"{"name":"","email":"ada@example.com"}"#, 422, "name"),
        ("/contacts/a", r#"{"name":"Ada","email":"ada@example.com","admin":true}"#, 422, "unknown field `admin`"),
        ("/contacts/a", r#"{"name":"Ada","email":"ada@example.com""#, 400, "EOF"),
        ("/contacts/a", r#"{"name":"Ada","email":"bo@example.com"}"#, 409, "bo@example.com"),
        ("/contacts/a%20b", r#"{"name":"Ada","email":"ada@example.com"}"#, 422, "external_id"),
    ];
    for (path, body, status, words) in cases {
        api.put(path, body).await.problem(status, words);
    }
    let huge = format!(r#"{{"name":"{}","email":"ada@example.com"}}"#, "A".repeat(3 * 1024 * 1024));
    let too_large = api.put("/contacts/a", &huge).await;
    assert_eq!(too_large.status, 413);
    assert_eq!(too_large.headers.get("content-type").unwrap(), "application/problem+json");
    let plain = reqwest::Client::new()
        .put(format!("{}/api/v1/contacts/a", app.base))
        .bearer_auth(api.token.as_deref().unwrap())
        .body(r#"{"name":"Ada","email":"ada@example.com"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415, "JSON is said with its content type");
    api.get("/nothing-here").await.problem(404, "no such endpoint");
    assert_eq!(contact_count(&app).await, before, "no refused request changed anything");
    assert!(app.store.contact_by_external_id("a").await.unwrap().is_none());
}

#[tokio::test]
async fn opting_out_of_everything_through_the_api_forgets_the_contacts_browsers_and_codes() {
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    api.put("/contacts/ada", r#"{"name":"Ada","email":"ada@example.com","phone":"20123401"}"#).await;
    let laptop = app.browser();
    laptop.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let phone = app.browser();
    phone.request_code("20 12 34 01", Channel::Sms).await;
    let pending = app.latest_code("+4520123401").await;

    let one = api.put("/contacts/ada/opt-outs", r#"{"email":true,"sms":false}"#).await;
    assert_eq!(one.json["opted_out"], serde_json::json!({ "email": true, "sms": false }));
    assert_eq!(laptop.get("/").await.status, 200, "one channel left: still logged in");
    let all = api.put("/contacts/ada/opt-outs", r#"{"email":true,"sms":true}"#).await;
    assert_eq!(all.status, 200);
    assert_eq!(laptop.get("/").await.location(), Some("/login"), "no channel left: the browser is forgotten");
    let typed = phone.post("/api/login/verify-code", &[("code", &pending), ("next", "/")]).await;
    assert_ne!(typed.location(), Some("/"), "the code sent before the opt-out no longer logs in");
    let events = app.store.events(None).await.unwrap();
    assert!(events.iter().filter(|e| e.kind() == "opt_out_changed").all(|e| e.detail()["by"] == "api token crm"));
    api.put("/contacts/ada/opt-outs", r#"{"email":true}"#).await.problem(422, "missing field `sms`");
    api.put("/contacts/nobody/opt-outs", r#"{"email":true,"sms":true}"#).await.problem(404, "nobody");
}

#[tokio::test]
async fn tokens_are_made_listed_and_revoked_on_the_command_line_and_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::helpers::TestDb::new(dir.path(), "portal.db");
    let made = portal(&db.url, &["api-token", "add", "crm"]).await;
    assert!(made.status.success(), "{made:?}");
    let token = String::from_utf8_lossy(&made.stdout).trim().to_string();
    assert!(token.starts_with("pat_") && token.len() == 68, "{token}");
    let twice = portal(&db.url, &["api-token", "add", "crm"]).await;
    assert!(!twice.status.success());
    assert_eq!(String::from_utf8_lossy(&twice.stderr).lines().count(), 1, "{twice:?}");
    let bad = portal(&db.url, &["api-token", "add", "no spaces"]).await;
    assert!(!bad.status.success());
    let list = String::from_utf8_lossy(&portal(&db.url, &["api-token", "list"]).await.stdout).to_string();
    assert!(list.contains("crm") && list.contains("in use") && !list.contains(&token[4..]), "{list}");
    let store = server::store::Store::open(&db.url).await.unwrap();
    let stored: Vec<Vec<u8>> = server::store::sql("SELECT token_hash FROM api_tokens").scalar_all(store.db()).await.unwrap();
    assert!(stored.iter().all(|h| h.len() == 32), "only a hash is kept");
    assert!(portal(&db.url, &["api-token", "revoke", "crm"]).await.status.success());
    let list = String::from_utf8_lossy(&portal(&db.url, &["api-token", "list"]).await.stdout).to_string();
    assert!(list.contains("revoked"), "{list}");
    assert!(!portal(&db.url, &["api-token", "revoke", "crm"]).await.status.success(), "a revoked token cannot be revoked again");
    assert!(server::platform::caller(&store, &token).await.unwrap().is_none());
}

#[tokio::test]
async fn messages_are_kept_in_sync_and_published_to_many_contacts_in_one_call() {
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    for i in 0..3 {
        api.put(&format!("/contacts/c{i}"), &format!(r#"{{"name":"C{i}","email":"c{i}@example.com"}}"#)).await;
    }
    let created =
        api.put("/messages/news-1", r##"{"title":"Board minutes","body":"# Minutes\n\n<script>alert(1)</script>Decided."}"##).await;
    assert_eq!(created.status, 201, "{}", created.json);
    let url = created.json["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("/m/"));
    assert_eq!(
        api.put("/messages/news-1", r##"{"title":"Board minutes","body":"# Minutes\n\n<script>alert(1)</script>Decided."}"##).await.status,
        200
    );

    let done = api.send(reqwest::Method::POST, "/messages/news-1/publications", Some(r#"{"publish":["c0","c1"]}"#)).await;
    assert_eq!(done.json, serde_json::json!({ "published": 2, "unpublished": 0 }));
    let ada = app.store.contact_by_external_id("c0").await.unwrap().unwrap();
    let inbox = app.store.inbox(ada.id).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert!(!inbox[0].body_html.contains("<script"), "sanitised on the way in: {}", inbox[0].body_html);

    // Unknown contacts: nothing changes, and the answer names them.
    api.send(reqwest::Method::POST, "/messages/news-1/publications", Some(r#"{"publish":["c2","ghost"],"unpublish":["c0"]}"#))
        .await
        .problem(422, "1 unknown contact(s), nothing changed: ghost");
    assert_eq!(app.store.inbox(ada.id).await.unwrap().len(), 1, "c0 still has it");
    let moved = api.send(reqwest::Method::POST, "/messages/news-1/publications", Some(r#"{"publish":["c2"],"unpublish":["c0"]}"#)).await;
    assert_eq!(moved.json, serde_json::json!({ "published": 1, "unpublished": 1 }));
    assert!(app.store.inbox(ada.id).await.unwrap().is_empty());

    api.put("/messages/news-2", r#"{"title":"","body":"x"}"#).await.problem(422, "title");
    api.put("/messages/news-2", r#"{"title":"T","body":"  "}"#).await.problem(422, "body");
    api.send(reqwest::Method::POST, "/messages/nothing/publications", Some(r#"{"publish":["c0"]}"#)).await.problem(404, "nothing");
    assert_eq!(api.delete("/messages/news-1").await.status, 204);
    api.get("/messages/news-1").await.problem(404, "news-1");
    let events = app.store.events(None).await.unwrap();
    assert!(
        events
            .iter()
            .filter(|e| e.kind() == "message_saved" || e.kind() == "message_published")
            .all(|e| e.detail()["by"] == "api token crm")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_contacts_and_one_publication_to_all_of_them() {
    const N: usize = 10_000;
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    let started = std::time::Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (client, base, token, next) = (api.client.clone(), app.base.clone(), api.token.clone().unwrap(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= N {
                        return;
                    }
                    let status = client
                        .put(format!("{base}/api/v1/contacts/bulk-{i}"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({ "name": format!("Contact {i}"), "email": format!("bulk{i}@example.com") }))
                        .send()
                        .await
                        .unwrap()
                        .status();
                    assert_eq!(status, 201, "contact {i}");
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let contacts = started.elapsed();
    api.put("/messages/all-hands", r#"{"title":"All hands","body":"Friday at ten."}"#).await;
    let everyone: Vec<String> = (0..N).map(|i| format!("bulk-{i}")).collect();
    let started = std::time::Instant::now();
    let done = api
        .send(reqwest::Method::POST, "/messages/all-hands/publications", Some(&serde_json::json!({ "publish": everyone }).to_string()))
        .await;
    let publication = started.elapsed();
    assert_eq!(done.json, serde_json::json!({ "published": N, "unpublished": 0 }), "{}", done.json);
    assert_eq!(app.store.contact_count().await.unwrap(), N as i64);
    eprintln!(
        "bulk: {N} contacts by PUT (16 at a time) in {:.1} s; one publication to all {N} in {:.2} s",
        contacts.as_secs_f64(),
        publication.as_secs_f64()
    );
}

#[tokio::test]
async fn a_contacts_browsers_are_listed_and_forgotten_and_the_diagnosis_is_the_cards() {
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    api.put("/contacts/ada", r#"{"name":"Ada","email":"ada@example.com"}"#).await;
    let laptop = app.browser();
    laptop.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    app.clock.advance(31);
    let phone = app.browser();
    phone.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;

    let devices = api.get("/contacts/ada/devices").await;
    let list = devices.json.as_array().unwrap();
    assert_eq!(list.len(), 2, "{}", devices.json);
    assert!(list.iter().all(|d| d["remembered"] == true && d["browser"] == "Firefox on Linux"), "{}", devices.json);
    let first = list[0]["id"].as_i64().unwrap();
    assert_eq!(api.delete(&format!("/contacts/ada/devices/{first}")).await.status, 204);
    api.delete(&format!("/contacts/ada/devices/{first}")).await.problem(404, "no browser");
    api.delete("/contacts/ada/devices/999999").await.problem(404, "no browser");
    api.delete("/contacts/ada/devices/not-a-number").await.problem(404, "no browser");
    let remembered = [laptop.get("/").await.status, phone.get("/").await.status];
    assert_eq!(remembered.iter().filter(|s| **s == 200).count(), 1, "one browser forgotten: {remembered:?}");
    assert_eq!(api.delete("/contacts/ada/devices").await.json, serde_json::json!({ "forgotten": 1, "passkeys_removed": 0 }));
    assert_eq!(phone.get("/").await.location(), Some("/login"));
    assert_eq!(laptop.get("/").await.location(), Some("/login"));

    // A message she was refused, and the same finding as on her card.
    let message = server::messages::add_message(&app.store, "Minutes", "# Minutes", app.clock.now()).await.unwrap();
    app.clock.advance(31);
    laptop.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    laptop.get(&format!("/m/{message}")).await;
    let diagnosis = api.get("/contacts/ada/diagnosis").await;
    let findings = diagnosis.json["findings"].as_array().unwrap();
    let refused = findings.iter().find(|f| f["rule"] == "not_published").unwrap_or_else(|| panic!("{}", diagnosis.json));
    assert!(refused["cause"].as_str().unwrap().contains(&message));
    assert!(!refused["evidence"].as_array().unwrap().is_empty());
    api.get("/contacts/nobody/diagnosis").await.problem(404, "nobody");
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_that_exist_and_validates() {
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 7, "{doc}");
    for (path, item) in paths {
        let concrete = path.replace("{external_id}", "probe").replace("{device}", "1").replace("{passkey}", "1");
        for method in ["get", "put", "post", "delete", "patch"] {
            let documented = item.get(method).is_some();
            let answer = api.send(method.to_uppercase().parse().unwrap(), &concrete, Some("{}")).await;
            if documented {
                assert_ne!(answer.status, 405, "{method} {path} is documented but not served");
                assert_ne!(answer.json["detail"], "no such endpoint", "{method} {path} is documented but not served");
                // Every operation wants a token in use.
                let anonymous = api.with_token(None).send(method.to_uppercase().parse().unwrap(), &concrete, Some("{}")).await;
                anonymous.problem(401, "Authorization: Bearer");
                let forged = format!("pat_{}", "f".repeat(64));
                let wrong = api.with_token(Some(&forged)).send(method.to_uppercase().parse().unwrap(), &concrete, Some("{}")).await;
                wrong.problem(401, "not one in use");
            } else {
                assert_eq!(answer.status, 405, "{method} {path} is served but not documented: {}", answer.json);
            }
        }
    }
    api.get("/not/a/route").await.problem(404, "no such endpoint");

    // A standard validator from PyPI (openapi-spec-validator, installed by scripts/test).
    let python = std::env::var("PORTAL_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), doc.to_string()).unwrap();
    let checked = std::process::Command::new(&python).args(["-m", "openapi_spec_validator"]).arg(file.path()).output().unwrap();
    assert!(checked.status.success(), "{}{}", String::from_utf8_lossy(&checked.stdout), String::from_utf8_lossy(&checked.stderr));
}

#[tokio::test]
async fn lists_page_with_a_cursor_in_external_id_order() {
    let app = spawn_app().await;
    let api = Api::new(&app).await;
    for id in ["e", "a", "d", "b", "c"] {
        api.put(&format!("/contacts/{id}"), &format!(r#"{{"name":"{id}","email":"{id}@example.com"}}"#)).await;
    }
    app.add_contact("Not from the platform", Some("cli@example.com"), None, &[]).await;
    let mut seen = Vec::new();
    let mut path = "/contacts?limit=2".to_string();
    loop {
        let page = api.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.json);
        seen.extend(page.json["items"].as_array().unwrap().iter().map(|c| c["external_id"].as_str().unwrap().to_string()));
        match page.json["next"].as_str() {
            Some(next) => path = format!("/contacts?limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, ["a", "b", "c", "d", "e"], "every platform contact once, in order; none made elsewhere");
    api.get("/contacts?limit=0").await.problem(422, "limit");
    api.get("/contacts?limit=5000").await.problem(422, "limit");
    api.get("/contacts?after=zz").await.problem(422, "cursor");
    api.get("/contacts?sort=name").await.problem(422, "unknown field `sort`");
    api.put("/messages/m1", r#"{"title":"One","body":"x"}"#).await;
    let messages = api.get("/messages").await;
    assert_eq!(messages.json["items"][0]["external_id"], "m1");
    assert!(messages.json["next"].is_null());
    assert_eq!(api.with_token(None).get("/contacts").await.status, 401);
}
