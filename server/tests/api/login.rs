//! The login flow, as a browser without JavaScript walks it.

use domain::Channel;
use server::clock::Clock;

use crate::helpers::{six_digits, spawn_app, spawn_app_with, wrong};

const STEP_2: &str = "Confirmation code";

#[tokio::test]
async fn a_registered_email_gets_a_code_and_the_browser_logs_in() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    let browser = app.browser();

    let step2 = browser.request_code("  ADA@example.com ", Channel::Email).await;
    assert!(step2.body.contains(STEP_2), "{}", step2.body);
    let code = app.latest_code("ada@example.com").await;

    let inbox = browser.enter_code(&format!("{} {}", &code[..3], &code[3..])).await;
    assert_eq!(inbox.status, 200);
    assert!(inbox.body.contains("Your messages"), "{}", inbox.body);
    assert!(inbox.body.contains("This browser will remember you"));
}

#[tokio::test]
async fn the_code_goes_to_the_chosen_channel_whichever_identifier_was_typed() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), Some("+45 20 12 34 01"), &[]).await;

    app.browser().request_code("ada@example.com", Channel::Sms).await;
    app.deliveries_settled().await;
    let outbox = app.store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!((outbox[0].channel, outbox[0].recipient.as_str()), (Channel::Sms, "+4520123401"));

    app.clock.advance(31);
    app.browser().request_code("20 12 34 01", Channel::Email).await;
    app.deliveries_settled().await;
    let outbox = app.store.outbox().await.unwrap();
    assert_eq!((outbox[1].channel, outbox[1].recipient.as_str()), (Channel::Email, "ada@example.com"));
    assert!(six_digits(&outbox[1].body).is_some());
}

/// The policy's nonce is a per-request token.
fn mask_nonce(value: &str) -> String {
    match value.split_once("'nonce-") {
        Some((before, after)) => format!("{before}'nonce-…{}", &after[after.find('\'').unwrap_or(0)..]),
        None => value.to_string(),
    }
}

/// What a browser sees after "Send code", with the typed identifier masked: the
/// status, headers and cookie names of the answer, and the page that follows.
async fn answer_to(app: &crate::helpers::TestApp, who: &str, channel: Channel) -> impl PartialEq + std::fmt::Debug {
    let browser = app.browser();
    let form = [("identifier", who), ("channel", channel.as_str()), ("next", "/")];
    let posted = browser.post("/api/login/request-code", &form).await;
    let mut headers: Vec<(String, String)> = posted
        .headers
        .iter()
        // The length follows the identifier typed; cookies and dates differ per request.
        .filter(|(k, _)| !["date", "set-cookie", "content-length"].contains(&k.as_str()))
        .map(|(k, v)| (k.to_string(), mask_nonce(v.to_str().unwrap_or(""))))
        .collect();
    headers.sort();
    let cookie_names: Vec<String> = posted.set_cookies().iter().map(|c| c.split('=').next().unwrap_or("").to_string()).collect();
    let page = browser.get(posted.location().unwrap()).await;
    (
        posted.status,
        headers,
        cookie_names,
        posted.body.replace(who, "IDENTIFIER"),
        page.status,
        page.stable_body().replace(who, "IDENTIFIER"),
    )
}

#[tokio::test]
async fn send_code_answers_alike_whether_or_not_the_address_can_get_a_code() {
    let app = spawn_app().await;
    app.add_contact("Registered", Some("reg@example.com"), Some("20123401"), &[]).await;
    app.add_contact("Opted out", Some("out@example.com"), None, &[Channel::Email]).await;
    app.add_contact("No phone", Some("nophone@example.com"), None, &[]).await;

    let registered = answer_to(&app, "reg@example.com", Channel::Email).await;
    assert_eq!(registered, answer_to(&app, "nobody@example.com", Channel::Email).await, "unregistered");
    assert_eq!(registered, answer_to(&app, "out@example.com", Channel::Email).await, "opted out");
    // Within 30 s of the first: throttled, nothing sent, and it does not show.
    assert_eq!(registered, answer_to(&app, "reg@example.com", Channel::Email).await, "throttled");

    app.clock.advance(31);
    let registered_sms = answer_to(&app, "reg@example.com", Channel::Sms).await;
    assert_eq!(registered_sms, answer_to(&app, "nophone@example.com", Channel::Sms).await, "no phone number");

    app.deliveries_settled().await;
    let outbox = app.store.outbox().await.unwrap();
    // Two workers may deliver the two in either order.
    let mut recipients: Vec<&str> = outbox.iter().map(|m| m.recipient.as_str()).collect();
    recipients.sort();
    assert_eq!(recipients, ["+4520123401", "reg@example.com"]);
}

