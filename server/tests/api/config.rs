//! Production settings fail closed: every combination of email and SMS delivery, on
//! a loopback address or not, either starts (and then `/dev/outbox` answers exactly
//! when every channel is dev) or stops with one line naming the variables.

use std::collections::BTreeMap;
use std::sync::Arc;

use server::clock::ManualClock;
use server::config::Config;

use crate::helpers::T0;

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const ORGANISATION: &str = "Aarhus Roklub";

/// Each channel as an operator would set it: `dev` and `none` said by name, a provider
/// by its settings.
fn email(kind: &str) -> Vec<(&'static str, &'static str)> {
    match kind {
        "dev" => vec![("PORTAL_EMAIL_DELIVERY", "dev")],
        "smtp" => vec![("SMTP_URL", "smtps://user:pw@smtp.example.com:465"), ("MAIL_FROM", "portal@example.com")],
        "none" => vec![("PORTAL_EMAIL_DELIVERY", "none")],
        _ => unreachable!(),
    }
}

fn sms(kind: &str) -> Vec<(&'static str, &'static str)> {
    match kind {
        "dev" => vec![("PORTAL_SMS_DELIVERY", "dev")],
        "twilio" => vec![("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "tok"), ("TWILIO_FROM", "+4570000000")],
        "webhook" => vec![("SMS_WEBHOOK_URL", "https://sms.example.com/send"), ("SMS_WEBHOOK_TOKEN", "tok")],
        "none" => vec![("PORTAL_SMS_DELIVERY", "none")],
        _ => unreachable!(),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Started; whether `/dev/outbox` answered 200.
    Starts { outbox: bool },
    /// Refused with one line naming every one of these.
    Refuses(Vec<&'static str>),
}

/// Starts a portal with `settings` as a deployment would (the listener is ours, on
/// loopback, whatever `PORTAL_ADDR` says), or returns the one-line refusal.
async fn try_start(settings: &[(&str, &str)]) -> Result<bool, String> {
    let dir = tempfile::tempdir().unwrap();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert("DATABASE_URL".into(), format!("sqlite://{}/p.db", dir.path().display()));
    env.insert("PORTAL_KEY_FILE".into(), format!("{}/secret.key", dir.path().display()));
    for (k, v) in settings {
        env.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|name| env.get(name).cloned()).map_err(|e| e.to_string())?;
    let portal = server::build(&config, Arc::new(ManualClock::at(T0))).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(server::http::serve(listener, server::http::router(&config, portal.service)));
    let status = reqwest::get(format!("http://{addr}/dev/outbox.json")).await.unwrap().status().as_u16();
    assert!(status == 200 || status == 404, "{status}");
    Ok(status == 200)
}

async fn check(name: &str, settings: &[(&str, &str)], want: Outcome) {
    let got = try_start(settings).await;
    match (&want, &got) {
        (Outcome::Starts { outbox }, Ok(answered)) => assert_eq!(outbox, answered, "{name}: /dev/outbox"),
        (Outcome::Refuses(vars), Err(line)) => {
            assert!(!line.contains('\n'), "{name}: one line: {line}");
            for var in vars {
                assert!(line.contains(var), "{name}: {line:?} does not name {var}");
            }
        }
        _ => panic!("{name}: wanted {want:?}, got {got:?}"),
    }
}

#[tokio::test]
async fn every_combination_of_channels_starts_or_refuses_as_the_table_says() {
    use Outcome::*;
    let mixed = || Refuses(vec!["cannot be mixed"]);
    // (email, sms) and the outcome on loopback; off loopback only dev changes.
    let table = [
        ("dev", "dev", Starts { outbox: true }),
        ("dev", "twilio", mixed()),
        ("dev", "webhook", mixed()),
        ("dev", "none", mixed()),
        ("smtp", "dev", mixed()),
        ("smtp", "twilio", Starts { outbox: false }),
        ("smtp", "webhook", Starts { outbox: false }),
        ("smtp", "none", Starts { outbox: false }),
        ("none", "dev", mixed()),
        ("none", "twilio", Starts { outbox: false }),
        ("none", "webhook", Starts { outbox: false }),
        ("none", "none", Starts { outbox: false }),
    ];
    for (e, s, on_loopback) in table {
        for (place, addr) in [("loopback", "127.0.0.1:3000"), ("network", "0.0.0.0:3000")] {
            let mut settings: Vec<(&str, &str)> = [email(e), sms(s)].concat();
            settings.push(("PORTAL_ADDR", addr));
            // Outside dev mode a key and the organisation's name are required (and
            // tested below).
            let dev_only = e == "dev" && s == "dev";
            if !dev_only {
                settings.push(("PORTAL_SECRET_KEY", KEY));
                settings.push(("PORTAL_ORGANISATION", ORGANISATION));
            }
            let want = match (&on_loopback, place) {
                (Starts { outbox: true }, "network") => Refuses(vec!["PORTAL_ADDR", "PORTAL_DEV_OUTBOX_ON_NETWORK"]),
                _ => match &on_loopback {
                    Starts { outbox } => Starts { outbox: *outbox },
                    Refuses(v) => Refuses(v.clone()),
                },
            };
            check(&format!("email {e}, sms {s}, {place}"), &settings, want).await;
        }
    }
}

#[tokio::test]
async fn contradictions_and_unsafe_settings_stop_the_server_with_one_line() {
    use Outcome::*;
    // What every deployment has besides its providers: a key and its name.
    let with_key = |mut s: Vec<(&'static str, &'static str)>| {
        s.push(("PORTAL_SECRET_KEY", KEY));
        s.push(("PORTAL_ORGANISATION", ORGANISATION));
        s
    };
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Outcome);
    let cases: Vec<Case> = vec![
        (
            "the reported hole: SMTP for email, Twilio settings, nothing else said",
            with_key([vec![("PORTAL_EMAIL_DELIVERY", "smtp")], email("smtp"), sms("twilio")].concat()),
            Starts { outbox: false },
        ),
        ("only Twilio settings: email has no provider", with_key(sms("twilio")), Starts { outbox: false }),
        ("nothing set: the embedded default", vec![], Starts { outbox: true }),
        (
            "Twilio settings while SMS is said to be dev",
            with_key([sms("twilio"), vec![("PORTAL_SMS_DELIVERY", "dev")]].concat()),
            Refuses(vec!["PORTAL_SMS_DELIVERY=dev", "TWILIO_ACCOUNT_SID"]),
        ),
        (
            "an SMTP URL while everything is said to be dev",
            with_key([email("smtp"), vec![("PORTAL_DELIVERY", "dev")]].concat()),
            Refuses(vec!["PORTAL_DELIVERY=dev", "SMTP_URL"]),
        ),
        ("SMTP said, no URL", with_key(vec![("PORTAL_DELIVERY", "smtp")]), Refuses(vec!["SMTP_URL"])),
        (
            "Twilio and a webhook",
            with_key([sms("twilio"), sms("webhook")].concat()),
            Refuses(vec!["TWILIO_ACCOUNT_SID", "SMS_WEBHOOK_URL", "PORTAL_SMS_DELIVERY"]),
        ),
        (
            "a webhook said, Twilio settings given",
            with_key([sms("twilio"), vec![("PORTAL_SMS_DELIVERY", "webhook")]].concat()),
            Refuses(vec!["TWILIO_ACCOUNT_SID"]),
        ),
        ("no key outside dev", [email("smtp"), vec![("PORTAL_ORGANISATION", ORGANISATION)]].concat(), Refuses(vec!["PORTAL_SECRET_KEY"])),
        ("no organisation outside dev", [email("smtp"), vec![("PORTAL_SECRET_KEY", KEY)]].concat(), Refuses(vec!["PORTAL_ORGANISATION"])),
        (
            "DKIM settings while email goes to the dev outbox",
            vec![("DKIM_SELECTOR", "portal1"), ("DKIM_DOMAIN", "example.com"), ("DKIM_PRIVATE_KEY_FILE", "/nonexistent.pem")],
            Refuses(vec!["DKIM_PRIVATE_KEY_FILE", "email would not go through SMTP"]),
        ),
        (
            "a DKIM key file that is not there",
            with_key(
                [
                    email("smtp"),
                    vec![("DKIM_SELECTOR", "portal1"), ("DKIM_DOMAIN", "example.com"), ("DKIM_PRIVATE_KEY_FILE", "/nonexistent.pem")],
                ]
                .concat(),
            ),
            Refuses(vec!["DKIM_PRIVATE_KEY_FILE=/nonexistent.pem cannot be read"]),
        ),
        (
            "dev behind https",
            vec![("PORTAL_PUBLIC_URL", "https://portal.example.com")],
            Refuses(vec!["PORTAL_PUBLIC_URL", "PORTAL_DEV_OUTBOX_ON_NETWORK"]),
        ),
        ("dev behind a public host name", vec![("PORTAL_PUBLIC_URL", "http://portal.example.com")], Refuses(vec!["PORTAL_PUBLIC_URL"])),
        (
            "dev on the network, loudly allowed",
            vec![("PORTAL_ADDR", "0.0.0.0:3000"), ("PORTAL_DEV_OUTBOX_ON_NETWORK", "anyone-can-read-codes")],
            Starts { outbox: true },
        ),
        (
            "dev on the network, a quiet yes",
            vec![("PORTAL_ADDR", "0.0.0.0:3000"), ("PORTAL_DEV_OUTBOX_ON_NETWORK", "yes")],
            Refuses(vec!["PORTAL_ADDR"]),
        ),
        (
            "plain SMTP to another host",
            with_key(vec![("SMTP_URL", "smtp://relay.example.com:25"), ("MAIL_FROM", "portal@example.com")]),
            Refuses(vec!["SMTP_URL", "relay.example.com", "PORTAL_ALLOW_UNENCRYPTED_DELIVERY"]),
        ),
        (
            "opportunistic STARTTLS can be stripped",
            with_key(vec![("SMTP_URL", "smtp://relay.example.com:587?tls=opportunistic"), ("MAIL_FROM", "portal@example.com")]),
            Refuses(vec!["SMTP_URL"]),
        ),
        (
            "required STARTTLS",
            with_key(vec![("SMTP_URL", "smtp://relay.example.com:587?tls=required"), ("MAIL_FROM", "portal@example.com")]),
            Starts { outbox: false },
        ),
        (
            "plain SMTP to this machine",
            with_key(vec![("SMTP_URL", "smtp://127.0.0.1:25"), ("MAIL_FROM", "portal@example.com")]),
            Starts { outbox: false },
        ),
        (
            "plain SMTP to another host, allowed by name",
            with_key(vec![
                ("SMTP_URL", "smtp://relay.example.com:25"),
                ("MAIL_FROM", "portal@example.com"),
                ("PORTAL_ALLOW_UNENCRYPTED_DELIVERY", "yes"),
            ]),
            Starts { outbox: false },
        ),
        ("an http webhook elsewhere", with_key(vec![("SMS_WEBHOOK_URL", "http://sms.example.com/send")]), Refuses(vec!["SMS_WEBHOOK_URL"])),
        (
            "an http Twilio elsewhere",
            with_key([sms("twilio"), vec![("TWILIO_BASE_URL", "http://api.example.com")]].concat()),
            Refuses(vec!["TWILIO_BASE_URL"]),
        ),
    ];
    for (name, settings, want) in cases {
        check(name, &settings, want).await;
    }
}

#[test]
fn the_start_up_banner_says_where_each_channels_codes_go() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("serve")
        .env("PORTAL_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", format!("sqlite://{}/p.db", dir.path().display()))
        .env("TWILIO_ACCOUNT_SID", "AC1")
        .env("TWILIO_AUTH_TOKEN", "tok")
        .env("TWILIO_FROM", "+4570000000")
        .env("PORTAL_SECRET_KEY", KEY)
        .env("PORTAL_ORGANISATION", ORGANISATION)
        .env("PORTAL_PUBLIC_URL", "https://portal.example.com")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut banner = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.contains("Stop with Ctrl-C");
        banner.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let banner = banner.join("\n");
    assert!(
        banner.contains(&format!("running at https://portal.example.com (listening on 127.0.0.1:{port})")),
        "the address contacts use: {banner}"
    );
    assert!(banner.contains("Passkeys can be saved and used at https://portal.example.com."), "{banner}");
    assert!(banner.contains("Email codes go to nowhere: no email provider is configured"), "{banner}");
    assert!(banner.contains("Text-message codes go to Twilio at api.twilio.com."), "{banner}");
    assert!(banner.contains("Contacts read English unless their browser asks for Danish; times are in Europe/Copenhagen."), "{banner}");
    assert!(!banner.contains("/dev/outbox"), "{banner}");
    assert!(!banner.contains("tok"), "no secret in the banner: {banner}");
}

/// The quick start: `portal serve` with nothing set listens on the loopback address
/// and is reached as `http://localhost:<port>`, a name, so passkeys work; the address
/// `http://127.0.0.1:<port>` still works by leading there.
#[tokio::test]
async fn the_embedded_default_is_reached_by_name_so_passkeys_work_and_the_loopback_address_leads_there() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("serve")
        .env("PORTAL_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", format!("sqlite://{}/p.db", dir.path().display()))
        .env("PORTAL_KEY_FILE", dir.path().join("secret.key"))
        .env("RUST_LOG", "warn")
        .env_remove("PORTAL_PUBLIC_URL")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _child = Killed(child);
    let banner: Vec<String> =
        std::io::BufReader::new(stdout).lines().map_while(Result::ok).take_while(|l| !l.contains("Stop with Ctrl-C")).collect();
    let banner = banner.join("\n");
    let (name, ip) = (format!("http://localhost:{port}"), format!("http://127.0.0.1:{port}"));
    assert!(banner.contains(&format!("running at {name} (listening on 127.0.0.1:{port}; {ip} leads there)")), "{banner}");
    assert!(banner.contains(&format!("Passkeys can be saved and used at {name}: they need a name")), "{banner}");
    assert!(banner.contains(&format!("read them at {name}/dev/outbox")), "{banner}");

    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let by_ip = http.get(format!("{ip}/login?next=%2F")).send().await.unwrap();
    assert_eq!(by_ip.status(), 308);
    assert_eq!(by_ip.headers()["location"], format!("{name}/login?next=%2F").as_str());
    // The probes and the dev outbox answer at either address.
    assert_eq!(http.get(format!("{ip}/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(http.get(format!("{ip}/dev/outbox.json")).send().await.unwrap().status(), 200);
    let by_name = http.get(format!("{name}/login")).send().await.unwrap();
    assert_eq!(by_name.status(), 200);
    let page = by_name.text().await.unwrap();
    assert!(page.contains("Log in with a passkey"), "the passkey button: {page}");
    // A form posted from a page at the address (an old tab) is still the portal's own.
    let posted = http
        .post(format!("{ip}/api/login/request-code"))
        .header("origin", &ip)
        .header("accept", "text/html")
        .form(&[("identifier", "ada@example.com"), ("channel", "email"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 302, "{:?}", posted.text().await);
}
