use super::Store;
use crate::server::store::StoreError;

impl Store {
    /// Returns the stored secret `name`, storing `candidate` first if there is none yet.
    /// Concurrent first starts (of one or several instances) agree on one value.
    #[tracing::instrument(skip_all, name = "store.secret_or_insert")]
    pub async fn secret_or_insert(&self, name: &str, candidate: &str) -> Result<String, StoreError> {
        // One statement: the insert either wins or the existing row is returned. `DO UPDATE`
        // with an unchanged value makes the row come back through RETURNING either way.
        Ok(sqlx::query_scalar(
            "INSERT INTO app_secrets (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET value = app_secrets.value
             RETURNING value",
        )
        .bind(name)
        .bind(candidate)
        .fetch_one(&self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_first_starts_agree_on_one_secret() {
        let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
        let store = Store::connect_in_new_schema(&url, "t_secrets", 4).await.unwrap();
        let tries = (0..8).map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.secret_or_insert("signing", &format!("candidate-{n}")).await.unwrap() })
        });
        let mut seen: Vec<String> = Vec::new();
        for t in tries {
            seen.push(t.await.unwrap());
        }
        seen.dedup();
        assert_eq!(seen.len(), 1, "every start got the same secret: {seen:?}");
        assert_eq!(store.secret_or_insert("signing", "later").await.unwrap(), seen[0]);
    }
}
