//! Persistence: sqlx queries at run time (no database needed to compile), one text
//! for SQLite and PostgreSQL (see `db`), and the migrations of each under
//! `migrations/sqlite` and `migrations/postgres`.

/// Defines an enum stored as its name, read back strictly.
macro_rules! stored_names {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == name)
            }
        }
    };
}

mod admins;
mod api;
mod contacts;
mod db;
mod devices;
mod events;
mod job_records;
mod jobs;
mod login;
mod messages;
mod outbox;
mod passkeys;
mod rate;
mod retention;
mod slots;
mod support;
mod tx;
mod what;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use db::{Backend, Db, Done, Ex, Query, sql};

pub use admins::{AdminBrowser, AdminRecord, AdminSessionRecord};
pub use api::{AddressChange, ApiMessage, ApiTokenRecord, MessageText};
pub use contacts::{Contact, ContactId, ContactQuery, NewContact};
pub use devices::Device;
pub use events::{Event, EventKind, NewEvent};
pub use job_records::{DeliveryRow, DestinationCounts, DestinationWindows, JobRecord};
pub use jobs::{ClaimedJob, JobClaim, JobPurpose, JobStatus, NewJob, Outcome};
pub use login::{CodeRecord, FlowRecord, NewCode, NewFlow, Trust};
pub use messages::{MessageListing, PublishedMessage};
pub use outbox::OutboxEntry;
pub use passkeys::{Ceremony, NewPasskey, StoredPasskey};
pub use rate::{Key, RefusedStep, Scope};
pub use retention::{Cutoffs, Pruned};
pub use slots::{NewSlot, Slot};
pub use support::{AtStep, NewSupportRef, SupportRefRecord, Told};
pub use tx::{Lock, Tx};
pub use what::{FailReason, NotSent, TestStatus, What, stored_name};

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
    db: Db,
    /// Writes a page load records without waiting for them (see [`Store::aside`]).
    aside: std::sync::Arc<tokio::sync::Semaphore>,
}

/// At most this many page-load records wait for the database at once; past that they
/// are dropped (and logged), so a stalled database cannot pile up tasks.
const ASIDE_MAX: usize = 256;

/// How long a page waits for its records before it answers without them (they are
/// still written, a moment later).
const ASIDE_WAIT: Duration = Duration::from_millis(250);

/// How many connections a process keeps, and how long a request waits for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings { max_connections: 8, acquire_timeout: Duration::from_secs(5) }
    }
}

impl Backend {
    /// The backend a `DATABASE_URL` names, or why it names none.
    pub fn of(url: &str) -> Result<Backend, domain::InputError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(domain::InputError::new("DATABASE_URL must start with sqlite:// or postgres://"))
        }
    }
}

impl Store {
    /// Opens and migrates the database, with the default pool.
    pub async fn open(url: &str) -> StoreResult<Store> {
        Store::open_with(url, PoolSettings::default()).await
    }

    /// Opens and migrates the database. On SQLite the file and its folder are made if
    /// needed. On PostgreSQL, processes starting at once migrate one at a time (the
    /// migrator holds an advisory lock), and connections lost while the database is
    /// away are replaced when it is back.
    pub async fn open_with(url: &str, pool: PoolSettings) -> StoreResult<Store> {
        Store::connect(url, pool, true).await
    }

    /// Opens a database that a portal has migrated, as it is: for a tool that runs
    /// beside a portal of another version (the benchmark's rows for an earlier commit),
    /// which must neither add its own migrations nor refuse the portal's.
    pub async fn open_as_migrated(url: &str) -> StoreResult<Store> {
        Store::connect(url, PoolSettings::default(), false).await
    }

