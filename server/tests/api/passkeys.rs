//! Passkeys over HTTP against the real server, with webauthn-authenticator-rs'
//! software passkey as the authenticator. It cannot make discoverable credentials or
//! send a user handle, so the test asks it for an ordinary credential and adds the
//! user handle a discoverable one carries; the browser tests use Chromium's virtual
//! authenticator, which does both itself.

use domain::Channel;
use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};
use webauthn_rs_proto::AllowCredentials;

use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};

/// WebAuthn needs a domain name: the portal says it is at localhost (the test
/// client still connects to 127.0.0.1; only the origin matters).
const PUBLIC: &str = "http://localhost:3999";

async fn app() -> TestApp {
    spawn_app_with(&[("PORTAL_PUBLIC_URL", PUBLIC)]).await
}

fn json_of(page: &crate::helpers::Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("JSON ({e}): {page:?}"))
}

async fn logged_in(app: &TestApp) -> (Browser, server::store::ContactId) {
    let ada = app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    assert!(browser.enter_code(&code).await.body.contains("Your messages"));
    (browser, ada.id)
}

/// What the page's script does to save a passkey; returns the user handle and the
/// credential id.
async fn save_passkey(browser: &Browser, auth: &mut WebauthnAuthenticator<SoftPasskey>) -> (Vec<u8>, Vec<u8>) {
    let started = browser.post_json("/passkeys/register/options", &json!({})).await;
    assert_eq!(started.status, 200, "{started:?}");
    let started = json_of(&started);
    assert_eq!(started["options"]["publicKey"]["authenticatorSelection"]["residentKey"], "required", "discoverable, for autofill");
    let mut options: CreationChallengeResponse = serde_json::from_value(started["options"].clone()).unwrap();
    // The software passkey makes only non-discoverable credentials.
    if let Some(s) = options.public_key.authenticator_selection.as_mut() {
        s.resident_key = None;
        s.require_resident_key = false;
    }
    let user = options.public_key.user.id.to_vec();
    let credential = auth.do_registration(Url::parse(PUBLIC).unwrap(), options).expect("the authenticator makes a passkey");
    let saved = browser.post_json("/passkeys/register", &json!({ "ceremony": started["ceremony"], "credential": credential })).await;
    assert_eq!(saved.status, 200, "{saved:?}");
    (user, credential.raw_id.to_vec())
}

/// The login ceremony's body as the page's script would post it.
async fn passkey_answer(
    browser: &Browser,
    auth: &mut WebauthnAuthenticator<SoftPasskey>,
    user: &[u8],
    credential: &[u8],
    next: &str,
) -> Value {
    let started = browser.post_json("/passkeys/login/options", &json!({})).await;
    assert_eq!(started.status, 200, "{started:?}");
    let started = json_of(&started);
    let mut options: RequestChallengeResponse = serde_json::from_value(started["options"].clone()).unwrap();
    assert!(options.public_key.allow_credentials.is_empty(), "no address asked, no credential named");
    options.public_key.allow_credentials.push(AllowCredentials {
        type_: "public-key".into(),
        id: credential.to_vec().into(),
        transports: None,
    });
    let mut answer = auth.do_authentication(Url::parse(PUBLIC).unwrap(), options).expect("the authenticator signs");
    answer.response.user_handle = Some(user.to_vec().into());
    json!({ "ceremony": started["ceremony"], "credential": answer, "next": next })
}

#[tokio::test]
async fn a_contact_who_clears_cookies_logs_in_with_the_passkey_and_no_code() {
    let app = app().await;
    let (browser, _) = logged_in(&app).await;
    let mut auth = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let (user, credential) = save_passkey(&browser, &mut auth).await;
    let codes_before = app.jobs_for("ada@example.com").await;

    // The next day, cookies cleared (a new browser profile or a private window).
    app.clock.advance(86_400);
    let fresh = app.browser();
    assert_eq!(fresh.get("/").await.location(), Some("/login"), "not remembered");
    let body = passkey_answer(&fresh, &mut auth, &user, &credential, "/m/abc").await;
    let done = fresh.post_json("/passkeys/login", &body).await;
    assert_eq!(done.status, 200, "{done:?}");
    assert_eq!(json_of(&done)["location"], "/m/abc");
    assert!(fresh.get("/").await.body.contains("Your messages"), "remembered like after a code");
    assert_eq!(app.jobs_for("ada@example.com").await, codes_before, "no code was sent");

    // The same answer again is refused: its challenge was used.
    let replayed = app.browser().post_json("/passkeys/login", &body).await;
    assert_eq!(replayed.status, 409, "{replayed:?}");
    assert!(replayed.body.contains("expired or was already used"), "{}", replayed.body);
}

