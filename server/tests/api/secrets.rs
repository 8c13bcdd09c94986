//! Provider answers and provider URLs never carry a secret into the logs, the events
//! or the delivery records: the real `portal` binary at debug log level, an SMS
//! gateway that echoes the request it got (code included) in its error answer, and a
//! gateway URL with a password and a token in it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use server::store::Store;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::six_digits;
use crate::sinks::free_port;

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Portal {
    child: Child,
    db: String,
    /// Dropped after the process is stopped.
    _db: crate::helpers::TestDb,
    base: String,
    /// Its stderr, in a file: a pipe nobody reads would fill up and stall it.
    log: std::path::PathBuf,
}

impl Portal {
    /// Stops the process; its database stays until the `Portal` goes.
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A failed assertion must not leave the server running.
impl Drop for Portal {
    fn drop(&mut self) {
        self.stop();
    }
}

fn start(dir: &std::path::Path, webhook_url: &str) -> Portal {
    let test_db = crate::helpers::TestDb::new(dir, "p.db");
    let db = test_db.url.clone();
    let port = free_port();
    let log = dir.join("stderr.log");
    let run = |args: &[&str], stderr: Stdio| {
        Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(args)
            .env("DATABASE_URL", &db)
            .env("PORTAL_ADDR", format!("127.0.0.1:{port}"))
            .env("SMS_WEBHOOK_URL", webhook_url)
            .env("SMS_WEBHOOK_TOKEN", "hook-token-secret")
            .env("PORTAL_SECRET_KEY", KEY)
            .env("PORTAL_ORGANISATION", "Aarhus Roklub")
            .env("PORTAL_CODE_TTL", "3s")
            .env("PORTAL_DELIVERY_RETRY_BASE", "100ms")
            .env("PORTAL_DELIVERY_POLL", "50ms")
            .env("PORTAL_SEND_CODE_FLOOR", "0ms")
            .env("RUST_LOG", "debug")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap()
    };
    let add = run(&["contact", "add", "--name", "Ada", "--phone", "20123401"], Stdio::piped()).wait_with_output().unwrap();
    assert!(add.status.success(), "{add:?}");
    let child = run(&["serve"], Stdio::from(std::fs::File::create(&log).unwrap()));
    Portal { child, db, _db: test_db, base: format!("http://127.0.0.1:{port}"), log }
}

/// Asks for an SMS code, waits until its job is done (failed or expired), stops the
/// portal and returns everything it logged and recorded.
async fn ask_and_collect(mut portal: Portal) -> (String, Vec<String>) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for _ in 0..200 {
        if http.get(format!("{}/healthz", portal.base)).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let response = http
        .post(format!("{}/api/login/request-code", portal.base))
        .header("origin", &portal.base)
        .header("accept", "text/html")
        .form(&[("identifier", "20123401"), ("channel", "sms"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let store = Store::open(&portal.db).await.unwrap();
    for _ in 0..400 {
        let jobs = store.jobs(None).await.unwrap();
        if jobs.len() == 1 && ["failed", "expired"].contains(&jobs[0].status.as_str()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let jobs = store.jobs(None).await.unwrap();
    let log_file = portal.log.clone();
    portal.stop();
    let log = std::fs::read_to_string(&log_file).unwrap();
    assert!(["failed", "expired"].contains(&jobs[0].status.as_str()), "{jobs:?}");
    assert!(log.contains("sqlx::query"), "the log is at debug level");
    let mut records: Vec<String> = Vec::new();
    for query in [
        "SELECT COALESCE(last_error, '') FROM delivery_jobs",
        "SELECT COALESCE(error, '') FROM delivery_attempts",
        "SELECT detail FROM events",
    ] {
        records.extend(server::store::sql(query).scalar_all::<String>(store.db()).await.unwrap());
    }
    (log, records)
}

fn assert_nowhere(secrets: &[&str], log: &str, records: &[String]) {
    for secret in secrets {
        assert!(!log.contains(secret), "{secret} is in the log");
        assert!(!records.iter().any(|r| r.contains(secret)), "{secret} is in a record: {records:?}");
    }
}

#[tokio::test]
async fn a_gateway_echoing_the_code_in_its_error_leaves_no_code_in_logs_or_records() {
    let gateway = MockServer::start().await;
    // The error answer repeats the request it got, code and all.
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(|req: &Request| ResponseTemplate::new(400).set_body_bytes(req.body.clone()))
        .mount(&gateway)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (log, records) = ask_and_collect(start(dir.path(), &format!("{}/send?token=query-secret", gateway.uri()))).await;
    let sent = &gateway.received_requests().await.unwrap()[0];
    let body = String::from_utf8_lossy(&sent.body).to_string();
    let code = six_digits(&body).expect("the gateway got a code");
    assert!(records.iter().any(|r| r.contains("HTTP 400")), "the failure is recorded: {records:?}");
    assert_nowhere(&[&code, "query-secret", "hook-token-secret"], &log, &records);
}

#[tokio::test]
async fn an_unreachable_gateway_url_with_credentials_is_never_written_out() {
    let dir = tempfile::tempdir().unwrap();
    let closed = free_port();
    let url = format!("http://gateway-user:url-password@127.0.0.1:{closed}/send?token=query-secret");
    let (log, records) = ask_and_collect(start(dir.path(), &url)).await;
    assert!(records.iter().any(|r| r.contains("request failed")), "the failure is recorded: {records:?}");
    assert_nowhere(&["url-password", "query-secret", "hook-token-secret", "gateway-user"], &log, &records);
}
