//! Reads of the counters that triggers keep in step with `tickets` (see the schema): a few
//! rows per call, however many tickets there are. `counter_mismatches` recounts everything and
//! is for tests and consistency checks only.

use crate::server::store::counting::{list_count, ListCount};
use crate::server::store::rows::*;
use super::tickets::{fts_query, keep_prepared, overdue_in, push_filters, push_source};
use super::Store;
use crate::domain::{AgentPerformance, AgentStats, StatusCounts, TicketQuery, TicketScope, COUNT_CAP};
use crate::server::store::StoreError;
use sqlx::{PgConnection, Postgres, QueryBuilder};

/// Tickets per status in a scope, from at most four counter rows.
pub(super) async fn counts_in(conn: &mut PgConnection, scope: TicketScope) -> Result<StatusCounts, StoreError> {
    let (name, id) = counter_key(scope);
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT status, n FROM ticket_counts WHERE scope = $1 AND scope_id = $2")
        .bind(name)
        .bind(id)
        .fetch_all(conn)
        .await?;
    Ok(status_counts_from_rows(rows))
}

/// How many tickets a list matches, and whether that number stopped at `COUNT_CAP`. Counted
/// from counter rows wherever they hold the answer, so the common lists cost the same at any
/// size: a scope with a status filter from ticket_counts (over all tickets, an assignee filter
/// or "unassigned" is that assignee's scope); any mix of status, priority and category over
/// all tickets from ticket_kind_counts; overdue alone from the per-day counters (see
/// `list_count`; a search alone is counted by `search::search_listed`). Any other mix counts
/// matches up to the cap, no further.
pub(super) async fn list_total(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(i64, bool), StoreError> {
    let search = query.q.as_deref().and_then(fts_query);
    // A search alone is counted with its page (`search::search_listed`), not here.
    match list_count(scope, query, search.as_deref()) {
        ListCount::Statuses(scope) => {
            let counts = counts_in(conn, scope).await?;
            return Ok((query.status.map_or(counts.total, |s| counts.of(s)), false));
        }
        ListCount::Kinds => return Ok((kind_count(conn, query).await?, false)),
        ListCount::Overdue(scope) => return Ok((overdue_in(conn, scope, now).await?, false)),
        ListCount::Words(_) | ListCount::Matches => {}
    }
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM (SELECT 1");
    push_source(&mut count, query);
    push_filters(&mut count, scope, query, now);
    count.push(format_args!(" LIMIT {}) AS matches", COUNT_CAP + 1));
    let n: i64 = count.build_query_scalar().persistent(keep_prepared(query)).fetch_one(conn).await?;
    Ok((n.min(COUNT_CAP), n > COUNT_CAP))
}

/// Tickets with the query's status, priority and category (each optional), from at most
/// a few dozen rows of ticket_kind_counts.
async fn kind_count(conn: &mut PgConnection, query: &TicketQuery) -> Result<i64, StoreError> {
    let mut count = QueryBuilder::<Postgres>::new("SELECT COALESCE(SUM(n), 0)::BIGINT FROM ticket_kind_counts WHERE TRUE");
    if let Some(s) = query.status {
        count.push(" AND status = ").push_bind(s.as_str());
    }
    if let Some(p) = query.priority {
        count.push(" AND priority = ").push_bind(p.as_str());
    }
    if let Some(c) = &query.category {
        count.push(" AND category = ").push_bind(c.clone());
    }
    Ok(count.build_query_scalar().fetch_one(conn).await?)
}

impl Store {
    /// Tickets per status in a scope, from at most four counter rows.
    #[tracing::instrument(skip_all, name = "store.ticket_counts")]
    pub async fn ticket_counts(&self, scope: TicketScope) -> Result<StatusCounts, StoreError> {
        counts_in(&mut *self.pool.acquire().await?, scope).await
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
        let mut conn = self.pool.acquire().await?;
        let counts = counts_in(&mut conn, TicketScope::AssignedTo(agent_id)).await?;
        agent_stats_in(&mut conn, agent_id, &counts).await
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
        agent_totals_in(&mut *self.pool.acquire().await?).await
    }

    /// Every counter or rollup row that differs from a recount of the tickets and accounts
    /// (scans everything: for tests and consistency checks).
    #[tracing::instrument(skip_all, name = "store.counter_mismatches")]
    pub async fn counter_mismatches(&self) -> Result<Vec<String>, StoreError> {
        super::counter_mismatches(&self.pool).await
    }
}

/// An agent's figures: `counts` are the agent's ticket counts (their assignee scope).
pub(super) async fn agent_stats_in(conn: &mut PgConnection, agent_id: i64, counts: &StatusCounts) -> Result<AgentStats, StoreError> {
    let sums: Option<(i64, i64)> = sqlx::query_as("SELECT resolved, resolution_secs FROM agent_resolution WHERE agent_id = $1")
        .bind(agent_id)
        .fetch_optional(conn)
        .await?;
    Ok(AgentStats {
        assigned: counts.total,
        resolved: counts.closed,
        pending: counts.total - counts.closed,
        avg_resolution_hours: sums.and_then(|(n, secs)| mean_hours(n, secs)),
    })
}

/// Every agent's figures, from the counters (see `Store::agent_totals`).
pub(super) async fn agent_totals_in(conn: &mut PgConnection) -> Result<Vec<AgentPerformance>, StoreError> {
    // Names sort by code point (COLLATE "C"), as SQLite's BINARY collation does.
    let sql = concat!(
        "SELECT u.id AS agent_id, ", shown_name!("u"), " AS agent_name, u.is_active AS is_active,
            (SELECT COALESCE(SUM(c.n), 0)::BIGINT FROM ticket_counts c
             WHERE c.scope = 'assignee' AND c.scope_id = u.id) AS assigned,
            (SELECT COALESCE(SUM(c.n), 0)::BIGINT FROM ticket_counts c
             WHERE c.scope = 'assignee' AND c.scope_id = u.id AND c.status = 'closed') AS resolved,
            COALESCE(r.resolution_secs, 0) AS resolution_secs
         FROM users u LEFT JOIN agent_resolution r ON r.agent_id = u.id
         WHERE u.role = 'agent' AND u.deleted_at IS NULL
         ORDER BY u.name COLLATE \"C\", u.id"
    );
    let rows = sqlx::query_as::<_, AgentRow>(sql).fetch_all(conn).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[cfg(test)]
#[path = "counters_tests.rs"]
mod tests;
