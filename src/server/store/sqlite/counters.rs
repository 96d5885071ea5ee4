//! Reads of the counters that triggers keep in step with `tickets` (migration 0004): a few
//! rows per call, however many tickets there are. `counter_mismatches` recounts everything and
//! is for tests and consistency checks only.

use crate::server::store::rows::*;
use super::tickets::{fts_query, push_filters, push_source};
use super::Store;
use crate::domain::{AgentPerformance, AgentStats, StatusCounts, TicketQuery, TicketScope, TicketStatus, COUNT_CAP};
use crate::server::store::StoreError;
use sqlx::{QueryBuilder, Sqlite};

/// The counter scope and id of a ticket scope; 'assignee' 0 holds the unassigned tickets.
fn counter_key(scope: TicketScope) -> (&'static str, i64) {
    match scope {
        TicketScope::All => ("all", 0),
        TicketScope::RequestedBy(id) => ("requester", id),
        TicketScope::AssignedTo(id) => ("assignee", id),
    }
}


impl Store {
    /// Tickets per status in a scope, from at most four counter rows.
    #[tracing::instrument(skip_all, name = "store.ticket_counts")]
    pub async fn ticket_counts(&self, scope: TicketScope) -> Result<StatusCounts, StoreError> {
        let (name, id) = counter_key(scope);
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT status, n FROM ticket_counts WHERE scope = ? AND scope_id = ?")
            .bind(name)
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        let mut counts = StatusCounts::default();
        for (raw, n) in rows {
            match TicketStatus::parse(&raw) {
                Some(TicketStatus::Open) => counts.open = n,
                Some(TicketStatus::InProgress) => counts.in_progress = n,
                Some(TicketStatus::OnHold) => counts.on_hold = n,
                Some(TicketStatus::Closed) => counts.closed = n,
                None => continue,
            }
            counts.total += n;
        }
        Ok(counts)
    }

