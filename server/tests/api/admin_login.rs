//! Administrators logging in (the service; the `/admin` pages come next): one answer
//! for every refusal, the same time for unknown usernames, throttles that hold before
//! any password is checked, and sessions the server ends.

use std::sync::Arc;
use std::time::Instant;

use server::admin::accounts;
use server::admin::password::Password;
use server::admin::session::{AdminLimits, AdminSessions, LogIn};
use server::clock::Clock;

use crate::helpers::{TestApp, spawn_app};

const RIGHT: &str = "correct horse battery staple";

async fn with_admin(limits: AdminLimits) -> (TestApp, AdminSessions) {
    let app = spawn_app().await;
    accounts::add(&app.store, "ops", Password::parse(RIGHT, "ops").unwrap(), app.clock.now()).await.unwrap();
    let sessions = AdminSessions::new(app.store.clone(), Arc::new(app.clock.clone()), limits);
    (app, sessions)
}

fn token(result: LogIn) -> String {
    match result {
        LogIn::LoggedIn { token, .. } => token.expose().to_string(),
        other => panic!("not logged in: {other:?}"),
    }
}

#[tokio::test]
async fn the_right_password_opens_a_session_and_every_other_attempt_gets_one_answer() {
    let (app, sessions) = with_admin(AdminLimits::default()).await;
    for (username, password) in [("ops", "correct horse battery stapler"), ("nobody", RIGHT), ("not a name!", RIGHT), ("ops", "")] {
        assert!(matches!(sessions.log_in("192.0.2.1", username, password).await.unwrap(), LogIn::Refused), "{username}/{password}");
    }
    let cookie = token(sessions.log_in("192.0.2.1", " OPS ", RIGHT).await.unwrap());
    assert_eq!(sessions.check(&cookie).await.unwrap().unwrap().username, "ops");
    assert!(sessions.check("not-a-token").await.unwrap().is_none());
    let kinds: Vec<String> = app.store.events(None).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "admin_login_failed").count(), 4);
    assert_eq!(kinds.iter().filter(|k| *k == "admin_logged_in").count(), 1);
    let stored: Vec<Vec<u8>> = server::store::sql("SELECT token_hash FROM admin_sessions").scalar_all(app.store.db()).await.unwrap();
    assert!(stored.iter().all(|h| h.len() == 32 && h != cookie.as_bytes()), "only a hash is stored");
}

#[tokio::test]
async fn a_session_ends_after_30_idle_minutes_after_12_hours_and_at_log_out() {
    let (app, sessions) = with_admin(AdminLimits { per_username_per_hour: 100, ..AdminLimits::default() }).await;
    let idle = token(sessions.log_in("192.0.2.1", "ops", RIGHT).await.unwrap());
    app.clock.advance(29 * 60);
    assert!(sessions.check(&idle).await.unwrap().is_some());
    app.clock.advance(29 * 60);
    assert!(sessions.check(&idle).await.unwrap().is_some(), "used within 30 minutes: still good");
    app.clock.advance(30 * 60);
    assert!(sessions.check(&idle).await.unwrap().is_none(), "30 minutes idle");

    let busy = token(sessions.log_in("192.0.2.1", "ops", RIGHT).await.unwrap());
    for _ in 0..(12 * 60 / 20 - 1) {
        app.clock.advance(20 * 60);
        assert!(sessions.check(&busy).await.unwrap().is_some());
    }
    app.clock.advance(20 * 60);
    assert!(sessions.check(&busy).await.unwrap().is_none(), "12 hours, however busy");

    let leaving = token(sessions.log_in("192.0.2.1", "ops", RIGHT).await.unwrap());
    sessions.log_out(&leaving).await.unwrap();
    assert!(sessions.check(&leaving).await.unwrap().is_none());
}

#[tokio::test]
async fn guessing_is_throttled_per_username_and_per_network_before_any_password_is_checked() {
    let (app, sessions) = with_admin(AdminLimits::default()).await;
    // Ten guesses for "ops" from ten networks; the eleventh is refused even when right.
    for i in 0..10 {
        assert!(matches!(sessions.log_in(&format!("203.0.113.{i}"), "ops", "wrong wrong wrong wrong").await.unwrap(), LogIn::Refused));
    }
    assert!(matches!(sessions.log_in("192.0.2.1", "ops", RIGHT).await.unwrap(), LogIn::Throttled));
    // An unknown username is throttled alike: the throttle says nothing about who exists.
    for _ in 0..10 {
        sessions.log_in("198.51.100.1", "ghost", "wrong wrong wrong wrong").await.unwrap();
    }
    assert!(matches!(sessions.log_in("198.51.100.2", "ghost", RIGHT).await.unwrap(), LogIn::Throttled));
    // Thirty attempts from one network, for any names, close that network for the hour.
    for i in 0..30 {
        sessions.log_in("198.51.100.9", &format!("user{i}"), "wrong wrong wrong wrong").await.unwrap();
    }
    assert!(matches!(sessions.log_in("198.51.100.9", "someone", "x").await.unwrap(), LogIn::Throttled));
    // An hour later the administrator logs in.
    app.clock.advance(3601);
    token(sessions.log_in("192.0.2.1", "ops", RIGHT).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_username_takes_as_long_as_a_known_one() {
    const N: usize = 25;
    let (_app, sessions) = with_admin(AdminLimits { per_username_per_hour: 1000, per_network_per_hour: 1000, ..AdminLimits::default() }).await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..N {
        // Alternate which goes first, so neither always runs on a warmer machine.
        let mut order = [("ops", &mut known), ("nobody", &mut unknown)];
        if i % 2 == 1 {
            order.reverse();
        }
        for (who, times) in order {
            let started = Instant::now();
            let result = sessions.log_in(&format!("192.0.2.{i}"), who, "wrong wrong wrong wrong").await.unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(matches!(result, LogIn::Refused));
        }
    }
    let median = |t: &mut Vec<f64>| {
        t.sort_by(|a, b| a.total_cmp(b));
        t[t.len() / 2]
    };
    let (k, u) = (median(&mut known), median(&mut unknown));
    eprintln!("admin log-in, wrong password: known username median {k:.1} ms, unknown {u:.1} ms ({N} each)");
    // Both run one argon2id verification; what is left is noise (a missing hash would
    // make the unknown name several times faster).
    assert!((k - u).abs() < 0.3 * k.max(u), "known {k:.1} ms vs unknown {u:.1} ms");
}
