use super::Store;
use crate::domain::{AuditEntry, AuditPage};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

/// Something worth a line in the audit trail.
pub struct AuditRecord<'a> {
    pub actor_id: Option<i64>,
    pub actor_email: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
    pub ip: &'a str,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_email: String,
    action: String,
    target: String,
    detail: String,
    ip: String,
}

fn push_filters(qb: &mut QueryBuilder<'_, Sqlite>, action: Option<&str>, search: Option<&str>) {
    qb.push(" WHERE 1 = 1");
    if let Some(action) = action {
        qb.push(" AND action = ").push_bind(action.to_string());
    }
    if let Some(search) = search {
        let like = format!("%{}%", search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        qb.push(" AND (actor_email LIKE ").push_bind(like.clone()).push(" ESCAPE '\\' OR target LIKE ").push_bind(like).push(" ESCAPE '\\')");
    }
}

/// Writes an audit entry inside the transaction of the change it records.
pub(super) async fn insert_audit(tx: &mut sqlx::Transaction<'static, Sqlite>, at: DateTime<Utc>, r: AuditRecord<'_>) -> Result<(), AppError> {
    sqlx::query("INSERT INTO audit_log (at, actor_id, actor_email, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)")
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

impl Store {
    pub async fn record_audit(&self, r: AuditRecord<'_>) -> Result<(), AppError> {
        let mut tx = self.write.begin().await?;
        insert_audit(&mut tx, Utc::now(), r).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Newest first, filtered by action and by text in the actor's email or the target.
    pub async fn audit_page(&self, action: Option<&str>, search: Option<&str>, page: u32, per_page: u32) -> Result<AuditPage, AppError> {
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM audit_log");
        push_filters(&mut count, action, search);
        let total: i64 = count.build_query_scalar().fetch_one(&self.read).await?;
        let mut list = QueryBuilder::<Sqlite>::new("SELECT id, at, actor_email, action, target, detail, ip FROM audit_log");
        push_filters(&mut list, action, search);
        list.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(per_page));
        list.push(" OFFSET ").push_bind(i64::from(page - 1) * i64::from(per_page));
        let rows = list.build_query_as::<AuditRow>().fetch_all(&self.read).await?;
        Ok(AuditPage {
            entries: rows
                .into_iter()
                .map(|r| AuditEntry { id: r.id, at: r.at, actor_email: r.actor_email, action: r.action, target: r.target, detail: r.detail, ip: r.ip })
                .collect(),
            total,
            page,
            per_page,
        })
    }
}