#[tokio::test]
async fn wrong_codes_count_down_then_even_the_right_code_is_refused() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;

    for left in [4, 3, 2] {
        let page = browser.enter_code(&wrong(&code)).await;
        assert!(page.body.contains(&format!("You have {left} attempts left")), "{}", page.body);
    }
    assert!(browser.enter_code(&wrong(&code)).await.body.contains("You have 1 attempt left"));
    assert!(browser.enter_code(&wrong(&code)).await.body.contains("Too many wrong attempts"));
    let page = browser.enter_code(&code).await;
    assert!(page.body.contains("Too many wrong attempts"), "the right code after the limit: {}", page.body);
    assert!(browser.get("/").await.location().is_some_and(|l| l.starts_with("/login")));
}

#[tokio::test]
async fn a_malformed_code_is_explained_and_costs_no_attempt() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    // Digits of any script count (issue 23); five or seven of them do not make a code.
    for bad in ["12345", "١٢٣٤٥", "abcdef", "1234567", "Your code is 123 4567"] {
        let page = browser.enter_code(bad).await;
        assert!(page.body.contains("6 digits"), "{bad}: {}", page.body);
    }
    let code = app.latest_code("ada@example.com").await;
    assert!(browser.enter_code(&wrong(&code)).await.body.contains("You have 4 attempts left"));
}

#[tokio::test]
async fn an_expired_code_replaced_by_a_new_one_says_so_and_the_new_one_works() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let first = app.latest_code("ada@example.com").await;

    app.clock.advance(601);
    let resent = browser.resend(Channel::Email).await;
    assert!(resent.body.contains("asking again sends the same one"), "{}", resent.body);
    let newest = app.latest_code("ada@example.com").await;

    let page = browser.enter_code(&first).await;
    // The new code went 0 seconds before, at the test clock's time in Copenhagen.
    let at = domain::i18n::Locale::new(domain::i18n::Lang::En, domain::i18n::Zone::default_zone()).time(app.clock.now().0);
    let said =
        format!("That is an earlier code of this login: it expired or was used up, and a new code was sent by email just now (at {at}).");
    assert!(page.body.contains(&said), "{}", page.body);
    assert!(browser.enter_code(&newest).await.body.contains("Your messages"));
}

#[tokio::test]
async fn a_switch_to_text_messages_leaves_the_emailed_code_working() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let emailed = app.latest_code("ada@example.com").await;
    app.clock.advance(31);
    browser.resend(Channel::Sms).await;
    app.latest_code("+4520123401").await;
    // The email arrives after all: its code still works, as its message says.
    assert!(browser.enter_code(&emailed).await.body.contains("Your messages"));
}

#[tokio::test]
async fn send_a_new_code_twice_sends_one_code_three_times_which_expires_at_the_first_sends_time() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    for _ in 0..2 {
        app.clock.advance(200);
        browser.resend(Channel::Email).await;
        assert_eq!(app.latest_code("ada@example.com").await, code, "the same code again");
    }
    assert_eq!(app.jobs_for("ada@example.com").await, 3, "three messages");
    let (_, again) = app.latest_message("ada@example.com").await;
    assert!(again.contains("This is the same code as in our message of"), "{again}");
    assert!(again.contains("within 3 minutes"), "200 s left, said in whole minutes rounded down: {again}");
    // 400 s after the first send, 200 s left: a wrong guess still counts down...
    assert!(browser.enter_code(&wrong(&code)).await.body.contains("You have 4 attempts left"));
    // ...and at the first send's expiry the code stops, whatever was sent since.
    app.clock.advance(200);
    assert!(browser.enter_code(&code).await.body.contains("This code has expired"));
}

#[tokio::test]
async fn two_browsers_asking_within_30_s_get_one_code_that_logs_in_both_once() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let (phone, laptop) = (app.browser(), app.browser());
    phone.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    app.clock.advance(5);
    laptop.request_code("ada@example.com", Channel::Email).await;
    app.deliveries_settled().await;
    assert_eq!(app.jobs_for("ada@example.com").await, 1, "within 30 s the code on its way is not sent twice");
    assert!(laptop.enter_code(&code).await.body.contains("Your messages"), "the laptop logs in with the phone's code");
    assert!(phone.enter_code(&code).await.body.contains("Your messages"), "and so does the phone");
    // Used: the next browser to ask gets a new code, and the old one does not work there.
    app.clock.advance(31);
    let third = app.browser();
    third.request_code("ada@example.com", Channel::Email).await;
    let fresh = app.latest_code("ada@example.com").await;
    if fresh != code {
        assert!(!third.enter_code(&code).await.body.contains("Your messages"), "the used code does not log in a browser that asked after");
    }
    assert!(third.enter_code(&fresh).await.body.contains("Your messages"));
}

