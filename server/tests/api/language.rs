//! The contact's language and time: a browser that prefers Danish reads every step
//! and its code in Danish, with Copenhagen times; the switch is remembered; the
//! contact's codes follow their last login's language; nothing of this tells anyone
//! whether an address is registered.

use domain::Channel;
use domain::i18n::Lang;

use crate::helpers::{T0, spawn_app, spawn_app_with, wrong};

const DANISH: &str = "da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7";
const ENGLISH: &str = "en-GB,en;q=0.9";

#[tokio::test]
async fn a_browser_that_prefers_danish_logs_in_in_danish_with_copenhagen_times() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser().speaking(DANISH);

    let page = browser.get("/login").await;
    assert!(page.body.contains(r#"<html lang="da""#), "{}", page.body);
    assert_eq!(page.headers.get("content-language").and_then(|v| v.to_str().ok()), Some("da"));
    assert!(page.headers.get("vary").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("Accept-Language")));
    for text in
        ["<h1>Log ind</h1>", "E-mail eller mobilnummer", "Send kode", "Hjælp til at logge ind", "<title>Log ind · Aarhus Roklub</title>"]
    {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }

    let step = browser.request_code("ada@example.com", Channel::Email).await;
    for text in [
        "Hvis <strong>ada@example.com</strong> er registreret hos afsenderen og kan modtage koder på e-mail",
        "Den gælder i 10 minutter",
        "Har du ikke fået en kode?",
        "Send en ny kode",
    ] {
        assert!(step.body.contains(text), "{text}: {}", step.body);
    }
    // The code went out in Danish, requested at 09.00 Copenhagen time (08:00 UTC, winter).
    let (subject, body) = app.latest_message("ada@example.com").await;
    assert!(subject.ends_with(" er din kode til at logge ind hos Aarhus Roklub"), "{subject}");
    assert!(body.contains("bestilt 15. januar 2027 kl. 09.00 (CET) og virker indtil 15. januar 2027 kl. 09.10 (CET)"), "{body}");
    let code = app.latest_code("ada@example.com").await;

    let wrong_page = browser.enter_code(&wrong(&code)).await;
    assert!(wrong_page.body.contains("Koden er forkert. Du har 4 forsøg tilbage."), "{}", wrong_page.body);

    // An earlier code after it expired and a new one was sent: when, relative and in
    // Copenhagen time.
    app.clock.advance(601);
    browser.resend(Channel::Email).await;
    app.clock.advance(125);
    let older = browser.enter_code(&code).await;
    let said = "Det er en tidligere kode fra dette login: Den er udløbet eller brugt, og der blev sendt en ny kode på e-mail for 2 minutter siden (kl. 09.10)";
    assert!(older.body.contains(said), "{}", older.body);

    let newest = app.latest_code("ada@example.com").await;
    let inbox = browser.enter_code(&newest).await;
    assert!(inbox.body.contains("<h1>Dine beskeder</h1>") && inbox.body.contains("Logget ind som"), "{}", inbox.body);
    assert!(inbox.body.contains("Du er logget ind. Denne browser husker dig"), "{}", inbox.body);
    // The language of this login is remembered for the contact's codes.
    let ada = app.store.contacts().await.unwrap().remove(0);
    assert_eq!(ada.language, Some(Lang::Da));
}

