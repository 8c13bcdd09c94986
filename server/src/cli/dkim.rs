//! `portal dkim`: make a signing key, and print the DNS record to publish.

use super::DkimCommand;
use crate::clock::Clock;

pub(super) fn dkim(command: DkimCommand, clock: &dyn Clock) -> Result<(), String> {
    use crate::delivery::dkim::{Algorithm, Dkim, Key, dns_name};
    match command {
        DkimCommand::Generate { domain, selector, algorithm, out } => {
            let algorithm = Algorithm::parse(&algorithm)?;
            let selector = selector.unwrap_or_else(|| {
                let now = time::OffsetDateTime::from_unix_timestamp(clock.now().0).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
                format!("portal{}{:02}", now.year(), u8::from(now.month()))
            });
            // Names are checked before a key is made or a file written.
            dns_name(&selector, "--selector", false)?;
            dns_name(&domain, "--domain", true)?;
            let dkim = Dkim::new(&selector, &domain, Key::generate(algorithm)?)?;
            write_private(&out, &dkim.key.to_pem())?;
            let path = std::fs::canonicalize(&out).unwrap_or(out);
            println!("Wrote the {} private key to {}, readable only by you.\n", dkim.key.describe(), path.display());
            print_record(&dkim);
            println!("\nThen start the portal with:\n");
            println!("  DKIM_PRIVATE_KEY_FILE={}", path.display());
            println!("  DKIM_SELECTOR={}", dkim.selector);
            println!("  DKIM_DOMAIN={}", dkim.domain);
        }
        DkimCommand::Record => {
            let get = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set (see portal dkim generate --help)"));
            let file = get("DKIM_PRIVATE_KEY_FILE")?;
            let pem = std::fs::read_to_string(&file).map_err(|e| format!("DKIM_PRIVATE_KEY_FILE={file} cannot be read: {e}"))?;
            let key = Key::from_pem(&pem).map_err(|e| format!("DKIM_PRIVATE_KEY_FILE={file}: {e}"))?;
            print_record(&Dkim::new(&get("DKIM_SELECTOR")?, &get("DKIM_DOMAIN")?, key)?);
        }
    }
    Ok(())
}

fn print_record(dkim: &crate::delivery::dkim::Dkim) {
    println!("Publish this TXT record in the DNS of {}:\n", dkim.domain);
    println!("  name:  {}", dkim.record_name());
    println!("  value: {}", dkim.key.dns_value());
    println!("\nor, in a zone file (TXT strings are at most 255 characters, so the value is split):\n");
    println!("{}", dkim.zone_record());
}

/// Creates `path` for its owner only (0600), refusing to replace a file.
fn write_private(path: &std::path::Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!("{} exists; it is not overwritten (choose another --out)", path.display()),
        _ => format!("cannot create {}: {e}", path.display()),
    })?;
    file.write_all(contents.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
