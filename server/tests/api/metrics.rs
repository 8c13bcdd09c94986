//! Prometheus metrics (issue 25): a real Prometheus (Debian's `prometheus`, which
//! `./scripts/test` installs) scrapes the running portal while a contact logs in, and
//! a query sees the login counted. Labels name no address or identifier.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use domain::Channel;

use crate::helpers::{eventually, spawn_app};
use crate::sinks::free_port;

struct Prometheus(Child);

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The value of a one-number PromQL query, when it has one.
async fn query(client: &reqwest::Client, base: &str, promql: &str) -> Option<f64> {
    let answer: serde_json::Value =
        client.get(format!("{base}/api/v1/query")).query(&[("query", promql)]).send().await.ok()?.json().await.ok()?;
    answer["data"]["result"][0]["value"][1].as_str()?.parse().ok()
}

#[tokio::test]
async fn a_real_prometheus_scraping_the_portal_sees_a_login_counted() {
    let binary = std::env::var("PORTAL_TEST_PROMETHEUS").unwrap_or_else(|_| "/usr/bin/prometheus".into());
    assert!(
        std::path::Path::new(&binary).exists(),
        "{binary} is missing: the metrics test needs Prometheus (apt-get install prometheus; ./scripts/test installs it)"
    );
    let app = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics_port = listener.local_addr().unwrap().port();
    let routes = server::http::metrics::router(app.store.clone(), Arc::new(app.clock.clone()));
    tokio::spawn(server::http::serve(listener, routes));

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: portal\n    static_configs:\n      - targets: ['127.0.0.1:{metrics_port}']\n"
        ),
    )
    .unwrap();
    let port = free_port();
    let _prometheus = Prometheus(
        Command::new(&binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e}")),
    );
    let (client, base) = (reqwest::Client::new(), format!("http://127.0.0.1:{port}"));
    eventually("Prometheus scrapes the portal", || async { query(&client, &base, "up{job=\"portal\"}").await == Some(1.0) }).await;
    let before = query(&client, &base, "sum(portal_logins_total{method=\"code\"})").await.unwrap_or(0.0);

    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    assert!(browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await.body.contains("Your messages"));
    eventually("Prometheus counts the login", || async {
        query(&client, &base, "sum(portal_logins_total{method=\"code\"})").await.is_some_and(|n| n >= before + 1.0)
    })
    .await;
    // The answer times of the login's pages and steps are there too, by class.
    assert!(query(&client, &base, "sum(portal_http_request_seconds_count{class=\"step\"})").await.is_some_and(|n| n >= 1.0));

    // What Prometheus read: no address, identifier or network in any label.
    let text = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics")).await.unwrap().text().await.unwrap();
    assert!(text.contains("portal_codes_requested_total{channel=\"email\"}"), "{text}");
    assert!(text.contains("portal_outbox_depth"), "{text}");
    assert!(!text.contains('@') && !text.contains("127.0.0.1") && !text.contains("ada"), "{text}");
}
