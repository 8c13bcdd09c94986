//! Two `portal serve` processes on one database, as behind a load balancer: a
//! contact's requests land on either, and nothing they share lives in a process.
//! Runs on whichever database the suite runs on (a SQLite file, or PostgreSQL).

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use domain::Channel;
use domain::Region;
use futures::future::join_all;
use server::store::Store;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{Browser, TestDb, six_digits};
use crate::sinks::free_port;

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const FLOW: &str = "__Host-portal-flow";
const DEVICE: &str = "__Host-portal-device";
const WORKERS: usize = 2;

/// One `portal serve`, killed when dropped.
struct Process {
    child: Child,
    base: String,
    pid: u32,
}

impl Process {
    fn start(db: &str, public: &str, gateway: &str) -> Process {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_portal"))
            .arg("serve")
            .env("DATABASE_URL", db)
            .env("PORTAL_ADDR", format!("127.0.0.1:{port}"))
            .env("PORTAL_PUBLIC_URL", public)
            .env("PORTAL_SECRET_KEY", KEY)
            .env("PORTAL_ORGANISATION", "Aarhus Roklub")
            .env("PORTAL_SMS_DELIVERY", "webhook")
            .env("SMS_WEBHOOK_URL", format!("{gateway}/send"))
            .env("SMS_WEBHOOK_TOKEN", "hook-token")
            .env("PORTAL_DELIVERY_WORKERS", WORKERS.to_string())
            .env("PORTAL_DELIVERY_POLL", "20ms")
            .env("PORTAL_DELIVERY_LEASE", "2s")
            .env("PORTAL_DELIVERY_RETRY_BASE", "100ms")
            .env("PORTAL_RESEND_COOLDOWN", "2s")
            .env("PORTAL_IDENTIFIER_MIN_INTERVAL", "1s")
            .env("PORTAL_IDENTIFIER_CODES_PER_HOUR", "4")
            .env("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "100000")
            .env("PORTAL_IP_VERIFICATIONS_PER_HOUR", "100000")
            .env("PORTAL_SMS_PREFIX_PER_HOUR", "100000")
            .env("PORTAL_SMS_PER_HOUR", "100000")
            .env("PORTAL_SEND_CODE_FLOOR", "0ms")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("portal starts");
        let pid = child.id();
        Process { child, base: format!("http://127.0.0.1:{port}"), pid }
    }

    async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{}/healthz", self.base)).await.map(|r| r.status().is_success()).ok() != Some(true) {
            assert!(self.child.try_wait().unwrap().is_none(), "{} exited", self.base);
            assert!(Instant::now() < deadline, "{} did not start", self.base);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no shutdown, leases left as they are.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The `n`th test phone number, as typed and as sent to.
fn phone(n: usize) -> (String, String) {
    let national = format!("2{n:07}");
    (national.clone(), format!("+45{national}"))
}

/// What the SMS gateway received: `(to, body)` in order.
async fn received(gateway: &MockServer) -> Vec<(String, String)> {
    received_with_keys(gateway).await.into_iter().map(|(to, body, _)| (to, body)).collect()
}

/// `(to, body, Idempotency-Key)` of every request, in order.
async fn received_with_keys(gateway: &MockServer) -> Vec<(String, String, String)> {
    gateway
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            let key = r.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            (json["to"].as_str().unwrap().to_string(), json["body"].as_str().unwrap().to_string(), key)
        })
        .collect()
}

