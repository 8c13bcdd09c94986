//! Two databases, one query text. Every statement is written once, with `$1`-style
//! placeholders that SQLite and PostgreSQL both read, and run through the backend's
//! own sqlx driver, so each decodes with its native types (sqlx's `Any` driver
//! cannot read SQLite booleans and drops the connection settings SQLite needs).
//!
//! A [`Query`] holds the text and its arguments; it is executed on a pool ([`Db`])
//! or inside a transaction ([`super::Tx`]) through [`Ex`].

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, PgPool, Postgres, SqlSafeStr, SqlStr, Sqlite, SqlitePool, Transaction};

/// A pool of either backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePools),
    Postgres(PgPool),
}

/// SQLite allows one writer at a time. Writes go through a pool of one connection,
/// so a process's writers queue in order on the pool instead of meeting the lock
/// inside SQLite, whose busy handler sleeps in steps of up to 100 ms (under load,
/// most of a step's time). Reads use the other pool, in parallel (WAL).
#[derive(Clone, Debug)]
pub struct SqlitePools {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

/// Whether a statement may write: anything that is not a plain `SELECT`.
fn writes(sql: &str) -> bool {
    !sql.trim_start().get(..6).is_some_and(|w| w.eq_ignore_ascii_case("SELECT"))
}

impl Backend {
    /// The column that names one row of any table: SQLite's `rowid`, PostgreSQL's
    /// `ctid`, for deleting one row (or a batch) of a table without a key of its own.
    pub fn row_id(self) -> &'static str {
        match self {
            Backend::Sqlite => "rowid",
            Backend::Postgres => "ctid",
        }
    }
}

impl Db {
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open transaction of either backend.
pub enum Conn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Where a query runs: on the pool, or in a transaction (after the writes it deferred).
pub enum Ex<'a> {
    Pool(&'a Db),
    Tx(&'a mut Conn, &'a mut Deferred),
}

impl Ex<'_> {
    /// The same executor again, for one more statement.
    pub fn reborrow(&mut self) -> Ex<'_> {
        match self {
            Ex::Pool(db) => Ex::Pool(db),
            Ex::Tx(conn, deferred) => Ex::Tx(conn, deferred),
        }
    }

    /// Runs the transaction's deferred writes, before a statement that comes after them.
    async fn flush(&mut self) -> sqlx::Result<()> {
        match self {
            Ex::Pool(_) => Ok(()),
            Ex::Tx(conn, deferred) => deferred.flush(conn).await,
        }
    }
}

/// Writes a transaction has asked for and whose results nobody reads (a counter's
/// hit, an event, a flow marked done), kept until its next statement or its commit
/// and then run in order, so every statement still sees every write before it.
///
/// On SQLite they go as one text of several statements: one round trip to the
/// connection's thread instead of one each. Each round trip costs the one writer
/// about 60–80 µs of waiting for threads to wake (`BENCHMARKS.md`), more than most
/// statements take to run, and every other step waits for the writer. PostgreSQL
/// takes several statements with arguments only one at a time; there they run one by
/// one, as before.
#[derive(Default)]
pub struct Deferred(Vec<Query>);

impl<'a> From<&'a Db> for Ex<'a> {
    fn from(db: &'a Db) -> Self {
        Ex::Pool(db)
    }
}

/// A bound value, in the few types the store uses.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Bool(bool),
}

macro_rules! arg_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl From<$t> for Arg {
            fn from($v: $t) -> Arg {
                $e
            }
        })*
    };
}

arg_from! {
    i64 => |v| Arg::Int(Some(v)),
    Option<i64> => |v| Arg::Int(v),
    u32 => |v| Arg::Int(Some(i64::from(v))),
    bool => |v| Arg::Bool(v),
    &str => |v| Arg::Text(Some(v.to_string())),
    String => |v| Arg::Text(Some(v)),
    &String => |v| Arg::Text(Some(v.clone())),
    Option<&str> => |v| Arg::Text(v.map(str::to_string)),
    Option<String> => |v| Arg::Text(v),
    &[u8] => |v| Arg::Bytes(Some(v.to_vec())),
    Vec<u8> => |v| Arg::Bytes(Some(v)),
    &Vec<u8> => |v| Arg::Bytes(Some(v.clone())),
    Option<&[u8]> => |v| Arg::Bytes(v.map(<[u8]>::to_vec)),
    Option<Vec<u8>> => |v| Arg::Bytes(v),
}

/// What a statement did.
#[derive(Debug, Clone, Copy)]
pub struct Done(u64);

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.0
    }
}

/// A statement and its arguments.
#[must_use = "a query does nothing until it is executed"]
pub struct Query {
    sql: SqlStr,
    args: Vec<Arg>,
}

/// A statement, with `$n` placeholders.
pub fn sql(text: impl SqlSafeStr) -> Query {
    Query { sql: text.into_sql_str(), args: Vec::new() }
}

/// Binds every argument to a sqlx query of either backend.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                Arg::Int(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bytes(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Runs `$body` with `$e` bound to the executor of whichever backend `$ex` is (on
/// SQLite, the writer's pool when `$writes`).
macro_rules! on {
    ($ex:expr, $writes:expr, |$e:ident| $body:expr) => {
        match $ex {
            Ex::Pool(Db::Sqlite(p)) => {
                let $e = if $writes { &p.write } else { &p.read };
                $body
            }
            Ex::Pool(Db::Postgres(p)) => {
                let $e = p;
                $body
            }
            Ex::Tx(Conn::Sqlite(t), _) => {
                let $e = &mut **t;
                $body
            }
            Ex::Tx(Conn::Postgres(t), _) => {
                let $e = &mut **t;
                $body
            }
        }
    };
}

