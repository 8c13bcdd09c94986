//! What pruning deletes and what it keeps, as the clock moves: flows and codes a day
//! after they end, events, delivery records and dead devices after 400 days, and
//! nothing younger than that, even when asked directly.

use domain::Channel;
use server::config::Limits;
use server::retention::{Retention, prune};

use crate::helpers::{TestApp, portal, spawn_app, spawn_app_with};

async fn count(app: &TestApp, table: &str) -> i64 {
    server::store::sql(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).scalar_one(app.store.db()).await.unwrap()
}

async fn counts(app: &TestApp) -> [i64; 6] {
    let mut out = [0; 6];
    for (i, table) in ["login_flows", "login_codes", "delivery_jobs", "events", "devices", "rate_hits"].iter().enumerate() {
        out[i] = count(app, table).await;
    }
    out
}

async fn prune_now(app: &TestApp) -> server::store::Pruned {
    prune(&app.store, &Retention::default(), &Limits::default(), server::clock::Clock::now(&app.clock)).await.unwrap()
}

#[tokio::test]
async fn flows_go_a_day_after_they_end_and_records_after_400_days() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    // A login that completes, one left to expire, and a browser that logs out.
    let browser = app.browser();
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    app.clock.advance(31);
    app.browser().request_code("ada@example.com", Channel::Email).await;
    app.deliveries_settled().await;
    browser.post("/api/log-out", &[("next", "/")]).await;
    let [flows, codes, jobs, events, devices, hits] = counts(&app).await;
    assert_eq!((flows, codes, jobs, devices), (2, 2, 2, 1));
    assert!(events >= 8 && hits >= 3, "{events} events, {hits} hits");

    let pruned = prune_now(&app).await;
    assert_eq!(pruned, server::store::Pruned::default(), "nothing is due yet");

    // A day after the second flow expired: the flows and codes go, their delivery
    // records stay.
    app.clock.advance(86_400 + 1200 + 1);
    let pruned = prune_now(&app).await;
    assert_eq!((pruned.flows, pruned.codes), (2, 2), "{pruned}");
    let [flows, codes, jobs, events_now, devices, hits] = counts(&app).await;
    assert_eq!((flows, codes, jobs, events_now, devices, hits), (0, 0, 2, events, 1, 0));
    let orphaned: i64 =
        server::store::sql("SELECT COUNT(*) FROM delivery_jobs WHERE code_id IS NULL").scalar_one(app.store.db()).await.unwrap();
    assert_eq!(orphaned, 2, "delivery records outlive their codes");

    // Just before 400 days after the events, they are still there and cannot be deleted.
    app.clock.advance(398 * 86_400);
    prune_now(&app).await;
    assert_eq!(count(&app, "events").await, events);
    let refused = server::store::sql("DELETE FROM events").execute(app.store.db()).await;
    assert!(refused.unwrap_err().to_string().contains("append-only"), "young events cannot be deleted");
    assert_eq!(count(&app, "events").await, events);

    // 400 days after: events, delivery records and the logged-out device go.
    app.clock.advance(2 * 86_400);
    let pruned = prune_now(&app).await;
    assert_eq!((pruned.events as i64, pruned.delivery_jobs, pruned.devices), (events, 2, 1), "{pruned}");
    assert_eq!(counts(&app).await, [0; 6]);
    let attempts = count(&app, "delivery_attempts").await;
    assert_eq!(attempts, 0, "attempts go with their job");
}

#[tokio::test]
async fn a_flow_in_progress_and_a_remembered_browser_are_kept() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    // Used every 20 days until just before its 180-day maximum: recognised all along,
    // never pruned.
    for _ in 0..8 {
        app.clock.advance(20 * 86_400);
        assert_eq!(browser.get("/").await.status, 200);
        prune_now(&app).await;
    }
    assert_eq!(count(&app, "devices").await, 1);
    let in_progress = app.browser();
    in_progress.request_code("ada@example.com", Channel::Email).await;
    prune_now(&app).await;
    assert_eq!(count(&app, "login_flows").await, 1, "the flow in progress stays");
}

#[tokio::test]
async fn pruning_is_safe_from_several_processes_at_once_and_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let shared = crate::helpers::TestDb::new(dir.path(), "shared.db");
    let db = shared.url.clone();
    let app = spawn_app_with(&[("DATABASE_URL", &db)]).await;
    for i in 0..20 {
        app.add_contact("C", Some(&format!("c{i}@example.com")), None, &[]).await;
        app.browser().request_code(&format!("c{i}@example.com"), Channel::Email).await;
    }
    app.deliveries_settled().await;
    app.clock.advance(86_400 + 1200 + 1);
    let (a, b) = tokio::join!(prune_now(&app), prune_now(&app));
    assert_eq!(a.flows + b.flows, 20, "each flow deleted once: {a} / {b}");
    assert_eq!(count(&app, "login_flows").await, 0);
    // `portal prune` on the same database: the real clock is years behind the test's,
    // so nothing more is due.
    let out = portal(&db, &["prune"]).await;
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("pruned 0 login flow(s)"), "{out:?}");
}
