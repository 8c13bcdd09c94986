//! A running portal and a minimal browser: cookies kept by hand, redirects not
//! followed, forms posted as a browser without JavaScript posts them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use domain::Channel;
use domain::{Region, Timestamp};
use reqwest::header::{ACCEPT, COOKIE, HeaderMap, SET_COOKIE};
use server::clock::{Clock, ManualClock};
use server::config::Config;
use server::store::{Contact, Store};

pub const T0: Timestamp = Timestamp(1_800_000_000);

/// The database a test runs on: a SQLite file in the test's folder, or, when
/// `TEST_DATABASE_URL` names a PostgreSQL server, a database of its own on that server,
/// made for the test and dropped when it ends. Both run the same tests.
pub struct TestDb {
    pub url: String,
    /// The server's URL and this test's database on it.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database; `file` names it on SQLite.
    pub fn new(dir: &std::path::Path, file: &str) -> TestDb {
        let Some(server) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
            return TestDb { url: format!("sqlite://{}", dir.join(file).display()), postgres: None };
        };
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name =
            format!("portal_test_{}_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed), rand_suffix());
        on_server(&server, &format!("CREATE DATABASE {name}"));
        TestDb { url: with_database(&server, &name), postgres: Some((server, name)) }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Everything stored, as bytes: the SQLite file and its log, or a PostgreSQL data dump.
    pub fn raw_contents(&self) -> Vec<u8> {
        match &self.postgres {
            None => {
                let path = std::path::PathBuf::from(self.url.trim_start_matches("sqlite://"));
                let mut bytes = std::fs::read(&path).unwrap();
                bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
                bytes
            }
            Some(_) => {
                let out = std::process::Command::new("pg_dump").args(["--data-only", &self.url]).output().expect("pg_dump runs");
                assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
                out.stdout
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres {
            on_server(server, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn rand_suffix() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded from the OS's randomness: no clock needed.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    (h.finish() % 1_000_000) as u32
}

/// `postgres://user@host:port/db?opts` with another database.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// Runs one statement on the test server, from a thread of its own so that it works
/// in and outside the tests' runtimes (and in `Drop`).
fn on_server(server: &str, statement: &str) {
    let (server, statement) = (server.to_string(), statement.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&server).await.unwrap_or_else(|e| panic!("TEST_DATABASE_URL: {e}"));
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone())).execute(&mut conn).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
        });
    })
    .join()
    .expect("the database server answered");
}

pub struct TestApp {
    pub base: String,
    /// The origin the portal believes it has (`PORTAL_PUBLIC_URL`).
    pub origin: String,
    pub clock: ManualClock,
    pub store: Store,
    pub db: std::sync::Arc<TestDb>,
    pub worker: Option<server::delivery::Worker>,
    _dir: tempfile::TempDir,
}

/// Polls `check` until it holds (the worker runs beside the test), for at most 30 s (a loaded CI machine is slow; a pass is quick).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..3000 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The organisation every test portal runs for (`PORTAL_ORGANISATION`).
pub const ORGANISATION: &str = "Aarhus Roklub";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(settings: &[(&str, &str)]) -> TestApp {
    let app = spawn_app_idle(settings).await;
    if let Some(worker) = app.worker.clone() {
        worker.spawn();
    }
    app
}

