//! The holes the explicit login states closed, each shown from outside: what a
//! stranger learns on the code step, whom the limits hurt, and codes that outlive an
//! opt-out.

use domain::Channel;

use crate::helpers::{Page, TestApp, portal, spawn_app, spawn_app_idle, spawn_app_with, wrong};

const DEVICE: &str = "__Host-portal-device";

/// What a browser sees after typing `digits` on the code step: the status, the
/// headers and cookie names of the answer, and the page it leads to, with the typed
/// identifier masked.
async fn code_step_answer(app: &TestApp, browser: &crate::helpers::Browser, who: &str, digits: &str) -> impl PartialEq + std::fmt::Debug {
    let posted = browser.post("/api/login/verify-code", &[("code", digits), ("next", "/")]).await;
    let mut headers: Vec<(String, String)> = posted
        .headers
        .iter()
        .filter(|(k, _)| !["date", "content-security-policy"].contains(&k.as_str()))
        .map(|(k, v)| (k.to_string(), crate::helpers::mask_reference(v.to_str().unwrap_or(""))))
        .collect();
    headers.sort();
    let page: Page = browser.get(posted.location().unwrap_or("/login")).await;
    let _ = app;
    (posted.status, headers, posted.body, page.status, page.stable_body().replace(who, "IDENTIFIER"))
}

/// A guess that is none of the codes sent so far.
async fn a_guess_matching_nothing(app: &TestApp) -> String {
    app.deliveries_settled().await;
    let sent: Vec<String> = app.store.outbox().await.unwrap().iter().filter_map(|m| crate::helpers::six_digits(&m.body)).collect();
    (0..1_000_000).map(|n| format!("{n:06}")).find(|g| !sent.contains(g)).unwrap()
}

#[tokio::test]
async fn the_code_step_answers_alike_for_every_kind_of_flow_even_after_a_newer_code_elsewhere() {
    let app = spawn_app().await;
    app.add_contact("Registered", Some("reg@example.com"), Some("20123401"), &[]).await;
    app.add_contact("Opted out", Some("out@example.com"), None, &[Channel::Email]).await;
    app.add_contact("No phone", Some("nophone@example.com"), None, &[]).await;
    // By email: registered, unregistered, opted out; by SMS: registered, no phone.
    let cases = [
        ("reg@example.com", Channel::Email),
        ("nobody@example.com", Channel::Email),
        ("out@example.com", Channel::Email),
        ("20123401", Channel::Sms),
        ("nophone@example.com", Channel::Sms),
    ];
    // A stranger starts a flow for each identifier in their browser; later a second
    // flow starts for each (the real contact asking for a code, say).
    let mut watchers = Vec::new();
    for (who, channel) in cases {
        let watcher = app.browser();
        watcher.request_code(who, channel).await;
        watchers.push(watcher);
    }
    app.clock.advance(31);
    for (who, channel) in cases {
        app.browser().request_code(who, channel).await;
    }
    let guess = a_guess_matching_nothing(&app).await;
    let mut answers = Vec::new();
    for ((who, _), watcher) in cases.iter().zip(&watchers) {
        answers.push(code_step_answer(&app, watcher, who, &guess).await);
    }
    for (i, (who, channel)) in cases.iter().enumerate() {
        let registered = if *channel == Channel::Email { 0 } else { 3 };
        assert_eq!(answers[registered], answers[i], "registered vs {who}");
    }
    let page = watchers[0].get("/login").await;
    assert!(!page.body.contains("newer code"), "{}", page.body);
}

#[tokio::test]
async fn an_earlier_code_is_named_only_to_whoever_types_it() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let laptop = app.browser();
    laptop.request_code("ada@example.com", Channel::Email).await;
    let first = app.latest_code("ada@example.com").await;
    // It expires unused; "Send a new code" makes a new one.
    app.clock.advance(601);
    laptop.resend(Channel::Email).await;
    app.latest_code("ada@example.com").await;
    let page = laptop.enter_code(&wrong(&first)).await;
    assert!(page.body.contains("That code is not right. You have 4 attempts left."), "{}", page.body);
    let page = laptop.enter_code(&first).await;
    assert!(page.body.contains("That is an earlier code of this login"), "{}", page.body);
    assert!(page.body.contains("a new code was sent by email just now (at "), "{}", page.body);
}