#[tokio::test]
async fn a_code_expires_at_the_end_of_its_lifetime() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;

    app.clock.advance(600);
    let page = browser.enter_code(&code).await;
    assert!(page.body.contains("This code has expired"), "{}", page.body);
    assert!(page.body.contains("10 minutes"));

    let page = browser.resend(Channel::Email).await;
    assert!(page.body.contains(STEP_2));
    let fresh = app.latest_code("ada@example.com").await;
    app.clock.advance(599);
    assert!(browser.enter_code(&fresh).await.body.contains("Your messages"));
}

#[tokio::test]
async fn a_code_works_only_in_the_browser_that_asked_for_it() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let phone = app.browser();
    phone.request_code("ada@example.com", Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;

    // A browser with no login in progress (another device, a closed private window).
    let elsewhere = app.browser();
    let posted = elsewhere.post("/api/login/verify-code", &[("code", &code), ("next", "/")]).await;
    let location = posted.location().unwrap().to_string();
    assert!(location.starts_with("/login?notice=no-flow&ref="), "{location}");
    let page = elsewhere.get(&location).await;
    assert!(page.body.contains("cookies"), "{}", page.body);
    // With a support reference to read to an administrator, the one in the address.
    let reference = page.reference().expect("a support reference");
    assert_eq!(location.rsplit_once("ref=").unwrap().1, reference.replace('-', ""));
    assert!(page.body.contains("If you call for help, give this reference:"), "{}", page.body);
    assert!(page.body.contains("private (incognito) window"));
    assert!(elsewhere.cookie("__Host-portal-device").is_none());

    // The code still works where it was asked for.
    assert!(phone.enter_code(&code).await.body.contains("Your messages"));
}

#[tokio::test]
async fn a_used_code_cannot_log_in_a_second_time() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    let flow = browser.cookie("__Host-portal-flow").unwrap();
    let code = app.latest_code("ada@example.com").await;
    assert!(browser.enter_code(&code).await.body.contains("Your messages"));

    // Someone replays the old flow cookie with the same code.
    let replay = app.browser();
    replay.set_cookie("__Host-portal-flow", &flow);
    let posted = replay.post("/api/login/verify-code", &[("code", &code), ("next", "/")]).await;
    assert!(posted.location().is_some_and(|l| l.starts_with("/login?notice=no-flow&ref=")), "{:?}", posted.location());
    assert!(replay.cookie("__Host-portal-device").is_none());
}

#[tokio::test]
async fn a_new_code_is_refused_during_the_cooldown() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;
    app.clock.advance(10);
    let page = browser.resend(Channel::Email).await;
    assert!(page.body.contains("Please wait 20 seconds"), "{}", page.body);
    assert_eq!(app.outbox_count().await, 1);
}

#[tokio::test]
async fn too_many_requests_from_one_network_mention_vpns() {
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "2")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    for _ in 0..2 {
        app.browser().request_code("ada@example.com", Channel::Email).await;
        app.clock.advance(31);
    }
    let browser = app.browser();
    let posted = browser.post("/api/login/request-code", &[("identifier", "ada@example.com"), ("channel", "email"), ("next", "/")]).await;
    let location = posted.location().unwrap().to_string();
    assert!(location.starts_with("/login?notice=network-limited&ref="), "{location}");
    let page = browser.get(&location).await;
    assert!(page.body.contains("Too many requests from your network"));
    assert!(page.reference().is_some(), "{}", page.body);
    // A reference typed into the address by hand shows only with its notice, and only
    // when it is one.
    assert!(browser.get("/login?ref=K7M4QX").await.reference().is_none());
    assert!(browser.get("/login?notice=network-limited&ref=<b>").await.reference().is_none());
    assert!(page.body.contains("VPN"));
    assert_eq!(app.outbox_count().await, 2);

    app.clock.advance(3601);
    assert!(app.browser().request_code("ada@example.com", Channel::Email).await.body.contains(STEP_2));
}

#[tokio::test]
async fn a_malformed_identifier_is_explained_without_saying_whether_it_is_registered() {
    let app = spawn_app().await;
    let browser = app.browser();
    let posted = browser.post("/api/login/request-code", &[("identifier", "not an address"), ("channel", "email"), ("next", "/")]).await;
    assert_eq!(posted.location(), Some("/login?notice=malformed-identifier"));
    let page = browser.get("/login?notice=malformed-identifier").await;
    assert!(page.body.contains("Enter an email address"), "{}", page.body);
}

