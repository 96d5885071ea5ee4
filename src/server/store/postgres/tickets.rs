//! Reading tickets: one ticket, its history, and the filtered, sorted, keyset-paged lists,
//! each served by an index (see the plan test). Search uses the GIN index of the `search`
//! tsvector and of the filters as words (`FACETS`).

use super::Store;
use crate::domain::{TicketQuery, TicketRow, TicketScope, TicketSort};
pub(super) use super::shared::{push_after, push_order, ROW_COLUMNS, ROW_JOINS};
use crate::server::store::stepping::{every_value_of, steps_over};
use crate::server::store::StoreError;
use crate::server::store::records::*;
use crate::server::store::rows::*;
use chrono::{DateTime, Utc};
use super::counters::{budgeted, counts_in, list_total, match_facets, matches_within, within_budget};
use super::search::CountedRow;
use crate::domain::COUNT_CAP;
use super::search::{few_bound, search_alone, search_listed, SearchLimits};
pub(super) use super::search::{fts_query, keep_prepared, searching};
pub(super) use super::facets::{facets_of, push_match_filters};
use sqlx::{PgConnection, Postgres, QueryBuilder};

/// The tickets a list reads from (search is a condition on the same table here).
pub(super) fn push_source(qb: &mut QueryBuilder<'_, Postgres>, _query: &TicketQuery) {
    qb.push(" FROM tickets t");
}

/// A list's WHERE clause (`shared::push_filters`), then every value of the columns of the
/// agents' index the list steps over (see `store::stepping`): the unassigned billing tickets
/// were counted from every unassigned ticket's entry, 18 ms at a million; 1.5 ms so.
pub(super) fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) {
    super::shared::push_filters(qb, scope, query, now);
    let (status, rank) = steps_over(scope, query);
    qb.push(every_value_of(status, rank));
}

/// A requester's overdue tickets (`$1` = the requester, `$2` = now), through the partial
/// index of open tickets by requester and deadline.
const OVERDUE_REQUESTED: &str = "SELECT COUNT(*) FROM tickets WHERE user_id = $1 AND status <> 'closed' AND due_at < $2";

/// Every overdue ticket (`$1` = today as days since 1970, `$2` = now): whole days from the
/// per-day counters of open tickets, today's through tickets_open_by_due.
const OVERDUE_ALL: &str = "SELECT (SELECT COALESCE(SUM(n), 0) FROM open_due_days WHERE day < $1)::BIGINT
     + (SELECT COUNT(*) FROM tickets WHERE status <> 'closed' AND due_at >= $1 * 86400 AND due_at < $2)";

/// An agent's overdue tickets (`$1` = the agent, `$2` = today, `$3` = now), as `OVERDUE_ALL`
/// from the agent's per-day counters (assignee_due_days) and tickets_open_by_assignee_due.
const OVERDUE_ASSIGNED: &str = "SELECT (SELECT COALESCE(SUM(n), 0) FROM assignee_due_days WHERE assigned_to = $1 AND day < $2)::BIGINT
     + (SELECT COUNT(*) FROM tickets WHERE assigned_to = $1 AND status <> 'closed' AND due_at >= $2 * 86400 AND due_at < $3)";

/// Runs a read that opens a transaction on a connection of its own (a search, see
/// `search::searching`) in a task of its own, to its end: dropped halfway by a client that
/// hung up, sqlx could put the connection back in the pool inside a transaction it does not
/// know of (see `shared::begin`).
async fn to_the_end<T: Send + 'static>(
    read: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::spawn(read).await {
        Ok(done) => done,
        Err(e) => Err(StoreError::unexpected("store.list_tickets", e.to_string())),
    }
}

