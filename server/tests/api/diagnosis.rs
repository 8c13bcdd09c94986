//! Every rule of the login diagnosis, from real logins that went wrong, read on the
//! contact card as the administrator sees it. (The opt-out, the typo, the older code,
//! the changed network and the network limit are in `doctor.rs` and `admin_web.rs`.)

use domain::Channel;
use server::clock::Clock;

use crate::admin_web::{RIGHT, add_admin, card_of, log_in, with_admin};
use crate::helpers::{Browser, TestApp, eventually, spawn_app_with};
use crate::sinks::{SmtpSink, free_port};

/// The administrator's browser, logged in, and the card of the contact with `email`.
async fn card(app: &TestApp, email: &str) -> (Browser, i64, String) {
    let admin = app.browser();
    assert_eq!(log_in(&admin, "ops", RIGHT).await.location(), Some("/admin"));
    let (id, page) = card_of(app, &admin, email).await;
    assert_eq!(page.status, 200);
    (admin, id, page.body)
}

/// The diagnosis panel alone: from its heading to the next section.
fn diagnosis(body: &str) -> &str {
    let start = body.find("Login diagnosis").expect("a diagnosis panel");
    let end = body[start..].find("</section>").map_or(body.len(), |e| start + e);
    &body[start..end]
}

#[tokio::test]
async fn no_phone_registered_says_so_with_the_request_that_found_out() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.browser().request_code("ada@example.com", Channel::Sms).await;
    let (_, _, body) = card(&app, "ada@example.com").await;
    let panel = diagnosis(&body);
    assert!(panel.contains("No mobile number is registered, so no code can be sent by text message"), "{panel}");
    assert!(panel.contains("Log in with their email address and choose email"), "{panel}");
    assert!(panel.contains("code not sent (no address for channel) by text message"), "the evidence: {panel}");
    assert!(!panel.contains("No email address is registered"), "{panel}");
}

#[tokio::test]
async fn codes_asked_by_email_only_and_never_typed_suggest_text_message_and_the_spam_folder() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    app.clock.advance(31);
    browser.resend(Channel::Email).await;
    app.deliveries_settled().await;
    let (_, _, body) = card(&app, "ada@example.com").await;
    let panel = diagnosis(&body);
    assert!(panel.contains("Asked for 2 codes, all by email, and has not logged in since"), "{panel}");
    assert!(panel.contains("Try by text message instead"), "{panel}");
    assert!(panel.contains("2 code(s) were accepted for delivery but never entered"), "{panel}");
    assert!(panel.contains("spam or junk folder"), "{panel}");
    assert!(panel.contains("safe senders"), "allow-list the sender: {panel}");

    // Once she types the code, neither finding stands.
    let code = app.latest_code("ada@example.com").await;
    assert_eq!(browser.post("/api/login/verify-code", &[("code", &code), ("next", "/")]).await.location(), Some("/"));
    let (_, _, body) = card(&app, "ada@example.com").await;
    let panel = diagnosis(&body);
    assert!(!panel.contains("never entered") && !panel.contains("Asked for 2 codes"), "{panel}");
}

#[tokio::test]
async fn a_mail_server_that_refuses_the_address_is_shown_with_its_reason() {
    let sink = SmtpSink::start_with(free_port(), &["--reject-rcpt"]).await;
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let app = spawn_app_with(&[
        ("PORTAL_DELIVERY", "smtp"),
        ("SMTP_URL", &url),
        ("MAIL_FROM", "Contact portal <portal@example.com>"),
        ("PORTAL_SMS_DELIVERY", "none"),
        ("PORTAL_DELIVERY_POLL", "20ms"),
    ])
    .await;
    add_admin(&app).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.browser().request_code("ada@example.com", Channel::Email).await;
    eventually("the job failed", || async { app.store.jobs(None).await.unwrap().iter().all(|j| j.status == "failed") }).await;
    let (_, _, body) = card(&app, "ada@example.com").await;
    let panel = diagnosis(&body);
    assert!(panel.contains("1 code(s) did not reach them"), "{panel}");
    assert!(panel.contains("The mail server refused the address"), "{panel}");
    assert!(panel.contains("550"), "the provider's reason beside it: {panel}");
    assert!(!panel.contains("never entered"), "a failed code is not an unread one: {panel}");
    drop(sink);
}

#[tokio::test]
async fn a_new_code_on_three_days_from_new_browsers_points_at_private_windows() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    for _ in 0..3 {
        // A private window each day: a fresh browser with no cookies.
        let private = app.browser();
        private.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
        app.clock.advance(86_400);
    }
    let (_, _, body) = card(&app, "ada@example.com").await;
    let panel = diagnosis(&body);
    assert!(panel.contains("Needed a new code on 3 different days in 30 days"), "{panel}");
    assert!(panel.contains("private (incognito) window"), "{panel}");
}

#[tokio::test]
async fn a_browser_that_stays_remembered_needs_no_such_advice() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let laptop = app.browser();
    laptop.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    for _ in 0..3 {
        app.clock.advance(86_400);
        assert_eq!(laptop.get("/").await.status, 200, "remembered");
    }
    let (_, _, body) = card(&app, "ada@example.com").await;
    let panel = diagnosis(&body);
    assert!(panel.contains("Nothing in the last 30 days explains a failed login"), "{panel}");
}

#[tokio::test]
async fn a_code_asked_for_in_two_browsers_logs_in_both_and_the_card_finds_nothing_wrong() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let laptop = app.browser();
    laptop.request_code("ada@example.com", Channel::Email).await;
    let first = app.latest_code("ada@example.com").await;
    app.clock.advance(31);
    // She opens the mail on her phone and asks again there: the same code comes again,
    // and works in both browsers.
    let phone = app.browser();
    phone.request_code("ada@example.com", Channel::Email).await;
    assert_eq!(app.latest_code("ada@example.com").await, first, "one code per login");
    assert!(phone.enter_code(&first).await.body.contains("Your messages"), "the phone logs in");
    assert!(laptop.enter_code(&first).await.body.contains("Your messages"), "so does the laptop, with the code it asked for");
    let (_, _, body) = card(&app, "ada@example.com").await;
    let panel = diagnosis(&body);
    assert!(panel.contains("Nothing in the last 30 days explains a failed login"), "{panel}");
    assert!(!panel.contains(&first), "no code on the card");
}

#[tokio::test]
async fn a_message_not_published_to_her_is_named_with_a_button_that_publishes_it() {
    let app = with_admin().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let message = server::messages::add_message(&app.store, "Board minutes", "# Minutes", app.clock.now()).await.unwrap();
    let phone = app.browser();
    phone.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let refused = phone.get(&format!("/m/{message}")).await;
    assert!(!refused.body.contains("Minutes</h1>"), "not hers to read");

    let (admin, id, body) = card(&app, "ada@example.com").await;
    let panel = diagnosis(&body);
    assert!(panel.contains(&format!("opened message(s) not published to them: “Board minutes” ({message})")), "{panel}");
    assert!(body.contains(&format!("message refused (not published): “Board minutes” ({message})")), "the timeline names it too: {body}");
    assert!(panel.contains("Publish"), "the one-click fix beside it: {panel}");
    let published = admin.post("/api/admin/act", &[("id", &id.to_string()), ("action", "publish"), ("message", &message)]).await;
    assert_eq!(published.location(), Some(format!("/admin/contacts/{id}").as_str()));
    let opened = phone.get(&format!("/m/{message}")).await;
    assert_eq!(opened.status, 200);
    assert!(opened.body.contains("Minutes"), "now she reads it");
}