/// The newest code the gateway received for `to`, once there are `count` messages to it.
async fn code_for(gateway: &MockServer, to: &str, count: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mine: Vec<String> = received(gateway).await.into_iter().filter(|(t, _)| t == to).map(|(_, b)| b).collect();
        if mine.len() >= count {
            return six_digits(mine.last().unwrap()).expect("a code in the text");
        }
        assert!(Instant::now() < deadline, "no message {count} to {to}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn jobs_to(store: &Store, to: &str) -> Vec<String> {
    store.jobs(None).await.unwrap().into_iter().filter(|j| j.recipient == to).map(|j| j.status.to_string()).collect()
}

async fn accepting(gateway: &MockServer, delay: Duration) {
    gateway.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(202).set_body_json(serde_json::json!({ "id": "m" })).set_delay(delay))
        .mount(gateway)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_act_as_one_portal() {
    const ROUNDS: usize = 200;
    const KILLED_RUN: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path(), "shared.db");
    let store = Store::open(&db.url).await.unwrap();
    let contacts = 3 + ROUNDS + KILLED_RUN;
    for n in 0..contacts {
        let new =
            server::contacts::new_contact(&format!("Contact {n}"), None, Some(&phone(n).0), &[], Region::parse("DK").unwrap()).unwrap();
        store.add_contact(&new, domain::Timestamp(1_700_000_000)).await.unwrap();
    }
    let gateway = MockServer::start().await;
    accepting(&gateway, Duration::ZERO).await;
    // The address of the load balancer in front of both: what browsers call the origin.
    let public = format!("http://127.0.0.1:{}", free_port());
    let mut a = Process::start(&db.url, &public, &gateway.uri());
    let mut b = Process::start(&db.url, &public, &gateway.uri());
    a.ready().await;
    b.ready().await;
    let on = |i: usize| if i.is_multiple_of(2) { a.base.clone() } else { b.base.clone() };

    // A code asked for through one process logs in through the other, and the
    // browser is then remembered by both.
    let (typed, to) = phone(0);
    let browser = Browser::new(&a.base, &public);
    browser.request_code(&typed, Channel::Sms).await;
    let code = code_for(&gateway, &to, 1).await;
    let there = browser.at(&b.base);
    assert_eq!(there.post("/api/login/verify-code", &[("code", &code), ("next", "/")]).await.location(), Some("/"));
    assert_eq!(browser.get("/").await.status, 200, "remembered by the first process too");

    // The resend cooldown holds across processes.
    let (typed, to) = phone(1);
    let browser = Browser::new(&a.base, &public);
    browser.request_code(&typed, Channel::Sms).await;
    let refused = browser.at(&b.base).resend(Channel::Sms).await;
    assert!(refused.body.contains("before asking for another code"), "the contact is told to wait: {}", refused.body);
    assert_eq!(jobs_to(&store, &to).await.len(), 1, "a new code within the cooldown is refused by the other process");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    browser.at(&b.base).resend(Channel::Sms).await;
    assert_eq!(jobs_to(&store, &to).await.len(), 2, "after the cooldown the other process sends it");

    // The per-identifier limits (one code a second, 4 an hour) hold exactly under
    // bursts of 6 parallel requests spread over both processes: never two codes in
    // one second (the limit's grain), never a fifth in the hour.
    let (typed, to) = phone(2);
    for _ in 0..5 {
        join_all((0..6).map(|i| {
            let browser = Browser::new(&on(i), &public);
            let typed = typed.clone();
            async move { browser.request_code(&typed, Channel::Sms).await }
        }))
        .await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    assert_eq!(jobs_to(&store, &to).await.len(), 4, "at most 4 an hour, and each burst after a quiet second got one");
    let issued: Vec<i64> = server::store::sql(
        "SELECT c.created_at FROM login_codes c JOIN contacts k ON k.id = c.contact_id WHERE k.phone = $1 AND c.sent = TRUE ORDER BY c.created_at",
    )
    .bind(to.as_str())
    .scalar_all(store.db())
    .await
    .unwrap();
    assert!(issued.windows(2).all(|w| w[1] > w[0]), "never two codes in one second: {issued:?}");

    // 16 parallel entries of one code, spread over both processes: one login, every round.
    let started = Instant::now();
    for round in 0..ROUNDS {
        let n = 3 + round;
        let (typed, to) = phone(n);
        let browser = Browser::new(&on(round), &public);
        browser.request_code(&typed, Channel::Sms).await;
        let flow = browser.cookie(FLOW).unwrap();
        let code = code_for(&gateway, &to, 1).await;
        let results = join_all((0..16).map(|i| {
            let racer = Browser::new(&on(i), &public);
            racer.set_cookie(FLOW, &flow);
            let code = code.clone();
            async move {
                let posted = racer.post("/api/login/verify-code", &[("code", &code), ("next", "/")]).await;
                racer.cookie(DEVICE).filter(|_| posted.location() == Some("/"))
            }
        }))
        .await;
        assert_eq!(results.iter().flatten().count(), 1, "round {round}: exactly one login");
    }
    let race = started.elapsed();
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    for (to, _) in received(&gateway).await {
        *per_recipient.entry(to).or_default() += 1;
    }
    for round in 0..ROUNDS {
        assert_eq!(per_recipient.get(&phone(3 + round).1), Some(&1), "round {round}: its code sent exactly once");
    }

    // A process killed while it is sending: every job is still sent, and a message
    // goes out twice only where the killed process was inside the provider's request
    // when it died (it cannot know whether the provider got it, so the job is sent
    // again after its lease rather than perhaps never).
    accepting(&gateway, Duration::from_millis(150)).await;
    let first = 3 + ROUNDS;
    for i in 0..KILLED_RUN {
        Browser::new(&on(i), &public).request_code(&phone(first + i).0, Channel::Sms).await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while received(&gateway).await.len() < 8 {
        assert!(Instant::now() < deadline, "sending did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    a.kill();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let jobs = store.jobs(None).await.unwrap();
        if jobs.iter().all(|j| j.status == "sent") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "jobs left unsent after the kill: {:?}",
            jobs.iter().filter(|j| j.status != "sent").collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (to, _, key) in received_with_keys(&gateway).await {
        *per_recipient.entry(to.clone()).or_default() += 1;
        keys.entry(to).or_default().push(key);
    }
    let interrupted: Vec<i64> = server::store::sql("SELECT job_id FROM delivery_attempts WHERE worker LIKE $1 AND finished_at IS NULL")
        .bind(format!("{}-%", a.pid))
        .scalar_all(store.db())
        .await
        .unwrap();
    assert!(
        interrupted.len() <= WORKERS,
        "at most PORTAL_DELIVERY_WORKERS sends in flight in the killed process (queue and hand-off share its places): {interrupted:?}"
    );
    let jobs = store.jobs(None).await.unwrap();
    let mut twice = 0;
    for i in 0..KILLED_RUN {
        let to = phone(first + i).1;
        let sent = per_recipient.get(&to).copied().unwrap_or(0);
        let job = jobs.iter().find(|j| j.recipient == to).unwrap();
        match sent {
            1 => {}
            2 if interrupted.contains(&job.id) => {
                let both = &keys[&to];
                assert!(
                    both[0].starts_with("portal-job-") && both[0] == both[1],
                    "a copy sent again carries the same Idempotency-Key: {both:?}"
                );
                twice += 1;
            }
            n => panic!("{to}: sent {n} times (interrupted jobs: {interrupted:?})"),
        }
    }
    eprintln!(
        "two processes on {}: {ROUNDS} rounds of 16 parallel entries in {:.1} s, one login each; \
         {KILLED_RUN} jobs with one process killed mid-run: all sent, {twice} sent twice (in flight at the kill)",
        if db.is_postgres() { "PostgreSQL" } else { "SQLite" },
        race.as_secs_f64()
    );
}
