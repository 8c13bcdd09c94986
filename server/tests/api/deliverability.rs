//! Code email that reaches the inbox: signed with DKIM (RSA-2048 and Ed25519) and
//! verified by an independent verifier (Python's dkimpy, with the DNS record that
//! `portal dkim generate` printed), headers as RFC 5322 wants, the code first, and a
//! SpamAssassin score of at most 0 (Debian's `spamassassin -L -t`).

use std::path::Path;
use std::process::Command;

use base64::Engine;
use domain::Channel;
use serde_json::Value;

use crate::helpers::{TestApp, six_digits, spawn_app_with};
use crate::sinks::{SmtpSink, free_port};

/// A name outside ASCII: the subject and From are RFC 2047-encoded, and signed so.
const ORGANISATION: &str = "Roklubben Ørestad";

/// What `portal dkim generate` wrote and printed.
struct Generated {
    key_file: String,
    record_name: String,
    record_value: String,
    stdout: String,
}

fn generate(dir: &Path, algorithm: &str, selector: &str) -> Generated {
    let key_file = dir.join(format!("{selector}.pem")).display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["dkim", "generate", "--domain", "example.com", "--selector", selector, "--algorithm", algorithm, "--out", &key_file])
        .env_remove("DATABASE_URL")
        .output()
        .expect("portal runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no {name} in {stdout}"))
    };
    Generated { key_file, record_name: field("name:"), record_value: field("value:"), stdout }
}

async fn signing_portal(sink: &SmtpSink, key: &Generated, selector: &str) -> TestApp {
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    spawn_app_with(&[
        ("SMTP_URL", &url),
        // No display name: the organisation's is used.
        ("MAIL_FROM", "portal@example.com"),
        ("PORTAL_SMS_DELIVERY", "none"),
        ("PORTAL_DELIVERY_POLL", "20ms"),
        ("PORTAL_ORGANISATION", ORGANISATION),
        ("DKIM_PRIVATE_KEY_FILE", &key.key_file),
        ("DKIM_SELECTOR", selector),
        ("DKIM_DOMAIN", "example.com"),
    ])
    .await
}

/// The mail exactly as the SMTP server received it.
fn raw(mail: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(mail["raw"].as_str().expect("raw")).expect("base64")
}

