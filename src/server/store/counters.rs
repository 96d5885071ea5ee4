//! Reads of the counters that triggers keep in step with `tickets` (migration 0004): a few
//! rows per call, however many tickets there are. `counter_mismatches` recounts everything and
//! is for tests and consistency checks only.

use super::tickets::{fts_query, push_filters, push_source, shown_name};
use super::Store;
use crate::domain::{AgentPerformance, AgentStats, StatusCounts, TicketQuery, TicketScope, TicketStatus, COUNT_CAP};
use crate::error::AppError;
use sqlx::{QueryBuilder, Sqlite};

/// The counter scope and id of a ticket scope; 'assignee' 0 holds the unassigned tickets.
fn counter_key(scope: TicketScope) -> (&'static str, i64) {
    match scope {
        TicketScope::All => ("all", 0),
        TicketScope::RequestedBy(id) => ("requester", id),
        TicketScope::AssignedTo(id) => ("assignee", id),
    }
}

/// An agent's figures as the counters (all time) or the rollups (a range) give them.
#[derive(sqlx::FromRow)]
pub(super) struct AgentRow {
    agent_id: i64,
    agent_name: String,
    is_active: bool,
    assigned: i64,
    resolved: i64,
    /// Summed over the resolved tickets.
    resolution_secs: i64,
}

impl From<AgentRow> for AgentPerformance {
    fn from(r: AgentRow) -> Self {
        AgentPerformance {
            agent_id: r.agent_id,
            agent_name: r.agent_name,
            is_active: r.is_active,
            assigned: r.assigned,
            resolved: r.resolved,
            open: r.assigned - r.resolved,
            avg_resolution_hours: mean_hours(r.resolved, r.resolution_secs),
        }
    }
}

