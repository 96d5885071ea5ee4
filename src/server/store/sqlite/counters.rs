//! Reads of the counters that triggers keep in step with `tickets` (migration 0004): a few
//! rows per call, however many tickets there are. `counter_mismatches` recounts everything and
//! is for tests and consistency checks only.

use crate::server::store::counting::{list_count, ListCount};
use super::tickets::{fts_query, push_filters, push_source};
use super::Store;
use super::shared::kind_count;
use crate::domain::{TicketQuery, TicketScope, COUNT_CAP};
use crate::server::store::StoreError;
use sqlx::{QueryBuilder, Sqlite};


impl Store {
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
            ListCount::Kinds => return Ok((kind_count(&mut *self.read.acquire().await?, query).await?, false)),
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

}
