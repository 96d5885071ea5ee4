use crate::server::store::StoreError;
use crate::server::store::records::*;

use sqlx::Postgres;


use super::Store;
use crate::domain::{AuditEntry, AuditPage, COUNT_CAP};
use crate::server::store::rows::{contains_pattern, AuditRow};
use sqlx::QueryBuilder;

/// Entries matching the filters, newest first: through the trigram indexes when searching
/// (text anywhere in the actor's email or the target, any case), else through the (action, at)
/// or (at) index. `columns` is what to select.
fn push_query(qb: &mut QueryBuilder<'_, Postgres>, columns: &str, action: Option<&str>, search: Option<&str>) {
    qb.push("SELECT ").push(columns).push(" FROM audit_log a WHERE TRUE");
    if let Some(text) = search.filter(|s| s.chars().count() >= MIN_AUDIT_SEARCH) {
        // LIKE's wildcards and its escape character in the text stand for themselves.
        let like = contains_pattern(text);
        qb.push(" AND (a.actor_email ILIKE ").push_bind(like.clone()).push(" OR a.target ILIKE ").push_bind(like).push(")");
    }
    if let Some(action) = action {
        qb.push(" AND a.action = ").push_bind(action.to_string());
    }
    qb.push(" ORDER BY a.at DESC, a.id DESC");
}

impl Store {
    /// Newest first, filtered by action and by text in the actor's email or the target. The
    /// total stops at `COUNT_CAP` ("10 000+"), and `page` is bounded by the caller.
    #[tracing::instrument(skip_all, name = "store.audit_page")]
    pub async fn audit_page(&self, action: Option<&str>, search: Option<&str>, page: u32, per_page: u32) -> Result<AuditPage, StoreError> {
        let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM (");
        push_query(&mut count, "1", action, search);
        // Numbers of ours, written in, so each statement's one plan knows how few rows are wanted.
        count.push(format_args!(" LIMIT {}) AS matches", COUNT_CAP + 1));
        let n: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut list = QueryBuilder::<Postgres>::new("");
        push_query(&mut list, "a.id, a.at, a.actor_email, a.action, a.target, a.detail, a.ip", action, search);
        let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
        list.push(format_args!(" LIMIT {per_page} OFFSET {offset}"));
        let rows = list.build_query_as::<AuditRow>().fetch_all(&self.pool).await?;
        Ok(AuditPage {
            entries: rows.into_iter().map(AuditEntry::from).collect(),
            total: n.min(COUNT_CAP),
            total_capped: n > COUNT_CAP,
            page,
            per_page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn audit_search_finds_text_anywhere_in_any_case_and_never_as_syntax() {
        let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
        let store = Store::connect_in_new_schema(&url, "t_audit", 2).await.unwrap();
        for (email, target) in [("ann@example.com", "ticket #5"), ("bob@corp.test", "Carol@Example.com"), ("x@y.z", "100%_done")] {
            let r = AuditRecord { actor_id: None, actor_email: email, action: "sign-in", target, detail: "", ip: "" };
            store.record_audit(r).await.unwrap();
        }
        let found = |q: &'static str| {
            let store = store.clone();
            async move { store.audit_page(None, Some(q), 1, 20).await.unwrap().entries.len() }
        };
        assert_eq!(found("EXAMPLE.c").await, 2, "in the email of one, the target of the other");
        assert_eq!(found("corp.te").await, 1);
        assert_eq!(found("0%_").await, 1);
        assert_eq!(found("%_%").await, 0, "wildcards are characters to look for");
        let page = store.audit_page(Some("sign-in"), None, 1, 2).await.unwrap();
        assert_eq!((page.entries.len(), page.total, page.entries[0].target.as_str()), (2, 3, "100%_done"));
    }
}
