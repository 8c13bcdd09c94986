//! "Is it us or them?" (issue 24): a test message from the contact card, followed live
//! to the SMTP server's answer, and delivery health per recipient domain, against a
//! real SMTP server on loopback that defers one domain and holds another's mail.

use domain::Channel;
use server::store::{Contact, JobPurpose, What};

use crate::admin_web::{RIGHT, add_admin, log_in};
use crate::delivery::{refs, smtp_settings};
use crate::helpers::{Browser, TestApp, eventually, spawn_app_with};
use crate::sinks::{SmtpSink, free_port};

async fn smtp_portal(sink: &SmtpSink) -> TestApp {
    let mut settings = smtp_settings(sink.port);
    // The lease outlasts the slowest answer here (a server holding a message for 11
    // minutes of the test's clock): a shorter one hands the job to another worker.
    settings.retain(|(k, _)| *k != "PORTAL_DELIVERY_LEASE");
    settings.push(("PORTAL_DELIVERY_LEASE", "20m".to_string()));
    // One code an hour per address: a test message that counted against it would
    // stop the contact's own code.
    settings.push(("PORTAL_IDENTIFIER_CODES_PER_HOUR", "1".to_string()));
    let app = spawn_app_with(&refs(&settings)).await;
    add_admin(&app).await;
    app
}

async fn administrator(app: &TestApp) -> Browser {
    let admin = app.browser();
    assert_eq!(log_in(&admin, "ops", RIGHT).await.location(), Some("/admin"));
    admin
}

/// Presses "Send a test email" (or text message) on `contact`'s card: where it went.
async fn send_test(admin: &Browser, contact: &Contact, channel: Channel) -> String {
    let id = contact.id.0.to_string();
    let posted = admin.post("/api/admin/act", &[("id", &id), ("action", "test"), ("channel", channel.as_str())]).await;
    posted.location().unwrap_or_default().to_string()
}

async fn test_jobs(app: &TestApp) -> Vec<server::store::JobRecord> {
    app.store.jobs(None).await.unwrap().into_iter().filter(|j| j.purpose == JobPurpose::Test).collect()
}

fn text_of(mail: &serde_json::Value) -> String {
    mail["data"].as_str().unwrap_or_default().replace("=\r\n", "").replace("=\n", "")
}

