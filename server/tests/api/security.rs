//! Cross-site requests, headers and error bodies, as an attacker's client sees them.

use domain::Channel;

use crate::helpers::{spawn_app, spawn_app_with};

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn a_cross_site_post_is_refused_before_anything_runs() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let form = [("identifier", "ada@example.com"), ("channel", "email"), ("next", "/")];
    let url = format!("{}/api/login/request-code", app.base);
    let cases: [(&str, Option<&str>, Option<&str>); 6] = [
        ("cross-site fetch metadata", Some("cross-site"), Some("https://evil.example")),
        ("same-site but another origin", Some("same-site"), Some("http://127.0.0.1:1")),
        ("typed or bookmarked (no site)", Some("none"), None),
        ("foreign Origin, no fetch metadata", None, Some("https://evil.example")),
        ("null Origin (sandboxed page)", None, Some("null")),
        ("neither header", None, None),
    ];
    for (what, site, origin) in cases {
        let mut request = client().post(&url).form(&form);
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        assert_eq!(request.send().await.unwrap().status(), 403, "{what}");
    }
    assert_eq!(app.jobs_for("ada@example.com").await, 0, "no code was issued");
    let same_origin = client().post(&url).form(&form).header("sec-fetch-site", "same-origin").send().await.unwrap();
    assert!(same_origin.status().is_success());
    assert_eq!(app.jobs_for("ada@example.com").await, 1);
}

