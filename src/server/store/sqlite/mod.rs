//! The SQLite store: one writer connection, a pool of readers, WAL, the migrations of
//! `migrations/sqlite/`. What both databases run alike comes from `store/shared/` (expanded in
//! `shared.rs`); what is SQLite's own lives here: FTS5 search, the list counts, the overdue
//! and report reads, backup, the bulk seed and the recount.

mod audit;
mod backup;
mod bulk_seed;
mod checkpoint;
mod counters;
mod health;
#[cfg(test)]
pub(in crate::server::store) use health::MIGRATOR;
mod list_plan;
mod reports;
mod shared;
mod recount;
mod search_index;
mod tickets;

pub use bulk_seed::{SeedPlan, SeedReport};
pub use backup::BackupReport;
pub use shared::Changes;


use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::ConnectOptions;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use super::ACQUIRE_TIMEOUT;

/// Page cache of each reader connection, KiB.
const READER_CACHE_KIB: u32 = 512;
/// Page cache of the writer connection, KiB.
const WRITER_CACHE_KIB: u32 = 4096;

/// SQLite allows one writer at a time: all writes go through a single connection (so
/// transactions never fight over the lock), reads use a pool of their own.
#[derive(Clone, Debug)]
pub struct Store {
    pub(in crate::server::store) read: SqlitePool,
    pub(in crate::server::store) write: SqlitePool,
    /// For an in-memory database: a connection outside the pool that keeps the database
    /// alive even when the pool closes its connection (e.g. after a cancelled request).
    _keeper: Option<Arc<Mutex<SqliteConnection>>>,
    /// For a database file: its WAL checkpoints, stopped with the last handle of the store.
    _checkpoints: Option<Arc<checkpoint::Checkpoints>>,
}

impl Store {
    pub async fn connect(url: &str, max_readers: u32) -> Result<Store, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let store = if is_in_memory(url) {
            let keeper = options.connect().await?;
            // One pooled connection: SQLite's shared-cache locks do not wait like file locks do.
            let pool = pool_options()
                .min_connections(1)
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await?;
            Store { read: pool.clone(), write: pool, _keeper: Some(Arc::new(Mutex::new(keeper))), _checkpoints: None }
        } else {
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal);
            // Each connection keeps its own page cache (SQLite's default: 2 MB). Readers share
            // the operating system's file cache anyway, so theirs stays small and memory stays
            // flat however large the database grows; the writer, which walks every index a
            // ticket write touches, keeps a larger one.
            //
            // The writer keeps a statement's undo pages (its statement journal: a ticket write's
            // triggers change about 25 pages) in memory: past 64 KiB SQLite would otherwise write
            // them to a temporary file, created and deleted for every write. Its checkpoints are
            // made beside it (`checkpoint`).
            let writer = options
                .clone()
                .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
                .pragma("temp_store", "memory")
                .pragma("wal_autocheckpoint", checkpoint::WRITER_BACKSTOP_PAGES.to_string());
            let reader = options.pragma("cache_size", format!("-{READER_CACHE_KIB}"));
            let write = pool_options().max_connections(1).acquire_timeout(ACQUIRE_TIMEOUT).connect_with(writer).await?;
            let read =
                pool_options().max_connections(max_readers).acquire_timeout(ACQUIRE_TIMEOUT).connect_with(reader).await?;
            let checkpoints = checkpoint::start(read.clone());
            Store { read, write, _keeper: None, _checkpoints: Some(Arc::new(checkpoints)) }
        };
        health::MIGRATOR.run(&store.write).await?;
        Ok(store)
    }
}

/// A pool that hands out its connections as they are. sqlx would otherwise ping each one as it
/// is taken (a round trip to the connection's thread before every read and every change; on
/// the writer, made holding it). A SQLite connection is this process's own handle on the
/// file: there is no other side to hang up, and a connection that fails fails its statement.
fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new().test_before_acquire(false)
}

/// Whether a `sqlite:` URL names an in-memory database rather than a file.
fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

#[cfg(test)]
impl Store {
    /// For the store's own tests: user 1, a requester, whom their tickets name.
    async fn add_test_user(&self) {
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01')")
            .execute(&self.write)
            .await
            .unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    #[tokio::test]
    async fn an_in_memory_database_survives_its_pooled_connection_closing() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        sqlx::query("INSERT INTO app_secrets (name, value) VALUES ('probe', 'kept')").execute(&store.write).await.unwrap();
        // A request cancelled mid-query can make the pool drop its connection.
        store.write.acquire().await.unwrap().detach().close().await.unwrap();
        let kept: String = sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = 'probe'")
            .fetch_one(&store.read)
            .await
            .unwrap();
        assert_eq!(kept, "kept");
    }

    #[tokio::test]
    async fn a_database_file_gets_small_reader_caches_and_a_larger_writer_cache() {
        let dir = std::env::temp_dir().join(format!("helpdesk-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("cache.db").display());
        let store = Store::connect(&url, 2).await.unwrap();
        let reader: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&store.read).await.unwrap();
        let writer: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&store.write).await.unwrap();
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!((reader, writer), (-i64::from(READER_CACHE_KIB), -i64::from(WRITER_CACHE_KIB)));
        // Taken without a ping: each would be one more round trip to the connection's thread.
        assert!(!store.read.options().get_test_before_acquire() && !store.write.options().get_test_before_acquire());
    }

    #[tokio::test]
    async fn a_broken_statement_is_an_internal_error_and_a_closed_database_is_unavailable() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        sqlx::query("ALTER TABLE app_secrets RENAME TO gone").execute(&store.write).await.unwrap();
        let broken = crate::error::AppError::from(store.secret_or_insert("k", "v").await.unwrap_err());
        assert_eq!((broken.status(), broken.message.as_str()), (500, "Something went wrong on our side. Please try again."));
        store.close().await;
        let closed = crate::error::AppError::from(store.secret_or_insert("k", "v").await.unwrap_err());
        assert_eq!((closed.status(), closed.retry_after), (503, Some(5)));
    }

    #[tokio::test]
    async fn two_in_memory_stores_are_separate_databases() {
        let a = Store::connect("sqlite::memory:", 1).await.unwrap();
        let b = Store::connect("sqlite::memory:", 1).await.unwrap();
        a.secret_or_insert("k", "a").await.unwrap();
        assert_eq!(b.secret_or_insert("k", "b").await.unwrap(), "b");
    }
}
