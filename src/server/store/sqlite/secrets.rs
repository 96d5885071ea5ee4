use super::Store;
use crate::server::store::StoreError;

impl Store {
    /// Returns the stored secret `name`, storing `candidate` first if there is none yet.
    /// Concurrent first starts agree on one value.
    #[tracing::instrument(skip_all, name = "store.secret_or_insert")]
    pub async fn secret_or_insert(&self, name: &str, candidate: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT OR IGNORE INTO app_secrets (name, value) VALUES (?, ?)")
            .bind(name)
            .bind(candidate)
            .execute(&self.write)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = ?")
            .bind(name)
            .fetch_one(&self.write)
            .await?)
    }
}
