//! Administrator accounts on the command line: NIST-style passwords, argon2id at
//! OWASP's parameters, one clear line for every refusal, nothing written by one.

use std::io::Write;
use std::process::{Command, Output, Stdio};

struct Cli {
    db: crate::helpers::TestDb,
    _dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Cli { db: crate::helpers::TestDb::new(dir.path(), "portal.db"), _dir: dir }
    }

    fn db(&self) -> String {
        self.db.url.clone()
    }

    /// Runs `portal` with `stdin` on its standard input (none: no terminal either).
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(args)
            .env("DATABASE_URL", self.db())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(!out.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        stderr
    }
}

const GOOD: &str = "correct horse battery staple\n";

#[test]
fn administrators_are_added_listed_given_new_passwords_and_removed() {
    let cli = Cli::new();
    assert_eq!(cli.ok(&["admin", "add", "Ops", "--password-stdin"], Some(GOOD)), "administrator ops added");
    assert!(cli.ok(&["admin", "list"], None).starts_with("ops\tadded "));
    assert!(cli.fails(&["admin", "add", "ops", "--password-stdin"], Some(GOOD)).contains("exists already"));
    assert_eq!(
        cli.ok(&["admin", "passwd", "ops", "--password-stdin"], Some("lampe kaffe regnvejr sol\n")),
        "administrator ops has a new password"
    );
    assert!(cli.fails(&["admin", "passwd", "nobody", "--password-stdin"], Some(GOOD)).contains("no administrator"));
    assert_eq!(cli.ok(&["admin", "remove", "ops"], None), "administrator ops removed");
    assert_eq!(cli.ok(&["admin", "list"], None), "");
    assert!(cli.fails(&["admin", "remove", "ops"], None).contains("no administrator"));
}

#[tokio::test]
async fn the_password_is_stored_as_argon2id_with_owasp_parameters() {
    let cli = Cli::new();
    cli.ok(&["admin", "add", "ops", "--password-stdin"], Some(GOOD));
    let store = server::store::Store::open(&cli.db()).await.unwrap();
    let stored: String = server::store::sql("SELECT password_hash FROM admins").scalar_one(store.db()).await.unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    assert!(!stored.contains("correct horse"));
    assert!(server::admin::password::verify(&stored, "correct horse battery staple"));
    let events = store.events(None).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind() == "admin_account").count(), 1, "the account change is in the log");
}

#[test]
fn weak_passwords_and_bad_names_are_refused_with_a_reason_and_write_nothing() {
    let cli = Cli::new();
    let cases = [
        ("short", "Tr0ub4dor&3\n", "at least 15 characters"),
        ("common", "1qaz2wsx3edc4rfv\n", "most common"),
        ("padded common", "baseball12345678!\n", "most common"),
        ("repeated", "passwordpassword\n", "repetition or a sequence"),
        ("sequence", "123456789012345\n", "repetition or a sequence"),
        ("with the username", "ops-team-password-2026\n", "username"),
    ];
    for (name, password, says) in cases {
        let line = cli.fails(&["admin", "add", "ops", "--password-stdin"], Some(password));
        assert!(line.contains(says), "{name}: {line}");
    }
    assert!(cli.fails(&["admin", "add", "has space", "--password-stdin"], Some(GOOD)).contains("not a username"));
    let no_terminal = cli.fails(&["admin", "add", "ops"], None);
    assert!(no_terminal.contains("--password-stdin"), "{no_terminal}");
    assert_eq!(cli.ok(&["admin", "list"], None), "", "nothing was written");
}
