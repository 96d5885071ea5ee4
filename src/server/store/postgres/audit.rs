use crate::error::AppError;
use crate::server::store::records::*;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};

/// Writes an audit entry inside the transaction of the change it records.
pub(super) async fn insert_audit(tx: &mut Transaction<'static, Postgres>, at: DateTime<Utc>, r: AuditRecord<'_>) -> Result<(), AppError> {
    sqlx::query("INSERT INTO audit_log (at, actor_id, actor_email, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(at)
        .bind(r.actor_id)
        .bind(r.actor_email)
        .bind(r.action)
        .bind(r.target)
        .bind(r.detail)
        .bind(r.ip)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
