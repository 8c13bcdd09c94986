//! The contact→administrator hand-off (issue 24): the support reference a contact reads
//! aloud, the refusals their card shows, and the code typed in another browser.

use domain::Channel;
use server::clock::Clock;

use crate::admin_web::{RIGHT, add_admin, card_of, log_in, with_admin};
use crate::helpers::{Browser, TestApp, spawn_app_with, wrong};

/// The administrator `ops`, logged in.
async fn administrator(app: &TestApp) -> Browser {
    let admin = app.browser();
    assert_eq!(log_in(&admin, "ops", RIGHT).await.location(), Some("/admin"));
    admin
}

/// The search for `typed`, as the administrator's browser follows it.
async fn search(admin: &Browser, typed: &str) -> crate::helpers::Page {
    let page = admin.get(&format!("/admin?q={}", typed.replace(' ', "+"))).await;
    match page.location() {
        Some(to) => admin.get(to).await,
        None => page,
    }
}

#[tokio::test]
async fn a_reference_read_from_the_contacts_screen_opens_their_card_at_that_attempt() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let phone = app.browser();
    phone.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    let page = phone.enter_code(&wrong(&code)).await;
    let reference = page.reference().expect("a support reference with the refusal");
    assert!(page.body.contains("That code is not right"), "{}", page.body);
    // She tries again a minute later: the card's newest events are after her call.
    app.clock.advance(60);
    let again = phone.enter_code(&wrong(&wrong(&code))).await.reference().unwrap();
    assert_ne!(again, reference, "a reference for each attempt");

    // Read aloud and typed as heard: lower case, a space for the dash.
    let admin = administrator(&app).await;
    let typed = reference.to_lowercase().replace('-', " ");
    let answer = admin.get(&format!("/admin?q={}", typed.replace(' ', "+"))).await;
    let id = app.store.find_contact(&domain::Identifier::parse("ada@example.com", domain::Region::parse("DK").unwrap()).unwrap()).await;
    let id = id.unwrap().unwrap().id.0;
    let to = format!("/admin/contacts/{id}?ref={}", reference.replace('-', ""));
    assert_eq!(answer.location(), Some(to.as_str()), "straight to her card");
    let card = admin.get(&to).await;
    assert!(card.body.contains(&format!("The attempt of reference {reference}")), "{}", card.body);
    for said in ["a code entry", "the code was wrong", "ada@example.com", "Network: 127.0.0.1", "Firefox on Linux"] {
        assert!(card.body.contains(said), "{said}: {}", card.body);
    }
    let failures = |body: &str| body.matches("verification failed (wrong code)").count();
    assert_eq!(failures(&card.body), 1, "the timeline starts at that attempt: {}", card.body);
    assert_eq!(failures(&card_of(&app, &admin, "ada@example.com").await.1.body), 2, "without the reference, from the newest");

    // Her screen said nothing else an administrator needs: no code anywhere on the card.
    assert!(!card.body.contains(&code));
}

#[tokio::test]
async fn a_reference_for_an_address_nobody_has_says_what_was_typed_when_and_from_where() {
    let app = with_admin().await;
    let browser = app.browser();
    browser.request_code("ada@exampel.com", Channel::Email).await;
    let reference = browser.enter_code("123456").await.reference().expect("a reference, as for anyone");

    let admin = administrator(&app).await;
    let page = search(&admin, &reference).await;
    assert_eq!(page.status, 200);
    for said in ["Typed: <strong>ada@exampel.com</strong>", "the code was wrong", "No contact has this address", "Network: 127.0.0.1"] {
        assert!(page.body.contains(said), "{said}: {}", page.body);
    }
    // A reference nobody was given, and text that is none.
    let unknown = if reference == "ZZZ-ZZZ" { "YYY-YYY" } else { "ZZZ-ZZZ" };
    assert!(search(&admin, unknown).await.body.contains("No attempt has this support reference"));
    assert!(search(&admin, "K7M-4QU").await.body.contains("No contact matches"), "U is no symbol of a reference");
}

#[tokio::test]
async fn a_message_not_published_to_her_gives_a_reference_naming_it_by_its_title() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let message = server::messages::add_message(&app.store, "Board minutes", "# Minutes", app.clock.now()).await.unwrap();
    let phone = app.browser();
    phone.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let refused = phone.get(&format!("/m/{message}")).await;
    assert_eq!(refused.status, 403);
    let reference = refused.reference().expect("a support reference on the refusal");
    app.store.settle(std::time::Duration::from_secs(5)).await;

    let admin = administrator(&app).await;
    let card = search(&admin, &reference).await;
    assert!(card.body.contains("opening a message"), "{}", card.body);
    assert!(card.body.contains(&format!("“Board minutes” ({message})")), "by its title: {}", card.body);
}

