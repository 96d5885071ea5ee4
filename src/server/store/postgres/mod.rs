//! The PostgreSQL store: one pool of connections (PostgreSQL has no single-writer limit, so
//! reads and writes share it), the schema of `migrations/postgres/` (the final state of the
//! SQLite migrations, counters kept by PL/pgSQL triggers), the recount that checks the
//! counters, and copying an installation into it (`helpdesk migrate`).

mod audit;
mod copy;
mod count_way;
mod counters;
mod dashboards;
mod facets;
mod health;
mod reports;
mod shared;
mod search;
mod tickets;

pub use shared::Changes;
pub use copy::{CopyReport, TableCopy};

/// How long one statement may run before PostgreSQL cancels it (the request then answers
/// 503 rather than hanging on a database that stopped answering or a lock that is not let go).
pub const STATEMENT_TIMEOUT_MS: u64 = 5_000;

/// How long a request waits for a connection. Shorter than SQLite's: while PostgreSQL is down
/// the pool keeps trying to connect until this passes, and the request should be told (503)
/// well within the statement timeout rather than hang.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// The settings of every request connection:
/// - the statement timeout (see `STATEMENT_TIMEOUT_MS`);
/// - each prepared statement is planned once per connection, for any values
///   (`force_generic_plan`). Left to choose, PostgreSQL plans a statement afresh for every
///   execution whenever that plan's estimate beats the generic one's, as it does for a list of
///   a requester or an assignee with many tickets; planning a list's three-table join costs
///   more than running it (0.3–0.7 ms against 0.05), so at a million tickets most of the
///   database's time went to planning the same few statements again. The plan test
///   (`tickets_tests`) checks the generic plans. A search's best plan depends on how common
///   its words are: it is estimated with its words (EXPLAIN plans with its values), then read
///   by a statement whose one plan suits any words or in a transaction planned with them
///   (`search::search_listed`).
fn session_options(options: PgConnectOptions) -> PgConnectOptions {
    let timeout = STATEMENT_TIMEOUT_MS.to_string();
    // No JIT: it pays off for long analytic queries, and compiled each of this app's short ones
    // whose estimate passed its threshold, a search's estimate of a common word among them
    // (an EXPLAIN: 24 ms with it, 0.4 ms without).
    options.options([("statement_timeout", timeout.as_str()), ("plan_cache_mode", "force_generic_plan"), ("jit", "off")])
}

/// A pooled connection idle longer than this is checked (one round trip) before it is used:
/// it may have been dropped meanwhile (a restarted server, a proxy's idle cut). One in use
/// moments ago is not: the pool's default checks every connection before every statement,
/// a round trip as costly as a small query, on every statement of every request. A
/// connection that broke anyway fails its statement (503, try again) and is closed when the
/// pool takes it back (sqlx checks each connection on return).
const CHECK_IDLE_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// The request pool's options (see `CHECK_IDLE_AFTER`).
fn pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= CHECK_IDLE_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

#[derive(Clone, Debug)]
pub struct Store {
    pub(in crate::server::store) pool: PgPool,
}

impl Store {
    /// Connects with up to `max_connections` connections and applies the migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, sqlx::Error> {
        Self::with_options(session_options(PgConnectOptions::from_str(url)?), max_connections).await
    }

    async fn with_options(options: PgConnectOptions, max_connections: u32) -> Result<Store, sqlx::Error> {
        // Migrations may rebuild large tables: they run without the statement timeout, on a
        // connection of their own.
        let migrating = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone().options([("statement_timeout", "0")]))
            .await?;
        let migrated = MIGRATOR.run(&migrating).await;
        migrating.close().await;
        migrated?;
        let pool = pool_options(max_connections.max(2)).connect_with(options).await?;
        Ok(Store { pool })
    }

    /// A store working in a fresh schema of its own (see `connect_in_new_schema`): for tests.
    pub async fn connect_in_new_schema(url: &str, schema: &str, max_connections: u32) -> Result<Store, sqlx::Error> {
        prepare_schema(url, schema).await?;
        let search_path = format!("{schema},public");
        let options = PgConnectOptions::from_str(url)?.options([("search_path", search_path.as_str())]);
        Self::with_options(session_options(options), max_connections).await
    }
}

use crate::server::store::StoreError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor};
use std::str::FromStr;

/// The PostgreSQL migrations compiled into this binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Every counter or rollup row that differs from a recount of the tickets and accounts, as
/// (counter, key, detail); empty when all agree. Scans everything: for checks, not pages.
pub const MISMATCHES_SQL: &str = include_str!("mismatches.sql");

/// Connects to `url` and applies the migrations; the error names the setting and the cause.
pub async fn connect_migrated(url: &str, setting: &str) -> Result<PgPool, String> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| format!("{setting}: not a PostgreSQL URL: {e}"))?
        // Bulk copies send statements of thousands of rows: not for the log.
        .disable_statement_logging();
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(super::ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| format!("{setting}: cannot connect to PostgreSQL: {e}"))?;
    MIGRATOR.run(&pool).await.map_err(|e| format!("{setting}: the PostgreSQL migrations failed: {e}"))?;
    Ok(pool)
}

/// A pool whose connections all work in `schema` of the database at `url`, made afresh
/// (dropped first if it exists) and migrated: for tests, which share one throwaway database.
/// Extensions belong to a database, not a schema: they are installed once in `public`, which
/// the search path ends with (two callers at once may race to install one; either wins).
pub async fn connect_in_new_schema(url: &str, schema: &str) -> Result<PgPool, sqlx::Error> {
    prepare_schema(url, schema).await?;
    let search_path = format!("{schema},public");
    let options = PgConnectOptions::from_str(url)?.options([("search_path", search_path.as_str())]);
    let pool = PgPoolOptions::new().max_connections(2).connect_with(options).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Installs the extensions (once per database) and makes `schema` afresh.
pub async fn prepare_schema(url: &str, schema: &str) -> Result<(), sqlx::Error> {
    let admin = PgPool::connect(url).await?;
    for extension in ["citext", "pg_trgm"] {
        let created = admin.execute(format!("CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public").as_str()).await;
        match created {
            Err(err) if !err.as_database_error().is_some_and(|e| e.is_unique_violation()) => return Err(err),
            _ => {}
        }
    }
    admin.execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}").as_str()).await?;
    admin.close().await;
    Ok(())
}

/// `url` with every connection working in `schema` (then `public`, where the extensions are):
/// for tests, which give each app a schema of its own in one throwaway database.
pub fn url_in_schema(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema},public")
}

/// The rows of `MISMATCHES_SQL`, described.
pub async fn counter_mismatches(pool: &PgPool) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(MISMATCHES_SQL).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(counter, key, detail)| format!("{counter} {key}: {detail}")).collect())
}

/// A database of a test's own, made afresh, and the pool that made it (to drop it after): for
/// what a test cannot share with those running beside it in one database, such as the
/// listeners of a NOTIFY, or VACUUM marking a table's pages as seen by every transaction (which
/// lets an index answer without reading the tickets, as autovacuum lets it in a running help
/// desk) only once no transaction of its database began before their rows.
#[cfg(test)]
async fn own_database(url: &str, name: &str) -> (Store, sqlx::PgPool) {
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    let base = url.split('?').next().unwrap().rsplit_once('/').unwrap().0;
    (Store::connect(&format!("{base}/{name}"), 4).await.unwrap(), admin)
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod live_tests;

#[cfg(test)]
#[path = "turn_tests.rs"]
mod turn_tests;
