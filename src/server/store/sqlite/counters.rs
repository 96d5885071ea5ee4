//! Reads of the counters that triggers keep in step with `tickets` (migration 0004): a few
//! rows per call, however many tickets there are. `counter_mismatches` recounts everything and
//! is for tests and consistency checks only.

use crate::server::store::counting::{list_count, ListCount};
use crate::server::store::rows::*;
use super::tickets::{fts_query, push_filters, push_source};
use super::Store;
use crate::domain::{AgentPerformance, AgentStats, StatusCounts, TicketQuery, TicketScope, COUNT_CAP};
use crate::server::store::StoreError;
use sqlx::{QueryBuilder, Sqlite};


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
        Ok(status_counts_from_rows(rows))
    }

    /// How many tickets a list matches, and whether that number stopped at `COUNT_CAP`. Counted
    /// from counter rows wherever they hold the answer, so the common lists cost the same at any
    /// size: a scope with a status filter from ticket_counts (over all tickets, an assignee filter
    /// or "unassigned" is that assignee's scope); any mix of status, priority and category over
    /// all tickets from ticket_kind_counts (migration 0013); overdue alone from the per-day
    /// counters; search alone from the full-text index without reading the tickets (see
    /// `list_count`). Any other mix counts matches up to the cap, no further.
    pub(super) async fn list_total(
        &self,
        scope: TicketScope,
        query: &TicketQuery,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(i64, bool), StoreError> {
        let search = query.q.as_deref().and_then(fts_query);
        match list_count(scope, query, search.as_deref()) {
            ListCount::Statuses(scope) => {
                let counts = self.ticket_counts(scope).await?;
                return Ok((query.status.map_or(counts.total, |s| counts.of(s)), false));
            }
            ListCount::Kinds => return Ok((self.kind_count(query).await?, false)),
            ListCount::Overdue(scope) => return Ok((self.overdue_count(scope, now).await?, false)),
            ListCount::Words(fts) => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ? LIMIT ?)",
                )
                .bind(fts)
                .bind(COUNT_CAP + 1)
                .fetch_one(&self.read)
                .await?;
                return Ok((n.min(COUNT_CAP), n > COUNT_CAP));
            }
            ListCount::Matches => {}
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
#[path = "counters_tests.rs"]
mod tests;