impl Store {
    /// Tickets per status in a scope, from at most four counter rows.
    #[tracing::instrument(skip_all, name = "store.ticket_counts")]
    pub async fn ticket_counts(&self, scope: TicketScope) -> Result<StatusCounts, AppError> {
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
    /// from counter rows when they hold the answer: a scope with at most a status filter from
    /// ticket_counts, any mix of status, priority and category over all tickets from
    /// ticket_kind_counts (migration 0013). Other filters (an assignee's or a requester's with
    /// more than a status, search, overdue, unassigned) count matches up to the cap, no further.
    pub(super) async fn list_total(&self, scope: TicketScope, query: &TicketQuery) -> Result<(i64, bool), AppError> {
        let searching = query.q.as_deref().and_then(fts_query).is_some();
        let only_kind_filters = query.assigned_to.is_none() && !query.unassigned && !query.overdue && !searching;
        if only_kind_filters && query.priority.is_none() && query.category.is_none() {
            let counts = self.ticket_counts(scope).await?;
            return Ok((query.status.map_or(counts.total, |s| counts.of(s)), false));
        }
        if only_kind_filters && scope == TicketScope::All {
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
            return Ok((count.build_query_scalar().fetch_one(&self.read).await?, false));
        }
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (SELECT 1");
        push_source(&mut count, query);
        push_filters(&mut count, scope, query);
        count.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(")");
        let n: i64 = count.build_query_scalar().fetch_one(&self.read).await?;
        Ok((n.min(COUNT_CAP), n > COUNT_CAP))
    }

    /// Not-closed tickets that nobody works on.
    #[tracing::instrument(skip_all, name = "store.unassigned_open")]
    pub async fn unassigned_open(&self) -> Result<i64, AppError> {
        let counts = self.ticket_counts(TicketScope::AssignedTo(0)).await?;
        Ok(counts.total - counts.closed)
    }

    /// An agent's assigned, resolved and pending counts and mean resolution time.
    #[tracing::instrument(skip_all, name = "store.agent_stats")]
    pub async fn agent_stats(&self, agent_id: i64) -> Result<AgentStats, AppError> {
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
    pub async fn open_load(&self, agent_id: i64) -> Result<i64, AppError> {
        let counts = self.ticket_counts(TicketScope::AssignedTo(agent_id)).await?;
        Ok(counts.total - counts.closed)
    }

    /// Every agent's assigned, resolved, open and mean resolution hours, over all their tickets.
    #[tracing::instrument(skip_all, name = "store.agent_totals")]
    pub async fn agent_totals(&self) -> Result<Vec<AgentPerformance>, AppError> {
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

    /// Every counter that differs from a full recount of the tickets, described; empty when
    /// all agree. Scans every ticket: for tests and consistency checks, never for a page.
    #[tracing::instrument(skip_all, name = "store.counter_mismatches")]
    pub async fn counter_mismatches(&self) -> Result<Vec<String>, AppError> {
        let recount = "
            SELECT 'all' AS scope, 0 AS scope_id, status, COUNT(*) AS n FROM tickets GROUP BY status
            UNION ALL SELECT 'requester', user_id, status, COUNT(*) FROM tickets GROUP BY user_id, status
            UNION ALL SELECT 'assignee', COALESCE(assigned_to, 0), status, COUNT(*) FROM tickets GROUP BY COALESCE(assigned_to, 0), status";
        let sql = format!(
            "WITH truth AS ({recount})
             SELECT COALESCE(t.scope, c.scope), COALESCE(t.scope_id, c.scope_id), COALESCE(t.status, c.status), COALESCE(t.n, 0), COALESCE(c.n, 0)
             FROM truth t FULL OUTER JOIN ticket_counts c ON c.scope = t.scope AND c.scope_id = t.scope_id AND c.status = t.status
             WHERE COALESCE(t.n, 0) <> COALESCE(c.n, 0)"
        );
        let rows: Vec<(String, i64, String, i64, i64)> = sqlx::query_as(&sql).fetch_all(&self.read).await?;
        let mut found: Vec<String> =
            rows.into_iter().map(|(s, id, st, truth, kept)| format!("{s} {id} {st}: counted {truth}, kept {kept}")).collect();
        let sums = "
            SELECT assigned_to AS agent_id, COUNT(*) AS resolved,
                   SUM(COALESCE(CAST(ROUND((julianday(closed_at) - julianday(created_at)) * 86400) AS INTEGER), 0)) AS secs
            FROM tickets WHERE assigned_to IS NOT NULL AND status = 'closed' GROUP BY assigned_to";
        let sql = format!(
            "WITH truth AS ({sums})
             SELECT COALESCE(t.agent_id, r.agent_id), COALESCE(t.resolved, 0), COALESCE(t.secs, 0), COALESCE(r.resolved, 0), COALESCE(r.resolution_secs, 0)
             FROM truth t FULL OUTER JOIN agent_resolution r ON r.agent_id = t.agent_id
             WHERE COALESCE(t.resolved, 0) <> COALESCE(r.resolved, 0) OR COALESCE(t.secs, 0) <> COALESCE(r.resolution_secs, 0)"
        );
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(&sql).fetch_all(&self.read).await?;
        found.extend(rows.into_iter().map(|(agent, n, secs, kept_n, kept_secs)| {
            format!("agent {agent} resolution: counted {n} / {secs} s, kept {kept_n} / {kept_secs} s")
        }));
        found.extend(self.rollup_mismatches().await?);
        let roles: Vec<(String, i64, i64)> = sqlx::query_as(
            "WITH t AS (SELECT role, COUNT(*) AS n FROM users WHERE deleted_at IS NULL GROUP BY role)
             SELECT COALESCE(t.role, k.role), COALESCE(t.n, 0), COALESCE(k.n, 0)
             FROM t FULL OUTER JOIN user_counts k ON k.role = t.role WHERE COALESCE(t.n, 0) <> COALESCE(k.n, 0)",
        )
        .fetch_all(&self.read)
        .await?;
        found.extend(roles.into_iter().map(|(role, n, kept)| format!("users {role}: counted {n}, kept {kept}")));
        Ok(found)
    }

    /// The rollups of migrations 0005 and 0012 and the open tickets per deadline day of 0011
    /// against a recount, as `counter_mismatches` does.
    async fn rollup_mismatches(&self) -> Result<Vec<String>, AppError> {
        const SECS: &str = "COALESCE(CAST(ROUND((julianday(closed_at) - julianday(created_at)) * 86400) AS INTEGER), 0)";
        // (table, its key columns, its value columns, the recount with the same columns)
        let checks = [
            (
                "rollup_created",
                ["day", "status", "priority", "category"].as_slice(),
                ["n"].as_slice(),
                "SELECT substr(created_at, 1, 10) AS day, status, priority, category, COUNT(*) AS n FROM tickets
                 GROUP BY 1, 2, 3, 4".to_string(),
            ),
            (
                "rollup_closed",
                ["day"].as_slice(),
                ["n", "resolution_secs", "sla_met"].as_slice(),
                format!(
                    "SELECT substr(closed_at, 1, 10) AS day, COUNT(*) AS n, SUM({SECS}) AS resolution_secs,
                            SUM(COALESCE(CAST(strftime('%s', closed_at) AS INTEGER) <= due_at, 0)) AS sla_met
                     FROM tickets WHERE closed_at IS NOT NULL GROUP BY 1"
                ),
            ),
            (
                "rollup_agent",
                ["agent_id", "day", "status"].as_slice(),
                ["n", "resolution_secs"].as_slice(),
                format!(
                    "SELECT COALESCE(assigned_to, 0) AS agent_id, substr(created_at, 1, 10) AS day, status, COUNT(*) AS n,
                            SUM(CASE WHEN status = 'closed' THEN {SECS} ELSE 0 END) AS resolution_secs
                     FROM tickets GROUP BY 1, 2, 3"
                ),
            ),
            (
                "rollup_created_month",
                ["month", "status", "priority", "category"].as_slice(),
                ["n"].as_slice(),
                "SELECT substr(created_at, 1, 7) AS month, status, priority, category, COUNT(*) AS n FROM tickets
                 GROUP BY 1, 2, 3, 4".to_string(),
            ),
            (
                "rollup_opened",
                ["day"].as_slice(),
                ["n"].as_slice(),
                "SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS n FROM tickets GROUP BY 1".to_string(),
            ),
            (
                "rollup_agent_month",
                ["agent_id", "month", "status"].as_slice(),
                ["n", "resolution_secs"].as_slice(),
                format!(
                    "SELECT COALESCE(assigned_to, 0) AS agent_id, substr(created_at, 1, 7) AS month, status, COUNT(*) AS n,
                            SUM(CASE WHEN status = 'closed' THEN {SECS} ELSE 0 END) AS resolution_secs
                     FROM tickets GROUP BY 1, 2, 3"
                ),
            ),
            (
                "ticket_kind_counts",
                ["status", "priority", "category"].as_slice(),
                ["n"].as_slice(),
                "SELECT status, priority, category, COUNT(*) AS n FROM tickets GROUP BY 1, 2, 3".to_string(),
            ),
            (
                "open_due_days",
                ["day"].as_slice(),
                ["n"].as_slice(),
                "SELECT due_at / 86400 AS day, COUNT(*) AS n FROM tickets WHERE status <> 'closed' AND due_at IS NOT NULL
                 GROUP BY 1".to_string(),
            ),
        ];
        let mut found = Vec::new();
        for (table, keys, values, recount) in checks {
            let on = keys.iter().map(|k| format!("k.{k} = t.{k}")).collect::<Vec<_>>().join(" AND ");
            let key = keys.iter().map(|k| format!("COALESCE(t.{k}, k.{k})")).collect::<Vec<_>>().join(" || ' ' || ");
            let differs = values.iter().map(|v| format!("COALESCE(t.{v}, 0) <> COALESCE(k.{v}, 0)")).collect::<Vec<_>>().join(" OR ");
            let shown = values
                .iter()
                .map(|v| format!("'{v} ' || COALESCE(t.{v}, 0) || ' kept ' || COALESCE(k.{v}, 0)"))
                .collect::<Vec<_>>()
                .join(" || ', ' || ");
            let sql = format!(
                "WITH t AS ({recount}) SELECT {key}, {shown} FROM t FULL OUTER JOIN {table} k ON {on} WHERE {differs}"
            );
            let rows: Vec<(String, String)> = sqlx::query_as(&sql).fetch_all(&self.read).await?;
            found.extend(rows.into_iter().map(|(k, v)| format!("{table} {k}: counted {v}")));
        }
        Ok(found)
    }
}

fn mean_hours(resolved: i64, secs: i64) -> Option<f64> {
    (resolved > 0).then(|| secs as f64 / resolved as f64 / 3600.0)
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
        assert_eq!(store.counter_mismatches().await.unwrap(), vec!["all 0 open: counted 1, kept 2".to_string()]);
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
            async move { store.list_tickets(TicketScope::All, &query).await.unwrap() }
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
        let mine = store.list_tickets(TicketScope::RequestedBy(1), &high_billing).await.unwrap();
        assert_eq!((mine.total, mine.capped), (2, false));
    }
}
