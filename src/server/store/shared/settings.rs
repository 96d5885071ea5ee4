//! The super admin's editable settings (categories, SLA hours, the per-agent cap).

macro_rules! settings_code {
    () => {
        impl Store {
            /// The settings as stored; anything missing or unreadable falls back to its
            /// default. (The boundary keeps a copy in memory; this always asks the database.)
            #[tracing::instrument(skip_all, name = "store.read_system_settings")]
            pub async fn read_system_settings(&self) -> Result<SystemSettings, StoreError> {
                let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings").fetch_all(self.reader()).await?;
                Ok(crate::server::store::rows::settings_from_rows(rows))
            }

            /// Saves the settings and moves the SLA deadline of every ticket not yet closed to
            /// the new hours, in one transaction: the new rules apply at once. The deadline's
            /// rule stays the domain's (`SlaHours::due`): the database only adds each
            /// priority's offset, computed here by that rule, to the creation time.
            #[tracing::instrument(skip_all, name = "store.save_system_settings")]
            pub async fn save_system_settings(&self, s: &SystemSettings, audit: Option<AuditRecord<'_>>) -> Result<(), StoreError> {
                let offset = |p: Priority| s.sla.due(p, DateTime::UNIX_EPOCH).timestamp();
                let mut tx = begin(self.writer()).await?;
                for (key, value) in crate::server::store::rows::settings_rows(s) {
                    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                        .bind(key)
                        .bind(value)
                        .execute(&mut *tx)
                        .await?;
                }
                static MOVE_DEADLINES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    format!(
                        "UPDATE tickets SET due_at = {EPOCH_OF_CREATED_AT} +
                            (CASE priority WHEN 'critical' THEN $1 WHEN 'high' THEN $2 WHEN 'medium' THEN $3 ELSE $4 END)
                         WHERE status <> 'closed'"
                    )
                });
                sqlx::query(&MOVE_DEADLINES)
                    .bind(offset(Priority::Critical))
                    .bind(offset(Priority::High))
                    .bind(offset(Priority::Medium))
                    .bind(offset(Priority::Low))
                    .execute(&mut *tx)
                    .await?;
                if let Some(audit) = audit {
                    insert_audit(&mut tx, Utc::now(), audit).await?;
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use settings_code;
