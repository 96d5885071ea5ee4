use super::Store;
use crate::domain::DEFAULT_CATEGORIES;
use crate::error::AppError;

impl Store {
    /// The ticket categories currently offered (a system setting).
    pub async fn categories(&self) -> Result<Vec<String>, AppError> {
        let raw: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'categories'")
            .fetch_optional(&self.read)
            .await?;
        Ok(raw
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_else(|| DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect()))
    }

    /// The most open tickets one agent may hold (a system setting).
    pub async fn max_tickets_per_agent(&self) -> Result<i64, AppError> {
        let raw: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'maxTicketsPerAgent'")
            .fetch_optional(&self.read)
            .await?;
        Ok(raw.and_then(|v| v.parse().ok()).unwrap_or(10))
    }

    pub async fn set_max_tickets_per_agent(&self, max: i64) -> Result<(), AppError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ('maxTicketsPerAgent', ?)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(max.to_string())
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
