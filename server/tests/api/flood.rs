//! Network limits that hold: every forwarding line read, IPv6 counted per /64, and a
//! bounded flood (loopback only) of "Send code" and code entries from many addresses
//! in one /64 and with forged forwarding headers. The limits hold, the tables stay
//! bounded, and a normal contact's requests are timed before and during the flood.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use domain::Channel;
use futures::future::join_all;

use crate::helpers::{TestApp, spawn_app_with};

fn client(local: Option<IpAddr>) -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).local_address(local).build().unwrap()
}

/// Posts a step as a browser behind the proxy would, with these forwarding lines.
/// Returns whether the network limit refused it, and how long it took.
async fn post(app: &TestApp, http: &reqwest::Client, path: &str, form: &[(&str, &str)], forwarded: &[String]) -> (bool, Duration) {
    let mut request = http.post(format!("{}{path}", app.base)).header("origin", &app.origin).header("accept", "text/html").form(form);
    for line in forwarded {
        request = request.header("x-forwarded-for", line);
    }
    let started = Instant::now();
    let response = request.send().await.unwrap();
    let took = started.elapsed();
    let location = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
    let body = response.text().await.unwrap();
    (location.contains("network-limited") || body.contains("network-limited"), took)
}

async fn send_code(app: &TestApp, http: &reqwest::Client, who: &str, forwarded: &[String]) -> (bool, Duration) {
    post(app, http, "/api/login/request-code", &[("identifier", who), ("channel", "email"), ("next", "/")], forwarded).await
}

