use crate::server::store::records::*;
use super::Store;
#[cfg(test)]
use std::sync::Arc;
use crate::domain::SystemSettings;
use crate::error::AppError;
use std::time::{Duration, Instant};

/// How long a copy of the settings in memory is served before the database is asked again:
/// the longest a save made by another app instance takes to apply in this one.
pub(super) const SETTINGS_REFRESH: Duration = Duration::from_secs(1);

/// The settings as last read or saved, and when.
#[derive(Debug)]
pub(super) struct Cached {
    settings: SystemSettings,
    at: Instant,
}

impl Store {
    /// The editable system settings: from memory while the copy there is younger than
    /// `SETTINGS_REFRESH`, else read again (a few rows).
    #[tracing::instrument(skip_all, name = "store.system_settings")]
    pub async fn system_settings(&self) -> Result<SystemSettings, AppError> {
        if let Some(cached) = self.settings.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if cached.at.elapsed() < SETTINGS_REFRESH {
                return Ok(cached.settings.clone());
            }
        }
        let settings = self.read_system_settings().await?;
        self.remember_settings(&settings);
        Ok(settings)
    }

    fn remember_settings(&self, settings: &SystemSettings) {
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = Some(Cached { settings: settings.clone(), at: Instant::now() });
    }

    /// The settings as stored; anything missing or unreadable falls back to its default.
    async fn read_system_settings(&self) -> Result<SystemSettings, AppError> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings").fetch_all(&self.read).await?;
        Ok(crate::server::store::rows::settings_from_rows(rows))
    }

    #[tracing::instrument(skip_all, name = "store.categories")]
    pub async fn categories(&self) -> Result<Vec<String>, AppError> {
        Ok(self.system_settings().await?.categories)
    }

    #[tracing::instrument(skip_all, name = "store.max_tickets_per_agent")]
    pub async fn max_tickets_per_agent(&self) -> Result<i64, AppError> {
        Ok(self.system_settings().await?.max_tickets_per_agent)
    }

    /// Saves the settings and moves the SLA deadline of every ticket not yet closed to the new
    /// hours, in one transaction: the new rules apply at once.
    #[tracing::instrument(skip_all, name = "store.save_system_settings")]
    pub async fn save_system_settings(&self, s: &SystemSettings, audit: Option<AuditRecord<'_>>) -> Result<(), AppError> {
        let mut tx = self.write.begin().await?;
        for (key, value) in crate::server::store::rows::settings_rows(s) {
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
        if let Some(audit) = audit {
            super::audit::insert_audit(&mut tx, chrono::Utc::now(), audit).await?;
        }
        tx.commit().await?;
        self.remember_settings(s);
        Ok(())
    }

    #[tracing::instrument(skip_all, name = "store.set_max_tickets_per_agent")]
    pub async fn set_max_tickets_per_agent(&self, max: i64) -> Result<(), AppError> {
        let mut settings = self.system_settings().await?;
        settings.max_tickets_per_agent = max;
        self.save_system_settings(&settings, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settings_are_served_from_memory_replaced_when_saved_and_reread_after_a_second() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        let first = store.system_settings().await.unwrap();
        // A change behind the store's back is not seen at once: the copy in memory answers.
        sqlx::query("UPDATE settings SET value = '3' WHERE key = 'maxTicketsPerAgent'").execute(&store.write).await.unwrap();
        assert_eq!(store.system_settings().await.unwrap(), first);
        // Saving through the store replaces it at once.
        let saved = SystemSettings { max_tickets_per_agent: 7, ..first.clone() };
        store.save_system_settings(&saved, None).await.unwrap();
        assert_eq!(store.system_settings().await.unwrap().max_tickets_per_agent, 7);
        let fresh = Store { settings: Arc::default(), ..store.clone() };
        assert_eq!(fresh.system_settings().await.unwrap().max_tickets_per_agent, 7, "and it was stored");
    }

    #[tokio::test]
    async fn a_save_by_another_instance_applies_here_within_the_refresh_interval() {
        let dir = std::env::temp_dir().join(format!("helpdesk-settings-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("shared.db").display());
        // Two app instances on one database, each with its own copy of the settings.
        let (one, other) = (Store::connect(&url, 1).await.unwrap(), Store::connect(&url, 1).await.unwrap());
        let before = other.system_settings().await.unwrap();
        let saved = SystemSettings { max_tickets_per_agent: 3, categories: vec!["hardware".into()], ..before.clone() };
        one.save_system_settings(&saved, None).await.unwrap();
        tokio::time::sleep(SETTINGS_REFRESH + Duration::from_millis(100)).await;
        assert_eq!(other.system_settings().await.unwrap(), saved);
        one.close().await;
        other.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
