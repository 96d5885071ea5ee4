//! What operations need from storage: whether the database answers and is fully migrated
//! (readiness), the pool's size (metrics), and closing the pool at shutdown.

use super::{Store, MIGRATOR};
use crate::server::store::records::*;

impl Store {
    /// The versions of the binary's migrations that the database has not applied
    /// successfully: empty when the schema is what this binary expects. Fails when the
    /// database does not answer.
    #[tracing::instrument(skip_all, name = "store.unapplied_migrations")]
    pub async fn unapplied_migrations(&self) -> Result<Vec<i64>, sqlx::Error> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(&self.pool).await?;
        Ok(MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !applied.contains(&m.version))
            .map(|m| m.version)
            .collect())
    }

    /// One pool serves reads and writes.
    pub fn pool_stats(&self) -> [PoolStats; 1] {
        [PoolStats { pool: "postgres", size: self.pool.size(), idle: self.pool.num_idle() }]
    }

    /// Closes the pool, waiting for connections in use to be given back. Queries made
    /// afterwards fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Nothing to do: the GIN index's pending entries are merged by autovacuum (and by any
    /// insert that finds the pending list full), unlike SQLite's segments (`search_index`).
    pub async fn tidy_search_step(&self, _pages: i64) -> Result<bool, crate::server::store::StoreError> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_migrated_schema_has_nothing_unapplied_and_a_closed_pool_fails() {
        let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
        let store = Store::connect_in_new_schema(&url, "t_health", 2).await.unwrap();
        assert_eq!(store.unapplied_migrations().await.unwrap(), Vec::<i64>::new());
        assert_eq!(store.pool_stats()[0].pool, "postgres");
        store.close().await;
        assert!(store.unapplied_migrations().await.is_err());
    }
}
