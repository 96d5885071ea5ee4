use crate::server::store::rows::*;
use crate::server::store::records::*;
use super::Store;
use crate::domain::{TicketQuery, TicketRow, TicketSort};
pub(super) use super::shared::{push_after, push_filters, push_order, ROW_COLUMNS, ROW_JOINS};
use crate::server::store::StoreError;
use super::list_plan::{mix_of, only, skip_values, ways, Counted, Plan, Ways};
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

pub use crate::domain::TicketScope;

#[path = "tickets_search.rs"]
mod search;
pub(super) use search::{facets_query, fts_query, DueDays};





/// The tickets a list reads from. With a plan (a mix of conditions, see `list_plan`), through
/// the index it names: the search index first (CROSS JOIN keeps SQLite from turning the join
/// around), or a filter's index with each row probed in the search index. Without one, a
/// search drives from the search index (newest match first, so a LIMIT stops early however
/// many tickets match), anything else from the tickets table as SQLite sees fit. Where the
/// search index drives, it also narrows by the list's filters (`facets_query`): FTS5 joins the
/// two MATCH conditions, this one and the words `push_filters` adds, into one query. An
/// overdue list's deadline words take the tickets due by the end of today, `push_filters`
/// checking the hour.
pub(super) fn push_source(qb: &mut QueryBuilder<'_, Sqlite>, scope: TicketScope, query: &TicketQuery, plan: Option<Plan>, now: DateTime<Utc>) {
    let search = query.q.as_deref().and_then(fts_query).is_some();
    match plan.and_then(|p| p.index) {
        None if search => {
            qb.push(" FROM tickets_fts CROSS JOIN tickets t ON t.id = tickets_fts.rowid");
            if let Some(facets) = facets_query(scope, query, now, DueDays::ThroughToday) {
                qb.push(" AND tickets_fts MATCH ").push_bind(facets);
            }
            qb
        }
        None => qb.push(" FROM tickets t"),
        Some(index) => {
            qb.push(format_args!(" FROM tickets t INDEXED BY {index}"));
            if search {
                qb.push(" CROSS JOIN tickets_fts ON tickets_fts.rowid = t.id");
            }
            qb
        }
    };
}

/// A list's WHERE clause (`push_filters`) as read through `plan`: then every value of the
/// columns its index steps over, so that SQLite seeks each (see `list_plan_indexes::SKIPPABLE`).
pub(super) fn push_planned_filters(qb: &mut QueryBuilder<'_, Sqlite>, scope: TicketScope, query: &TicketQuery, plan: Option<Plan>, now: DateTime<Utc>) {
    push_filters(qb, scope, query, now);
    if let Some(plan) = plan {
        qb.push(skip_values(plan.skip));
    }
}

/// Open and past the deadline (`?` = now): served by the partial indexes of open tickets.
const OVERDUE: &str = "status <> 'closed' AND due_at < ?";

/// Every overdue ticket (`?1` = today as days since 1970, `?2` = now): whole days from the
/// per-day counters of open tickets (migration 0011), today's through tickets_open_by_due.
const OVERDUE_ALL: &str = "SELECT (SELECT COALESCE(SUM(n), 0) FROM open_due_days WHERE day < ?1)
     + (SELECT COUNT(*) FROM tickets WHERE status <> 'closed' AND due_at >= ?1 * 86400 AND due_at < ?2)";

/// The cursor's condition and the order of a list read through `plan`. A search read through a
/// filter's index orders by the ticket's id, not the search index's: ordered by its row id, the
/// search index is asked for each probe's doclist backwards, which FTS5 reads whole (agent1's
/// overdue high-priority tickets in progress holding "printer": 205 ms so, 22 ms by id).
fn push_keyset(qb: &mut QueryBuilder<'_, Sqlite>, query: &TicketQuery, plan: Option<Plan>) {
    let search = query.q.as_deref().and_then(fts_query).is_some();
    if search && plan.is_some_and(|p| p.index.is_some()) {
        if let Some(c) = query.after {
            qb.push(" AND t.id < ").push_bind(c.id);
        }
        qb.push(" ORDER BY t.id DESC");
    } else {
        push_after(qb, query);
        push_order(qb, query);
    }
}

/// Rows of the list before its page: none after a cursor, else the pages before `page`.
fn offset_of(query: &TicketQuery) -> i64 {
    if query.after.is_some() { 0 } else { i64::from(query.page - 1) * i64::from(query.per_page) }
}

fn scope_filter(scope: TicketScope) -> (&'static str, Option<i64>) {
    match scope {
        TicketScope::RequestedBy(id) => ("user_id = ?", Some(id)),
        TicketScope::AssignedTo(id) => ("assigned_to = ?", Some(id)),
        TicketScope::All => ("1 = 1", None),
    }
}