#[tokio::test]
async fn server_functions_refuse_get() {
    let app = spawn_app().await;
    let response =
        client().get(format!("{}/api/login/request-code?identifier=a@b.dk&channel=email&next=/", app.base)).send().await.unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn a_cross_site_log_out_does_not_forget_the_browser() {
    let app = spawn_app().await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    let browser = app.browser();
    browser.log_in(&app, "ada@example.com", Channel::Email, "ada@example.com").await;
    let token = browser.cookie("__Host-portal-device").unwrap();
    let forged = client()
        .post(format!("{}/api/log-out", app.base))
        .header("origin", "https://evil.example")
        .header("cookie", format!("__Host-portal-device={token}"))
        .form(&[("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(browser.get("/").await.status, 200, "still logged in");
}

#[tokio::test]
async fn pages_carry_a_strict_policy_with_a_fresh_nonce_matching_their_scripts() {
    let app = spawn_app().await;
    let nonce_of = |csp: &str| csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).map(str::to_string);
    let first = app.browser().get("/login").await;
    let second = app.browser().get("/login").await;
    let csp = first.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
    for part in [
        "default-src 'self'",
        "script-src 'self' 'nonce-",
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{part} missing: {csp}");
    }
    let nonce = nonce_of(&csp).unwrap();
    assert!(nonce.len() >= 16);
    assert!(first.body.contains(&format!("<script type=\"module\" nonce=\"{nonce}\">")), "the inline script carries it");
    assert!(!first.body.contains("<script>"), "no inline script without the nonce");
    let scripts = first.body.matches("<script").count();
    assert_eq!(first.body.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every script carries it");
    let other = nonce_of(second.headers.get("content-security-policy").unwrap().to_str().unwrap()).unwrap();
    assert_ne!(nonce, other, "a fresh nonce per response");

    let json = app.browser().get("/dev/outbox.json").await;
    let csp = json.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'nonce-") && csp.contains("object-src 'none'"), "other responses get a policy too: {csp}");
    for name in ["x-content-type-options", "referrer-policy", "cross-origin-opener-policy"] {
        assert!(first.headers.contains_key(name), "{name}");
    }
    assert!(!first.headers.contains_key("strict-transport-security"), "not over plain HTTP");
}

#[tokio::test]
async fn hsts_is_sent_when_the_portal_is_served_over_https() {
    // Served for real: no dev outbox (it would refuse an https address).
    let app = spawn_app_with(&[
        ("PORTAL_PUBLIC_URL", "https://portal.example.com"),
        ("PORTAL_EMAIL_DELIVERY", "none"),
        ("PORTAL_SMS_DELIVERY", "none"),
    ])
    .await;
    let page = app.browser().get("/help").await;
    assert_eq!(page.headers.get("strict-transport-security").unwrap(), "max-age=31536000; includeSubDomains");
}

#[tokio::test]
async fn error_bodies_say_nothing_about_the_inside() {
    let app = spawn_app().await;
    let browser = app.browser();
    let unknown = browser.post("/api/no-such-function", &[("x", "1")]).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, "This request could not be handled.");

    // A browser without JavaScript posting a form with a field missing.
    let missing = browser.post("/api/login/request-code", &[("channel", "email")]).await;
    assert_eq!(missing.status, 302);
    assert!(!missing.location().unwrap_or_default().contains("__err"), "{:?}", missing.location());
    assert!(missing.body.is_empty(), "{}", missing.body);

    // The same from a script: no serde or SQL text.
    let scripted = client()
        .post(format!("{}/api/login/request-code", app.base))
        .header("origin", &app.origin)
        .header("accept", "application/json")
        .form(&[("channel", "email")])
        .send()
        .await
        .unwrap();
    assert!(scripted.status().is_client_error() || scripted.status().is_server_error());
    let body = scripted.text().await.unwrap();
    for leak in ["missing field", "Args", "sqlx", "SELECT", "panicked"] {
        assert!(!body.contains(leak), "{leak} in {body}");
    }
}

/// "Send code" from a client claiming to be `forwarded_for`; true when refused for
/// too many requests from the network.
async fn network_limited_as(app: &crate::helpers::TestApp, forwarded_for: &str) -> bool {
    let response = client()
        .post(format!("{}/api/login/request-code", app.base))
        .header("origin", &app.origin)
        .header("x-forwarded-for", forwarded_for)
        .form(&[("identifier", "a@example.com"), ("channel", "email"), ("next", "/")])
        .send()
        .await
        .unwrap();
    response.headers().get("location").is_some_and(|l| l.to_str().unwrap_or("").contains("network-limited"))
}

#[tokio::test]
async fn a_spoofed_forwarded_for_does_not_escape_the_network_limit() {
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "2")]).await;
    for i in 0..3 {
        assert_eq!(network_limited_as(&app, &format!("198.51.100.{i}")).await, i == 2, "request {i}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "2"), ("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await;
    for i in 0..3 {
        assert!(!network_limited_as(&app, &format!("198.51.100.{i}")).await, "request {i} is its own client");
    }
    for i in 0..2 {
        assert!(!network_limited_as(&app, "198.51.100.9").await, "request {i}");
    }
    assert!(network_limited_as(&app, "198.51.100.9").await, "the third from one client");
}

/// "Send code" takes as long whether or not a code is sent: 200 requests per case,
/// interleaved, and the medians within 5 ms of each other. Run without the answer-time
/// floor (the raw differences, printed) and with it (they vanish).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_code_takes_as_long_whether_or_not_a_code_is_sent() {
    let spread = |m: &[f64]| m.iter().cloned().fold(f64::MIN, f64::max) - m.iter().cloned().fold(f64::MAX, f64::min);
    let raw = send_code_medians("0ms").await;
    let floored = send_code_medians("25ms").await;
    eprintln!("spread of the medians: {:.2} ms without a floor, {:.2} ms with a 25 ms floor", spread(&raw), spread(&floored));
    assert!(spread(&raw) < 5.0, "without a floor the medians differ by {:.2} ms: {raw:?}", spread(&raw));
    assert!(spread(&floored) < 5.0, "with a floor the medians differ by {:.2} ms: {floored:?}", spread(&floored));
    // The systematic part (more writes when a code is sent) is gone; what remains is noise.
    assert!(spread(&floored) < spread(&raw), "the floor evens the cases out: {floored:?} vs {raw:?}");
}

/// Medians of "Send code" per case, in the order registered, unregistered, opted out,
/// no such channel, throttled.
async fn send_code_medians(floor: &str) -> Vec<f64> {
    const N: usize = 200;
    let app = spawn_app_with(&[("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "100000"), ("PORTAL_SEND_CODE_FLOOR", floor)]).await;
    let mut cases: Vec<(&str, Channel, Vec<String>)> = Vec::new();
    let mut make = |name: &'static str, channel| cases.push((name, channel, Vec::with_capacity(N)));
    make("registered", Channel::Email);
    make("unregistered", Channel::Email);
    make("opted out", Channel::Email);
    make("no such channel", Channel::Sms);
    make("throttled", Channel::Email);
    for i in 0..N {
        let (reg, out, nochan, thr) =
            (format!("reg{i}@example.com"), format!("out{i}@example.com"), format!("noch{i}@example.com"), format!("thr{i}@example.com"));
        app.add_contact("R", Some(&reg), None, &[]).await;
        app.add_contact("O", Some(&out), None, &[Channel::Email]).await;
        app.add_contact("N", Some(&nochan), None, &[]).await;
        app.add_contact("T", Some(&thr), None, &[]).await;
        // One code just now: the measured request comes within 30 s, so nothing is sent.
        app.browser().request_code(&thr, Channel::Email).await;
        cases[0].2.push(reg);
        cases[1].2.push(format!("nobody{i}@example.com"));
        cases[2].2.push(out);
        cases[3].2.push(nochan);
        cases[4].2.push(thr);
    }
    let http = client();
    let url = format!("{}/api/login/request-code", app.base);
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(N); cases.len()];
    for i in 0..N {
        // Rotate the order each round so no case always runs first.
        for k in 0..cases.len() {
            let c = (i + k) % cases.len();
            let (_, channel, ids) = &cases[c];
            let form = [("identifier", ids[i].as_str()), ("channel", channel.as_str()), ("next", "/")];
            let started = std::time::Instant::now();
            let response = http.post(&url).header("origin", &app.origin).header("accept", "text/html").form(&form).send().await.unwrap();
            assert_eq!(response.status(), 302);
            times[c].push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let medians: Vec<f64> = times.iter_mut().map(|t| median(t)).collect();
    for ((name, _, _), median) in cases.iter().zip(&medians) {
        eprintln!("send code (floor {floor}), {name}: median {median:.2} ms over {N} requests");
    }
    app.deliveries_settled().await;
    assert_eq!(app.store.outbox().await.unwrap().len(), 2 * N, "only the registered and the warm-up requests sent codes");
    medians
}

/// A wrong code takes as long in every kind of flow: one flow per case, 200 wrong
/// entries per case, interleaved, and the medians within 5 ms of each other. The
/// registered flow's code was asked for again from another browser (a re-send of the
/// same code), once a case that answered differently.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_code_takes_as_long_whatever_the_flow() {
    const N: usize = 200;
    let app = spawn_app_with(&[
        ("PORTAL_IP_VERIFICATIONS_PER_HOUR", "100000"),
        ("PORTAL_CODE_MAX_ATTEMPTS", "100000"),
        ("PORTAL_CONTACT_FAILURES_PER_DAY", "100000"),
    ])
    .await;
    app.add_contact("R", Some("reg@example.com"), None, &[]).await;
    app.add_contact("O", Some("out@example.com"), None, &[Channel::Email]).await;
    app.add_contact("N", Some("nochan@example.com"), None, &[]).await;
    let cases = [
        ("registered", "reg@example.com", Channel::Email),
        ("unregistered", "nobody@example.com", Channel::Email),
        ("opted out", "out@example.com", Channel::Email),
        ("no such channel", "nochan@example.com", Channel::Sms),
    ];
    let mut flows = Vec::new();
    for (_, who, channel) in cases {
        let browser = app.browser();
        browser.request_code(who, channel).await;
        flows.push(browser.cookie("__Host-portal-flow").unwrap());
    }
    app.clock.advance(31);
    app.browser().request_code("reg@example.com", Channel::Email).await;
    app.deliveries_settled().await;
    let sent: Vec<String> = app.store.outbox().await.unwrap().iter().filter_map(|m| crate::helpers::six_digits(&m.body)).collect();
    let guesses: Vec<String> = (0..1_000_000).map(|n| format!("{n:06}")).filter(|g| !sent.contains(g)).take(N).collect();

    let http = client();
    let url = format!("{}/api/login/verify-code", app.base);
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(N); cases.len()];
    let mut bodies: Vec<String> = vec![String::new(); cases.len()];
    for (i, guess) in guesses.iter().enumerate() {
        for k in 0..cases.len() {
            let c = (i + k) % cases.len();
            let started = std::time::Instant::now();
            let response = http
                .post(&url)
                .header("origin", &app.origin)
                .header("accept", "text/html")
                .header("cookie", format!("__Host-portal-flow={}", flows[c]))
                .form(&[("code", guess.as_str()), ("next", "/")])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 302);
            times[c].push(started.elapsed().as_secs_f64() * 1000.0);
            bodies[c] = response.text().await.unwrap();
        }
    }
    assert!(bodies.iter().all(|b| b == &bodies[0]), "the answers are alike too");
    let medians: Vec<f64> = times.iter_mut().map(|t| median(t)).collect();
    for ((name, _, _), median) in cases.iter().zip(&medians) {
        eprintln!("wrong code, {name} flow: median {median:.2} ms over {N} entries");
    }
    let spread = medians.iter().cloned().fold(f64::MIN, f64::max) - medians.iter().cloned().fold(f64::MAX, f64::min);
    eprintln!("spread of the medians: {spread:.2} ms");
    assert!(spread < 5.0, "the medians differ by {spread:.2} ms: {medians:?}");
}

/// The median of timings, in place.
fn median(times: &mut [f64]) -> f64 {
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}
