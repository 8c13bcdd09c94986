//! One transaction per step of a login: everything a step reads and writes happens
//! between one begin and one commit, and steps that read, decide and write (a code's
//! attempts, a limit's count) run one after another, never on a stale read.
//!
//! - SQLite: on the process's one writer connection (see `db::SqlitePools`), and
//!   `BEGIN IMMEDIATE` takes the database's write lock at the start, so a writer in
//!   another process waits (the busy timeout) instead of failing.
//! - PostgreSQL: `BEGIN` and then `pg_advisory_xact_lock(STEP_LOCK)`: every process
//!   on the database takes the same transaction-scoped lock, so steps are serialised
//!   across processes exactly as SQLite serialises them, and the lock goes with the
//!   transaction (commit, rollback or a dropped connection). Reads outside steps
//!   (pages, the admin card, delivery) do not take it.

use super::db::{Conn, Db, Ex};
use super::{Store, StoreResult};

/// The advisory lock every login step holds on PostgreSQL ("portal" in ASCII).
const STEP_LOCK: i64 = 0x706f_7274_616c;

pub struct Tx(Conn);

impl<'a> From<&'a mut Tx> for Ex<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Ex::Tx(&mut tx.0)
    }
}

impl Store {
    /// A transaction that runs alone among the steps that take one.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(Tx(match &self.db {
            Db::Sqlite(pools) => Conn::Sqlite(pools.write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(STEP_LOCK).execute(&mut *tx).await?;
                Conn::Postgres(tx)
            }
        }))
    }

    /// A plain transaction: atomic, but not serialised with the steps.
    pub(super) async fn begin_plain(&self) -> StoreResult<Tx> {
        Ok(Tx(match &self.db {
            Db::Sqlite(pools) => Conn::Sqlite(pools.write.begin().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.begin().await?),
        }))
    }
}

impl Tx {
    pub(super) fn backend(&self) -> super::Backend {
        match self.0 {
            Conn::Sqlite(_) => super::Backend::Sqlite,
            Conn::Postgres(_) => super::Backend::Postgres,
        }
    }

    pub(super) fn conn(&mut self) -> Ex<'_> {
        Ex::Tx(&mut self.0)
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self.0 {
            Conn::Sqlite(tx) => tx.commit().await?,
            Conn::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
