//! Writing the audit trail (reading it is tuned per database: SQLite searches an FTS5 table,
//! PostgreSQL trigram indexes).

macro_rules! audit_code {
    () => {
        /// Writes one audit entry inside the transaction of the change it records. Free text
        /// is cut to `sql::AUDIT_TEXT_MAX` characters.
        pub(in crate::server::store) async fn insert_audit(tx: &mut Transaction<'static, Db>, at: DateTime<Utc>, r: AuditRecord<'_>) -> Result<(), StoreError> {
            sqlx::query("INSERT INTO audit_log (at, actor_id, actor_email, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(micros(at))
                .bind(r.actor_id)
                .bind(sql::audit_text(r.actor_email))
                .bind(r.action)
                .bind(sql::audit_text(r.target))
                .bind(sql::audit_text(r.detail))
                .bind(sql::audit_text(r.ip))
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        impl Store {
            #[tracing::instrument(skip_all, name = "store.record_audit")]
            pub async fn record_audit(&self, r: AuditRecord<'_>) -> Result<(), StoreError> {
                let mut tx = begin(self.writer()).await?;
                insert_audit(&mut tx, Utc::now(), r).await?;
                tx.commit().await?;
                Ok(())
            }

            /// Returns the stored secret `name`, storing `candidate` first if there is none
            /// yet. Concurrent first starts (of one or several instances) agree on one value:
            /// the insert either wins or the existing row comes back (`DO UPDATE` with the
            /// unchanged value returns it through RETURNING either way).
            #[tracing::instrument(skip_all, name = "store.secret_or_insert")]
            pub async fn secret_or_insert(&self, name: &str, candidate: &str) -> Result<String, StoreError> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO app_secrets (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = app_secrets.value
                     RETURNING value",
                )
                .bind(name)
                .bind(candidate)
                .fetch_one(self.writer())
                .await?)
            }
        }
    };
}
pub(crate) use audit_code;