#[tokio::test]
async fn a_test_message_from_the_card_is_followed_until_the_smtp_server_accepts_it_with_its_answer() {
    let mut sink = SmtpSink::start_with(free_port(), &["--hold", "example.com"]).await;
    let app = smtp_portal(&sink).await;
    let ada = app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[Channel::Sms]).await;
    let grace = app.add_contact("Grace", Some("grace@example.org"), None, &[]).await;
    let admin = administrator(&app).await;
    let card = format!("/admin/contacts/{}", ada.id.0);

    // Only the channels a test can go by are offered.
    let page = admin.get(&card).await;
    assert!(page.body.contains("Send a test email") && !page.body.contains("Send a test text message"), "{}", page.body);

    // The button leads to the card, following the test; the SMTP server holds it.
    assert_eq!(send_test(&admin, &ada, Channel::Email).await, format!("{card}?watch=1#tests"));
    let held = sink.next_message().await;
    assert_eq!(held["holding"], serde_json::json!(["ada@example.com"]));
    let waiting = admin.get(&format!("{card}?watch=1")).await;
    assert!(waiting.body.contains("test by email to ada@example.com, sent by ops"), "{}", waiting.body);
    assert!(waiting.body.contains("<strong>Sending</strong>"), "{}", waiting.body);
    assert!(waiting.body.contains(r#"http-equiv="refresh""#), "the card looks again while it is on its way");
    // To an address other than this one: the same address with a fragment would only scroll.
    assert!(waiting.body.contains(&format!(r#"content="3;url={card}?watch=2#tests""#)), "{}", waiting.body);
    // Opened as usual (not following the test), the card does not look again.
    let opened = admin.get(&card).await;
    assert!(opened.body.contains("<strong>Sending</strong>") && !opened.body.contains(r#"http-equiv="refresh""#), "{}", opened.body);

    sink.release();
    let mail = sink.next_message().await;
    assert_eq!(mail["to"], serde_json::json!(["ada@example.com"]));
    let text = text_of(&mail);
    assert!(text.contains("Subject: Test message from Aarhus Roklub"), "{text}");
    assert!(text.contains("This is a test from Aarhus Roklub, sent at "), "{text}");
    assert!(crate::helpers::six_digits(&text).is_none(), "no code in a test message: {text}");
    eventually("the card shows the server's answer", || async {
        let page = admin.get(&format!("{card}?watch=1")).await;
        page.body.contains("<strong>Accepted by the mail server</strong>") && page.body.contains("<code>250 Message accepted</code>")
    })
    .await;
    let done = admin.get(&format!("{card}?watch=1")).await;
    assert!(!done.body.contains(r#"http-equiv="refresh""#), "it stops looking once the server answered");

    // Recorded in the administrator's name; never read as a code never entered.
    let jobs = test_jobs(&app).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0].requested_by.as_deref(), jobs[0].answer.as_deref()), (Some("ops"), Some("250 Message accepted")));
    let said: Vec<What> = app.store.events(Some(ada.id)).await.unwrap().into_iter().map(|e| e.what).collect();
    assert!(said.iter().any(|w| matches!(w, What::TestMessage { admin: Some(a), .. } if a == "ops")), "{said:?}");
    assert!(!done.body.contains("never entered"), "{}", done.body);
    assert!(done.body.contains("test message by email"), "on the timeline: {}", done.body);
    // Following the test is not a new look-up each time; opening the card is.
    assert!(app.store.settle(std::time::Duration::from_secs(10)).await);
    let said: Vec<What> = app.store.events(Some(ada.id)).await.unwrap().into_iter().map(|e| e.what).collect();
    let lookups = said.iter().filter(|w| matches!(w, What::AdminLookup { .. })).count();
    assert_eq!(lookups, 2, "the two openings of the card, not the looks while following: {said:?}");

    // Three an hour to one contact; the fourth changes nothing and says why.
    assert_eq!(send_test(&admin, &ada, Channel::Email).await, format!("{card}?watch=1#tests"));
    assert_eq!(send_test(&admin, &ada, Channel::Email).await, format!("{card}?watch=1#tests"));
    assert_eq!(send_test(&admin, &ada, Channel::Email).await, format!("{card}?problem=test-limit"));
    assert_eq!(test_jobs(&app).await.len(), 3);
    let refused = admin.get(&format!("{card}?problem=test-limit")).await;
    assert!(refused.body.contains("No test was sent: at most 3 test messages an hour go to one contact."), "{}", refused.body);
    // The tests did not use up the contact's own codes (one an hour here).
    app.browser().request_code("ada@example.com", Channel::Email).await;
    let codes = app.store.jobs(Some(ada.id)).await.unwrap().into_iter().filter(|j| j.purpose == JobPurpose::Code).count();
    assert_eq!(codes, 1, "a code still goes to a contact who was sent three tests");

    // An opted-out channel and a missing address are refused, and nothing is sent.
    assert_eq!(send_test(&admin, &ada, Channel::Sms).await, format!("{card}?problem=test-opted-out"));
    let grace_card = format!("/admin/contacts/{}", grace.id.0);
    assert_eq!(send_test(&admin, &grace, Channel::Sms).await, format!("{grace_card}?problem=test-no-address"));
    assert_eq!(test_jobs(&app).await.len(), 3);
    // Without a session, nothing at all.
    assert_eq!(send_test(&app.browser(), &grace, Channel::Email).await, "/admin/login");
    assert_eq!(test_jobs(&app).await.len(), 3);
}

#[tokio::test]
async fn a_domain_the_mail_server_defers_is_marked_and_a_code_it_held_past_its_expiry_is_found_late() {
    let mut sink = SmtpSink::start_with(free_port(), &["--defer", "deferred.example", "--hold", "late.example"]).await;
    let app = smtp_portal(&sink).await;
    let mut deferred = Vec::new();
    for name in ["d1", "d2", "d3"] {
        deferred.push(app.add_contact(name, Some(&format!("{name}@deferred.example")), None, &[]).await);
    }
    let fine = app.add_contact("Fine", Some("fine@fine.example"), None, &[]).await;
    let late = app.add_contact("Late", Some("late@late.example"), None, &[]).await;

    for c in &deferred {
        app.browser().request_code(c.email.as_ref().unwrap().as_str(), Channel::Email).await;
    }
    eventually("the server deferred each of them", || async {
        let jobs = app.store.jobs(None).await.unwrap();
        jobs.iter().filter(|j| j.last_error.as_deref().is_some_and(|e| e.contains("451"))).count() == 3
    })
    .await;
    app.browser().request_code("fine@fine.example", Channel::Email).await;
    assert_eq!(sink.next_message().await["to"], serde_json::json!(["fine@fine.example"]));

    // The server holds the code to late.example until after it expired (10 minutes).
    app.browser().request_code("late@late.example", Channel::Email).await;
    assert_eq!(sink.next_message().await["holding"], serde_json::json!(["late@late.example"]));
    app.clock.advance(11 * 60);
    sink.release();
    assert_eq!(sink.next_message().await["to"], serde_json::json!(["late@late.example"]));
    eventually("the late code is recorded as sent", || async {
        app.store.jobs(Some(late.id)).await.unwrap().first().is_some_and(|j| j.status == "sent")
    })
    .await;

    let admin = administrator(&app).await;
    let health = admin.get("/admin/delivery").await;
    assert_eq!(health.status, 200);
    assert!(health.body.contains("Mail to deferred.example is in trouble: in the last hour 3 of 3 messages"), "{}", health.body);
    assert!(health.body.contains("fine.example (email)") && !health.body.contains("Mail to fine.example is in trouble"));
    // One late message is not yet a trend for its domain; its contact's card says what it was.
    assert!(health.body.contains("late.example (email)") && !health.body.contains("Mail to late.example is in trouble"));

    let card = admin.get(&format!("/admin/contacts/{}", deferred[0].id.0)).await;
    assert!(card.body.contains("Mail to deferred.example is in trouble"), "{}", card.body);
    let card = admin.get(&format!("/admin/contacts/{}", fine.id.0)).await;
    assert!(!card.body.contains("is in trouble"), "{}", card.body);
    let card = admin.get(&format!("/admin/contacts/{}", late.id.0)).await;
    assert!(card.body.contains("The code arrived after it expired (a delay of 11 minutes at the mail server)."), "{}", card.body);
    assert!(!card.body.contains("never entered"), "not lost in spam: {}", card.body);

    // The page reads and writes nothing: the log is as it was.
    assert!(app.store.settle(std::time::Duration::from_secs(10)).await);
    let before = app.store.events(None).await.unwrap().len();
    admin.get("/admin/delivery").await;
    assert!(app.store.settle(std::time::Duration::from_secs(10)).await);
    assert_eq!(app.store.events(None).await.unwrap().len(), before, "the health page writes nothing");
    // Without a session, it is not shown.
    assert_eq!(app.browser().get("/admin/delivery").await.location(), Some("/admin/login"));
}

#[tokio::test]
async fn a_test_text_message_shows_the_providers_answer_then_its_receipt_and_waits_for_the_codes_sms_budget_without_spending_it() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let provider = MockServer::start().await;
    let accepted = serde_json::json!({ "sid": "SM0100", "status": "queued" });
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201).set_body_json(accepted)).mount(&provider).await;
    let mut settings = crate::delivery::twilio_settings(&provider.uri());
    settings.push(("PORTAL_SMS_PER_HOUR", "1".to_string()));
    let app = spawn_app_with(&refs(&settings)).await;
    add_admin(&app).await;
    let ada = app.add_contact("Ada", None, Some("20123401"), &[]).await;
    let grace = app.add_contact("Grace", None, Some("20123402"), &[]).await;
    let admin = administrator(&app).await;
    let card = format!("/admin/contacts/{}", ada.id.0);

    assert_eq!(send_test(&admin, &ada, Channel::Sms).await, format!("{card}?watch=1#tests"));
    eventually("the card shows the provider's answer", || async {
        let page = admin.get(&format!("{card}?watch=1")).await;
        page.body.contains("<strong>Accepted by the SMS provider</strong>") && page.body.contains("<code>HTTP 201, queued</code>")
    })
    .await;
    let sent = provider.received_requests().await.unwrap();
    let body = String::from_utf8_lossy(&sent[0].body).replace('+', " ");
    assert!(body.contains("This is a test from Aarhus Roklub"), "{body}");

    // The receipt says it arrived.
    let delivered = [("MessageSid", "SM0100"), ("MessageStatus", "delivered")];
    assert_eq!(crate::delivery::post_receipt(&app, &delivered, &crate::delivery::sign(&delivered)).await, 204);
    let page = admin.get(&card).await;
    assert!(page.body.contains("<strong>Delivered: the provider's receipt says it arrived</strong>"), "{}", page.body);

    // The test did not spend the codes' hourly SMS budget (1 here): Grace's code goes.
    app.browser().request_code("20 12 34 02", Channel::Sms).await;
    assert_eq!(app.store.jobs(Some(grace.id)).await.unwrap().len(), 1, "the code went");
    // Now the codes have spent it, and a test waits for them: codes go first.
    assert_eq!(send_test(&admin, &ada, Channel::Sms).await, format!("{card}?problem=test-sms-limit"));
    eventually("the code reached the provider", || async { provider.received_requests().await.unwrap().len() == 2 }).await;
    assert_eq!(test_jobs(&app).await.len(), 1);
}

#[tokio::test]
async fn one_administrator_sends_at_most_20_test_messages_an_hour_to_everyone_together() {
    let app = spawn_app_with(&[]).await;
    add_admin(&app).await;
    let admin = administrator(&app).await;
    let mut sent = 0;
    for i in 0..7 {
        let contact = app.add_contact(&format!("C{i}"), Some(&format!("c{i}@example.com")), None, &[]).await;
        for _ in 0..3 {
            if send_test(&admin, &contact, Channel::Email).await.ends_with("?watch=1#tests") {
                sent += 1;
            }
        }
    }
    assert_eq!(sent, 20, "3 each to 6 contacts, then 2 to the seventh");
    let last = app.add_contact("Last", Some("last@example.com"), None, &[]).await;
    let refused = send_test(&admin, &last, Channel::Email).await;
    assert_eq!(refused, format!("/admin/contacts/{}?problem=test-admin-limit", last.id.0));
    assert_eq!(test_jobs(&app).await.len(), 20);
}

#[tokio::test]
async fn delivery_health_and_test_messages_answer_no_one_but_an_administrator_and_metrics_are_not_on_the_public_address() {
    let app = spawn_app_with(&[]).await;
    add_admin(&app).await;
    let ada = app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    // No session.
    let stranger = app.browser();
    assert_eq!(stranger.get("/admin/delivery").await.location(), Some("/admin/login"));
    assert_eq!(stranger.post("/api/admin/delivery", &[]).await.location(), Some("/admin/login"));
    // A contact's own session is the wrong kind.
    let contact = app.browser();
    contact.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    assert_eq!(contact.get("/admin/delivery").await.location(), Some("/admin/login"));
    assert_eq!(send_test(&contact, &ada, Channel::Email).await, "/admin/login");
    // Cross-site, even with the administrator's cookie: refused before anything runs.
    let admin = administrator(&app).await;
    let cookie = format!("__Host-portal-admin={}", admin.cookie("__Host-portal-admin").expect("a session"));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let id = ada.id.0.to_string();
    for (path, form) in
        [("/api/admin/act", vec![("id", id.as_str()), ("action", "test"), ("channel", "email")]), ("/api/admin/delivery", vec![])]
    {
        let posted = http
            .post(format!("{}{path}", app.base))
            .header("origin", "https://evil.example")
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 403, "{path}");
    }
    // Bad input says what was wrong.
    let posted = admin.post("/api/admin/act", &[("id", &id), ("action", "test"), ("channel", "fax")]).await;
    assert_eq!(posted.location(), Some(format!("/admin/contacts/{id}?problem=channel").as_str()));
    let posted = admin.post("/api/admin/act", &[("id", "999999"), ("action", "test"), ("channel", "email")]).await;
    assert_eq!(posted.location(), Some("/admin/contacts/999999?problem=not-found"));
    assert!(test_jobs(&app).await.is_empty(), "none of that sent a test");
    // Prometheus metrics have an address of their own (PORTAL_METRICS_ADDR), never this one.
    assert_eq!(app.browser().get("/metrics").await.status, 404);
}
