//! Real delivery: SMTP to a real server on loopback, SMS to a local HTTP server, and
//! the faults the durable outbox must survive. The clock is moved by the tests, so
//! retries happen without waiting for real backoff.

use std::time::{Duration, Instant};

use domain::Channel;
use server::clock::Clock;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, eventually, six_digits, spawn_app_idle, spawn_app_with};
use crate::sinks::{SmtpSink, free_port};

const FAST_WORKER: [(&str, &str); 4] = [
    ("PORTAL_DELIVERY_POLL", "20ms"),
    ("PORTAL_DELIVERY_RETRY_BASE", "1s"),
    ("PORTAL_DELIVERY_RETRY_MAX", "4s"),
    ("PORTAL_DELIVERY_LEASE", "30s"),
];

pub(crate) fn smtp_settings(port: u16) -> Vec<(&'static str, String)> {
    let mut s: Vec<(&str, String)> = FAST_WORKER.iter().map(|(k, v)| (*k, v.to_string())).collect();
    s.extend([
        ("PORTAL_DELIVERY", "smtp".to_string()),
        ("SMTP_URL", format!("smtp://127.0.0.1:{port}")),
        ("MAIL_FROM", "Contact portal <portal@example.com>".to_string()),
        ("MAIL_REPLY_TO", "help@example.com".to_string()),
        ("PORTAL_SMS_DELIVERY", "none".to_string()),
    ]);
    s
}

pub(crate) fn twilio_settings(base: &str) -> Vec<(&'static str, String)> {
    let mut s: Vec<(&str, String)> = FAST_WORKER.iter().map(|(k, v)| (*k, v.to_string())).collect();
    s.extend([
        ("PORTAL_SMS_DELIVERY", "twilio".to_string()),
        ("TWILIO_BASE_URL", base.to_string()),
        ("TWILIO_ACCOUNT_SID", "AC123".to_string()),
        ("TWILIO_AUTH_TOKEN", "secret-token".to_string()),
        ("TWILIO_FROM", "+4570000000".to_string()),
        ("PORTAL_PUBLIC_URL", "https://portal.example.com".to_string()),
    ]);
    s
}

/// A Twilio stand-in that accepts every message as `sid`, answering after `delay`.
async fn twilio_accepting(sid: &str, delay: Duration) -> MockServer {
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({ "sid": sid })).set_delay(delay))
        .mount(&provider)
        .await;
    provider
}

pub(crate) fn refs<'a>(settings: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    settings.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn job_status(app: &TestApp) -> Vec<String> {
    app.store.jobs(None).await.unwrap().into_iter().map(|j| j.status.to_string()).collect()
}

/// The decoded text of a received mail (quoted-printable soft breaks undone).
fn text_of(mail: &serde_json::Value) -> String {
    mail["data"].as_str().unwrap_or_default().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn a_code_requested_in_the_browser_arrives_at_a_real_smtp_server() {
    let sink = SmtpSink::start(free_port()).await;
    let app = spawn_app_with(&refs(&smtp_settings(sink.port))).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();

    let started = Instant::now();
    browser.request_code("ada@example.com", Channel::Email).await;
    let mail = sink.next_message().await;
    eprintln!("request to SMTP server: {:?}", started.elapsed());

    assert_eq!(mail["to"], serde_json::json!(["ada@example.com"]));
    let text = text_of(&mail);
    for header in [
        " is your login code for Aarhus Roklub",
        "From: \"Contact portal\" <portal@example.com>",
        "Auto-Submitted: auto-generated",
        "Message-ID: <portal-job-1-",
        "Date: ",
        "Reply-To: help@example.com",
    ] {
        assert!(text.contains(header), "{header} missing in:\n{text}");
    }
    assert!(text.contains("multipart/alternative") && text.contains("text/plain") && text.contains("text/html"));
    assert!(!text.contains("http://") && !text.contains("https://") && !text.contains("<img"), "no links or pixels:\n{text}");
    let code = six_digits(&text).expect("a code in the mail");
    assert!(browser.enter_code(&code).await.body.contains("Your messages"));
    assert_eq!(job_status(&app).await, ["sent"]);
}

#[tokio::test]
async fn the_dev_outbox_lists_codes_in_the_order_they_were_issued_not_the_order_they_were_sent() {
    // Two workers can finish a newer code first; a person reading the outbox (and
    // `latest_code`) must still find the newest code last.
    let app = crate::helpers::spawn_app().await;
    for job in [7, 3] {
        let entry = server::store::OutboxEntry {
            channel: Channel::Email,
            recipient: "ada@example.com".into(),
            subject: "s".into(),
            body: format!("job {job}"),
            created_at: app.clock.now(),
            job,
        };
        app.store.add_to_outbox(&entry).await.expect("stored");
    }
    let bodies: Vec<String> = app.store.outbox().await.expect("outbox").into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["job 3", "job 7"]);
}

