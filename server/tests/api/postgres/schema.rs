//! One database contract: both migration histories, run from empty, give the same
//! tables, columns (type family, nullability), indexes (columns, uniqueness, partial or
//! not) and triggers. Types are compared by family, as the store reads them: SQLite has
//! no boolean or 64-bit type of its own (INTEGER holds both), no BYTEA (BLOB).

use std::collections::BTreeSet;

use server::store::{Store, sql};

use crate::helpers::TestDb;

/// `table.column: family, null|not null`
async fn columns(store: &Store) -> BTreeSet<String> {
    let rows: Vec<(String, String, String, i64)> = match store.backend() {
        server::store::Backend::Sqlite => sql("SELECT m.name, p.name, p.type, CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 1 ELSE 0 END
             FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'"),
        server::store::Backend::Postgres => sql("SELECT table_name::text, column_name::text, data_type::text,
                    CASE WHEN is_nullable = 'NO' THEN 1::bigint ELSE 0::bigint END
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'"),
    }
    .fetch_all(store.db())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(table, column, ty, not_null)| {
            let family = match ty.to_ascii_lowercase().as_str() {
                "integer" | "bigint" | "smallint" | "boolean" => "integer",
                "text" | "character varying" => "text",
                "blob" | "bytea" => "bytes",
                "real" | "double precision" => "real",
                other => panic!("{table}.{column}: a type with no family here: {other}"),
            };
            format!("{table}.{column}: {family}, {}", if not_null == 1 { "not null" } else { "null" })
        })
        .collect()
}

/// `table(col, col) unique|plain [partial]`, named by what it indexes, not its name
/// (SQLite names the indexes of constraints itself).
async fn indexes(store: &Store) -> BTreeSet<String> {
    let rows: Vec<(String, String, i64, i64, String)> = match store.backend() {
        server::store::Backend::Sqlite => {
            sql("SELECT m.name, il.name, il.\"unique\", il.partial, COALESCE(group_concat(ii.name, ', '), '')
             FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' AND il.origin <> 'pk'
             GROUP BY m.name, il.name, il.\"unique\", il.partial")
        }
        server::store::Backend::Postgres => sql("SELECT t.relname::text, i.relname::text, ix.indisunique::int::bigint,
                    (ix.indpred IS NOT NULL)::int::bigint,
                    string_agg(a.attname::text, ', ' ORDER BY k.ord)
             FROM pg_index ix
             JOIN pg_class t ON t.oid = ix.indrelid
             JOIN pg_class i ON i.oid = ix.indexrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
             WHERE n.nspname = 'public' AND t.relname <> '_sqlx_migrations' AND NOT ix.indisprimary
             GROUP BY t.relname, i.relname, ix.indisunique, ix.indpred"),
    }
    .fetch_all(store.db())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(table, _, unique, partial, columns)| {
            let (kind, partial) = (if unique == 1 { "unique" } else { "plain" }, if partial == 1 { " partial" } else { "" });
            format!("{table}({columns}) {kind}{partial}")
        })
        .collect()
}

/// `table: trigger`
async fn triggers(store: &Store) -> BTreeSet<String> {
    let rows: Vec<(String, String)> = match store.backend() {
        server::store::Backend::Sqlite => sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"),
        server::store::Backend::Postgres => sql(
            "SELECT DISTINCT event_object_table::text, trigger_name::text FROM information_schema.triggers WHERE trigger_schema = 'public'",
        ),
    }
    .fetch_all(store.db())
    .await
    .unwrap();
    rows.into_iter().map(|(table, name)| format!("{table}: {name}")).collect()
}

/// `migration version`
async fn versions(store: &Store) -> BTreeSet<i64> {
    sql("SELECT version FROM _sqlx_migrations").scalar_all::<i64>(store.db()).await.unwrap().into_iter().collect()
}

fn differences(what: &str, sqlite: &BTreeSet<String>, postgres: &BTreeSet<String>) -> Vec<String> {
    let only = |a: &BTreeSet<String>, b: &BTreeSet<String>, side: &str| {
        a.difference(b).map(|x| format!("{what} only on {side}: {x}")).collect::<Vec<_>>()
    };
    [only(sqlite, postgres, "SQLite"), only(postgres, sqlite, "PostgreSQL")].concat()
}

#[tokio::test]
async fn both_migration_histories_give_one_schema() {
    let dir = tempfile::tempdir().unwrap();
    let pg = TestDb::new(dir.path(), "unused.db");
    assert!(pg.is_postgres(), "the postgres:: tests need TEST_DATABASE_URL naming a PostgreSQL server");
    let sqlite = Store::open(&format!("sqlite://{}", dir.path().join("parity.db").display())).await.unwrap();
    let postgres = Store::open(&pg.url).await.unwrap();

    let (c, i, t) = (columns(&sqlite).await, indexes(&sqlite).await, triggers(&sqlite).await);
    assert!(c.len() > 100 && i.len() > 10, "the SQLite schema was read: {} columns, {} indexes", c.len(), i.len());
    let mut wrong = differences("column", &c, &columns(&postgres).await);
    wrong.extend(differences("index", &i, &indexes(&postgres).await));
    wrong.extend(differences("trigger", &t, &triggers(&postgres).await));
    assert!(wrong.is_empty(), "the schemas differ:\n{}", wrong.join("\n"));

    // From here on, a migration has the same number on both: the newest is the same.
    assert_eq!(versions(&sqlite).await.last(), versions(&postgres).await.last(), "the newest migration is numbered alike");
}