    async fn connect(url: &str, pool: PoolSettings, migrate: bool) -> StoreResult<Store> {
        let backend = Backend::of(url).map_err(|e| StoreError::Database(sqlx::Error::Configuration(e.to_string().into())))?;
        let db = match backend {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // With WAL, NORMAL cannot corrupt the database; a power cut may lose the
                    // last commits, which for codes means asking for a new one.
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    // Every wait on the database is bounded: a writer that holds the
                    // lock longer makes the others answer "try again in a moment".
                    .busy_timeout(pool.acquire_timeout);
                let path = options.get_filename();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
                }
                // Room in the writer's statement cache for the joined texts of deferred
                // writes (`db::Deferred`) beside the single statements (about 70).
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(pool.acquire_timeout)
                    .connect_with(options.clone().statement_cache_capacity(400))
                    .await?;
                if migrate {
                    sqlx::migrate!("./migrations/sqlite").run(&write).await?;
                }
                let read = SqlitePoolOptions::new()
                    .max_connections(pool.max_connections)
                    .acquire_timeout(pool.acquire_timeout)
                    .connect_with(options)
                    .await?;
                Db::Sqlite(db::SqlitePools { read, write })
            }
            Backend::Postgres => {
                // Every wait is bounded: a lock (the step lock, a row) as long as a
                // connection, a statement half a minute at most, and a transaction left
                // idle (a frozen process) is ended by the server.
                let ms = |d: Duration| format!("{}ms", d.as_millis());
                let statement = pool.acquire_timeout.max(Duration::from_secs(30));
                let plain = PgConnectOptions::from_str(url)?.application_name("portal");
                let options = plain.clone().options([
                    ("lock_timeout", ms(pool.acquire_timeout)),
                    ("statement_timeout", ms(statement)),
                    ("idle_in_transaction_session_timeout", ms(statement)),
                ]);
                let pool = PgPoolOptions::new()
                    .max_connections(pool.max_connections)
                    .acquire_timeout(pool.acquire_timeout)
                    // A connection that died with the database is noticed before use.
                    .test_before_acquire(true)
                    .connect_with(options)
                    .await?;
                // Migrations run on a connection of their own without those bounds: a
                // process that starts while another migrates waits for it (the migrator's
                // advisory lock), and a migration may take longer than a request may.
                if migrate {
                    use sqlx::Connection;
                    let mut conn = sqlx::PgConnection::connect_with(&plain).await?;
                    sqlx::migrate!("./migrations/postgres").run(&mut conn).await?;
                    conn.close().await?;
                }
                Db::Postgres(pool)
            }
        };
        Ok(Store { db, aside: std::sync::Arc::new(tokio::sync::Semaphore::new(ASIDE_MAX)) })
    }

    /// Records what a page load must record (a device's last visit, an audit event)
    /// without making the page wait on the database or any lock: the write runs on a
    /// task of its own, and the page waits for it at most [`ASIDE_WAIT`] (on a quiet
    /// database it is done by then). A write that fails, or finds [`ASIDE_MAX`] others
    /// waiting, is logged and dropped: none of these records decides anything.
    pub async fn aside<F>(&self, what: &'static str, write: F)
    where
        F: std::future::Future<Output = StoreResult<()>> + Send + 'static,
    {
        let Ok(permit) = self.aside.clone().try_acquire_owned() else {
            tracing::warn!(what, "too many records waiting for the database; dropped");
            return;
        };
        let task = tokio::spawn(async move {
            if let Err(e) = write.await {
                tracing::warn!(what, error = %e, "a page's record was not written");
            }
            drop(permit);
        });
        let _ = tokio::time::timeout(ASIDE_WAIT, task).await;
    }

    /// Waits until every record written aside is written (or given up), for at most
    /// `bound`: at shutdown, so a stopping server keeps what its last pages recorded,
    /// and in tests, before they count what pages recorded. False when time ran out.
    pub async fn settle(&self, bound: Duration) -> bool {
        // Watched, not taken: taking the permits would turn away the records of pages
        // being served meanwhile.
        let done = async {
            while self.aside.available_permits() < ASIDE_MAX {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(bound, done).await.is_ok()
    }

    /// The pool, for statements of the store's own (and tests').
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }
}

/// Whether an error (or one it was caused by) means the database cannot be reached
/// or is busy just now, so that trying again in a moment can work: no connection to
/// be had in time, a connection lost, the server shutting down or starting up, or
/// SQLite's lock held past the busy timeout.
pub fn is_outage(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(e) = e.downcast_ref::<sqlx::Error>() {
            return match e {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed => true,
                // PostgreSQL: connection lost (08…), shutting down (57P…), a lock or a
                // statement over its bound (55P03, 57014); SQLite: busy (5, 517).
                sqlx::Error::Database(db) => db
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "55P03" || c == "57014" || c == "5" || c == "517"),
                _ => false,
            };
        }
        next = e.source();
    }
    false
}

/// A stored channel, decoded strictly.
fn stored_channel(s: &str) -> StoreResult<domain::Channel> {
    match s {
        "email" => Ok(domain::Channel::Email),
        "sms" => Ok(domain::Channel::Sms),
        other => Err(StoreError::Corrupt(format!("channel {other:?}"))),
    }
}

/// A UNIQUE violation's message (SQLite names the column, PostgreSQL the constraint,
/// `contacts_email_key`), for the caller to put into words.
fn unique_violation(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(db.message().to_string()),
        _ => None,
    }
}
