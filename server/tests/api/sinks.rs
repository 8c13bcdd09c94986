//! A real SMTP server on loopback: Python's aiosmtpd, run as a child process.
//! `./scripts/test` installs aiosmtpd in `target/pyenv` and points
//! `PORTAL_TEST_PYTHON` at it; otherwise `python3` must have it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

pub struct SmtpSink {
    pub port: u16,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<serde_json::Value>,
}

/// A loopback port nothing listens on (yet).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

impl SmtpSink {
    pub async fn start(port: u16) -> SmtpSink {
        Self::start_with(port, &[]).await
    }

    pub async fn start_with(port: u16, flags: &[&str]) -> SmtpSink {
        let python = std::env::var("PORTAL_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new(&python)
            .arg(script)
            .arg(port.to_string())
            .args(flags)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python} for the SMTP sink: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (tx, rx) = channel::<serde_json::Value>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str(&line)
                    && tx.send(value).is_err()
                {
                    break;
                }
            }
        });
        let mut sink = SmtpSink { port, child, stdin, lines: rx };
        let ready = sink
            .try_message(Duration::from_secs(20))
            .await
            .unwrap_or_else(|| panic!("the SMTP sink did not start: is aiosmtpd installed for {python}? (./scripts/test installs it)"));
        assert_eq!(ready["ready"], port);
        sink.port = port;
        sink
    }

    /// The next message the server received, waiting up to 10 s.
    pub async fn next_message(&self) -> serde_json::Value {
        self.try_message(Duration::from_secs(10)).await.expect("a message reached the SMTP server")
    }

    /// A message received within `wait`, if any. Polls without blocking the runtime
    /// the portal under test runs on.
    pub async fn try_message(&self, wait: Duration) -> Option<serde_json::Value> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Ok(value) = self.lines.try_recv() {
                return Some(value);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl SmtpSink {
    /// Lets go of the messages a `--hold` sink is holding: it answers them now.
    pub fn release(&mut self) {
        let stdin = self.stdin.as_mut().expect("the sink's standard input");
        stdin.write_all(b"release\n").and_then(|()| stdin.flush()).expect("release the held messages");
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