/// A portal whose delivery worker is not started: `app.worker` starts it.
pub async fn spawn_app_idle(settings: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("free port");
    let addr = listener.local_addr().expect("address");
    let db = std::sync::Arc::new(TestDb::new(dir.path(), "portal.db"));
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert("DATABASE_URL".into(), db.url.clone());
    env.insert("PORTAL_KEY_FILE".into(), dir.path().join("secret.key").display().to_string());
    env.insert("PORTAL_ADDR".into(), addr.to_string());
    env.insert("PORTAL_PUBLIC_URL".into(), format!("http://{addr}"));
    // Outside dev mode a key is required (dev mode makes a key file: the CLI and
    // end-to-end tests cover that).
    // The answer-time floor of "Send code" is measured by its own test; elsewhere it
    // would only slow the suite down.
    env.insert("PORTAL_SEND_CODE_FLOOR".into(), "0ms".into());
    // Who the codes come from: required outside dev mode, and in every page title.
    env.insert("PORTAL_ORGANISATION".into(), ORGANISATION.into());
    env.insert("PORTAL_SECRET_KEY".into(), "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff".into());
    for (k, v) in settings {
        env.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|name| env.get(name).cloned()).expect("config");
    let origin = config.public_url.clone();
    let clock = ManualClock::at(T0);
    let server::Portal { service, worker } = server::build(&config, Arc::new(clock.clone())).await.expect("portal builds");
    let store = service.store().clone();
    let router = server::http::router(&config, service);
    tokio::spawn(server::http::serve(listener, router));
    TestApp { base: format!("http://{addr}"), origin, clock, store, db, worker: Some(worker), _dir: dir }
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base, &self.origin)
    }

    /// A browser on another network, as a trusted proxy (`PORTAL_TRUSTED_PROXIES=127.0.0.1`) reports it.
    pub fn browser_from(&self, ip: &str) -> Browser {
        Browser::new(&self.base, &self.origin).forwarded_from(ip)
    }

    pub async fn add_contact(&self, name: &str, email: Option<&str>, phone: Option<&str>, opt_out: &[Channel]) -> Contact {
        let new = server::contacts::new_contact(name, email, phone, opt_out, Region::parse("DK").expect("DK")).expect("valid contact");
        let id = self.store.add_contact(&new, self.clock.now()).await.expect("contact added");
        self.store.contact(id).await.expect("read").expect("exists")
    }

    pub async fn outbox_count(&self) -> usize {
        self.deliveries_settled().await;
        self.store.outbox().await.expect("outbox").len()
    }

    /// The code in the newest dev-outbox message to `to`, once the delivery worker
    /// has put one there (it runs beside the requests, not inside them).
    pub async fn latest_code(&self, to: &str) -> String {
        let (_, body) = self.latest_message(to).await;
        six_digits(&body).unwrap_or_else(|| panic!("no code in {body:?}"))
    }

    /// The subject and body of the message of the newest delivery job to `to`, once the
    /// worker has delivered it. Found by its job, not by counting messages: delivery is
    /// at least once, and a job whose lease ran out (the tests move the clock) may
    /// arrive twice.
    pub async fn latest_message(&self, to: &str) -> (String, String) {
        let newest = self.store.jobs(None).await.expect("jobs").into_iter().filter(|j| j.recipient == to).map(|j| j.id).max();
        let Some(newest) = newest else { panic!("no code was ever sent to {to}") };
        for _ in 0..3000 {
            let outbox = self.store.outbox().await.expect("outbox");
            if let Some(m) = outbox.iter().rev().find(|m| m.recipient == to && m.job == newest) {
                return (m.subject.clone(), m.body.clone());
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the newest message to {to} did not arrive in the dev outbox");
    }

    /// Waits until the event log holds an event of `kind` for `contact`.
    pub async fn wait_for_event(&self, contact: &Contact, kind: &str) {
        for _ in 0..2000 {
            if self.event_kinds(contact).await.iter().any(|k| k == kind) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("no {kind} event for contact {}", contact.id.0);
    }

    /// How many delivery jobs were queued for `to`.
    pub async fn jobs_for(&self, to: &str) -> usize {
        self.store.jobs(None).await.expect("jobs").iter().filter(|j| j.recipient == to).count()
    }

    /// Waits until every queued job has been handled by the worker.
    pub async fn deliveries_settled(&self) {
        for _ in 0..2000 {
            let jobs = self.store.jobs(None).await.expect("jobs");
            if jobs.iter().all(|j| !j.status.pending()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("deliveries did not settle");
    }

    pub async fn event_kinds(&self, contact: &Contact) -> Vec<String> {
        // What pages record is written aside: wait for it first.
        assert!(self.store.settle(std::time::Duration::from_secs(10)).await, "records written aside");
        let events = self.store.events(Some(contact.id)).await.expect("events");
        // The log is written and read as one type: a row it cannot read is a defect.
        let unreadable: Vec<_> = events.iter().filter(|e| e.kind() == server::store::EventKind::Unreadable).collect();
        assert!(unreadable.is_empty(), "events the log cannot read: {unreadable:?}");
        events
            .into_iter()
            .map(|e| {
                format!("{}{}", e.kind(), e.detail().get("reason").map(|r| format!(":{}", r.as_str().unwrap_or(""))).unwrap_or_default())
            })
            .collect()
    }
}

pub fn six_digits(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5)).find_map(|i| {
        let window = &bytes[i..i + 6];
        let before = i.checked_sub(1).map(|j| bytes[j].is_ascii_digit()).unwrap_or(false);
        let after = bytes.get(i + 6).is_some_and(u8::is_ascii_digit);
        (window.iter().all(u8::is_ascii_digit) && !before && !after).then(|| String::from_utf8_lossy(window).into_owned())
    })
}

#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok().map(str::to_string)).collect()
    }

    /// The page without per-request tokens (the CSP nonce), for byte comparisons.
    /// The body with what differs between any two answers masked: the nonce, and the
    /// support reference (random for every refusal, issue 24).
    pub fn stable_body(&self) -> String {
        let mut out = self.body.clone();
        // The reference is in the language switch's return address too.
        for (marker, end) in [("nonce=\"", '"'), ("crossorigin=\"", '"'), (REF_MARK, '<'), ("&amp;ref=", '"')] {
            let mut from = 0;
            while let Some(start) = out[from..].find(marker).map(|i| i + from + marker.len()) {
                let stop = out[start..].find(end).map(|i| i + start).unwrap_or(start);
                out.replace_range(start..stop, "…");
                from = start;
            }
        }
        out
    }

    /// The support reference the page shows (`K7M-4QX`), if any.
    pub fn reference(&self) -> Option<String> {
        let start = self.body.find(REF_MARK)? + REF_MARK.len();
        let end = self.body[start..].find('<')? + start;
        Some(self.body[start..end].to_string())
    }
}