#[tokio::test]
async fn a_removed_passkey_is_refused_and_the_contact_is_told_to_use_a_code() {
    let app = app().await;
    let (browser, ada) = logged_in(&app).await;
    let mut auth = WebauthnAuthenticator::new(SoftPasskey::new(true));
    let (user, credential) = save_passkey(&browser, &mut auth).await;
    let id = app.store.passkeys_of(ada).await.unwrap()[0].id;
    let removed = browser.post(&format!("/passkeys/{id}/remove"), &[]).await;
    assert_eq!((removed.status, removed.location()), (303, Some("/")));
    // Another browser cannot remove anyone's passkey.
    assert_eq!(app.browser().post(&format!("/passkeys/{id}/remove"), &[]).await.location(), Some("/login"));

    let stranger = app.browser();
    let body = passkey_answer(&stranger, &mut auth, &user, &credential, "/").await;
    let refused = stranger.post_json("/passkeys/login", &body).await;
    assert_eq!(refused.status, 401, "{refused:?}");
    assert!(refused.body.contains("log in with a code instead"), "{}", refused.body);
    assert!(!refused.headers.contains_key("set-cookie"), "no cookie for a refused passkey");
}

#[tokio::test]
async fn saving_a_passkey_needs_a_fresh_code_login_and_a_same_site_request() {
    let app = app().await;
    let anonymous = app.browser().post_json("/passkeys/register/options", &json!({})).await;
    assert_eq!(anonymous.status, 401, "{anonymous:?}");
    let (browser, _) = logged_in(&app).await;
    app.clock.advance(11 * 60);
    let stale = browser.post_json("/passkeys/register/options", &json!({})).await;
    assert_eq!(stale.status, 403, "{stale:?}");
    assert!(json_of(&stale)["error"].as_str().unwrap().contains("log in with a code first"));

    // From another site: the origin check stops it before any handler.
    let other = Browser::new(&app.base, "https://evil.example");
    assert_eq!(other.post_json("/passkeys/login/options", &json!({})).await.status, 403);
    // Not JSON the portal can read.
    let garbage = browser.post_json("/passkeys/login", &json!({ "ceremony": 1 })).await;
    assert_eq!(garbage.status, 400, "{garbage:?}");
}

#[tokio::test]
async fn passkeys_are_off_where_the_public_address_is_an_ip_address() {
    let app = spawn_app().await;
    assert_eq!(app.browser().post_json("/passkeys/login/options", &json!({})).await.status, 404);
}

#[tokio::test]
async fn a_removed_contact_takes_their_passkeys_along() {
    let app = app().await;
    let (browser, ada) = logged_in(&app).await;
    let mut auth = WebauthnAuthenticator::new(SoftPasskey::new(true));
    save_passkey(&browser, &mut auth).await;
    assert_eq!(app.store.passkeys_of(ada).await.unwrap().len(), 1);
    let out = crate::helpers::portal(&app.db.url, &["contact", "remove", "ada@example.com"]).await;
    assert!(out.status.success(), "{out:?}");
    assert!(app.store.passkeys_of(ada).await.unwrap().is_empty(), "removed with the contact");
}

#[tokio::test]
async fn opting_out_of_everything_removes_the_passkeys() {
    let app = app().await;
    let (browser, ada) = logged_in(&app).await;
    let mut auth = WebauthnAuthenticator::new(SoftPasskey::new(true));
    save_passkey(&browser, &mut auth).await;
    assert_eq!(app.store.passkeys_of(ada).await.unwrap().len(), 1);
    let db = app.db.url.clone();
    let out = crate::helpers::portal(&db, &["contact", "opt-out", "ada@example.com", "--channel", "email"]).await;
    assert!(out.status.success(), "{out:?}");
    assert!(app.store.passkeys_of(ada).await.unwrap().is_empty(), "opted out of everything: no way in is kept");
}

#[tokio::test]
async fn the_contact_card_shows_passkeys_and_an_administrator_removes_one() {
    let app = app().await;
    crate::admin_web::add_admin(&app).await;
    let (browser, ada) = logged_in(&app).await;
    let mut auth = WebauthnAuthenticator::new(SoftPasskey::new(true));
    save_passkey(&browser, &mut auth).await;
    let id = app.store.passkeys_of(ada).await.unwrap()[0].id;

    let admin = app.browser();
    crate::admin_web::log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    let card = admin.get(&format!("/admin/contacts/{}", ada.0)).await;
    assert!(card.body.contains(&format!("Passkey {id}, made on ")), "{}", card.body);
    assert!(card.body.contains("never used"), "{}", card.body);
    assert!(card.body.contains("passkey added"), "on the timeline: {}", card.body);

    let removed =
        admin.submit("/api/admin/act", &[("id", &ada.0.to_string()), ("action", "remove-passkey"), ("passkey", &id.to_string())]).await;
    assert!(removed.body.contains("None: they log in with codes."), "{}", removed.body);
    assert!(app.store.passkeys_of(ada).await.unwrap().is_empty());
    let events = app.store.events(Some(ada)).await.unwrap();
    let last = events.iter().rev().find(|e| e.kind() == "passkey_removed").expect("an event");
    assert_eq!(last.detail()["by"], "admin:ops", "names the administrator");
    // Removing it again, or a passkey that is not theirs, changes nothing.
    let again =
        admin.post("/api/admin/act", &[("id", &ada.0.to_string()), ("action", "remove-passkey"), ("passkey", &id.to_string())]).await;
    assert_eq!(again.location(), Some(format!("/admin/contacts/{}?problem=not-found", ada.0).as_str()));
}