#[tokio::test]
async fn the_outbox_pages_do_not_exist_when_nothing_is_delivered_to_them() {
    let mut settings = smtp_settings(free_port());
    settings.retain(|(k, _)| *k != "PORTAL_SMS_DELIVERY");
    let app = spawn_app_with(&refs(&settings)).await;
    assert_eq!(app.browser().get("/dev/outbox").await.status, 404);
    assert_eq!(app.browser().get("/dev/outbox.json").await.status, 404);
}

#[tokio::test]
async fn smtp_refusing_connections_then_coming_back_still_delivers_the_code_in_time() {
    let port = free_port();
    let app = spawn_app_with(&refs(&smtp_settings(port))).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.request_code("ada@example.com", Channel::Email).await;

    // Nothing listens yet: the first try fails with a temporary error.
    eventually("the first try failed", || async {
        app.store.jobs(None).await.unwrap().first().is_some_and(|j| j.status == "queued" && j.attempts == 1 && j.last_error.is_some())
    })
    .await;
    let sink = SmtpSink::start(port).await;
    app.clock.advance(5); // past the longest backoff (4 s), far before the 10-minute expiry
    let mail = sink.next_message().await;
    let code = six_digits(&text_of(&mail)).expect("a code");
    assert!(browser.enter_code(&code).await.body.contains("Your messages"));

    let job = &app.store.jobs(None).await.unwrap()[0];
    let attempts = app.store.attempts(job.id).await.unwrap();
    let outcomes: Vec<_> = attempts.iter().map(|(o, _, _)| o.clone().unwrap_or_default()).collect();
    assert_eq!(outcomes.last().map(String::as_str), Some("sent"));
    assert!(outcomes[..outcomes.len() - 1].iter().all(|o| o == "temporary_failure"), "{outcomes:?}");
    assert!(sink.try_message(Duration::from_millis(300)).await.is_none(), "sent once");
}

#[tokio::test]
async fn an_smtp_server_that_refuses_the_address_fails_the_job_at_once() {
    let sink = SmtpSink::start_with(free_port(), &["--reject-rcpt"]).await;
    let app = spawn_app_with(&refs(&smtp_settings(sink.port))).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.browser().request_code("ada@example.com", Channel::Email).await;
    eventually("the job failed", || async { job_status(&app).await == ["failed"] }).await;
    let job = &app.store.jobs(None).await.unwrap()[0];
    assert_eq!(job.attempts, 1);
    assert!(job.last_error.as_deref().is_some_and(|e| e.contains("550")), "{job:?}");
}

