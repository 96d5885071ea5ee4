use super::Store;
use crate::domain::{Priority, SystemSettings};
use crate::server::store::StoreError;
use crate::server::store::records::*;
use crate::server::store::rows::{settings_from_rows, settings_rows};
use chrono::DateTime;

impl Store {
    /// The settings as stored; anything missing or unreadable falls back to its default.
    /// (The boundary keeps a copy in memory; this always asks the database.)
    #[tracing::instrument(skip_all, name = "store.read_system_settings")]
    pub async fn read_system_settings(&self) -> Result<SystemSettings, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings").fetch_all(&self.pool).await?;
        Ok(settings_from_rows(rows))
    }

    /// Saves the settings and moves the SLA deadline of every ticket not yet closed to the new
    /// hours, in one transaction: the new rules apply at once. The deadline's rule stays the
    /// domain's (`SlaHours::due`): the database only adds each priority's offset, computed
    /// here by that rule, to the creation time.
    #[tracing::instrument(skip_all, name = "store.save_system_settings")]
    pub async fn save_system_settings(&self, s: &SystemSettings, audit: Option<AuditRecord<'_>>) -> Result<(), StoreError> {
        let offset = |p: Priority| s.sla.due(p, DateTime::UNIX_EPOCH).timestamp();
        let mut tx = self.pool.begin().await?;
        for (key, value) in settings_rows(s) {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE tickets SET due_at = EXTRACT(EPOCH FROM created_at)::BIGINT +
                (CASE priority WHEN 'critical' THEN $1 WHEN 'high' THEN $2 WHEN 'medium' THEN $3 ELSE $4 END)
             WHERE status <> 'closed'",
        )
        .bind(offset(Priority::Critical))
        .bind(offset(Priority::High))
        .bind(offset(Priority::Medium))
        .bind(offset(Priority::Low))
        .execute(&mut *tx)
        .await?;
        if let Some(audit) = audit {
            super::audit::insert_audit(&mut tx, chrono::Utc::now(), audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn saved_settings_are_read_back_and_move_open_deadlines() {
        let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
        let store = Store::connect_in_new_schema(&url, "t_settings", 2).await.unwrap();
        let defaults = store.read_system_settings().await.unwrap();
        assert_eq!(defaults, SystemSettings::default());
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'A', 'a@x.io', 'h', 'user', now())")
            .execute(&store.pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO tickets (id, user_id, title, description, category, priority, status, created_at, updated_at, closed_at, due_at)
             VALUES (1, 1, 't', 'd', 'general', 'high', 'open', '2026-01-01T00:00:00Z', now(), NULL, 0),
                    (2, 1, 't', 'd', 'general', 'high', 'closed', '2026-01-01T00:00:00Z', now(), now(), 0)",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let mut changed = defaults.clone();
        changed.sla.high = 10;
        changed.max_tickets_per_agent = 3;
        store.save_system_settings(&changed, None).await.unwrap();
        assert_eq!(store.read_system_settings().await.unwrap(), changed);
        let due: Vec<i64> =
            sqlx::query_scalar("SELECT due_at FROM tickets ORDER BY id").fetch_all(&store.pool).await.unwrap();
        let created = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().timestamp();
        assert_eq!(due, vec![created + 10 * 3600, 0], "the open ticket moved, the closed one did not");
    }
}
