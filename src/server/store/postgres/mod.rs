//! PostgreSQL: its schema (`migrations/postgres/`, the final state of the SQLite migrations
//! with counters kept by PL/pgSQL triggers), the recount that checks its counters, and copying
//! an installation into it (`helpdesk migrate`). The PostgreSQL store that serves the app from
//! it is not written yet: `database.url` still accepts only SQLite.

mod copy;

pub use copy::{CopyReport, TableCopy};

use crate::error::AppError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Executor};
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
    let search_path = format!("{schema},public");
    let options = PgConnectOptions::from_str(url)?.options([("search_path", search_path.as_str())]);
    let pool = PgPoolOptions::new().max_connections(2).connect_with(options).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// The rows of `MISMATCHES_SQL`, described.
pub async fn counter_mismatches(pool: &PgPool) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(MISMATCHES_SQL).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(counter, key, detail)| format!("{counter} {key}: {detail}")).collect())
}