#[tokio::test]
async fn every_forwarded_for_line_from_the_proxy_is_read_in_order() {
    let app = spawn_app_with(&[("PORTAL_TRUSTED_PROXIES", "127.0.0.1"), ("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "2")]).await;
    let http = client(None);
    // The client writes a line of its own, different each time; the proxy appends the
    // line with the address it saw. Only the last untrusted hop counts.
    let mut limited = Vec::new();
    for i in 0..3 {
        let lines = [format!("198.51.100.{i}"), "203.0.113.7".to_string()];
        limited.push(send_code(&app, &http, "a@example.com", &lines).await.0);
    }
    assert_eq!(limited, [false, false, true]);
}

#[tokio::test]
async fn ipv6_clients_count_per_64_and_the_prefix_is_configurable() {
    for (prefix, other_counts_apart) in [("64", true), ("48", false)] {
        let app = spawn_app_with(&[
            ("PORTAL_TRUSTED_PROXIES", "127.0.0.1"),
            ("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "2"),
            ("PORTAL_IPV6_PREFIX", prefix),
        ])
        .await;
        let http = client(None);
        let from = |a: &str| vec![a.to_string()];
        assert!(!send_code(&app, &http, "a@example.com", &from("2001:db8:1:2::1")).await.0);
        assert!(!send_code(&app, &http, "a@example.com", &from("2001:db8:1:2:ffff::9")).await.0);
        assert!(send_code(&app, &http, "a@example.com", &from("2001:db8:1:2::3")).await.0, "/{prefix}: the third from one /64");
        let other = send_code(&app, &http, "a@example.com", &from("2001:db8:1:3::1")).await.0;
        assert_eq!(!other, other_counts_apart, "/{prefix}: the next /64");
    }
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

/// A normal contact's requests from their own networks: "Send code", a wrong code, and
/// reading the messages page with a remembered browser. Returns the times.
async fn normal_traffic(app: &TestApp, device: &str, rounds: usize, first_net: usize) -> Vec<Duration> {
    let http = client(None);
    let mut times = Vec::new();
    for i in 0..rounds {
        let net = vec![format!("198.18.{}.{}", (first_net + i) / 250, (first_net + i) % 250 + 1)];
        let (limited, took) = send_code(app, &http, "ada@example.com", &net).await;
        assert!(!limited, "a normal network is not limited");
        times.push(took);
        let (limited, took) = post(app, &http, "/api/login/verify-code", &[("code", "000000"), ("next", "/")], &net).await;
        assert!(!limited);
        times.push(took);
        let started = Instant::now();
        let page = http.get(format!("{}/", app.base)).header("cookie", format!("__Host-portal-device={device}")).send().await.unwrap();
        assert_eq!(page.status(), 200, "the remembered browser reads its messages");
        page.bytes().await.unwrap();
        times.push(started.elapsed());
    }
    times
}

/// The flood: `n` requests, half "Send code" for random addresses and half code
/// entries, from addresses all over one /64 behind the proxy (with a forged line in
/// front), or straight from an untrusted peer (127.0.0.2) with forged lines.
async fn flood(app: &TestApp, n: usize, untrusted: bool) -> (usize, usize) {
    let http = client(untrusted.then(|| "127.0.0.2".parse().unwrap()));
    let mut accepted = (0, 0);
    for chunk in (0..n).collect::<Vec<_>>().chunks(16) {
        let results = join_all(chunk.iter().map(|i| {
            let lines = vec![format!("6.6.{}.{}", i % 250, i % 199), format!("2001:db8:dead:beef:{:x}::{:x}", i * 7919 % 65_521, i)];
            let http = &http;
            async move {
                if i % 2 == 0 {
                    (true, send_code(app, http, &format!("victim{i}@example.com"), &lines).await.0)
                } else {
                    (false, post(app, http, "/api/login/verify-code", &[("code", "123456"), ("next", "/")], &lines).await.0)
                }
            }
        }))
        .await;
        for (is_code_request, limited) in results {
            match (is_code_request, limited) {
                (true, false) => accepted.0 += 1,
                (false, false) => accepted.1 += 1,
                _ => {}
            }
        }
    }
    accepted
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    server::store::sql(sqlx::AssertSqlSafe(sql.to_string())).scalar_one(app.store.db()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_64_and_forged_headers_is_held_and_costs_a_contact_little() {
    const FLOOD: usize = 2000;
    const ROUNDS: usize = 60;
    let app = spawn_app_with(&[("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let ada = app.browser_from("192.0.2.50");
    ada.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let device = ada.cookie("__Host-portal-device").unwrap();

    let mut quiet = normal_traffic(&app, &device, ROUNDS, 0).await;
    let started = Instant::now();
    let (normal, proxied, direct) =
        tokio::join!(normal_traffic(&app, &device, ROUNDS, ROUNDS), flood(&app, FLOOD, false), flood(&app, FLOOD, true),);
    let flood_secs = started.elapsed().as_secs_f64();
    let mut loud = normal;

    // The limits hold: 30 code requests and 60 entries an hour per network. (A code
    // entry without a login in progress answers "no login in this browser" either way,
    // so entries are counted where the limit counts them.)
    assert_eq!((proxied.0, direct.0), (30, 30), "code requests let through");
    for (network, name) in
        [("2001:db8:dead:beef::/64", "the /64 behind the proxy"), ("127.0.0.2", "the untrusted peer, whatever it forges")]
    {
        let counted = |scope: &str| format!("SELECT COUNT(*) FROM rate_hits WHERE scope = '{scope}' AND key = '{network}'");
        assert_eq!(count(&app, &counted("code_request")).await, 30, "{name}");
        assert_eq!(count(&app, &counted("verification")).await, 60, "{name}");
    }
    // Refusals are logged once per network and kind of step, not once per request.
    let limited_events = count(&app, "SELECT COUNT(*) FROM events WHERE kind = 'network_limited'").await;
    assert_eq!(limited_events, 4);
    // The tables stay bounded: only what the limits let through is written.
    let hits = count(&app, "SELECT COUNT(*) FROM rate_hits").await;
    let flows = count(&app, "SELECT COUNT(*) FROM login_flows").await;
    let events = count(&app, "SELECT COUNT(*) FROM events").await;
    let normal_requests = 2 * ROUNDS as i64 * 2;
    assert!(hits <= 2 * 90 + 4 + normal_requests + 3 * 2 * ROUNDS as i64 + 4, "{hits} rate-limit rows");
    assert!(flows <= 60 + 2 * ROUNDS as i64 + 1, "{flows} flows");
    assert!(events <= 2 * (60 + 60) + 4 + 3 * 2 * ROUNDS as i64 + 10, "{events} events");

    let (q50, q99) = (percentile(&mut quiet, 0.5), percentile(&mut quiet, 0.99));
    let (l50, l99) = (percentile(&mut loud, 0.5), percentile(&mut loud, 0.99));
    eprintln!(
        "flood: {} requests in {flood_secs:.1} s ({:.0}/s); code requests let through: /64 {}, untrusted peer {}; tables: {hits} rate-limit rows, {flows} flows, {events} events",
        2 * FLOOD,
        2.0 * FLOOD as f64 / flood_secs,
        proxied.0,
        direct.0
    );
    eprintln!(
        "normal contact, {} requests each: quiet p50 {:.1} ms p99 {:.1} ms; during the flood p50 {:.1} ms p99 {:.1} ms ({:.1}x at p99)",
        quiet.len(),
        q50.as_secs_f64() * 1e3,
        q99.as_secs_f64() * 1e3,
        l50.as_secs_f64() * 1e3,
        l99.as_secs_f64() * 1e3,
        l99.as_secs_f64() / q99.as_secs_f64()
    );

    // And Ada, at home, still logs in with a code.
    app.clock.advance(31);
    let again = app.browser_from("192.0.2.50");
    let page = again.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    assert!(page.body.contains("Your messages"));
}
