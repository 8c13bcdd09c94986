//! One transaction per step of a login: everything a step reads and writes happens
//! between one `BEGIN IMMEDIATE` and one `COMMIT`.
//!
//! `IMMEDIATE` takes SQLite's write lock at the start, so steps that read, decide and
//! write (a code's attempts, a limit's count) run one after the other, never on a
//! stale read; a second writer waits (the busy timeout) instead of failing.

use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::{Store, StoreResult};

pub struct Tx(Transaction<'static, Sqlite>);

impl Store {
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(Tx(self.pool.begin_with("BEGIN IMMEDIATE").await?))
    }
}

impl Tx {
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.0
    }

    pub async fn commit(self) -> StoreResult<()> {
        Ok(self.0.commit().await?)
    }
}