#[tokio::test]
async fn messages_say_when_they_were_published_in_the_contacts_words() {
    let app = spawn_app().await;
    let ada = app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let id = server::messages::add_message(&app.store, "Generalforsamling", "Kom og vær med.", T0).await.unwrap();
    app.store.publish(&id, ada.id, domain::Timestamp(T0.0 - 86_400)).await.unwrap();
    let browser = app.browser().speaking(DANISH);
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let inbox = browser.get("/").await;
    assert!(inbox.body.contains(r#"<time datetime="2027-01-14T08:00:00Z">Sendt i går kl. 09.00</time>"#), "{}", inbox.body);
    let message = browser.get(&format!("/m/{id}")).await;
    assert!(message.body.contains("Sendt i går kl. 09.00") && message.body.contains("← Alle beskeder"), "{}", message.body);
    let english = app.browser().speaking(ENGLISH);
    english.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    assert!(english.get("/").await.body.contains("Published yesterday at 09:00"));
}

#[tokio::test]
async fn the_switch_is_remembered_and_wins_over_the_browser() {
    let app = spawn_app().await;
    let browser = app.browser().speaking(ENGLISH);
    let page = browser.get("/help").await;
    assert!(page.body.contains("<h1>Help with logging in</h1>"), "{}", page.body);
    // The switch is a plain form: English is marked as the current one.
    assert!(page.body.contains(r#"<form method="post" action="/language" aria-label="Language">"#), "{}", page.body);
    assert!(page.body.contains(r#"value="en" lang="en" aria-current="true" class="link">English</button>"#), "{}", page.body);
    assert!(page.body.contains(r#"<input type="hidden" name="next" value="/help">"#), "{}", page.body);

    let switched = browser.post("/language", &[("lang", "da"), ("next", "/help?x=1")]).await;
    assert_eq!(switched.status, 303);
    assert_eq!(switched.location(), Some("/help?x=1"));
    let cookie = switched.set_cookies().into_iter().find(|c| c.starts_with("__Host-portal-lang=")).expect("a language cookie");
    assert_eq!(cookie, "__Host-portal-lang=da; Max-Age=31536000; Path=/; Secure; HttpOnly; SameSite=Lax");
    let page = browser.get("/help").await;
    assert!(page.body.contains("<h1>Hjælp til at logge ind</h1>"), "the cookie wins over Accept-Language: {}", page.body);
    assert!(page.body.contains("Private vinduer (inkognito) gemmer ikke cookies"), "{}", page.body);

    // Back to English the same way.
    browser.post("/language", &[("lang", "en"), ("next", "/login")]).await;
    assert!(browser.get("/login").await.body.contains("<h1>Log in</h1>"));
}

#[tokio::test]
async fn the_switch_refuses_what_it_does_not_know_and_changes_nothing() {
    let app = spawn_app().await;
    let browser = app.browser().speaking(DANISH);
    for form in [vec![("lang", "de")], vec![("lang", "")], vec![("lang", "DA ")], vec![], vec![("lang", "da\r\nSet-Cookie: x=1")]] {
        let page = browser.post("/language", &form).await;
        assert_eq!(page.status, 400, "{form:?}");
        assert_eq!(page.body, "Portalen findes ikke på det sprog.", "{form:?}");
        assert!(page.set_cookies().is_empty(), "{form:?}");
    }
    // Only local paths: anything else goes to the messages.
    for next in ["//evil.example/", "https://evil.example/", "/\\evil"] {
        let page = browser.post("/language", &[("lang", "da"), ("next", next)]).await;
        assert_eq!(page.location(), Some("/"), "{next}");
    }
    // From another site: refused before anything runs, in the browser's language.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cross = http
        .post(format!("{}/language", app.base))
        .header("origin", "https://evil.example")
        .header("accept-language", DANISH)
        .form(&[("lang", "da"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert!(cross.headers().get("set-cookie").is_none());
    assert_eq!(cross.text().await.unwrap(), "Forespørgslen kom ikke fra portalens egne sider.");
}

#[tokio::test]
async fn codes_follow_the_contacts_last_login_unless_this_browser_chose_otherwise() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    // A first login from a Danish phone.
    app.browser().speaking(DANISH).log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    app.clock.advance(60);
    // A new English laptop: the page is English (it cannot know who is asking), the
    // code is in Danish, the contact's language.
    let laptop = app.browser().speaking(ENGLISH);
    let page = laptop.request_code("ada@example.com", Channel::Email).await;
    assert!(page.body.contains("a 6-digit confirmation code is on its way"), "{}", page.body);
    let (subject, _) = app.latest_message("ada@example.com").await;
    assert!(subject.ends_with(" er din kode til at logge ind hos Aarhus Roklub"), "{subject}");
    // Choosing English with the switch there: that browser's codes are in English.
    laptop.post("/language", &[("lang", "en"), ("next", "/login")]).await;
    app.clock.advance(60);
    let resent = laptop.resend(Channel::Email).await;
    assert_eq!(app.jobs_for("ada@example.com").await, 3, "a new code was sent: {}", resent.body);
    let (subject, _) = app.latest_message("ada@example.com").await;
    assert!(subject.ends_with(" is your login code for Aarhus Roklub"), "{subject}");
    // Logging in there makes English the contact's language.
    let code = app.latest_code("ada@example.com").await;
    laptop.enter_code(&code).await;
    assert_eq!(app.store.contacts().await.unwrap().remove(0).language, Some(Lang::En));
    // A logged-in contact who switches changes it too, and gets the answer a stranger
    // and an administrator's session (the wrong kind: it changes no contact) get.
    let answer = |page: crate::helpers::Page| (page.status, page.location().map(str::to_string), page.set_cookies(), page.body);
    let mine = answer(laptop.post("/language", &[("lang", "da"), ("next", "/")]).await);
    assert_eq!(app.store.contacts().await.unwrap().remove(0).language, Some(Lang::Da));
    let stranger = answer(app.browser().post("/language", &[("lang", "da"), ("next", "/")]).await);
    let admin = app.browser();
    admin.set_cookie("__Host-portal-admin", "not-a-contacts-session");
    let administrator = answer(admin.post("/language", &[("lang", "da"), ("next", "/")]).await);
    assert_eq!(mine, stranger);
    assert_eq!(mine, administrator);
}

#[tokio::test]
async fn a_contacts_language_tells_nobody_whether_the_address_is_registered() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.add_contact("Bo", Some("bo@example.com"), None, &[Channel::Email]).await;
    app.browser().speaking(DANISH).log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    app.clock.advance(60);
    // From an English browser, a Danish-speaking contact, an opted-out one and a
    // stranger get the same page, in the browser's language.
    let mut answers = Vec::new();
    for who in ["ada@example.com", "bo@example.com", "nobody@example.com"] {
        let page = app.browser().speaking(ENGLISH).request_code(who, Channel::Email).await;
        assert!(page.body.contains(r#"<html lang="en""#), "{who}");
        answers.push((page.status, page.stable_body().replace(who, "WHO"), page.headers.get("content-language").cloned()));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
}

#[tokio::test]
async fn the_organisation_sets_the_default_language_and_the_time_zone() {
    let app = spawn_app_with(&[("PORTAL_DEFAULT_LANGUAGE", "da"), ("PORTAL_TIME_ZONE", "America/New_York")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    // No Accept-Language, or none the portal speaks: the default.
    for browser in [app.browser(), app.browser().speaking("de-DE,fr;q=0.5")] {
        assert!(browser.get("/login").await.body.contains("<h1>Log ind</h1>"));
    }
    // A browser that asks for English still gets it.
    assert!(app.browser().speaking(ENGLISH).get("/login").await.body.contains("<h1>Log in</h1>"));
    app.browser().request_code("ada@example.com", Channel::Email).await;
    let (_, body) = app.latest_message("ada@example.com").await;
    // 08:00 UTC is 03:00 in New York in January (EST).
    assert!(body.contains("15. januar 2027 kl. 03.00 (EST)"), "{body}");
}

#[tokio::test]
async fn administrator_pages_stay_english() {
    let app = spawn_app().await;
    let page = app.browser().speaking(DANISH).get("/admin/login").await;
    assert!(page.body.contains(r#"<html lang="en""#), "{}", page.body);
    assert!(!page.body.contains(r#"action="/language""#), "no switch: {}", page.body);
}

#[tokio::test]
async fn the_lock_says_until_when_in_the_contacts_time() {
    let app = spawn_app_with(&[("PORTAL_CONTACT_FAILURES_PER_DAY", "5")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser().speaking(DANISH);
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    for _ in 0..5 {
        browser.enter_code(&wrong(&code)).await;
    }
    app.clock.advance(31);
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    let page = browser.enter_code(&code).await;
    // The first wrong code was at 09.00; a day later the lock lifts.
    assert!(page.body.contains("så ingen kode virker før i morgen kl. 09.00 (om 23 timer)"), "{}", page.body);
}

#[tokio::test]
async fn the_contact_card_shows_the_language_of_codes_and_times_in_the_organisations_zone() {
    let app = crate::admin_web::with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let admin = app.browser().speaking(DANISH);
    crate::admin_web::log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    let (_, card) = crate::admin_web::card_of(&app, &admin, "ada@example.com").await;
    assert!(card.body.contains("Language of codes: the browser's, until their first login"), "{}", card.body);
    app.browser().speaking(DANISH).log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let (_, card) = crate::admin_web::card_of(&app, &admin, "ada@example.com").await;
    assert!(card.body.contains(r#"<html lang="en""#), "administrator pages are English");
    assert!(card.body.contains("Language of codes: Danish (their last login's)"), "{}", card.body);
    // The timeline's times are Copenhagen's (T0 is 08:00 UTC, 09:00 CET), with the zone.
    assert!(card.body.contains("2027-01-15 09:00:00 CET"), "{}", card.body);
    assert!(!card.body.contains(" UTC"), "{}", card.body);
}