#[tokio::test]
async fn every_step_is_written_to_the_event_log() {
    let app = spawn_app().await;
    let ada = app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[Channel::Sms]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Sms).await;
    app.clock.advance(31);
    browser.resend(Channel::Email).await;
    let code = app.latest_code("ada@example.com").await;
    // The worker writes "code_sent" beside the request: wait, so the order is fixed.
    app.wait_for_event(&ada, "code_sent").await;
    browser.enter_code(&wrong(&code)).await;
    browser.enter_code(&code).await;
    browser.get("/").await;

    assert_eq!(
        app.event_kinds(&ada).await,
        [
            "code_requested",
            "code_not_sent:opted_out",
            "code_requested",
            "code_queued",
            "code_sent",
            "verification_failed:wrong_code",
            "login_succeeded",
        ]
    );
}

/// Issue 23: "Did you mean …?" comes from the typed text alone. Typed `ada@gmial.com`,
/// the page is byte for byte the same whether `ada@gmail.com` is registered or not,
/// and whether the slipped address itself is; in English and in Danish.
#[tokio::test]
async fn did_you_mean_says_the_same_whoever_is_registered() {
    let registered = spawn_app().await;
    registered.add_contact("Ada", Some("ada@gmail.com"), None, &[]).await;
    registered.add_contact("Eve", Some("eve@gmial.com"), None, &[]).await;
    let nobody = spawn_app().await;
    for (lang, hint) in [("en", "Did you mean <strong>ada@gmail.com</strong>?"), ("da", "Mente du <strong>ada@gmail.com</strong>?")] {
        let mut pages = Vec::new();
        for (app, typed) in [(&registered, "ada@gmial.com"), (&nobody, "ada@gmial.com"), (&registered, "eve@gmial.com")] {
            let page = app.browser().speaking(lang).request_code(typed, Channel::Email).await;
            assert_eq!(page.status, 200);
            pages.push(page.stable_body().replace("eve@", "ada@"));
        }
        assert!(pages[0].contains(hint), "{lang}: {}", pages[0]);
        assert!(pages[0].contains("value=\"ada@gmail.com\""), "the button asks for the suggested address");
        assert_eq!(pages[0], pages[1], "{lang}: registered or not, the same page");
        assert_eq!(pages[0], pages[2], "{lang}: the slipped address registered or not, the same page");
    }
    // No hint where there is no slip.
    let plain = nobody.browser().request_code("ada@gmail.com", Channel::Email).await;
    assert!(!plain.body.contains("typo-hint"), "{}", plain.body);
}

/// Issue 23: a request that sent nothing does not hold back the next one. Opted out of
/// email, the contact asks by email (nothing is sent, as it must be), then at once by
/// text message from a new window: the SMS goes out and logs them in. An unregistered
/// address asked for first holds back nothing either.
#[tokio::test]
async fn opted_out_of_email_the_sms_asked_for_at_once_from_a_new_window_arrives() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[Channel::Email]).await;
    let first = app.browser().request_code("ada@example.com", Channel::Email).await;
    let window = app.browser();
    let second = window.request_code("ada@example.com", Channel::Sms).await;
    assert_eq!(first.status, 200);
    assert_eq!(second.status, 200);
    let code = app.latest_code("+4520123401").await;
    assert_eq!(app.outbox_count().await, 1, "the SMS, and nothing by email");
    // Within the same 30 s, a code that did go out still holds the next one back.
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    assert_eq!(app.outbox_count().await, 1, "no second SMS within the interval");
    assert_eq!(window.enter_code(&code).await.status, 200);
    assert!(window.cookie("__Host-portal-device").is_some(), "logged in");
}

/// Issue 23: "Send by text message instead" goes at once in the same browser, whether
/// the email went out or not (the interval between messages is per code, so per
/// channel); a switch back within 30 s sends nothing new, and the email's code, still
/// valid, logs in.
#[tokio::test]
async fn the_other_channel_goes_at_once_in_the_same_browser() {
    let app = spawn_app().await;
    app.add_contact("Opted out", Some("out@example.com"), Some("20123402"), &[Channel::Email]).await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    for (email, phone, emailed) in [("out@example.com", "+4520123402", 0), ("ada@example.com", "+4520123401", 1)] {
        let browser = app.browser();
        browser.request_code(email, Channel::Email).await;
        let switched = browser.resend(Channel::Sms).await;
        assert!(switched.body.contains("A code is on its way"), "{email}: {}", switched.body);
        let texted = app.latest_code(phone).await;
        assert_eq!(app.jobs_for(email).await, emailed, "{email}");
        if emailed == 1 {
            // Back to email at once: the cooldown of the email's request holds it.
            let back = browser.resend(Channel::Email).await;
            assert!(back.body.contains("seconds"), "{}", back.body);
            assert_eq!(app.jobs_for(email).await, 1);
            let code = app.latest_code(email).await;
            assert!(browser.enter_code(&code).await.body.contains("Your messages"), "the email's code still works");
        } else {
            assert!(browser.enter_code(&texted).await.body.contains("Your messages"));
        }
    }
}
