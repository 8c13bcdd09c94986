//! One transaction per step of a login: everything a step reads and writes happens
//! between one begin and one commit, and what a step reads, decides on and writes (a
//! code's attempts, a limit's count, a contact's opt-outs) is locked first, so no two
//! steps decide on the same thing at once and none decides on a stale read.
//!
//! - SQLite: on the process's one writer connection (see `db::SqlitePools`), and
//!   `BEGIN IMMEDIATE` takes the database's write lock at the start, so a writer in
//!   another process waits (the busy timeout) instead of failing. The keys are only
//!   checked for their order: the database has one writer anyway.
//! - PostgreSQL: a step locks the keys it decides on ([`Lock`]) with
//!   transaction-scoped advisory locks, which go with the transaction (commit,
//!   rollback or a dropped connection). Steps of unrelated contacts on unrelated
//!   networks never wait for each other. Keys are always taken in one order (by
//!   class, then by key) so two steps cannot wait for each other in a circle, and
//!   [`Tx::lock`] refuses a key out of that order. Reads outside steps (pages, the
//!   admin card, delivery) take none.

use super::db::{Conn, Db, Deferred, Ex, Query};
use super::{ContactId, Key, Store, StoreError, StoreResult, What};

/// What a step decides on, in the order steps lock them: a class never locks before
/// a class above it in this list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lock<'a> {
    /// A network's limits (an IPv4 address or an IPv6 prefix).
    Network(&'a str),
    /// A login flow, by its cookie's hash: its codes and their attempts.
    Flow(&'a [u8]),
    /// A contact as the platform names it, while it is created or changed.
    ExternalId(&'a str),
    /// An identifier (or an administrator's name): who it belongs to, and the sending
    /// limit of an identifier nobody has.
    Identifier(&'a str),
    /// An identifier from one network: the failure lock.
    IdentifierOn(&'a str, &'a str),
    /// A contact: opt-outs, codes, browsers and their sending limit.
    Contact(ContactId),
    /// A block of phone numbers' hourly SMS count.
    PhoneBlock(&'a str),
    /// The hourly SMS budget of the whole portal: the one key every SMS code shares.
    SmsBudget,
}

impl Lock<'_> {
    fn class(&self) -> u8 {
        match self {
            Lock::Network(_) => 1,
            Lock::Flow(_) => 2,
            Lock::ExternalId(_) => 3,
            Lock::Identifier(_) => 4,
            Lock::IdentifierOn(..) => 5,
            Lock::Contact(_) => 6,
            Lock::PhoneBlock(_) => 7,
            Lock::SmsBudget => 8,
        }
    }

    /// The advisory lock's number: the class in the top byte, then 56 bits of a
    /// stable hash (FNV-1a) of the key, so the numbers sort in the lock order and are
    /// the same in every process and every version. Two keys that share a number only
    /// wait for each other.
    pub fn id(&self) -> i64 {
        let mut hash = Fnv::default();
        match self {
            Lock::Network(n) | Lock::ExternalId(n) | Lock::Identifier(n) | Lock::PhoneBlock(n) => hash.write(n.as_bytes()),
            Lock::Flow(h) => hash.write(h),
            Lock::IdentifierOn(i, n) => {
                hash.write(i.as_bytes());
                hash.write(&[0]);
                hash.write(n.as_bytes());
            }
            Lock::Contact(c) => hash.write(&c.0.to_le_bytes()),
            Lock::SmsBudget => {}
        }
        (i64::from(self.class()) << 56) | (hash.0 & 0x00ff_ffff_ffff_ffff) as i64
    }
}

/// A limit's counter is locked by the key it counts: a step locks what it reads and
/// raises. (`Key::Everyone` counts only SMS: the hourly budget.)
impl<'a> From<&'a Key> for Lock<'a> {
    fn from(key: &'a Key) -> Lock<'a> {
        match key {
            Key::Network(n) => Lock::Network(n),
            Key::Contact(c) => Lock::Contact(*c),
            Key::Identifier(i) => Lock::Identifier(i),
            Key::IdentifierOn { identifier, network } => Lock::IdentifierOn(identifier, network),
            Key::Block(b) => Lock::PhoneBlock(b),
            Key::Everyone => Lock::SmsBudget,
        }
    }
}

/// FNV-1a, 64 bits: small, stable and enough to spread keys over lock numbers.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

pub struct Tx {
    conn: Conn,
    /// The lock numbers held, in the order taken (so ascending): a new one must not
    /// be lower than the last.
    held: Vec<i64>,
    /// The events written, counted in the metrics once the transaction commits.
    written: Vec<What>,
    /// When it began (after its wait), for the time it held the writer.
    began: std::time::Instant,
    /// Writes whose results nobody reads, run before the next statement or the commit.
    deferred: Deferred,
}

impl<'a> From<&'a mut Tx> for Ex<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Ex::Tx(&mut tx.conn, &mut tx.deferred)
    }
}

impl Store {
    /// A write transaction: on SQLite the writer's, taken at its start (`BEGIN
    /// IMMEDIATE`: a deferred one that reads and then writes fails at once with
    /// "database is locked" when another process, the CLI beside a running portal,
    /// wrote in between, which the busy timeout cannot wait out); on PostgreSQL an
    /// ordinary one, serialised with other steps by what it [`Tx::lock`]s.
    pub async fn begin(&self) -> StoreResult<Tx> {
        let asked = std::time::Instant::now();
        let conn = match &self.db {
            Db::Sqlite(pools) => pools.write.begin_with("BEGIN IMMEDIATE").await.map(Conn::Sqlite),
            Db::Postgres(pool) => pool.begin().await.map(Conn::Postgres),
        };
        // The waits that ended in a time-out too: they are the longest.
        let began = std::time::Instant::now();
        crate::metrics::get().database_waited(began - asked);
        let conn = conn?;
        Ok(Tx { conn, held: Vec::new(), written: Vec::new(), began, deferred: Deferred::default() })
    }
}

impl Tx {
    pub(super) fn backend(&self) -> super::Backend {
        match self.conn {
            Conn::Sqlite(_) => super::Backend::Sqlite,
            Conn::Postgres(_) => super::Backend::Postgres,
        }
    }

    pub(super) fn conn(&mut self) -> Ex<'_> {
        Ex::Tx(&mut self.conn, &mut self.deferred)
    }

    /// Runs `query` before this transaction's next statement or its commit, with the
    /// other writes deferred so far (see [`Deferred`]): for a write whose result nobody
    /// reads. Its error, if any, comes from that statement or the commit.
    pub(super) fn defer(&mut self, query: Query) {
        self.deferred.push(query);
    }

    /// Locks `keys` until the transaction ends, in the lock order (one statement on
    /// PostgreSQL). A key lower than one this transaction already holds is refused,
    /// on both databases: taken in that order, two steps could wait for each other.
    pub async fn lock(&mut self, keys: &[Lock<'_>]) -> StoreResult<()> {
        let mut ids: Vec<i64> = keys.iter().map(Lock::id).filter(|id| !self.held.contains(id)).collect();
        ids.sort_unstable();
        ids.dedup();
        let (Some(&lowest), last) = (ids.first(), self.held.last().copied()) else { return Ok(()) };
        if last.is_some_and(|last| lowest < last) {
            return Err(StoreError::Conflict(format!("locks taken out of order: {keys:?} after {:#x?}", self.held)));
        }
        self.held.extend_from_slice(&ids);
        if let Conn::Postgres(_) = self.conn {
            self.deferred.flush(&mut self.conn).await?;
        }
        if let Conn::Postgres(tx) = &mut self.conn {
            // The target list is evaluated left to right: the locks are taken in order.
            let list: Vec<String> = (1..=ids.len()).map(|i| format!("pg_advisory_xact_lock(${i})")).collect();
            let text = format!("SELECT {}", list.join(", "));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(text));
            for id in ids {
                query = query.bind(id);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    pub async fn commit(mut self) -> StoreResult<()> {
        self.deferred.flush(&mut self.conn).await?;
        match self.conn {
            Conn::Sqlite(tx) => tx.commit().await?,
            Conn::Postgres(tx) => tx.commit().await?,
        }
        crate::metrics::get().database_wrote(self.began.elapsed());
        self.written.iter().for_each(super::events::measured);
        Ok(())
    }

    /// Keeps written events for the metrics, counted at commit.
    pub(super) fn wrote(&mut self, events: &[super::NewEvent]) {
        self.written.extend(events.iter().map(|e| e.what.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_numbers_sort_by_class_first_and_are_stable() {
        let all = [
            Lock::Network("203.0.113.9"),
            Lock::Flow(&[7; 32]),
            Lock::ExternalId("emp-1"),
            Lock::Identifier("ada@example.com"),
            Lock::IdentifierOn("ada@example.com", "203.0.113.9"),
            Lock::Contact(ContactId(1)),
            Lock::PhoneBlock("+4512345"),
            Lock::SmsBudget,
        ];
        let ids: Vec<i64> = all.iter().map(Lock::id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:x?}");
        assert!(ids.iter().all(|id| *id > 0));
        // The same in every process and version: a fixed value, not a seeded hash.
        assert_eq!(Lock::Identifier("ada@example.com").id(), Lock::Identifier("ada@example.com").id());
        assert_eq!(Lock::SmsBudget.id(), (8 << 56) | 0x00f2_9ce4_8422_2325);
        assert_ne!(Lock::Contact(ContactId(1)).id(), Lock::Contact(ContactId(2)).id());
        assert_ne!(Lock::IdentifierOn("a", "bc").id(), Lock::IdentifierOn("ab", "c").id());
        // A limit's key locks as itself; the one key every SMS counts is the budget.
        assert_eq!(Lock::from(&Key::Everyone), Lock::SmsBudget);
        assert_eq!(Lock::from(&Key::Block("+4512345".into())).id(), Lock::PhoneBlock("+4512345").id());
    }

    #[tokio::test]
    async fn deferred_writes_are_seen_by_the_next_statement_and_go_with_the_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}/d.db", dir.path().display())).await.unwrap();
        let hit = |at: i64| {
            crate::store::sql("INSERT INTO rate_hits (scope, key, at) VALUES ($1, $2, $3)").bind("code_request").bind("ip:1").bind(at)
        };
        let count = "SELECT COUNT(*) FROM rate_hits WHERE key = $1";
        let mut tx = store.begin().await.unwrap();
        tx.defer(hit(5));
        tx.defer(hit(6));
        let seen: i64 = crate::store::sql(count).bind("ip:1").scalar_one(&mut tx).await.unwrap();
        assert_eq!(seen, 2, "both, run together before the read");
        drop(tx);
        let kept: i64 = crate::store::sql(count).bind("ip:1").scalar_one(store.db()).await.unwrap();
        assert_eq!(kept, 0, "a transaction that does not commit keeps none");
        let mut tx = store.begin().await.unwrap();
        tx.defer(hit(7));
        tx.defer(hit(8));
        tx.defer(hit(9));
        tx.commit().await.unwrap();
        let kept: Vec<i64> =
            crate::store::sql("SELECT at FROM rate_hits WHERE key = $1 ORDER BY at").bind("ip:1").scalar_all(store.db()).await.unwrap();
        assert_eq!(kept, [7, 8, 9], "each with its own arguments, at the commit");
    }

    #[tokio::test]
    async fn a_lock_below_one_held_is_refused_and_the_same_key_again_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}/l.db", dir.path().display())).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.lock(&[Lock::Contact(ContactId(2)), Lock::Network("198.51.100.1")]).await.unwrap();
        tx.lock(&[Lock::Contact(ContactId(2))]).await.expect("a key already held is no new lock");
        tx.lock(&[Lock::PhoneBlock("+4512345"), Lock::SmsBudget]).await.expect("higher classes follow");
        let refused = tx.lock(&[Lock::Identifier("ada@example.com")]).await;
        assert!(matches!(refused, Err(StoreError::Conflict(ref m)) if m.contains("out of order")), "{:?}", refused.err());
        tx.commit().await.unwrap();
    }
}
