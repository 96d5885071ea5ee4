//! Reads of the counters that triggers keep in step with `tickets` (see the schema): a few
//! rows per call, however many tickets there are. `counter_mismatches` recounts everything and
//! is for tests and consistency checks only.

use crate::server::store::counting::{list_count, ListCount};
use super::tickets::{fts_query, keep_prepared, overdue_in, push_filters, push_source};
use super::Store;
pub(super) use super::shared::{agent_stats_in, agent_totals_in, counts_in, kind_count};
use crate::domain::{TicketQuery, TicketScope, COUNT_CAP};
use crate::server::store::StoreError;
use sqlx::{PgConnection, Postgres, QueryBuilder};

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

impl Store {
    /// Every counter or rollup row that differs from a recount of the tickets and accounts
    /// (scans everything: for tests and consistency checks).
    #[tracing::instrument(skip_all, name = "store.counter_mismatches")]
    pub async fn counter_mismatches(&self) -> Result<Vec<String>, StoreError> {
        super::counter_mismatches(&self.pool).await
    }
}