/// Where a page shows its support reference.
const REF_MARK: &str = "class=\"ref-code\">";

/// An address with its support reference (`ref=K7M4QX`) masked: it differs for every
/// refusal.
pub fn mask_reference(location: &str) -> String {
    match location.find("ref=") {
        Some(i) => {
            let end = location[i..].find('&').map_or(location.len(), |j| i + j);
            format!("{}ref=…{}", &location[..i], &location[end..])
        }
        None => location.to_string(),
    }
}

/// A browser with cookies and without JavaScript.
pub struct Browser {
    base: String,
    origin: String,
    client: reqwest::Client,
    pub cookies: Arc<Mutex<BTreeMap<String, String>>>,
    forwarded_for: Option<String>,
    accept_language: Option<String>,
}

impl Browser {
    pub fn new(base: &str, origin: &str) -> Self {
        // Says what a browser says, so the contact card can name it.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
            .build()
            .expect("client");
        Browser {
            base: base.to_string(),
            origin: origin.to_string(),
            client,
            cookies: Arc::new(Mutex::new(BTreeMap::new())),
            forwarded_for: None,
            accept_language: None,
        }
    }

    /// The same browser on another network, as a trusted proxy reports it.
    pub fn forwarded_from(mut self, ip: &str) -> Browser {
        self.forwarded_for = Some(ip.to_string());
        self
    }

    /// The same browser set to prefer `languages` (an `Accept-Language` value).
    pub fn speaking(mut self, languages: &str) -> Browser {
        self.accept_language = Some(languages.to_string());
        self
    }

    /// The same browser (its cookies shared) reaching the portal at `base`: another
    /// process behind the same load balancer.
    pub fn at(&self, base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            origin: self.origin.clone(),
            client: self.client.clone(),
            cookies: self.cookies.clone(),
            forwarded_for: self.forwarded_for.clone(),
            accept_language: self.accept_language.clone(),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("lock").get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies.lock().expect("lock").insert(name.into(), value.into());
    }

    fn cookie_header(&self) -> String {
        self.cookies.lock().expect("lock").iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let request = match &self.forwarded_for {
            Some(ip) => request.header("x-forwarded-for", ip),
            None => request,
        };
        let request = match &self.accept_language {
            Some(languages) => request.header("accept-language", languages),
            None => request,
        };
        // A browser without JavaScript, on the portal's own pages, sends its origin.
        let response = request
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header("origin", &self.origin)
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for set in headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let (pair, attrs) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let mut jar = self.cookies.lock().expect("lock");
            if attrs.contains("Max-Age=0") {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_string(), value.trim().to_string());
            }
        }
        let body = response.text().await.expect("body");
        Page { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.send(self.client.get(format!("{}{path}", self.base))).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(self.client.post(format!("{}{path}", self.base)).form(form)).await
    }

    /// Posts a form as a script does (`fetch` with an `Accept` header): the answer is
    /// the server function's own, not a redirect.
    pub async fn post_accepting(&self, path: &str, form: &[(&str, &str)], accept: &str) -> Page {
        self.send(self.client.post(format!("{}{path}", self.base)).header(ACCEPT, accept).form(form)).await
    }

    /// Posts JSON as the page's script does (`fetch` with a JSON body).
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Page {
        self.send(self.client.post(format!("{}{path}", self.base)).json(body)).await
    }

    /// Posts a form and follows the redirect, as a browser without JavaScript does.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let posted = self.post(path, form).await;
        assert_eq!(posted.status, 302, "a form post answers with a redirect: {posted:?}");
        let to = posted.location().expect("location").to_string();
        self.get(&to).await
    }

    pub async fn request_code(&self, identifier: &str, channel: Channel) -> Page {
        self.submit("/api/login/request-code", &[("identifier", identifier), ("channel", channel.as_str()), ("next", "/")]).await
    }

    pub async fn resend(&self, channel: Channel) -> Page {
        self.submit("/api/login/resend-code", &[("channel", channel.as_str()), ("next", "/")]).await
    }

    pub async fn enter_code(&self, code: &str) -> Page {
        self.submit("/api/login/verify-code", &[("code", code), ("next", "/")]).await
    }

    /// Logs in with the newest code sent to `to`; returns the page after login.
    pub async fn log_in(&self, app: &TestApp, identifier: &str, channel: Channel, to: &str) -> Page {
        self.request_code(identifier, channel).await;
        let code = app.latest_code(to).await;
        self.enter_code(&code).await
    }
}

/// A code that differs from `code` in every digit.
pub fn wrong(code: &str) -> String {
    code.bytes().map(|b| char::from(b'0' + (b - b'0' + 1) % 10)).collect()
}

/// Runs the `portal` command line on the database at `db`, off the test's runtime
/// thread: the server under test shares that thread, and a transaction it has open
/// must be able to finish while the command waits for the database.
pub async fn portal(db: &str, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_portal"));
    command.args(args).env("DATABASE_URL", db).env("RUST_LOG", "warn");
    tokio::task::spawn_blocking(move || command.output().expect("portal runs")).await.expect("joined")
}
