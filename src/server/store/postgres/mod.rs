//! PostgreSQL: its schema (`migrations/postgres/`, the final state of the SQLite migrations
//! with counters kept by PL/pgSQL triggers), the recount that checks its counters, and copying
//! an installation into it (`helpdesk migrate`). The PostgreSQL store that serves the app from
//! it is not written yet: `database.url` still accepts only SQLite.

mod copy;

pub use copy::{CopyReport, TableCopy};

use crate::error::AppError;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::ConnectOptions;
use std::str::FromStr;
use std::time::Duration;

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
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|e| format!("{setting}: cannot connect to PostgreSQL: {e}"))?;
    MIGRATOR.run(&pool).await.map_err(|e| format!("{setting}: the PostgreSQL migrations failed: {e}"))?;
    Ok(pool)
}

/// The rows of `MISMATCHES_SQL`, described.
pub async fn counter_mismatches(pool: &PgPool) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(MISMATCHES_SQL).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(counter, key, detail)| format!("{counter} {key}: {detail}")).collect())
}
