//! Assembling a portal from its configuration: the store, the keys, the delivery
//! providers, the login service and the worker. Used by `cli` (`portal serve`) and the
//! integration tests.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{Config, EmailDelivery, SmsDelivery};
use crate::delivery::sms::{Twilio, TwilioSettings, Webhook};
use crate::delivery::smtp::Smtp;
use crate::delivery::{ByChannel, Delivery, DevOutbox, NotConfigured, Sealer, Worker};
use crate::login::{LoginService, Outbox};
use crate::store::{self, Store};
use domain::{Keyring, Secret};

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

/// The running parts of a portal: the service that answers requests, and the
/// worker that delivers what it queues (started separately, see [`Worker::spawn`]).
pub struct Portal {
    pub service: LoginService,
    pub worker: Worker,
}

pub async fn build(config: &Config, clock: Arc<dyn Clock>) -> Result<Portal, StartError> {
    let store = Store::open_with(&config.database_url, config.database).await?;
    let secret = load_secret(config)?;
    let sealer = Sealer::new(&secret);
    let delivery = providers(config, &clock)?;
    let worker = Worker::new(store.clone(), delivery, clock.clone(), sealer.clone(), config.delivery.worker.clone());
    // The translations are checked once, before anything is served.
    domain::i18n::check_translations().map_err(StartError::Config)?;
    let outbox = Outbox {
        sealer,
        worker: worker.clone(),
        host: config.public_host().to_string(),
        organisation: config.organisation.clone(),
        zone: config.zone.clone(),
        code_in_subject: config.code_in_subject,
    };
    let service = LoginService::new(store, clock, secret, config.limits.clone(), config.region, outbox);
    Ok(Portal { service, worker })
}

/// The providers the configuration names, one per channel.
fn providers(config: &Config, clock: &Arc<dyn Clock>) -> Result<Arc<dyn Delivery>, StartError> {
    let timeout = config.delivery.provider_timeout;
    let dev = || -> Arc<dyn Delivery> { Arc::new(DevOutbox::new(clock.clone())) };
    let email: Arc<dyn Delivery> = match &config.delivery.email {
        EmailDelivery::Dev => dev(),
        EmailDelivery::None => Arc::new(NotConfigured),
        EmailDelivery::Smtp { url, from, reply_to, dkim } => Arc::new(
            Smtp::new(&url.0, from, reply_to.as_deref(), timeout)
                .map_err(StartError::Config)?
                .named(&config.organisation)
                .signed_by(dkim.clone())
                .map_err(StartError::Config)?,
        ),
    };
    let sms: Arc<dyn Delivery> = match &config.delivery.sms {
        SmsDelivery::Dev => dev(),
        SmsDelivery::None => Arc::new(NotConfigured),
        SmsDelivery::Twilio { base_url, account_sid, auth_token, from, messaging_service_sid } => Arc::new(
            Twilio::new(TwilioSettings {
                base_url: base_url.clone(),
                account_sid: account_sid.clone(),
                auth_token: auth_token.0.clone(),
                from: from.clone(),
                messaging_service_sid: messaging_service_sid.clone(),
                status_callback: Some(format!("{}{}", config.public_url, crate::http::TWILIO_STATUS_PATH)),
                timeout,
            })
            .map_err(StartError::Config)?,
        ),
        SmsDelivery::Webhook { url, token } => {
            Arc::new(Webhook::new(url.clone(), token.as_ref().map(|t| t.0.clone()), timeout).map_err(StartError::Config)?)
        }
    };
    Ok(Arc::new(ByChannel { email, sms }))
}

/// The server keys: `PORTAL_SECRET_KEY` (`current[,previous…]`), or in dev mode a key
/// file made on first start.
fn load_secret(config: &Config) -> Result<Keyring, StartError> {
    let bad_key = || StartError::Config("each secret key must be at least 32 hex digits (128 bits); separate keys with commas".into());
    if let Some(hex) = &config.secret_key {
        return Keyring::parse(hex).ok_or_else(bad_key);
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
    Keyring::parse(&std::fs::read_to_string(path)?).ok_or_else(bad_key)
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
