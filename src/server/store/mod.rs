//! The storage boundary: every SQL statement of the application lives under this module.
//! Services call named functions with domain types; a PostgreSQL backend would replace
//! the bodies here, not the services.

mod secrets;
mod seed;
mod tickets;
mod users;

pub use seed::DemoAccount;
pub use tickets::TicketScope;
pub use users::{NewUser, UserRecord};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// SQLite allows one writer at a time: all writes go through a single connection (so
/// transactions never fight over the lock), reads use a pool of their own.
#[derive(Clone, Debug)]
pub struct Store {
    read: SqlitePool,
    write: SqlitePool,
}

impl Store {
    pub async fn connect(url: &str, max_readers: u32) -> Result<Store, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let store = if in_memory {
            // One connection: the database lives exactly as long as the store.
            let pool = SqlitePoolOptions::new()
                .min_connections(1)
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await?;
            Store { read: pool.clone(), write: pool }
        } else {
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal);
            let write = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
            let read = SqlitePoolOptions::new().max_connections(max_readers).connect_with(options).await?;
            Store { read, write }
        };
        sqlx::migrate!().run(&store.write).await?;
        Ok(store)
    }
}

/// True when a statement broke a UNIQUE constraint.
fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