    /// How many tickets a list matches, and whether that number stopped at `COUNT_CAP`. Counted
    /// from counter rows wherever they hold the answer, so the common lists cost the same at any
    /// size: a scope with a status filter from ticket_counts (over all tickets, an assignee filter
    /// or "unassigned" is that assignee's scope); any mix of status, priority and category over
    /// all tickets from ticket_kind_counts (migration 0013); overdue alone from the per-day
    /// counters; search alone from the full-text index without reading the tickets. Any other
    /// mix counts matches up to the cap, no further.
    pub(super) async fn list_total(
        &self,
        scope: TicketScope,
        query: &TicketQuery,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(i64, bool), StoreError> {
        let search = query.q.as_deref().and_then(fts_query);
        let kinds = query.priority.is_some() || query.category.is_some();
        let counted_scope = match (scope, query.assigned_to, query.unassigned) {
            (_, None, false) => Some(scope),
            (TicketScope::All, Some(agent), false) => Some(TicketScope::AssignedTo(agent)),
            (TicketScope::All, None, true) => Some(TicketScope::AssignedTo(0)),
            _ => None,
        };
        match (counted_scope, &search) {
            (Some(scope), None) if !kinds && !query.overdue => {
                let counts = self.ticket_counts(scope).await?;
                return Ok((query.status.map_or(counts.total, |s| counts.of(s)), false));
            }
            (Some(TicketScope::All), None) if !query.overdue => return Ok((self.kind_count(query).await?, false)),
            (Some(scope), None) if !kinds && query.status.is_none() && scope != TicketScope::AssignedTo(0) => {
                return Ok((self.overdue_count(scope, now).await?, false));
            }
            (Some(TicketScope::All), Some(fts)) if !kinds && !query.overdue && query.status.is_none() => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ? LIMIT ?)",
                )
                .bind(fts)
                .bind(COUNT_CAP + 1)
                .fetch_one(&self.read)
                .await?;
                return Ok((n.min(COUNT_CAP), n > COUNT_CAP));
            }
            _ => {}
        }
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (SELECT 1");
        push_source(&mut count, query);
        push_filters(&mut count, scope, query, now);
        count.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(")");
        let n: i64 = count.build_query_scalar().fetch_one(&self.read).await?;
        Ok((n.min(COUNT_CAP), n > COUNT_CAP))
    }

    /// Tickets with the query's status, priority and category (each optional), from at most
    /// a few dozen rows of ticket_kind_counts.
    async fn kind_count(&self, query: &TicketQuery) -> Result<i64, StoreError> {
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COALESCE(SUM(n), 0) FROM ticket_kind_counts WHERE 1 = 1");
        if let Some(s) = query.status {
            count.push(" AND status = ").push_bind(s.as_str());
        }
        if let Some(p) = query.priority {
            count.push(" AND priority = ").push_bind(p.as_str());
        }
        if let Some(c) = &query.category {
            count.push(" AND category = ").push_bind(c.clone());
        }
        Ok(count.build_query_scalar().fetch_one(&self.read).await?)
    }

    /// Not-closed tickets that nobody works on.
    #[tracing::instrument(skip_all, name = "store.unassigned_open")]
    pub async fn unassigned_open(&self) -> Result<i64, StoreError> {
        let counts = self.ticket_counts(TicketScope::AssignedTo(0)).await?;
        Ok(counts.total - counts.closed)
    }

    /// An agent's assigned, resolved and pending counts and mean resolution time.
    #[tracing::instrument(skip_all, name = "store.agent_stats")]
    pub async fn agent_stats(&self, agent_id: i64) -> Result<AgentStats, StoreError> {
        let counts = self.ticket_counts(TicketScope::AssignedTo(agent_id)).await?;
        let sums: Option<(i64, i64)> = sqlx::query_as("SELECT resolved, resolution_secs FROM agent_resolution WHERE agent_id = ?")
            .bind(agent_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(AgentStats {
            assigned: counts.total,
            resolved: counts.closed,
            pending: counts.total - counts.closed,
            avg_resolution_hours: sums.and_then(|(n, secs)| mean_hours(n, secs)),
        })
    }

    /// Open (not closed) tickets assigned to an agent: their current load.
    #[tracing::instrument(skip_all, name = "store.open_load")]
    pub async fn open_load(&self, agent_id: i64) -> Result<i64, StoreError> {
        let counts = self.ticket_counts(TicketScope::AssignedTo(agent_id)).await?;
        Ok(counts.total - counts.closed)
    }

    /// Every agent's assigned, resolved, open and mean resolution hours, over all their tickets.
    #[tracing::instrument(skip_all, name = "store.agent_totals")]
    pub async fn agent_totals(&self) -> Result<Vec<AgentPerformance>, StoreError> {
        let sql = concat!(
            "SELECT u.id AS agent_id, ", shown_name!("u"), " AS agent_name, u.is_active AS is_active,
                (SELECT COALESCE(SUM(c.n), 0) FROM ticket_counts c WHERE c.scope = 'assignee' AND c.scope_id = u.id) AS assigned,
                (SELECT COALESCE(SUM(c.n), 0) FROM ticket_counts c WHERE c.scope = 'assignee' AND c.scope_id = u.id AND c.status = 'closed') AS resolved,
                COALESCE(r.resolution_secs, 0) AS resolution_secs
             FROM users u LEFT JOIN agent_resolution r ON r.agent_id = u.id
             WHERE u.role = 'agent' AND u.deleted_at IS NULL
             ORDER BY u.name"
        );
        let rows = sqlx::query_as::<_, AgentRow>(sql).fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_recount_reports_a_counter_that_drifted() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01')")
            .execute(&store.write)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
             VALUES (1, 'Printer', 'x', 'technical', 'low', 'open', '2026-01-01', '2026-01-01')",
        )
        .execute(&store.write)
        .await
        .unwrap();
        assert_eq!(store.ticket_counts(TicketScope::RequestedBy(1)).await.unwrap().open, 1);
        assert!(store.counter_mismatches().await.unwrap().is_empty());
        sqlx::query("UPDATE ticket_counts SET n = n + 1 WHERE scope = 'all'").execute(&store.write).await.unwrap();
        assert_eq!(store.counter_mismatches().await.unwrap(), vec!["ticket_counts all 0 open: counted n 1 kept 2".to_string()]);
        sqlx::query("UPDATE ticket_counts SET n = n - 1 WHERE scope = 'all'").execute(&store.write).await.unwrap();
        sqlx::query("UPDATE rollup_agent SET n = 5").execute(&store.write).await.unwrap();
        assert_eq!(
            store.counter_mismatches().await.unwrap(),
            vec![
                "rollup_agent 0 2026-01-01 open: counted n 1 kept 5, resolution_secs 0 kept 0".to_string(),
                // The monthly sums follow the daily rows by trigger, drift included.
                "rollup_agent_month 0 2026-01 open: counted n 1 kept 5, resolution_secs 0 kept 0".to_string(),
            ]
        );
    }

    #[tokio::test]
    async fn lists_filtered_by_status_priority_and_category_are_counted_exactly_from_counters() {
        use crate::domain::Priority;
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01')")
            .execute(&store.write)
            .await
            .unwrap();
        for (priority, category, status) in
            [("high", "billing", "open"), ("high", "billing", "closed"), ("high", "technical", "open"), ("low", "billing", "open")]
        {
            sqlx::query(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
                 VALUES (1, 'Printer', 'x', ?, ?, ?, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')",
            )
            .bind(category)
            .bind(priority)
            .bind(status)
            .execute(&store.write)
            .await
            .unwrap();
        }
        let base = TicketQuery { page: 1, per_page: 20, ..Default::default() };
        let high_billing = TicketQuery { priority: Some(Priority::High), category: Some("billing".into()), ..base.clone() };
        let open_high_billing = TicketQuery { status: Some(TicketStatus::Open), ..high_billing.clone() };
        let total = |query: TicketQuery| {
            let store = store.clone();
            async move { store.list_tickets(TicketScope::All, &query, chrono::Utc::now()).await.unwrap() }
        };
        assert_eq!((total(high_billing.clone()).await.total, total(open_high_billing.clone()).await.total), (2, 1));
        assert_eq!(total(TicketQuery { category: Some("billing".into()), ..base.clone() }).await.total, 3);
        assert!(store.counter_mismatches().await.unwrap().is_empty());

        // The totals are the counters' (exact past the cap, never walked up to it): a drifted
        // counter shows through, and the recount names it.
        sqlx::query("UPDATE ticket_kind_counts SET n = n + 20000 WHERE status = 'open' AND priority = 'high' AND category = 'billing'")
            .execute(&store.write)
            .await
            .unwrap();
        let listed = total(open_high_billing).await;
        assert_eq!((listed.total, listed.capped, listed.rows.len()), (20_001, false, 1));
        assert_eq!(
            store.counter_mismatches().await.unwrap(),
            vec!["ticket_kind_counts open high billing: counted n 1 kept 20001".to_string()]
        );
        // A requester's list with a priority filter counts its own matches instead.
        let mine = store.list_tickets(TicketScope::RequestedBy(1), &high_billing, chrono::Utc::now()).await.unwrap();
        assert_eq!((mine.total, mine.capped), (2, false));
    }

    #[tokio::test]
    async fn every_list_total_agrees_with_counting_the_tickets() {
        use crate::domain::Priority;
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01'), (2, 'A', 'a@x.io', 'h', 'agent', '2026-01-01')")
            .execute(&store.write)
            .await
            .unwrap();
        let now = chrono::Utc::now().timestamp();
        let rows = [
            ("printer jam", "high", "billing", "open", None, now - 60),
            ("printer toner", "high", "billing", "in-progress", Some(2), now + 3600),
            ("mail bounce", "low", "technical", "open", Some(2), now - 7200),
            ("printer", "critical", "technical", "closed", Some(2), now - 7200),
            ("vpn", "medium", "billing", "on-hold", None, now - 30),
        ];
        for (title, priority, category, status, agent, due) in rows {
            sqlx::query(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at, due_at)
                 VALUES (1, ?, 'x', ?, ?, ?, ?, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', CASE WHEN ? = 'closed' THEN '2026-01-02T09:00:00Z' END, ?)",
            )
            .bind(title).bind(category).bind(priority).bind(status).bind(agent).bind(status).bind(due)
            .execute(&store.write)
            .await
            .unwrap();
        }
        let base = TicketQuery { page: 1, per_page: 20, ..Default::default() };
        let mut queries = Vec::new();
        for status in [None, Some(TicketStatus::Open), Some(TicketStatus::Closed)] {
            for priority in [None, Some(Priority::High)] {
                for category in [None, Some("billing".to_string())] {
                    for (assigned_to, unassigned) in [(None, false), (Some(2), false), (None, true)] {
                        for overdue in [false, true] {
                            for q in [None, Some("printer".to_string())] {
                                let query = TicketQuery { status, priority, category: category.clone(), assigned_to, unassigned, overdue, q, ..base.clone() };
                                for scope in [TicketScope::All, TicketScope::AssignedTo(2), TicketScope::RequestedBy(1)] {
                                    queries.push((scope, query.clone()));
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut wrong = Vec::new();
        for (scope, query) in queries {
            let listed = store.list_tickets(scope, &TicketQuery { per_page: 100, ..query.clone() }, chrono::Utc::now()).await.unwrap();
            if (listed.total, listed.capped) != (listed.rows.len() as i64, false) {
                wrong.push(format!("{scope:?} {query:?}: total {} capped {}, rows {}", listed.total, listed.capped, listed.rows.len()));
            }
        }
        assert!(wrong.is_empty(), "{} list totals disagree with the rows listed:\n{}", wrong.len(), wrong.join("\n"));
    }

    #[tokio::test]
    async fn moving_a_closed_tickets_creation_time_moves_its_agents_resolution_sum() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01'), (2, 'A', 'a@x.io', 'h', 'agent', '2026-01-01')")
            .execute(&store.write)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at)
             VALUES (1, 'Printer', 'x', 'technical', 'low', 'closed', 2, '2026-01-01T09:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z')",
        )
        .execute(&store.write)
        .await
        .unwrap();
        sqlx::query("UPDATE tickets SET created_at = '2026-01-01T08:00:00Z'").execute(&store.write).await.unwrap();
        assert_eq!(store.counter_mismatches().await.unwrap(), Vec::<String>::new());
        let hours = store.agent_stats(2).await.unwrap().avg_resolution_hours;
        assert_eq!(hours, Some(2.0));
    }
}