#[tokio::test]
async fn a_code_that_expires_before_the_server_comes_back_is_not_sent() {
    let port = free_port();
    let mut settings = smtp_settings(port);
    settings.push(("PORTAL_CODE_TTL", "3s".into()));
    let app = spawn_app_with(&refs(&settings)).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.browser().request_code("ada@example.com", Channel::Email).await;
    eventually("the first try failed", || async { app.store.jobs(None).await.unwrap()[0].attempts >= 1 }).await;
    app.clock.advance(10);
    let sink = SmtpSink::start(port).await;
    eventually("the job expired", || async { job_status(&app).await == ["expired"] }).await;
    assert!(sink.try_message(Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn an_sms_goes_to_the_twilio_api_exactly_as_documented() {
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2010-04-01/Accounts/AC123/Messages.json"))
        .and(header("authorization", "Basic QUMxMjM6c2VjcmV0LXRva2Vu"))
        .and(body_string_contains("To=%2B4520123401"))
        .and(body_string_contains("From=%2B4570000000"))
        .and(body_string_contains("StatusCallback=https%3A%2F%2Fportal.example.com%2Fhooks%2Ftwilio%2Fstatus"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({ "sid": "SM0001", "status": "queued" })))
        .expect(1)
        .mount(&provider)
        .await;
    let app = spawn_app_with(&refs(&twilio_settings(&provider.uri()))).await;
    app.add_contact("Ada", Some("ada@example.com"), Some("20123401"), &[]).await;
    app.browser().request_code("ada@example.com", Channel::Sms).await;
    eventually("the SMS was sent", || async { job_status(&app).await == ["sent"] }).await;

    let request = &provider.received_requests().await.unwrap()[0];
    let form: Vec<(String, String)> = url_decode(&request.body);
    let body = &form.iter().find(|(k, _)| k == "Body").unwrap().1;
    let code = six_digits(body).unwrap();
    assert!(body.ends_with(&format!("\n@portal.example.com #{code}")), "WebOTP line: {body:?}");
    assert!(server::delivery::fits_one_gsm7_segment(body));
    let job = &app.store.jobs(None).await.unwrap()[0];
    assert_eq!((job.provider.as_deref(), job.provider_message_id.as_deref()), (Some("twilio"), Some("SM0001")));
}

fn url_decode(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap()
}

#[tokio::test]
async fn a_provider_error_5xx_then_success_sends_one_message() {
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("try later"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&provider)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({ "sid": "SM0002" })))
        .with_priority(2)
        .mount(&provider)
        .await;
    let app = spawn_app_with(&refs(&twilio_settings(&provider.uri()))).await;
    app.add_contact("Ada", None, Some("20123401"), &[]).await;
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    eventually("the first try failed", || async {
        app.store.jobs(None).await.unwrap()[0].attempts == 1 && job_status(&app).await == ["queued"]
    })
    .await;
    app.clock.advance(5);
    eventually("the SMS was sent", || async { job_status(&app).await == ["sent"] }).await;
    assert_eq!(provider.received_requests().await.unwrap().len(), 2, "one failure, one success: one message");
    let job = &app.store.jobs(None).await.unwrap()[0];
    let outcomes: Vec<_> = app.store.attempts(job.id).await.unwrap().into_iter().map(|(o, _, _)| o.unwrap_or_default()).collect();
    assert_eq!(outcomes, ["temporary_failure", "sent"]);
}

#[tokio::test]
async fn a_provider_error_4xx_fails_at_once_and_is_recorded() {
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(serde_json::json!({ "code": 21211, "message": "Invalid 'To' Phone Number" })),
        )
        .mount(&provider)
        .await;
    let app = spawn_app_with(&refs(&twilio_settings(&provider.uri()))).await;
    let ada = app.add_contact("Ada", None, Some("20123401"), &[]).await;
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    eventually("the job failed", || async { job_status(&app).await == ["failed"] }).await;
    app.clock.advance(60);
    let job = &app.store.jobs(None).await.unwrap()[0];
    assert!(job.last_error.as_deref().is_some_and(|e| e.contains("21211")), "{job:?}");
    app.wait_for_event(&ada, "delivery_failed").await;
    assert_eq!(provider.received_requests().await.unwrap().len(), 1, "no retry after a permanent failure");
}

#[tokio::test]
async fn a_job_claimed_by_a_worker_that_died_is_sent_once_after_its_lease() {
    let provider = twilio_accepting("SM0003", Duration::ZERO).await;
    let app = spawn_app_idle(&refs(&twilio_settings(&provider.uri()))).await;
    app.add_contact("Ada", None, Some("20123401"), &[]).await;
    app.browser().request_code("20 12 34 01", Channel::Sms).await;

    // A worker takes the job and dies before sending.
    let now = app.clock.now_ms();
    assert!(app.store.claim_job("dead-worker", now, now + 30_000).await.unwrap().is_some());
    let worker = app.worker.clone().unwrap();
    assert!(!worker.run_once().await.unwrap(), "the lease still holds");
    assert!(provider.received_requests().await.unwrap().is_empty());

    // The process restarts; after the lease ran out the job is taken again.
    app.clock.advance(31);
    worker.clone().spawn();
    eventually("the SMS was sent", || async { job_status(&app).await == ["sent"] }).await;
    // Another restart, much later: a sent job is never sent again.
    app.clock.advance(3600);
    worker.spawn();
    assert!(!app.worker.clone().unwrap().run_once().await.unwrap());
    assert_eq!(provider.received_requests().await.unwrap().len(), 1);
}

