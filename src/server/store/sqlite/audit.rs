use crate::server::store::rows::*;
use crate::server::store::records::*;
use super::Store;
use crate::domain::{AuditEntry, AuditPage};
use crate::domain::COUNT_CAP;
use crate::server::store::StoreError;

use sqlx::{QueryBuilder, Sqlite};




/// Entries matching the filters, newest first: through the trigram index when searching, else
/// through the (action, at) or (at) index. `columns` is what to select.
fn push_query(qb: &mut QueryBuilder<'_, Sqlite>, columns: &str, action: Option<&str>, search: Option<&str>) {
    qb.push("SELECT ").push(columns);
    let search = search.filter(|s| s.chars().count() >= MIN_AUDIT_SEARCH);
    match search {
        Some(text) => {
            // One phrase, quotes doubled: the text is matched as typed, never as FTS syntax.
            let phrase = format!("\"{}\"", text.replace('"', "\"\""));
            qb.push(" FROM audit_fts JOIN audit_log a ON a.id = audit_fts.rowid WHERE audit_fts MATCH ").push_bind(phrase);
        }
        None => {
            qb.push(" FROM audit_log a WHERE 1 = 1");
        }
    }
    if let Some(action) = action {
        qb.push(" AND a.action = ").push_bind(action.to_string());
    }
    qb.push(if search.is_some() { " ORDER BY audit_fts.rowid DESC" } else { " ORDER BY a.at DESC, a.id DESC" });
}


impl Store {
    /// Newest first, filtered by action and by text in the actor's email or the target. The
    /// total stops at `COUNT_CAP` ("10 000+"), and `page` is bounded by the caller.
    #[tracing::instrument(skip_all, name = "store.audit_page")]
    pub async fn audit_page(&self, action: Option<&str>, search: Option<&str>, page: u32, per_page: u32) -> Result<AuditPage, StoreError> {
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (");
        push_query(&mut count, "1", action, search);
        count.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(")");
        let n: i64 = count.build_query_scalar().fetch_one(&self.read).await?;
        let mut list = QueryBuilder::<Sqlite>::new("");
        push_query(&mut list, "a.id, a.at, a.actor_email, a.action, a.target, a.detail, a.ip", action, search);
        list.push(" LIMIT ").push_bind(i64::from(per_page));
        list.push(" OFFSET ").push_bind(i64::from(page - 1) * i64::from(per_page));
        let rows = list.build_query_as::<AuditRow>().fetch_all(&self.read).await?;
        Ok(AuditPage {
            entries: rows
                .into_iter()
                .map(AuditEntry::from)
                .collect(),
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

    async fn plan(store: &Store, action: Option<&str>, search: Option<&str>) -> String {
        let mut qb = QueryBuilder::<Sqlite>::new("EXPLAIN QUERY PLAN ");
        push_query(&mut qb, "a.id", action, search);
        qb.push(" LIMIT 20");
        let rows: Vec<(i64, i64, i64, String)> = qb.build_query_as().fetch_all(&store.read).await.unwrap();
        rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
    }

    #[tokio::test]
    async fn audit_search_and_filters_use_indexes_and_find_text_anywhere() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        for (email, target) in [("ann@example.com", "ticket #5"), ("bob@corp.test", "carol@example.com")] {
            let r = AuditRecord { actor_id: None, actor_email: email, action: "sign-in", target, detail: "", ip: "" };
            store.record_audit(r).await.unwrap();
        }
        for (action, search) in [(None, None), (Some("sign-in"), None), (None, Some("example")), (Some("sign-in"), Some("corp"))] {
            let plan = plan(&store, action, search).await;
            assert!(!plan.contains("SCAN a") || plan.contains("INDEX"), "{action:?} {search:?}:\n{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{action:?} {search:?}:\n{plan}");
        }
        let found = |q: &'static str| {
            let store = store.clone();
            async move { store.audit_page(None, Some(q), 1, 20).await.unwrap().entries.len() }
        };
        assert_eq!(found("example.c").await, 2, "in the email of one, the target of the other");
        assert_eq!(found("corp.te").await, 1);
        assert_eq!(found("\"quoted\" OR x").await, 0, "text, never query syntax");
    }
}
