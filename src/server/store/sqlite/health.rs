//! What operations need from storage: whether the database answers and is fully migrated
//! (readiness), the pools' sizes (metrics), and closing the pools at shutdown.

use crate::server::store::records::*;
use super::Store;
use sqlx::migrate::Migrator;

/// The migrations compiled into this binary (`migrations/sqlite/`), applied by [`Store::connect`].
pub(in crate::server::store) static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");


impl Store {
    /// The versions of the binary's migrations that the database has not applied
    /// successfully: empty when the schema is what this binary expects. Fails when the
    /// database does not answer.
    #[tracing::instrument(skip_all, name = "store.unapplied_migrations")]
    pub async fn unapplied_migrations(&self) -> Result<Vec<i64>, sqlx::Error> {
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(&self.read)
            .await?;
        Ok(MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
            .map(|m| m.version)
            .collect())
    }

    pub fn pool_stats(&self) -> [PoolStats; 2] {
        let stats = |pool: &'static str, p: &sqlx::SqlitePool| PoolStats { pool, size: p.size(), idle: p.num_idle() };
        [stats("read", &self.read), stats("write", &self.write)]
    }

    /// Closes both pools, waiting for connections in use to be given back: a file database
    /// is checkpointed and left clean. Queries made afterwards fail.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