#[tokio::test]
async fn a_flow_ends_a_code_lifetime_after_its_newest_code_expired() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    app.clock.advance(600);
    assert!(browser.enter_code(&code).await.body.contains("This code has expired"));
    app.clock.advance(599);
    assert!(browser.enter_code(&code).await.body.contains("This code has expired"), "still within the grace");
    app.clock.advance(1);
    let posted = browser.post("/api/login/verify-code", &[("code", &code), ("next", "/")]).await;
    assert_eq!(posted.location().map(crate::helpers::mask_reference).as_deref(), Some("/login?notice=no-flow&ref=…"), "the flow is gone");
    let page = browser.get("/login").await;
    assert!(page.body.contains("Send code"), "step 1 again: {}", page.body);
}

/// A stranger, knowing only Ada's email and phone number, spends every limit they can
/// reach: from many networks, the codes per identifier (by asking again and again); from
/// one network, the failure lock of her email (100 wrong codes, in flows of 5, within the
/// hourly limits of that network).
async fn stranger_spends_every_limit(app: &TestApp) -> crate::helpers::Browser {
    let mut net = 0;
    for round in 0..24 {
        for who in ["ada@example.com", "20123401"] {
            net += 1;
            let stranger = app.browser_from(&format!("203.0.113.{net}"));
            let channel = if who.contains('@') { Channel::Email } else { Channel::Sms };
            stranger.request_code(who, channel).await;
        }
        // Twelve minutes apart: five codes an hour, until the ten of the day are spent.
        app.clock.advance(if round < 23 { 720 } else { 31 });
    }
    let locker = app.browser_from("198.51.100.66");
    for flow in 0..20 {
        if flow > 0 && flow % 10 == 0 {
            app.clock.advance(3600);
        }
        locker.request_code("ada@example.com", Channel::Email).await;
        for _ in 0..5 {
            locker.enter_code("000000").await;
        }
    }
    locker
}

