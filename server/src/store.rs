//! Persistence: sqlx queries at run time (no database needed to compile) and the
//! migrations under `migrations/sqlite`.

mod admins;
mod contacts;
mod devices;
mod events;
mod jobs;
mod login;
mod messages;
mod outbox;
mod rate;
mod retention;
mod tx;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use admins::{AdminRecord, AdminSessionRecord};
pub use contacts::{Contact, ContactId, ContactQuery, NewContact};
pub use devices::Device;
pub use events::{Event, EventKind, NewEvent};
pub use jobs::{ClaimedJob, JobRecord, NewJob, Outcome};
pub use login::{CodeRecord, FlowRecord, NewCode, NewFlow, Trust};
pub use messages::{MessageListing, PublishedMessage};
pub use outbox::OutboxEntry;
pub use rate::{Key, RefusedStep, Scope};
pub use retention::{Cutoffs, Pruned};
pub use tx::Tx;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored value this version cannot read: never guessed at, always an error.
    #[error("unreadable stored value: {0}")]
    Corrupt(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating the file and its folder if needed) and migrates the database.
    pub async fn open(url: &str) -> StoreResult<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL cannot corrupt the database; a power cut may lose the
            // last commits, which for codes means asking for a new one.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let path = options.get_filename();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Store { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// A stored channel, decoded strictly.
fn stored_channel(s: &str) -> StoreResult<app::types::Channel> {
    match s {
        "email" => Ok(app::types::Channel::Email),
        "sms" => Ok(app::types::Channel::Sms),
        other => Err(StoreError::Corrupt(format!("channel {other:?}"))),
    }
}

/// SQLite reports a UNIQUE violation with the column name; turn it into words.
fn unique_violation(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(db.message().to_string()),
        _ => None,
    }
}