impl Store {
    /// One page of a filtered list with the cursor of the next page (if any), the number of
    /// matching tickets, and whether that number stopped at `COUNT_CAP` (see `list_total`).
    #[tracing::instrument(skip_all, name = "store.list_tickets")]
    pub async fn list_tickets(&self, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) -> Result<ListedTickets, StoreError> {
        let sizes = self.sizes_for_plan(scope, query, now).await?;
        let (total, capped) = self.list_total(scope, query, now, sizes.as_ref()).await?;
        // One row more than the page shows tells whether another page follows.
        let ways = self.ways_for(scope, query, query.per_page + 1, sizes.as_ref());
        let mut rows = self.planned_window(scope, query, query.per_page + 1, now, ways).await?.0;
        // An "at least" count never says fewer than the rows up to the end of this page.
        let total = if capped { query.at_least(total, rows.len()) } else { total };
        let next = if rows.len() > query.per_page as usize {
            rows.truncate(query.per_page as usize);
            rows.last().map(|row| query.cursor_after(row))
        } else {
            None
        };
        Ok(ListedTickets { rows, next, total, capped })
    }

    /// One page of a filtered list, without counting the matches (dashboards, exports): from
    /// the cursor when there is one, else `page` pages in (bounded by `TicketQuery::MAX_PAGE`).
    #[tracing::instrument(skip_all, name = "store.ticket_rows")]
    pub async fn ticket_rows(&self, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) -> Result<Vec<TicketRow>, StoreError> {
        let sizes = self.sizes_for_plan(scope, query, now).await?;
        let ways = self.ways_for(scope, query, query.per_page, sizes.as_ref());
        Ok(self.planned_window(scope, query, query.per_page, now, ways).await?.0)
    }

    /// The indexes a page of `limit` rows is read through, when the list mixes conditions.
    fn ways_for(&self, scope: TicketScope, query: &TicketQuery, limit: u32, sizes: Option<&Counted>) -> Option<Ways> {
        let search = query.q.as_deref().and_then(fts_query).is_some();
        sizes.map(|sizes| ways(sizes, mix_of(scope, query, search), query.sort, offset_of(query) as u64 + u64::from(limit)))
    }

    /// Up to `limit` rows of the list by `ways`: the first way's walk, cut off after its budget
    /// of rows when it holds a fallback, and the fallback when the walk found too few. Says
    /// whether the fallback served (for tests).
    pub(super) async fn planned_window(
        &self,
        scope: TicketScope,
        query: &TicketQuery,
        limit: u32,
        now: DateTime<Utc>,
        ways: Option<Ways>,
    ) -> Result<(Vec<TicketRow>, bool), StoreError> {
        let Some(Ways { first, fallback: Some((budget, fallback)) }) = ways else {
            return Ok((self.ticket_window(scope, query, limit, now, ways.map(|w| w.first)).await?, false));
        };
        let rows = self.walk_window(scope, query, limit, now, first, budget).await?;
        // A walk whose index checks every condition (the search index holding them all as
        // words) and may read the whole page found every match when it found fewer.
        let search = query.q.as_deref().and_then(fts_query).is_some();
        let complete = first.prefix == mix_of(scope, query, search) && budget >= offset_of(query) as u64 + u64::from(limit);
        if rows.len() == limit as usize || complete {
            return Ok((rows, false));
        }
        Ok((self.ticket_window(scope, query, limit, now, Some(fallback)).await?, true))
    }

