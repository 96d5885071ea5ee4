use super::Store;
use crate::domain::{SlaHours, SystemSettings};
use crate::error::AppError;

impl Store {
    /// The editable system settings; anything missing or unreadable falls back to its default.
    pub async fn system_settings(&self) -> Result<SystemSettings, AppError> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings").fetch_all(&self.read).await?;
        let mut settings = SystemSettings::default();
        for (key, value) in rows {
            match key.as_str() {
                "categories" => {
                    if let Ok(c) = serde_json::from_str::<Vec<String>>(&value) {
                        settings.categories = c;
                    }
                }
                "sla" => {
                    if let Ok(s) = serde_json::from_str::<SlaHours>(&value) {
                        settings.sla = s;
                    }
                }
                "maxTicketsPerAgent" => {
                    if let Ok(n) = value.parse() {
                        settings.max_tickets_per_agent = n;
                    }
                }
                _ => {}
            }
        }
        Ok(settings)
    }

    pub async fn categories(&self) -> Result<Vec<String>, AppError> {
        Ok(self.system_settings().await?.categories)
    }

    pub async fn max_tickets_per_agent(&self) -> Result<i64, AppError> {
        Ok(self.system_settings().await?.max_tickets_per_agent)
    }

    /// Saves the settings and moves the SLA deadline of every ticket not yet closed to the new
    /// hours, in one transaction: the new rules apply at once.
    pub async fn save_system_settings(&self, s: &SystemSettings) -> Result<(), AppError> {
        let mut tx = self.write.begin().await?;
        let values = [
            ("categories", serde_json::to_string(&s.categories).unwrap_or_default()),
            ("sla", serde_json::to_string(&s.sla).unwrap_or_default()),
            ("maxTicketsPerAgent", s.max_tickets_per_agent.to_string()),
        ];
        for (key, value) in values {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE tickets SET due_at = CAST(strftime('%s', created_at) AS INTEGER) + 3600 *
                (CASE priority WHEN 'critical' THEN ? WHEN 'high' THEN ? WHEN 'medium' THEN ? ELSE ? END)
             WHERE status <> 'closed'",
        )
        .bind(s.sla.critical)
        .bind(s.sla.high)
        .bind(s.sla.medium)
        .bind(s.sla.low)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_max_tickets_per_agent(&self, max: i64) -> Result<(), AppError> {
        let mut settings = self.system_settings().await?;
        settings.max_tickets_per_agent = max;
        self.save_system_settings(&settings).await
    }
}