#[tokio::test]
async fn every_passkey_route_refuses_other_sites_missing_or_wrong_sessions_and_bad_input() {
    let app = app().await;
    let routes = ["/passkeys/register/options", "/passkeys/register", "/passkeys/login/options", "/passkeys/login", "/passkeys/1/remove"];
    // From another site: stopped before any handler, nothing set.
    let other = Browser::new(&app.base, "https://evil.example");
    for route in routes {
        let page = other.post_json(route, &json!({})).await;
        assert_eq!(page.status, 403, "{route}: {page:?}");
        assert!(!page.headers.contains_key("set-cookie"), "{route}");
    }
    // No session, and an administrator's session (the wrong kind): no contact to save for.
    crate::admin_web::add_admin(&app).await;
    let admin = app.browser();
    crate::admin_web::log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    for who in [app.browser(), admin] {
        assert_eq!(who.post_json("/passkeys/register/options", &json!({})).await.status, 401);
        assert_eq!(who.post("/passkeys/1/remove", &[]).await.location(), Some("/login"));
    }
    // A contact's real registration answer, posted by a browser without their session
    // (none, or an administrator's): refused, nothing saved.
    let (browser, ada) = logged_in(&app).await;
    let started = json_of(&browser.post_json("/passkeys/register/options", &json!({})).await);
    let mut options: CreationChallengeResponse = serde_json::from_value(started["options"].clone()).unwrap();
    if let Some(s) = options.public_key.authenticator_selection.as_mut() {
        s.resident_key = None;
        s.require_resident_key = false;
    }
    let credential = WebauthnAuthenticator::new(SoftPasskey::new(true)).do_registration(Url::parse(PUBLIC).unwrap(), options).unwrap();
    let body = json!({ "ceremony": started["ceremony"], "credential": credential });
    let admin = app.browser();
    crate::admin_web::log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    for who in [app.browser(), admin] {
        assert_eq!(who.post_json("/passkeys/register", &body).await.status, 401);
    }
    assert!(app.store.passkeys_of(ada).await.unwrap().is_empty());
    // Bad input from a logged-in contact changes nothing.
    for body in [json!({}), json!({ "ceremony": 7 }), json!({ "ceremony": "x", "credential": { "id": 1 } })] {
        assert_eq!(browser.post_json("/passkeys/register", &body).await.status, 400, "{body}");
        assert_eq!(browser.post_json("/passkeys/login", &body).await.status, 400, "{body}");
    }
    assert_eq!(browser.post("/passkeys/not-a-number/remove", &[]).await.status, 400);
    assert!(app.store.passkeys_of(ada).await.unwrap().is_empty());
    // Logging in asks for no address: a stranger and a registered contact's browser
    // get the same answer, apart from the challenge and the ceremony token.
    let shape = |v: Value| {
        let mut v = v;
        v["ceremony"] = json!("…");
        v["options"]["publicKey"]["challenge"] = json!("…");
        v
    };
    let stranger = json_of(&app.browser().post_json("/passkeys/login/options", &json!({})).await);
    let known = json_of(&browser.post_json("/passkeys/login/options", &json!({})).await);
    assert_eq!(shape(stranger), shape(known));
}

/// Issue 20, L9, as the contact meets it: the eleventh passkey is refused in words, in
/// the page's language.
#[tokio::test]
async fn the_eleventh_passkey_is_refused_with_a_sentence_in_the_contacts_language() {
    let app = app().await;
    let (browser, ada) = logged_in(&app).await;
    let mut auth = WebauthnAuthenticator::new(SoftPasskey::new(true));
    for _ in 0..server::passkeys::MAX_PER_CONTACT {
        save_passkey(&browser, &mut auth).await;
    }
    let refused = browser.post_json("/passkeys/register/options", &json!({})).await;
    assert_eq!(refused.status, 409, "{refused:?}");
    let error = json_of(&refused)["error"].as_str().unwrap().to_string();
    assert_eq!(error, "You have 10 passkeys saved here already. Remove one below to save another.");
    let danish = browser.at(&app.base).speaking("da").post_json("/passkeys/register/options", &json!({})).await;
    assert!(json_of(&danish)["error"].as_str().unwrap().starts_with("Du har allerede gemt 10 adgangsnøgler"), "{danish:?}");
    assert_eq!(app.store.passkeys_of(ada).await.unwrap().len(), 10);
}