impl Store {
    /// One page of a filtered list with the cursor of the next page (if any), the number of
    /// matching tickets, and whether that number stopped at `COUNT_CAP` (see `list_total`):
    /// both statements on one connection.
    #[tracing::instrument(skip_all, name = "store.list_tickets")]
    pub async fn list_tickets(&self, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) -> Result<ListedTickets, StoreError> {
        if keep_prepared(scope, query) {
            return listed(&mut *self.pool.acquire().await?, scope, query, now).await;
        }
        let (pool, query) = (self.pool.clone(), query.clone());
        to_the_end(async move {
            let mut conn = pool.acquire().await?;
            if let Some(tsquery) = search_alone(scope, &query) {
                return search_listed(&mut conn, &query, &tsquery, now, SearchLimits::default()).await;
            }
            let mut tx = searching(&mut conn).await?;
            let listed = listed(&mut tx, scope, &query, now).await?;
            tx.commit().await?;
            Ok(listed)
        })
        .await
    }

    /// One page of a filtered list, without counting the matches (dashboards, exports).
    #[tracing::instrument(skip_all, name = "store.ticket_rows")]
    pub async fn ticket_rows(&self, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) -> Result<Vec<TicketRow>, StoreError> {
        if keep_prepared(scope, query) {
            return ticket_window(&mut *self.pool.acquire().await?, scope, query, query.per_page, now).await;
        }
        let (pool, query) = (self.pool.clone(), query.clone());
        to_the_end(async move {
            let mut conn = pool.acquire().await?;
            let mut tx = searching(&mut conn).await?;
            let rows = ticket_window(&mut tx, scope, &query, query.per_page, now).await?;
            tx.commit().await?;
            Ok(rows)
        })
        .await
    }

    /// Tickets in a scope that are not closed and past their SLA deadline.
    #[tracing::instrument(skip_all, name = "store.overdue_count")]
    pub async fn overdue_count(&self, scope: TicketScope, now: DateTime<Utc>) -> Result<i64, StoreError> {
        overdue_in(&mut *self.pool.acquire().await?, scope, now).await
    }

    #[tracing::instrument(skip_all, name = "store.recent_tickets")]
    pub async fn recent_tickets(&self, scope: TicketScope, limit: i64, now: DateTime<Utc>) -> Result<Vec<TicketRow>, StoreError> {
        recent_in(&mut *self.pool.acquire().await?, scope, limit, now).await
    }
}

/// The `limit` tickets of a scope updated last.
pub(super) async fn recent_in(conn: &mut PgConnection, scope: TicketScope, limit: i64, now: DateTime<Utc>) -> Result<Vec<TicketRow>, StoreError> {
    let query = TicketQuery { sort: TicketSort::Updated, page: 1, per_page: limit as u32, ..Default::default() };
    ticket_window(conn, scope, &query, query.per_page, now).await
}

/// A list's page and count (see `Store::list_tickets`), but for a search alone (`search_listed`).
async fn listed(conn: &mut PgConnection, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) -> Result<ListedTickets, StoreError> {
    let facets = match_facets(conn, scope, query, now).await?;
    let (total, capped, page) = list_total(conn, scope, query, now, &facets).await?;
    if let Some(rows) = page {
        return Ok(page_of(query, rows, total, capped));
    }
    // PostgreSQL estimates a mix as if its conditions were independent; for a rare mix it then
    // walks an index in the list's order, expecting a page soon, and reads past everything the
    // mix excludes: the in-progress unassigned tickets (none: in progress means assigned) by
    // priority were 30 511 in-progress tickets walked, 170 ms at 1 000 000 tickets. The count
    // knows better: where the matches are few (`few_bound`, the rule a search's page follows),
    // reading them all through the filters' indexes costs less than any walk.
    // A single condition is walked by its own index in each order (the plan test), so only a
    // mix is gathered: the tickets' number is not read for the hot single-filter lists. A
    // search among filters that was counted came with its page (`counted_page_within`), so the
    // mixes gathered here have no words, and are gathered up to a quarter of that bound: their
    // matches are read from the filters' indexes and then each from the table for its sort
    // keys, where a walk reads in order and skips in the index what the mix excludes (the
    // overdue low-priority billing tickets, 4 586, by priority: 240 ms gathered, a few ms walked).
    // A role's own tickets with a filter are found through the scope's index (an agent's from
    // `tickets_by_assignee` alone, which holds every filter and sort key; a requester's by
    // (user_id, status)), and are gathered up to the whole bound: an agent's 1 615 open tickets
    // newest first were otherwise found past 38 237 newer open tickets of others (17 ms).
    let few = few_bound(query.per_page + 1, counts_in(conn, TicketScope::All).await?.total);
    let few = if scope == TicketScope::All { few / 4 } else { few };
    let gather = !keep_prepared(scope, query) && !capped && total <= few;
    // One row more than the page shows tells whether another page follows.
    let rows = if gather {
        gathered_window(conn, scope, query, query.per_page + 1, now).await?
    } else {
        ticket_window(conn, scope, query, query.per_page + 1, now).await?
    };
    Ok(page_of(query, rows, total, capped))
}