#[tokio::test]
async fn a_contact_refused_on_a_crowded_network_is_shown_so_on_their_card_and_one_who_is_not_is_not() {
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "2"), ("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    add_admin(&app).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.add_contact("Bob", Some("bob@example.com"), None, &[]).await;
    app.add_contact("Cy", Some("cy@example.com"), None, &[]).await;
    let cafe = "198.51.100.7";
    // Two others use up the café's hour; then Ada's "Send code" is refused, twice.
    app.browser_from(cafe).request_code("bob@example.com", Channel::Email).await;
    app.browser_from(cafe).request_code("someone@example.com", Channel::Email).await;
    let mut answers = Vec::new();
    for who in ["ada@example.com", "ada@example.com", "nobody@example.com"] {
        let browser = app.browser_from(cafe);
        let posted = browser.post("/api/login/request-code", &[("identifier", who), ("channel", "email"), ("next", "/")]).await;
        let page = browser.get(posted.location().unwrap()).await;
        assert!(page.body.contains("Too many requests from your network"), "{}", page.body);
        assert!(page.reference().is_some());
        answers.push((posted.status, crate::helpers::mask_reference(posted.location().unwrap()), page.stable_body()));
    }
    assert_eq!(answers[0], answers[2], "registered and unregistered are refused alike");
    let ada_reference = {
        let browser = app.browser_from(cafe);
        let posted =
            browser.post("/api/login/request-code", &[("identifier", "ada@example.com"), ("channel", "email"), ("next", "/")]).await;
        browser.get(posted.location().unwrap()).await.reference().unwrap()
    };

    let admin = administrator(&app).await;
    let (_, card) = card_of(&app, &admin, "ada@example.com").await;
    let line = "Send code\" for their address was refused: its network 198.51.100.7 had made 2 code requests in the hour (limit 2)";
    let line_escaped = line.replace('"', "&quot;");
    assert!(card.body.contains(line) || card.body.contains(&line_escaped), "{}", card.body);
    assert!(card.body.contains("A VPN or a shared network"), "{}", card.body);
    let ada = app.store.find_contact(&domain::Identifier::parse("ada@example.com", domain::Region::parse("DK").unwrap()).unwrap()).await;
    let events = app.store.events(Some(ada.unwrap().unwrap().id)).await.unwrap();
    let limited = events.iter().filter(|e| e.what.kind() == server::store::EventKind::NetworkLimited).count();
    assert_eq!(limited, 1, "once per hour, however often she tries");
    // Her reference, read out, opens her card at that refusal.
    let at_refusal = search(&admin, &ada_reference).await;
    assert!(at_refusal.body.contains(&format!("The attempt of reference {ada_reference}")), "{}", at_refusal.body);
    assert!(at_refusal.body.contains("their network had made too many requests"), "{}", at_refusal.body);
    // Cy never typed anything there: her card is clean.
    let (_, card) = card_of(&app, &admin, "cy@example.com").await;
    assert!(card.body.contains("Nothing in the last 30 days explains a failed login"), "{}", card.body);
}

#[tokio::test]
async fn a_code_typed_after_the_browser_lost_its_cookies_is_diagnosed_as_typed_elsewhere() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let mail_app = app.browser();
    mail_app.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    // She opens the link from her mail app in another browser (or the private window
    // closed): no login is in progress there.
    let other = app.browser();
    let posted = other.post("/api/login/verify-code", &[("code", &code), ("next", "/")]).await;
    let page = other.get(posted.location().unwrap()).await;
    assert!(page.body.contains("We can't find a login in progress in this browser"), "{}", page.body);
    let reference = page.reference().unwrap();

    let admin = administrator(&app).await;
    let (_, card) = card_of(&app, &admin, "ada@example.com").await;
    assert!(card.body.contains("probably typed in another browser or a private window"), "{}", card.body);
    assert!(card.body.contains(&format!("reference {reference}")), "{}", card.body);
    assert!(card.body.contains("Open the link in the browser that asked for the code"), "{}", card.body);
    assert!(!card.body.contains("spam or junk folder"), "not lost in spam: {}", card.body);
    // The reference itself names no contact: the entry came with no login.
    assert!(search(&admin, &reference).await.body.contains("no login was in progress in that browser"));
}

#[tokio::test]
async fn a_flood_from_a_network_over_its_limit_writes_a_bounded_number_of_references() {
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "1"), ("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let flood = "203.0.113.66";
    app.browser_from(flood).request_code("first@example.com", Channel::Email).await;
    let mut shown = Vec::new();
    for i in 0..25 {
        let browser = app.browser_from(flood);
        let posted = browser
            .post("/api/login/request-code", &[("identifier", &format!("x{i}@example.com")), ("channel", "email"), ("next", "/")])
            .await;
        shown.push(browser.get(posted.location().unwrap()).await.reference().expect("every refusal shows a reference"));
    }
    let rows: i64 =
        server::store::sql("SELECT COUNT(*) FROM support_refs WHERE network = $1").bind(flood).scalar_one(app.store.db()).await.unwrap();
    assert_eq!(rows, 20, "at most 20 references a network an hour");
    let mut distinct = shown.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 20, "{shown:?}");
    assert!(shown[20..].iter().all(|r| r == &shown[19]), "later refusals repeat the newest: {shown:?}");

    // "Send a new code" with no login in progress is counted by no limit: bounded alike.
    let elsewhere = "203.0.113.67";
    for _ in 0..25 {
        let browser = app.browser_from(elsewhere);
        let posted = browser.post("/api/login/resend-code", &[("channel", "email"), ("next", "/")]).await;
        assert!(browser.get(posted.location().unwrap()).await.reference().is_some());
    }
    let rows: i64 = server::store::sql("SELECT COUNT(*) FROM support_refs WHERE network = $1")
        .bind(elsewhere)
        .scalar_one(app.store.db())
        .await
        .unwrap();
    assert_eq!(rows, 20, "at most 20 references a network an hour");
}
