//! The contact portal server: configuration, rules, storage, delivery and the web
//! layer, assembled by `main.rs` (the `portal` binary) and by the integration tests.

pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod http;
pub mod login;
pub mod markdown;
pub mod store;

use std::sync::Arc;

use clock::Clock;
use config::{Config, DeliveryKind};
use delivery::{Delivery, DevOutbox};
use domain::Secret;
use login::LoginService;
use store::Store;

/// Why the portal could not start. Printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The running parts of a portal, built from a configuration and a clock.
pub async fn build(config: &Config, clock: Arc<dyn Clock>) -> Result<LoginService, StartError> {
    let store = Store::open(&config.database_url).await?;
    let secret = load_secret(config)?;
    let delivery: Arc<dyn Delivery> = match config.delivery {
        DeliveryKind::Dev => Arc::new(DevOutbox::new(store.clone(), clock.clone())),
    };
    Ok(LoginService::new(store, delivery, clock, secret, config.limits.clone(), config.region))
}

/// The code key: `PORTAL_SECRET_KEY`, or in dev mode a key file made on first start.
fn load_secret(config: &Config) -> Result<Secret, StartError> {
    let bad_key = || StartError::Config("the secret key must be at least 32 hex digits (128 bits)".into());
    if let Some(hex) = &config.secret_key {
        return Secret::from_hex(hex).ok_or_else(bad_key);
    }
    if !config.is_dev() {
        return Err(StartError::Config("PORTAL_SECRET_KEY is required unless PORTAL_DELIVERY=dev".into()));
    }
    let path = std::path::Path::new(&config.key_file);
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let hex = Secret::generate_hex().map_err(|e| StartError::Config(format!("no randomness: {e}")))?;
        write_private(path, &hex)?;
    }
    Secret::from_hex(&std::fs::read_to_string(path)?).ok_or_else(bad_key)
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