/// `ticket_window` for a list whose count, read just before, found few matches: their ids and
/// sort keys are read first (`MATERIALIZED`, so PostgreSQL cannot fold the list's order into
/// how it finds them; for an agent's or the unassigned tickets from the index alone, which
/// holds every filter column and the id), the page is picked among them, and only its
/// tickets are read and joined to their people.
pub(super) async fn gathered_window(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Vec<TicketRow>, StoreError> {
    let list = gathered_list(scope, query, now, limit, None);
    rows_of(conn, list, keep_prepared(scope, query), now).await
}

/// The statement of `gathered_window`, or with `counted` (the facets to ask, see
/// `facets::push_match_filters`) that of `counted_page_within`: the matches also counted, up
/// to one past the cap, and the cursor applied to the page's pick rather than to what is read.
fn gathered_list<'a>(
    scope: TicketScope,
    query: &TicketQuery,
    now: DateTime<Utc>,
    limit: u32,
    counted: Option<&[String]>,
) -> QueryBuilder<'a, Postgres> {
    let mut list = QueryBuilder::<Postgres>::new("WITH m AS MATERIALIZED (SELECT t.id, t.created_at, t.updated_at, t.priority_rank");
    push_source(&mut list, query);
    match counted {
        Some(facets) => {
            push_match_filters(&mut list, scope, query, now, facets);
            list.push(format_args!(" LIMIT {}) ", COUNT_CAP + 1));
            list.push(ROW_COLUMNS);
            list.push(", (SELECT COUNT(*) FROM m) AS matched FROM (SELECT t.id FROM m t WHERE 1 = 1");
            push_after(&mut list, query);
        }
        None => {
            push_filters(&mut list, scope, query, now);
            push_after(&mut list, query);
            list.push(") ");
            list.push(ROW_COLUMNS);
            list.push(" FROM (SELECT t.id FROM m t");
        }
    }
    push_page_rows(&mut list, query, limit);
    list
}

/// A search among filters' matches counted up to one past the cap and its page picked among
/// them, in one statement (`gathered_list`: the matches read once, not once to count and
/// again to gather): `None` where that took longer than `budget_ms` (see `counters::budgeted`).
/// The page is `None` past the cap (the matches read are not all of them) and read by the
/// count alone where the statement gave no row (a page past the end, which tells no count).
pub(super) async fn counted_page_within(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    now: DateTime<Utc>,
    budget_ms: u32,
    facets: &[String],
) -> Result<Option<(i64, Option<Vec<TicketRow>>)>, StoreError> {
    let mut list = gathered_list(scope, query, now, query.per_page + 1, Some(facets));
    let mut tx = budgeted(conn, budget_ms).await?;
    let read = list.build_query_as::<CountedRow>().persistent(false).fetch_all(&mut *tx).await;
    let Some(rows) = within_budget(tx, read).await? else { return Ok(None) };
    let Some(matched) = rows.first().map(|r| r.matched) else {
        let n = matches_within(conn, scope, query, now, budget_ms, facets).await?;
        return Ok(n.map(|n| (n, (n <= COUNT_CAP).then(Vec::new))));
    };
    let page = (matched <= COUNT_CAP).then(|| rows.into_iter().map(|r| r.row.into_row(now)).collect());
    Ok(Some((matched, page)))
}