    /// Up to `limit` rows of the list among the first `budget` rows `plan`'s walk reads in the
    /// list's order: every row when the walk holds enough matches, else fewer.
    pub(super) async fn walk_window(
        &self,
        scope: TicketScope,
        query: &TicketQuery,
        limit: u32,
        now: DateTime<Utc>,
        plan: Plan,
        budget: u64,
    ) -> Result<Vec<TicketRow>, StoreError> {
        let (walk_scope, walk) = only(scope, query, plan.prefix);
        let (rest_scope, rest) = only(scope, query, !plan.prefix);
        // The walk is a subquery SQLite runs as a co-routine (a LIMIT in a joined subquery keeps
        // it from being flattened), its rows coming in its order as the outer loop (CROSS JOIN)
        // asks for them; so the outer query has no ORDER BY, which would read the whole budget
        // to sort it, and stops once its page is full.
        let mut sql = QueryBuilder::<Sqlite>::new(ROW_COLUMNS);
        sql.push(" FROM (SELECT t.id");
        push_source(&mut sql, walk_scope, &walk, Some(plan), now);
        push_planned_filters(&mut sql, walk_scope, &walk, Some(plan), now);
        push_after(&mut sql, query);
        // In the list's order: a search's walk is the search index's (no filter's index keeps
        // a search's order, so only it is walked in order), any other's is the list's sort.
        push_order(&mut sql, &walk);
        sql.push(" LIMIT ").push_bind(budget as i64).push(") AS walk CROSS JOIN tickets t ON t.id = walk.id");
        if rest.q.as_deref().and_then(fts_query).is_some() {
            sql.push(" CROSS JOIN tickets_fts ON tickets_fts.rowid = t.id");
        }
        sql.push(ROW_JOINS);
        push_filters(&mut sql, rest_scope, &rest, now);
        sql.push(" LIMIT ").push_bind(i64::from(limit)).push(" OFFSET ").push_bind(offset_of(query));
        let rows = sql.build_query_as::<RowDbRow>().fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(|r| r.into_row(now)).collect())
    }

    /// The counters' sizes of a list's conditions when it mixes two or more (one condition is
    /// planned well by SQLite itself, and needs no extra reads).
    async fn sizes_for_plan(&self, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) -> Result<Option<Counted>, StoreError> {
        let mix = mix_of(scope, query, query.q.as_deref().and_then(fts_query).is_some());
        if mix.count_ones() < 2 {
            return Ok(None);
        }
        Ok(Some(self.list_sizes(scope, query, mix, now).await?))
    }

    /// Up to `limit` rows of the list, starting where `query` says.
    pub(super) async fn ticket_window(
        &self,
        scope: TicketScope,
        query: &TicketQuery,
        limit: u32,
        now: DateTime<Utc>,
        plan: Option<Plan>,
    ) -> Result<Vec<TicketRow>, StoreError> {
        let mut list = QueryBuilder::<Sqlite>::new(ROW_COLUMNS);
        let offset = offset_of(query);
        let search = query.q.as_deref().and_then(fts_query).is_some();
        // Through an index that holds the whole list, the page is picked from it (below), not
        // joined and sorted with every match.
        if offset == 0 && !plan.is_some_and(|p| p.index_only) {
            push_source(&mut list, scope, query, plan, now);
            list.push(ROW_JOINS);
            push_planned_filters(&mut list, scope, query, plan, now);
            push_keyset(&mut list, query, plan);
            list.push(" LIMIT ").push_bind(i64::from(limit));
        } else {
            // A page further in (`?page=400`): SQLite joins the requester's and the agent's
            // names for every row an OFFSET skips. The page's ids are found first, from the
            // list's covering index alone, and only its rows are joined: page 400 of all
            // tickets took 10 ms joined whole, 0.5 ms so.
            list.push(" FROM tickets t").push(ROW_JOINS).push(" WHERE t.id IN (SELECT t.id");
            push_source(&mut list, scope, query, plan, now);
            push_planned_filters(&mut list, scope, query, plan, now);
            push_keyset(&mut list, query, plan);
            list.push(" LIMIT ").push_bind(i64::from(limit)).push(" OFFSET ").push_bind(offset).push(")");
            // A search's order is by the index's row id, which is the ticket's id.
            if search {
                list.push(" ORDER BY t.id DESC");
            } else {
                push_order(&mut list, query);
            }
        }
        let rows = list.build_query_as::<RowDbRow>().fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(|r| r.into_row(now)).collect())
    }

    /// Tickets in a scope that are not closed and past their SLA deadline.
    #[tracing::instrument(skip_all, name = "store.overdue_count")]
    pub async fn overdue_count(&self, scope: TicketScope, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let now = now.timestamp();
        if scope == TicketScope::All {
            // Whole days past from the per-day counters (migration 0011), today's from the index.
            let today = now.div_euclid(86_400);
            return Ok(sqlx::query_scalar(OVERDUE_ALL).bind(today).bind(now).fetch_one(&self.read).await?);
        }
        let (filter, id) = scope_filter(scope);
        let sql = format!("SELECT COUNT(*) FROM tickets WHERE {filter} AND {OVERDUE}");
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        if let Some(id) = id {
            query = query.bind(id);
        }
        Ok(query.bind(now).fetch_one(&self.read).await?)
    }

    #[tracing::instrument(skip_all, name = "store.recent_tickets")]
    pub async fn recent_tickets(&self, scope: TicketScope, limit: i64, now: DateTime<Utc>) -> Result<Vec<TicketRow>, StoreError> {
        let query = TicketQuery { sort: TicketSort::Updated, page: 1, per_page: limit as u32, ..Default::default() };
        self.ticket_rows(scope, &query, now).await
    }
}

#[cfg(test)]
#[path = "tickets_plans.rs"]
mod plans;