impl Deferred {
    pub fn push(&mut self, query: Query) {
        self.0.push(query);
    }

    pub async fn flush(&mut self, conn: &mut Conn) -> sqlx::Result<()> {
        let queries = std::mem::take(&mut self.0);
        match conn {
            _ if queries.is_empty() => {}
            Conn::Sqlite(t) => {
                let Query { sql, args } = joined(queries);
                bind_all!(sqlx::query(sql), args).execute(&mut **t).await?;
            }
            Conn::Postgres(t) => {
                for Query { sql, args } in queries {
                    bind_all!(sqlx::query(sql), args).execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }
}

/// Statements joined into one text, each one's `$n` moved past the arguments of the
/// statements before it (SQLite binds `$n` to the n-th argument of the whole text).
/// One statement stays as it is, so it keeps its cached preparation. A deferred
/// statement therefore has no `$` but its placeholders (none in a literal), numbers
/// them `$n` (never `?`), and binds every one it names: an unbound `$n` would take the
/// next statement's argument, not NULL.
fn joined(mut queries: Vec<Query>) -> Query {
    if queries.len() == 1 {
        return queries.remove(0);
    }
    let mut text = String::new();
    let mut args = Vec::new();
    for Query { sql, args: more } in queries {
        let offset = args.len();
        let mut rest = sql.as_str();
        while let Some(at) = rest.find('$') {
            text.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if let Ok(n) = rest[..digits].parse::<usize>() {
                text.push_str(&(n + offset).to_string());
                rest = &rest[digits..];
            }
        }
        text.push_str(rest);
        text.push_str(";\n");
        args.extend(more);
    }
    Query { sql: sqlx::AssertSqlSafe(text).into_sql_str(), args }
}

/// The executor, with its transaction's deferred writes run first.
async fn flushed<'a>(ex: impl Into<Ex<'a>>) -> sqlx::Result<Ex<'a>> {
    let mut ex = ex.into();
    ex.flush().await?;
    Ok(ex)
}

/// A row type both backends can decode.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl Query {
    pub fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    pub async fn execute<'a>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<Done> {
        let Query { sql, args } = self;
        on!(flushed(ex).await?, writes(sql.as_str()), |e| bind_all!(sqlx::query(sql), args)
            .execute(e)
            .await
            .map(|d| Done(d.rows_affected())))
    }

    pub async fn fetch_one<'a, T: Row>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<T> {
        let Query { sql, args } = self;
        on!(flushed(ex).await?, writes(sql.as_str()), |e| bind_all!(sqlx::query_as::<_, T>(sql), args).fetch_one(e).await)
    }

    pub async fn fetch_optional<'a, T: Row>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<Option<T>> {
        let Query { sql, args } = self;
        on!(flushed(ex).await?, writes(sql.as_str()), |e| bind_all!(sqlx::query_as::<_, T>(sql), args).fetch_optional(e).await)
    }

    pub async fn fetch_all<'a, T: Row>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<Vec<T>> {
        let Query { sql, args } = self;
        on!(flushed(ex).await?, writes(sql.as_str()), |e| bind_all!(sqlx::query_as::<_, T>(sql), args).fetch_all(e).await)
    }

    /// The first column of the one row.
    pub async fn scalar_one<'a, T>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<T>
    where
        (T,): Row,
    {
        Ok(self.fetch_one::<(T,)>(ex).await?.0)
    }

    pub async fn scalar_optional<'a, T>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<Option<T>>
    where
        (T,): Row,
    {
        Ok(self.fetch_optional::<(T,)>(ex).await?.map(|(v,)| v))
    }

    pub async fn scalar_all<'a, T>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<Vec<T>>
    where
        (T,): Row,
    {
        Ok(self.fetch_all::<(T,)>(ex).await?.into_iter().map(|(v,)| v).collect())
    }
}

/// `($1, $2, $3), ($4, $5, $6)`: placeholders for `rows` rows of `columns` values.
pub fn values(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=columns).map(|c| format!("${}", r * columns + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_select_is_read_on_the_readers_pool() {
        assert!(!super::writes("  select id FROM t"));
        assert!(super::writes("UPDATE t SET x = 1 RETURNING id"));
        assert!(super::writes("INSERT INTO t VALUES ($1) RETURNING id"));
        assert!(super::writes("DELETE FROM t"));
    }

    #[test]
    fn joined_statements_number_their_arguments_after_those_before() {
        let one = super::sql("UPDATE t SET a = $1 WHERE id = $2").bind(1_i64).bind(2_i64);
        let two = super::sql("INSERT INTO u (x, y, z) VALUES ($1, $2, $1)").bind("x").bind(3_i64);
        let three = super::sql("DELETE FROM v WHERE price = $10").bind(4_i64);
        let joined = super::joined(vec![one, two, three]);
        assert_eq!(
            joined.sql.as_str(),
            "UPDATE t SET a = $1 WHERE id = $2;\nINSERT INTO u (x, y, z) VALUES ($3, $4, $3);\nDELETE FROM v WHERE price = $14;\n"
        );
        assert_eq!(joined.args.len(), 5);
        let alone = super::joined(vec![super::sql("UPDATE t SET a = $1").bind(1_i64)]);
        assert_eq!(alone.sql.as_str(), "UPDATE t SET a = $1", "one statement is left as it is");
    }

    #[test]
    fn values_numbers_placeholders_row_by_row() {
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values(1, 1), "($1)");
    }
}