/// The list rows a statement reads (`persistent`: kept prepared, see `keep_prepared`).
pub(super) async fn rows_of(
    conn: &mut PgConnection,
    mut list: QueryBuilder<'_, Postgres>,
    persistent: bool,
    now: DateTime<Utc>,
) -> Result<Vec<TicketRow>, StoreError> {
    let rows = list.build_query_as::<RowDbRow>().persistent(persistent).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| r.into_row(now)).collect())
}

/// The window's LIMIT and OFFSET, written into the statement (see `ticket_window`).
fn push_limit(list: &mut QueryBuilder<'_, Postgres>, query: &TicketQuery, limit: u32) {
    let offset = if query.after.is_some() { 0 } else { i64::from(query.page - 1) * i64::from(query.per_page) };
    list.push(format_args!(" LIMIT {limit} OFFSET {offset}"));
}

/// A list's page from up to one row more than it shows (that row tells whether another follows).
pub(super) fn page_of(query: &TicketQuery, mut rows: Vec<TicketRow>, total: i64, capped: bool) -> ListedTickets {
    // An "at least" count never says fewer than the rows up to the end of this page.
    let total = if capped { query.at_least(total, rows.len()) } else { total };
    let next = if rows.len() > query.per_page as usize {
        rows.truncate(query.per_page as usize);
        rows.last().map(|row| query.cursor_after(row))
    } else {
        None
    };
    ListedTickets { rows, next, total, capped }
}

/// Up to `limit` rows of the list, starting where `query` says. The limit and offset are
/// written into the statement (numbers of ours, not a caller's text), so that its one plan
/// is made knowing how few rows are wanted.
pub(super) async fn ticket_window(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Vec<TicketRow>, StoreError> {
    let mut list = QueryBuilder::new("");
    push_window(&mut list, scope, query, now, limit);
    rows_of(conn, list, keep_prepared(scope, query), now).await
}

/// Tickets in a scope that are not closed and past their SLA deadline: for all tickets and an
/// agent's, whole days past from the per-day counters and today's from the index; a requester's
/// few through the index alone.
pub(super) async fn overdue_in(conn: &mut PgConnection, scope: TicketScope, now: DateTime<Utc>) -> Result<i64, StoreError> {
    let now = now.timestamp();
    let today = now.div_euclid(86_400);
    let query = match scope {
        TicketScope::All => sqlx::query_scalar(OVERDUE_ALL).bind(today).bind(now),
        TicketScope::AssignedTo(id) => sqlx::query_scalar(OVERDUE_ASSIGNED).bind(id).bind(today).bind(now),
        TicketScope::RequestedBy(id) => sqlx::query_scalar(OVERDUE_REQUESTED).bind(id).bind(now),
    };
    Ok(query.fetch_one(conn).await?)
}

/// The list statement: the page's ids picked first, from the filters' index in the list's
/// order where one holds them (tickets_by_category_created for the billing tickets, newest
/// first), then only those tickets read and joined to their people. Asked for whole rows at
/// once, PostgreSQL weighs every index that gives the order as if the filter's tickets were
/// spread evenly through it, and may walk all tickets newest first: 63 000 new technical
/// tickets were read past for 21 billing ones, 15–30 ms at a million; 0.4 ms so, as the ids
/// alone come from the filter's index without reading a ticket.
fn push_window(list: &mut QueryBuilder<'_, Postgres>, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>, limit: u32) {
    list.push(ROW_COLUMNS);
    list.push(" FROM (SELECT t.id");
    push_source(list, query);
    push_filters(list, scope, query, now);
    push_after(list, query);
    push_page_rows(list, query, limit);
}

/// The end of a list statement whose open subquery picks ids (`push_window`, `gathered_list`):
/// the page's ids in the list's order, up to `limit`, then only those tickets read and joined
/// to their people, in the same order.
fn push_page_rows(list: &mut QueryBuilder<'_, Postgres>, query: &TicketQuery, limit: u32) {
    push_order(list, query);
    push_limit(list, query, limit);
    list.push(") page JOIN tickets t ON t.id = page.id");
    list.push(ROW_JOINS);
    push_order(list, query);
}

#[cfg(test)]
#[path = "tickets_tests.rs"]
mod tests;
#[cfg(test)]
#[path = "window_tests.rs"]
mod window_tests;