#[tokio::test]
async fn a_stranger_who_spends_every_limit_cannot_keep_the_contact_from_logging_in() {
    let app = spawn_app_with(&[("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let ada = app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    // Ada logged in from home once.
    let home = "192.0.2.10";
    let page = app.browser_from(home).log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    assert!(page.body.contains("Your messages"));
    app.clock.advance(86_400 * 3);

    let stranger = stranger_spends_every_limit(&app).await;
    stranger.request_code("ada@example.com", Channel::Email).await;
    let locked = stranger.enter_code("000000").await;
    assert!(locked.body.contains("no code works until"), "the stranger did reach the lock: {}", locked.body);
    let kinds = app.event_kinds(&ada).await;
    assert!(kinds.contains(&"code_not_sent:identifier_limit".to_string()), "the stranger did reach the sending limit");

    // Ada, at home in a private window (no cookies), asks for a code and logs in.
    let before = app.jobs_for("ada@example.com").await;
    let private = app.browser_from(home);
    private.request_code("ada@example.com", Channel::Email).await;
    assert_eq!(app.jobs_for("ada@example.com").await, before + 1, "her code is sent");
    let code = app.latest_code("ada@example.com").await;
    let page = private.enter_code(&code).await;
    assert!(page.body.contains("Your messages"), "{}", page.body);
    assert!(private.cookie(DEVICE).is_some());
}

#[tokio::test]
async fn locks_of_an_email_and_a_phone_number_say_nothing_about_each_other() {
    let app = spawn_app_with(&[("PORTAL_CONTACT_FAILURES_PER_DAY", "5"), ("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    let by_email = app.browser_from("203.0.113.1");
    by_email.request_code("ada@example.com", Channel::Email).await;
    for _ in 0..5 {
        by_email.enter_code("000000").await;
    }
    app.clock.advance(31);
    by_email.request_code("ada@example.com", Channel::Email).await;
    assert!(by_email.enter_code("000000").await.body.contains("no code works until"), "the email is locked");
    // The same stranger, same network, same contact's phone number.
    let by_phone = app.browser_from("203.0.113.1");
    by_phone.request_code("20123401", Channel::Sms).await;
    let page = by_phone.enter_code("000000").await;
    assert!(page.body.contains("That code is not right"), "the phone number of the same contact is not: {}", page.body);
}

#[tokio::test]
async fn opting_out_of_a_channel_uses_up_the_codes_sent_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let app = spawn_app_with(&[("DATABASE_URL", &db)]).await;
    let ada = app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    let by_email = app.browser();
    by_email.request_code("ada@example.com", Channel::Email).await;
    let email_code = app.latest_code("ada@example.com").await;
    app.clock.advance(31);
    let by_sms = app.browser();
    by_sms.request_code("20123401", Channel::Sms).await;
    let sms_code = app.latest_code("+4520123401").await;

    let out = portal(&db, &["contact", "opt-out", "ada@example.com", "--channel", "sms"]).await;
    assert!(out.status.success(), "{out:?}");
    let page = by_sms.enter_code(&sms_code).await;
    assert!(page.body.contains("This code no longer works"), "{}", page.body);
    assert!(by_sms.cookie(DEVICE).is_none(), "no device from a withdrawn code");
    assert!(app.event_kinds(&ada).await.contains(&"codes_withdrawn".to_string()));
    // Only the channel opted out of: the email code is another matter (and older).
    let page = by_email.enter_code(&email_code).await;
    assert!(!page.body.contains("no longer works"), "{}", page.body);
}

#[tokio::test]
async fn an_opt_out_cancels_deliveries_not_yet_made() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let app = spawn_app_idle(&[("DATABASE_URL", &db)]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.browser().request_code("ada@example.com", Channel::Email).await;
    assert!(portal(&db, &["contact", "opt-out", "ada@example.com", "--channel", "email"]).await.status.success());
    app.worker.clone().unwrap().spawn();
    app.deliveries_settled().await;
    let jobs = app.store.jobs(None).await.unwrap();
    assert_eq!(jobs.iter().map(|j| j.status.as_str()).collect::<Vec<_>>(), ["cancelled"]);
    assert_eq!(app.store.outbox().await.unwrap().len(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_removed_contacts_code_logs_nobody_in() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let app = spawn_app_with(&[("DATABASE_URL", &db)]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    let out = portal(&db, &["contact", "remove", "ada@example.com"]).await;
    assert!(out.status.success(), "{out:?}");
    browser.enter_code(&code).await;
    assert!(browser.cookie(DEVICE).is_none());
    assert_eq!(browser.get("/").await.location(), Some("/login"));
}

#[tokio::test]
async fn a_lock_tells_nothing_about_registration_even_on_the_contacts_own_network() {
    let app = spawn_app_with(&[("PORTAL_CONTACT_FAILURES_PER_DAY", "5"), ("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let office = "192.0.2.10";
    app.browser_from(office).log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    app.clock.advance(31);
    // From elsewhere a stranger locks a registered and an unregistered address.
    for who in ["ada@example.com", "nobody@example.com"] {
        let stranger = app.browser_from("203.0.113.9");
        stranger.request_code(who, Channel::Email).await;
        for _ in 0..5 {
            stranger.enter_code("000000").await;
        }
    }
    app.clock.advance(31);
    // From Ada's office (a shared network), both answer alike: the lock is the
    // stranger's own network's, and Ada's familiarity there shows nowhere.
    let mut answers = Vec::new();
    for who in ["ada@example.com", "nobody@example.com"] {
        let colleague = app.browser_from(office);
        colleague.request_code(who, Channel::Email).await;
        let page = colleague.enter_code("000000").await;
        answers.push(page.stable_body().replace(who, "IDENTIFIER"));
    }
    assert_eq!(answers[0], answers[1]);
    assert!(answers[0].contains("That code is not right"), "{}", answers[0]);
}

#[tokio::test]
async fn a_strangers_request_does_not_spoil_a_code_asked_for_from_a_familiar_network() {
    let app = spawn_app_with(&[("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let home = "192.0.2.10";
    app.browser_from(home).log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    app.clock.advance(86_400);
    let private = app.browser_from(home);
    private.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    app.clock.advance(31);
    let before = app.jobs_for("ada@example.com").await;
    app.browser_from("203.0.113.9").request_code("ada@example.com", Channel::Email).await;
    assert_eq!(app.jobs_for("ada@example.com").await, before + 1, "the stranger's code was sent");
    let page = private.enter_code(&code).await;
    assert!(page.body.contains("Your messages"), "{}", page.body);
}

/// One code per login (issue 23): browsers that ask for the same identifier share one
/// code slot, and so its attempts, whether the identifier is registered, unregistered
/// or opted out. Every answer along the way is the same in all three.
#[tokio::test]
async fn browsers_sharing_a_code_share_its_attempts_alike_for_every_identifier() {
    let app = spawn_app_with(&[("PORTAL_CONTACT_FAILURES_PER_DAY", "1000")]).await;
    app.add_contact("Registered", Some("reg@example.com"), None, &[]).await;
    app.add_contact("Opted out", Some("out@example.com"), None, &[Channel::Email]).await;
    let cases = ["reg@example.com", "nobody@example.com", "out@example.com"];
    let guess = a_guess_matching_nothing(&app).await;
    let mut seen: Vec<Vec<String>> = Vec::new();
    for who in cases {
        let (first, second) = (app.browser(), app.browser());
        first.request_code(who, Channel::Email).await;
        app.clock.advance(5);
        // The second browser's code step, as it shows.
        let asked = second.request_code(who, Channel::Email).await;
        let mut answers = vec![asked.stable_body().replace(who, "IDENTIFIER")];
        // Five guesses between them use the shared code up; the next browser to ask
        // gets a new code with attempts of its own.
        for browser in [&first, &second, &first, &second, &first, &second] {
            answers.push(browser.enter_code(&guess).await.stable_body().replace(who, "IDENTIFIER"));
        }
        app.clock.advance(31);
        let third = app.browser();
        third.request_code(who, Channel::Email).await;
        answers.push(third.enter_code(&guess).await.stable_body().replace(who, "IDENTIFIER"));
        seen.push(answers);
    }
    let said = |page: &str, text: &str| page.contains(text);
    let registered = &seen[0];
    // Every refusal comes with a support reference, alike for every identifier (it is
    // masked in the comparison below: it is random).
    assert_eq!(registered.len(), 8, "the code step and seven answers to it");
    for (n, answer) in registered.iter().enumerate().skip(1).take(7) {
        assert!(said(answer, "give this reference: <strong class=\"ref-code\">…</strong>"), "answer {n}: {answer}");
    }
    assert!(!said(&registered[0], "ref-code"), "no reference with a code sent: {}", registered[0]);
    for (n, text) in
        [(1, "4 attempts left"), (2, "3 attempts left"), (4, "1 attempt left"), (6, "Too many wrong attempts"), (7, "4 attempts left")]
    {
        assert!(said(&registered[n], text), "answer {n} says {text:?}: {}", registered[n]);
    }
    for (who, answers) in cases.iter().zip(&seen) {
        assert_eq!(answers, registered, "{who} answers as a registered address does");
    }
}

/// Issue 23: "Send by text message instead" at once, and straight back to email, say
/// the same for every kind of address, though only a registered one gets messages.
#[tokio::test]
async fn switching_channels_at_once_answers_alike_for_every_identifier() {
    let app = spawn_app().await;
    app.add_contact("Registered", Some("reg@example.com"), Some("20123401"), &[]).await;
    app.add_contact("Opted out", Some("out@example.com"), Some("20123402"), &[Channel::Email]).await;
    app.add_contact("No phone", Some("nophone@example.com"), None, &[]).await;
    let cases = ["reg@example.com", "nobody@example.com", "out@example.com", "nophone@example.com"];
    let mut seen = Vec::new();
    for who in cases {
        let browser = app.browser();
        browser.request_code(who, Channel::Email).await;
        let to_sms = browser.resend(Channel::Sms).await.stable_body().replace(who, "IDENTIFIER");
        let back = browser.resend(Channel::Email).await.stable_body().replace(who, "IDENTIFIER");
        seen.push((to_sms, back));
    }
    assert!(seen[0].0.contains("A code is on its way"), "{}", seen[0].0);
    assert!(seen[0].1.contains("seconds"), "the way back waits for the email's cooldown: {}", seen[0].1);
    for (who, answers) in cases.iter().zip(&seen) {
        assert_eq!(answers, &seen[0], "{who} answers as a registered address does");
    }
    app.deliveries_settled().await;
    assert_eq!(app.jobs_for("+4520123401").await, 1, "the registered contact got the text message at once");
    assert_eq!(app.jobs_for("+4520123402").await, 1, "so did the one opted out of email");
}