/// Python's reading of `message` (see tests/support/mail_check.py).
fn check(dir: &Path, message: &[u8], record: Option<(&str, &str)>) -> Value {
    let file = dir.join(format!("m{}.eml", rand_suffix()));
    std::fs::write(&file, message).unwrap();
    let python = std::env::var("PORTAL_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut command = Command::new(&python);
    command.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/mail_check.py")).arg(&file);
    if let Some((name, value)) = record {
        command.args([name, value]);
    }
    let out = command.output().unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "mail_check.py failed (is dkimpy installed for {python}? ./scripts/test installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// `spamassassin -L -t`: the score it reports and the rules it lists.
fn spamassassin(message: &[u8]) -> (f64, String) {
    use std::io::Write;
    let mut child = Command::new("spamassassin")
        .args(["-L", "-t"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run spamassassin ({e}): apt-get install spamassassin (./scripts/test does)"));
    child.stdin.take().unwrap().write_all(message).unwrap();
    let out = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    let status = report.lines().find(|l| l.starts_with("X-Spam-Status:")).unwrap_or_else(|| panic!("no X-Spam-Status in {report}"));
    let score = status.split("score=").nth(1).and_then(|s| s.split_whitespace().next()).and_then(|s| s.parse().ok()).expect("a score");
    let details = report.split("Content analysis details:").nth(1).unwrap_or_default().to_string();
    (score, details)
}

#[tokio::test]
async fn signed_code_email_verifies_with_an_independent_verifier_for_rsa_and_ed25519() {
    let dir = tempfile::tempdir().unwrap();
    for (algorithm, a_tag) in [("rsa", "rsa-sha256"), ("ed25519", "ed25519-sha256")] {
        let selector = format!("portal-{algorithm}");
        let key = generate(dir.path(), algorithm, &selector);
        assert_eq!(key.record_name, format!("{selector}._domainkey.example.com"));
        assert!(key.record_value.starts_with(&format!("v=DKIM1; k={algorithm}; p=")), "{}", key.stdout);
        assert!(key.stdout.contains(&format!("DKIM_PRIVATE_KEY_FILE={}", key.key_file)), "{}", key.stdout);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key.key_file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "the private key is the owner's alone");
        }

        let sink = SmtpSink::start(free_port()).await;
        let app = signing_portal(&sink, &key, &selector).await;
        app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
        let browser = app.browser();
        browser.request_code("ada@example.com", Channel::Email).await;
        let message = raw(&sink.next_message().await);

        let read = check(dir.path(), &message, Some((&key.record_name, &key.record_value)));
        assert_eq!(read["dkim_valid"], true, "{algorithm}: {read:#}");
        assert_eq!(read["dkim_asked"], serde_json::json!([key.record_name]), "looked up where generate said to publish");
        let tags = &read["dkim_tags"];
        assert_eq!(tags["a"], a_tag);
        assert_eq!(tags["c"], "relaxed/relaxed");
        assert_eq!(tags["d"], "example.com");
        assert_eq!(tags["s"], selector.as_str());
        let signed: Vec<&str> = tags["h"].as_str().unwrap().split(':').collect();
        for header in ["from", "to", "subject", "date", "message-id", "reply-to", "mime-version", "auto-submitted"] {
            assert!(signed.contains(&header), "{header} is signed: {signed:?}");
        }

        // The verifier can say no: a changed code, subject or sender breaks the signature.
        let text = String::from_utf8(message.clone()).expect("7-bit mail");
        let code = six_digits(&text).expect("a code");
        let other = crate::helpers::wrong(&code);
        for (what, tampered) in [
            ("the code", text.replace(&code, &other)),
            ("the sender", text.replacen("portal@example.com", "portal@example.net", 1)),
            ("a signed header's value", text.replacen("Message-ID: <portal-job-", "Message-ID: <other-job-", 1)),
        ] {
            assert_ne!(tampered, text, "{what} was changed");
            let read = check(dir.path(), tampered.as_bytes(), Some((&key.record_name, &key.record_value)));
            assert_eq!(read["dkim_valid"], false, "{algorithm}: changing {what} must fail verification: {read:#}");
        }
        // …and so does a record for another key.
        let stranger = generate(dir.path(), algorithm, &format!("{selector}-2"));
        let read = check(dir.path(), &message, Some((&key.record_name, &stranger.record_value)));
        assert_eq!(read["dkim_valid"], false, "{algorithm}: another key's record: {read:#}");

        // The code logs in: signing changed nothing a contact reads.
        assert!(browser.enter_code(&code).await.body.contains("Your messages"));
    }
}

#[tokio::test]
async fn the_code_email_has_rfc_5322_headers_the_code_first_and_nothing_to_track() {
    let dir = tempfile::tempdir().unwrap();
    let key = generate(dir.path(), "ed25519", "s1");
    let sink = SmtpSink::start(free_port()).await;
    let app = signing_portal(&sink, &key, "s1").await;
    app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.browser().request_code("ada@example.com", Channel::Email).await;
    let message = raw(&sink.next_message().await);
    let read = check(dir.path(), &message, None);
    let headers = &read["headers"];

    assert_eq!(headers["From"], format!("{ORGANISATION} <portal@example.com>"), "the organisation's name: {read:#}");
    assert_eq!(headers["To"], "ada@example.com");
    assert_eq!(headers["MIME-Version"], "1.0");
    assert_eq!(headers["Auto-Submitted"], "auto-generated");
    let id = headers["Message-ID"].as_str().unwrap();
    assert!(id.starts_with("<portal-job-") && id.ends_with("@example.com>"), "in the sender's domain, not the host's: {id}");
    // RFC 5322 date-time, parsed by Python as a receiver would.
    assert!(headers["Date"].as_str().is_some_and(|d| d.ends_with(" +0000") && d.len() > 25), "{read:#}");
    let names: Vec<&str> = read["header_names"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for once in ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "DKIM-Signature"] {
        assert_eq!(names.iter().filter(|n| n.eq_ignore_ascii_case(once)).count(), 1, "{once} exactly once: {names:?}");
    }

    let first = read["text_first_line"].as_str().unwrap();
    let code = six_digits(first).expect("the code on the first line");
    assert_eq!(first, format!("{code} is your login code for {ORGANISATION}."));
    // The subject says it too (`PORTAL_CODE_IN_SUBJECT`, on by default), and the text
    // ends with the origin-bound line Safari and Apple Mail fill codes from.
    assert_eq!(headers["Subject"], format!("{code} is your login code for {ORGANISATION}"), "{read:#}");
    let text = String::from_utf8_lossy(&message);
    assert!(text.contains(&format!(" #{code}")), "the origin-bound line: {text}");
    assert_eq!(read["parts"], serde_json::json!(["multipart/alternative", "text/plain", "text/html"]));
    assert_eq!(read["html_has_links_or_images"], false);
}

#[tokio::test]
async fn spamassassin_scores_signed_code_email_at_most_zero() {
    let dir = tempfile::tempdir().unwrap();
    for algorithm in ["rsa", "ed25519"] {
        let selector = format!("s-{algorithm}");
        let key = generate(dir.path(), algorithm, &selector);
        let sink = SmtpSink::start(free_port()).await;
        let app = signing_portal(&sink, &key, &selector).await;
        app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
        app.add_contact("Bo", Some("bo@example.com"), None, &[]).await;
        // In English, and in Danish (æ, ø and å in the subject and the body).
        for (who, languages, subject, same) in [
            ("ada@example.com", "en-GB", "is your login code for", "This is the same code as in our message of"),
            ("bo@example.com", "da-DK", "er din kode til at logge ind hos", "Det er den samme kode som i vores besked fra"),
        ] {
            let browser = app.browser().speaking(languages);
            browser.request_code(who, Channel::Email).await;
            let first = raw(&sink.next_message().await);
            // "Send a new code": the same code again, saying so (issue 23).
            app.clock.advance(31);
            browser.resend(Channel::Email).await;
            let again = raw(&sink.next_message().await);
            for (which, message) in [("code email", &first), ("re-sent code email", &again)] {
                let read = check(dir.path(), message, None);
                let said = read["headers"]["Subject"].as_str().unwrap_or_default();
                assert!(six_digits(said).is_some() && said.ends_with(&format!("{subject} {ORGANISATION}")), "{read:#}");
                let (score, details) = spamassassin(message);
                eprintln!("spamassassin -L -t, {algorithm}-signed {which} ({languages}): score {score}\n{details}");
                assert!(score <= 0.0, "{algorithm}, {languages}, {which}: score {score}:\n{details}");
                assert!(!details.contains("MISSING_") && !details.contains("INVALID_DATE"), "{details}");
            }
            let text = |message: &[u8]| check(dir.path(), message, None)["text"].as_str().unwrap_or_default().to_string();
            assert!(text(&again).contains(same) && !text(&first).contains(same), "only the re-send says so: {}", text(&again));
        }
    }
}

#[test]
fn dkim_generate_refuses_bad_names_and_never_overwrites_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.pem");
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_portal")).arg("dkim").args(args).output().expect("portal runs");
        (o.status.success(), String::from_utf8_lossy(&o.stderr).trim().to_string())
    };
    let out_arg = out.display().to_string();
    for (args, says) in [
        (vec!["generate", "--domain", "localhost", "--out", &out_arg], "--domain=\"localhost\" is not a domain"),
        (vec!["generate", "--domain", "example.com", "--selector", "a b", "--out", &out_arg], "--selector=\"a b\" is not a DNS label"),
        (vec!["generate", "--domain", "example.com", "--algorithm", "dsa", "--out", &out_arg], "\"dsa\" is not a DKIM algorithm"),
    ] {
        let (ok, stderr) = run(&args);
        assert!(!ok && stderr.contains(says) && !stderr.contains('\n'), "{args:?}: one line saying {says}: {stderr}");
        assert!(!out.exists(), "{args:?}: nothing written");
    }
    std::fs::write(&out, "mine").unwrap();
    let (ok, stderr) = run(&["generate", "--domain", "example.com", "--out", &out_arg]);
    assert!(!ok && stderr.contains("exists; it is not overwritten"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");

    // `record` prints what `generate` printed, from the settings.
    let fresh = dir.path().join("fresh.pem").display().to_string();
    let generated = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["dkim", "generate", "--domain", "example.com", "--selector", "s9", "--out", &fresh])
        .output()
        .unwrap();
    let recorded = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(["dkim", "record"])
        .env("DKIM_PRIVATE_KEY_FILE", &fresh)
        .env("DKIM_SELECTOR", "s9")
        .env("DKIM_DOMAIN", "example.com")
        .output()
        .unwrap();
    let value = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).lines().find(|l| l.contains("value:")).map(str::to_string);
    assert!(value(&generated).is_some() && value(&generated) == value(&recorded), "{generated:?} {recorded:?}");
}