/// The worker names of a job's attempts, oldest first.
async fn attempt_workers(app: &TestApp, to: &str) -> Vec<String> {
    server::store::sql(
        "SELECT a.worker FROM delivery_attempts a JOIN delivery_jobs j ON j.id = a.job_id WHERE j.recipient = $1 ORDER BY a.id",
    )
    .bind(to)
    .scalar_all(app.store.db())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_code_skips_the_queue_when_a_place_is_free_and_queues_when_every_place_is_sending() {
    let provider = twilio_accepting("SM0005", Duration::from_secs(2)).await;
    let mut settings = twilio_settings(&provider.uri());
    settings.push(("PORTAL_DELIVERY_WORKERS", "1".to_string()));
    let app = spawn_app_idle(&refs(&settings)).await;
    app.add_contact("Ada", None, Some("20123401"), &[]).await;
    app.add_contact("Bob", None, Some("20123402"), &[]).await;

    // Before the workers run (a CLI command's portal), every job queues.
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    assert_eq!(job_status(&app).await, ["queued"]);
    let worker = app.worker.clone().unwrap();
    assert!(worker.run_once().await.unwrap());
    assert_eq!(attempt_workers(&app, "+4520123401").await.len(), 1);
    assert!(!attempt_workers(&app, "+4520123401").await[0].ends_with("/handoff"));

    // With the workers running, the step that issues the code writes its job claimed,
    // with its attempt, and sends it as it commits: no claim, no wait in the queue.
    worker.spawn();
    app.browser().request_code("20 12 34 02", Channel::Sms).await;
    let handed = attempt_workers(&app, "+4520123402").await;
    assert!(handed.len() == 1 && handed[0].ends_with("/handoff"), "{handed:?}");
    eventually("the handed-off SMS reached the provider", || async { provider.received_requests().await.unwrap().len() == 2 }).await;

    // The one place is sending Bob's code: Ada's new code queues, and goes when it frees.
    app.clock.advance(60);
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    let statuses = job_status(&app).await;
    assert_eq!(statuses.iter().filter(|s| *s == "queued").count(), 1, "{statuses:?}");
    eventually("every job sent", || async { job_status(&app).await.iter().all(|s| s == "sent") }).await;
    let ada = attempt_workers(&app, "+4520123401").await;
    assert!(ada.len() == 2 && !ada[1].ends_with("/handoff"), "the queued job went through a worker: {ada:?}");
    assert_eq!(provider.received_requests().await.unwrap().len(), 3, "each code sent once");
}

/// A handed-off job whose request was cancelled after its commit goes back to the
/// queue (`HandedOff`'s drop), rather than waiting out its lease.
#[tokio::test]
async fn a_claimed_job_not_yet_sent_goes_back_to_the_queue_for_its_holder_only() {
    let provider = twilio_accepting("SM0006", Duration::ZERO).await;
    let app = spawn_app_idle(&refs(&twilio_settings(&provider.uri()))).await;
    app.add_contact("Ada", None, Some("20123401"), &[]).await;
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    let now = app.clock.now_ms();
    let job = app.store.claim_job("step/handoff", now, now + 60_000).await.unwrap().unwrap();
    assert!(!app.store.requeue_job(job.id, "someone else").await.unwrap(), "only its holder puts it back");
    assert!(app.store.requeue_job(job.id, "step/handoff").await.unwrap());
    assert!(!app.store.requeue_job(job.id, "step/handoff").await.unwrap(), "once");
    assert_eq!(job_status(&app).await, ["queued"]);
    assert!(attempt_workers(&app, "+4520123401").await.is_empty(), "the attempt that never started is undone");
    assert!(app.worker.clone().unwrap().run_once().await.unwrap());
    assert_eq!(job_status(&app).await, ["sent"]);
    assert_eq!(provider.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_request_does_not_wait_for_a_slow_provider() {
    let provider = twilio_accepting("SM0004", Duration::from_secs(5)).await;
    let app = spawn_app_with(&refs(&twilio_settings(&provider.uri()))).await;
    app.add_contact("Ada", None, Some("20123401"), &[]).await;
    let page = app.browser().request_code("20 12 34 01", Channel::Sms).await;
    assert!(page.body.contains("Confirmation code"));
    // The provider has the request but has not answered, and the page is already here.
    eventually("the provider got the request", || async { !provider.received_requests().await.unwrap().is_empty() }).await;
    assert_eq!(job_status(&app).await, ["sending"]);
}

pub(crate) async fn post_receipt(app: &TestApp, params: &[(&str, &str)], signature: &str) -> u16 {
    let client = reqwest::Client::new();
    let response =
        client.post(format!("{}/hooks/twilio/status", app.base)).header("X-Twilio-Signature", signature).form(params).send().await.unwrap();
    response.status().as_u16()
}

pub(crate) fn sign(params: &[(&str, &str)]) -> String {
    let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    server::delivery::sms::twilio_signature("secret-token", "https://portal.example.com/hooks/twilio/status", &owned)
}

#[tokio::test]
async fn delivery_receipts_count_only_with_a_valid_signature() {
    let provider = twilio_accepting("SM0005", Duration::ZERO).await;
    let app = spawn_app_with(&refs(&twilio_settings(&provider.uri()))).await;
    let ada = app.add_contact("Ada", None, Some("20123401"), &[]).await;
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    eventually("the SMS was sent", || async { job_status(&app).await == ["sent"] }).await;

    let undelivered = [("MessageSid", "SM0005"), ("MessageStatus", "undelivered"), ("ErrorCode", "30003")];
    assert_eq!(post_receipt(&app, &undelivered, "forged").await, 403);
    let mut tampered = sign(&undelivered);
    tampered.replace_range(0..1, if tampered.starts_with('A') { "B" } else { "A" });
    assert_eq!(post_receipt(&app, &undelivered, &tampered).await, 403);
    assert_eq!(job_status(&app).await, ["sent"], "a refused receipt changes nothing");

    assert_eq!(post_receipt(&app, &undelivered, &sign(&undelivered)).await, 204);
    let job = &app.store.jobs(None).await.unwrap()[0];
    assert_eq!(job.status, "undelivered");
    assert!(job.last_error.as_deref().is_some_and(|e| e.contains("30003")));
    app.wait_for_event(&ada, "delivery_receipt").await;

    let delivered = [("MessageSid", "SM0005"), ("MessageStatus", "delivered")];
    assert_eq!(post_receipt(&app, &delivered, &sign(&delivered)).await, 204);
    assert_eq!(job_status(&app).await, ["delivered"]);
}

#[tokio::test]
async fn an_sms_webhook_gets_json_with_a_bearer_token() {
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(header("authorization", "Bearer hook-token"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(202).set_body_json(serde_json::json!({ "id": 42 })))
        .expect(1)
        .mount(&gateway)
        .await;
    let mut settings: Vec<(&str, String)> = FAST_WORKER.iter().map(|(k, v)| (*k, v.to_string())).collect();
    settings.extend([
        ("PORTAL_SMS_DELIVERY", "webhook".to_string()),
        ("SMS_WEBHOOK_URL", format!("{}/send", gateway.uri())),
        ("SMS_WEBHOOK_TOKEN", "hook-token".to_string()),
    ]);
    let app = spawn_app_with(&refs(&settings)).await;
    app.add_contact("Ada", None, Some("20123401"), &[]).await;
    app.browser().request_code("20 12 34 01", Channel::Sms).await;
    eventually("the SMS was sent", || async { job_status(&app).await == ["sent"] }).await;
    let request = &gateway.received_requests().await.unwrap()[0];
    let json: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(json["to"], "+4520123401");
    assert!(json["body"].as_str().and_then(six_digits).is_some());
    assert_eq!(app.store.jobs(None).await.unwrap()[0].provider_message_id.as_deref(), Some("42"));
}

#[tokio::test]
async fn codes_in_delivery_jobs_are_sealed_and_wiped_after_sending() {
    let app = spawn_app_idle(&[("PORTAL_DELIVERY_POLL", "20ms")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.browser().request_code("ada@example.com", Channel::Email).await;
    let sealed: Vec<Vec<u8>> = server::store::sql("SELECT payload FROM delivery_jobs").scalar_all(app.store.db()).await.unwrap();
    app.worker.clone().unwrap().spawn();
    let code = app.latest_code("ada@example.com").await;
    assert!(!sealed[0].windows(6).any(|w| w == code.as_bytes()), "the queued job does not hold the code in the clear");
    eventually("the payload is wiped", || async {
        let left: Vec<Option<Vec<u8>>> = server::store::sql("SELECT payload FROM delivery_jobs").scalar_all(app.store.db()).await.unwrap();
        left == [None]
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_database_send_each_code_once() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let shared = [("DATABASE_URL", db.as_str()), ("PORTAL_DELIVERY_POLL", "20ms"), ("PORTAL_DELIVERY_WORKERS", "3")];
    // Two portals (as two processes would be) with three workers each.
    let first = spawn_app_idle(&shared).await;
    let second = spawn_app_idle(&shared).await;
    for i in 0..30 {
        first.add_contact("C", Some(&format!("c{i}@example.com")), None, &[]).await;
    }
    for i in 0..30 {
        let app = if i % 2 == 0 { &first } else { &second };
        app.browser().request_code(&format!("c{i}@example.com"), Channel::Email).await;
    }
    first.worker.clone().unwrap().spawn();
    second.worker.clone().unwrap().spawn();
    eventually("every job was sent", || async { job_status(&first).await.iter().all(|s| s == "sent") }).await;
    let outbox = first.store.outbox().await.unwrap();
    let mut recipients: Vec<&str> = outbox.iter().map(|m| m.recipient.as_str()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!((outbox.len(), recipients.len()), (30, 30), "each code sent exactly once");
}
