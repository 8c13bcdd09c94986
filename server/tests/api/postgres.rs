//! What only a database server has: connections that can be lost. The portal reaches
//! PostgreSQL through a TCP relay the test can cut and restore, as a database that
//! stops and comes back looks from the portal's side (every connection dropped, new
//! ones refused). These tests need `TEST_DATABASE_URL`; `scripts/test` runs them in
//! its PostgreSQL pass and says in one line when there is no server to run them on.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::Channel;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::helpers::{TestDb, spawn_app_with};

mod locks;
mod schema;

/// A TCP relay to the database server that can be cut and restored on the same port.
struct Relay {
    port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: &str) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = Relay { port: listener.local_addr().unwrap().port(), target: target.to_string(), tasks: Arc::default() };
        relay.serve(listener);
        relay
    }

    fn serve(&self, listener: TcpListener) {
        let (target, tasks) = (self.target.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().unwrap().push(pipe);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Every connection dropped, and new ones refused.
    async fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    async fn restore(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("the relay's port did not come back: {e}"),
            }
        };
        self.serve(listener);
    }
}

/// The test database, and its URL through a relay.
async fn relayed() -> (tempfile::TempDir, TestDb, Relay, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path(), "unused.db");
    assert!(db.is_postgres(), "the postgres:: tests need TEST_DATABASE_URL naming a PostgreSQL server");
    let (scheme_user, rest) = db.url.split_once('@').expect("postgres://user@host:port/db");
    let (host_port, path) = rest.split_once('/').expect("a database in the URL");
    let relay = Relay::start(host_port).await;
    let url = format!("{scheme_user}@127.0.0.1:{}/{path}", relay.port);
    (dir, db, relay, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_says_try_again_in_a_moment_and_the_portal_recovers_by_itself() {
    let (_dir, _db, relay, url) = relayed().await;
    let app = spawn_app_with(&[("DATABASE_URL", &url), ("PORTAL_DB_TIMEOUT", "1s"), ("PORTAL_DB_POOL", "4")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    assert_eq!(browser.get("/").await.status, 200);

    assert_eq!(browser.get("/readyz").await.status, 200);
    relay.cut().await;
    // The probes: alive, but not ready, and they say why.
    assert_eq!(browser.get("/healthz").await.status, 200);
    let probe = browser.get("/readyz").await;
    assert_eq!(probe.status, 503, "{}", probe.body);
    assert!(probe.body.starts_with("database: unreachable\n"), "{}", probe.body);
    let inbox = browser.get("/").await;
    assert_eq!(inbox.status, 503, "{}", inbox.body);
    assert!(inbox.body.contains("try again in a moment"), "{}", inbox.body);
    assert!(
        !inbox.body.contains("sqlx") && !inbox.body.contains("Io(") && !inbox.body.contains("error returned"),
        "no internals: {}",
        inbox.body
    );
    let asked =
        app.browser().post("/api/login/request-code", &[("identifier", "ada@example.com"), ("channel", "email"), ("next", "/")]).await;
    let retry = app.browser().get("/login").await;
    assert!(asked.status == 302 || asked.status == 503, "{asked:?}");
    assert!(retry.status == 200 || retry.body.contains("try again in a moment"), "{retry:?}");
    // A client calling the server function (the login card's script) reads the same sentence.
    let fetched = app
        .browser()
        .post_accepting(
            "/api/login/request-code",
            &[("identifier", "ada@example.com"), ("channel", "email"), ("next", "/")],
            "application/json",
        )
        .await;
    assert_eq!(fetched.status, 503, "{fetched:?}");
    assert!(fetched.body.contains("try again in a moment"), "{}", fetched.body);

    relay.restore().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while browser.get("/").await.status != 200 {
        assert!(Instant::now() < deadline, "the portal did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    crate::helpers::eventually("ready again", || async { browser.get("/readyz").await.status == 200 }).await;
    let second = app.browser();
    let after = second.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    assert_eq!(after.status, 200, "logging in works again, with no restart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_starting_at_once_migrate_one_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path(), "unused.db");
    assert!(db.is_postgres(), "the postgres:: tests need TEST_DATABASE_URL naming a PostgreSQL server");
    let opened = futures::future::join_all((0..6).map(|_| server::store::Store::open(&db.url))).await;
    for store in &opened {
        assert!(store.is_ok(), "{:?}", store.as_ref().err());
    }
    let store = opened.into_iter().next().unwrap().unwrap();
    let applied: Vec<i64> =
        server::store::sql("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version").scalar_all(store.db()).await.unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres")).unwrap().count();
    assert_eq!(applied.len(), files, "every migration applied, each once: {applied:?}");
}
