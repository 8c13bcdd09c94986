//! The `portal` command line, run as a separate process on a temporary database.

use std::process::{Command, Output};

struct Cli {
    db: crate::helpers::TestDb,
    _dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        Cli { db: crate::helpers::TestDb::new(dir.path(), "portal.db"), _dir: dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_portal")).args(args).env("DATABASE_URL", &self.db.url).env("RUST_LOG", "warn").output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs a command that must fail, and returns its one line of error.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(stderr.lines().count(), 1, "one line of error, got: {stderr}");
        stderr
    }
}

#[test]
fn contacts_are_added_listed_and_opted_out_per_channel() {
    let cli = Cli::new();
    assert_eq!(cli.ok(&["contact", "add", "--name", "Ada", "--email", " Ada@Example.com", "--phone", "12 34 56 78"]), "contact 1 added");
    cli.ok(&["contact", "opt-out", "+45 12345678", "--channel", "sms"]);
    let list = cli.ok(&["contact", "list"]);
    assert!(list.contains("ada@example.com"), "{list}");
    assert!(list.contains("+4512345678 (opted out)"), "{list}");
    cli.ok(&["contact", "opt-in", "ada@example.com", "--channel", "sms"]);
    assert!(!cli.ok(&["contact", "list"]).contains("opted out"));
}

#[test]
fn the_same_email_or_phone_cannot_belong_to_two_contacts() {
    let cli = Cli::new();
    cli.ok(&["contact", "add", "--name", "Ada", "--email", "ada@example.com", "--phone", "12 34 56 78"]);
    let e = cli.fails(&["contact", "add", "--name", "Eve", "--email", "ADA@example.com"]);
    assert!(e.contains("already has the email ada@example.com"), "{e}");
    let e = cli.fails(&["contact", "add", "--name", "Eve", "--phone", "+45 1234 5678"]);
    assert!(e.contains("already has the phone number +4512345678"), "{e}");
    assert_eq!(cli.ok(&["contact", "list"]).lines().count(), 1);
}

#[test]
fn bad_input_is_one_clear_line_and_writes_nothing() {
    let cli = Cli::new();
    assert!(cli.fails(&["contact", "add", "--name", "Ada", "--email", "ada@"]).contains("not a valid email address"));
    assert!(cli.fails(&["contact", "add", "--name", "Ada", "--phone", "12"]).contains("not a valid phone number"));
    assert!(cli.fails(&["contact", "add", "--name", "Ada"]).contains("--email, --phone or both"));
    assert!(cli.fails(&["contact", "add", "--name", " ", "--email", "a@b.dk"]).contains("name"));
    assert!(cli.fails(&["contact", "add", "--name", "Ada", "--email", "a@b.dk", "--opt-out", "fax"]).contains("fax"));
    assert!(cli.fails(&["contact", "opt-out", "nobody@example.com", "--channel", "email"]).contains("no contact"));
    assert!(cli.fails(&["frobnicate"]).contains("frobnicate"));
    assert_eq!(cli.ok(&["contact", "list"]), "");
}

#[test]
fn messages_are_added_published_and_listed() {
    let cli = Cli::new();
    cli.ok(&["contact", "add", "--name", "Ada", "--email", "ada@example.com"]);
    let id = cli.ok(&["message", "add", "--title", "Hello", "--body", "# Hi"]);
    assert_eq!(id.len(), 10, "{id}");
    cli.ok(&["message", "publish", &id, "--to", "ada@example.com"]);
    let list = cli.ok(&["message", "list"]);
    assert!(list.starts_with(&format!("{id}\tHello\t1 recipient(s)")), "{list}");

    assert!(cli.fails(&["message", "publish", "nosuchid", "--to", "ada@example.com"]).contains("no message"));
    assert!(cli.fails(&["message", "publish", &id, "--to", "bob@example.com"]).contains("no contact"));
    assert!(cli.fails(&["message", "add", "--title", "", "--body", "x"]).contains("title"));
}

#[test]
fn demo_data_is_added_once() {
    let cli = Cli::new();
    assert!(cli.ok(&["demo"]).starts_with("demo data added"));
    assert_eq!(cli.ok(&["demo"]), "demo data is already there");
    assert_eq!(cli.ok(&["contact", "list"]).lines().count(), 3);
}
