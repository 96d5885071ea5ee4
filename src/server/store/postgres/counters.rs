//! Reads of the counters that triggers keep in step with `tickets` (see the schema): a few
//! rows per call, however many tickets there are. `counter_mismatches` recounts everything and
//! is for tests and consistency checks only.

use crate::server::store::counting::{list_count, ListCount};
pub(super) use super::count_way::{count_way, CountLimits, CountWay};
use super::tickets::{counted_page_within, facets_of, fts_query, keep_prepared, overdue_in, push_filters, push_match_filters, push_source};
use super::facets::scope_facet;
use super::Store;
pub(super) use super::shared::{agent_stats_in, agent_totals_in, counts_in, kind_count};
use crate::domain::{TicketQuery, TicketRow, TicketScope, COUNT_CAP};
use crate::server::store::StoreError;
use sqlx::{Connection, PgConnection, Postgres, QueryBuilder, Transaction};

/// How many tickets a list matches, and whether that number stopped at `COUNT_CAP`. Counted
/// from counter rows wherever they hold the answer, so the common lists cost the same at any
/// size: a scope with a status filter from ticket_counts (over all tickets, an assignee filter
/// or "unassigned" is that assignee's scope); any mix of status, priority and category over
/// all tickets from ticket_kind_counts; overdue alone from the per-day counters (see
/// `list_count`; a search alone is counted by `search::search_listed`). Any other mix counts
/// matches up to the cap, no further, and for at most `COUNT_BUDGET_MS`.
pub(super) async fn list_total(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    now: chrono::DateTime<chrono::Utc>,
    facets: &MatchFacets,
) -> Result<(i64, bool, Option<Vec<TicketRow>>), StoreError> {
    let search = query.q.as_deref().and_then(fts_query);
    // A search alone is counted with its page (`search::search_listed`), not here.
    if let Some(n) = from_counters(conn, list_count(scope, query, search.as_deref()), query, now).await? {
        return Ok((n, false, None));
    }
    let counted = match search.as_deref() {
        Some(words) => match count_way(conn, scope, query, words, now, facets, CountLimits::default()).await? {
            // A search among filters reads each match from the table to count it (the words
            // are checked there): its page is picked from the same read.
            CountWay::Count => counted_page_within(conn, scope, query, now, COUNT_BUDGET_MS, &facets.words).await?,
            CountWay::SurelyOverCap => return Ok((COUNT_CAP, true, None)),
            CountWay::Sample => None,
        },
        None => matches_within(conn, scope, query, now, COUNT_BUDGET_MS, &facets.words).await?.map(|n| (n, None)),
    };
    match counted {
        Some((n, page)) => Ok((n.min(COUNT_CAP), n > COUNT_CAP, page)),
        None => Ok((newest_matches(conn, scope, query, now, COUNT_SAMPLE).await?, true, None)),
    }
}

/// The count of `query` where the counters hold it (`list_count`), else `None`.
pub(super) async fn from_counters(
    conn: &mut PgConnection,
    count: ListCount<'_>,
    query: &TicketQuery,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<i64>, StoreError> {
    Ok(Some(match count {
        ListCount::Statuses(scope) => {
            let counts = counts_in(conn, scope).await?;
            query.status.map_or(counts.total, |s| counts.of(s))
        }
        ListCount::Kinds => kind_count(conn, query).await?,
        ListCount::Overdue(scope) => overdue_in(conn, scope, now).await?,
        ListCount::Words(_) | ListCount::Matches => return Ok(None),
    }))
}

/// The words of `FACETS` (`facets::facets_of`) a search among filters asks the search index
/// for (`facets::push_match_filters`), and the share of the tickets holding them all, as the
/// counters put each (multiplied, as PostgreSQL estimates).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MatchFacets {
    pub words: Vec<String>,
    pub share: f64,
}

impl MatchFacets {
    /// No facets: the filters are the columns' conditions alone.
    pub fn none() -> Self {
        MatchFacets { words: Vec::new(), share: 1.0 }
    }
}

/// Past this many tickets expected to pass a list's filters, a search among them asks the
/// search index for its filters too (`match_facets`).
const FACETED_FROM: f64 = 1_000.0;

/// The facets a search among filters asks for: none without searched words, nor where the
/// filters, as the counters put each, leave at most `FACETED_FROM` tickets. Their own
/// indexes then find those few, and the words are checked on each: PostgreSQL, offered the
/// facets too, intersected the 246 unassigned open critical account tickets past their
/// deadline (an index range, 0.2 ms) with the search index's 89 (15 ms), expecting fewer. A
/// status that more than half of the tickets hold (closed, in a help desk of some age) is
/// left to its column: the index would read its long list to find the few tickets the words
/// hold, where checking those rows costs less (a rare word's 900 closed tickets at a million:
/// 13 ms through the index, 4.6 ms so).
pub(super) async fn match_facets(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<MatchFacets, StoreError> {
    match_facets_from(conn, scope, query, now, FACETED_FROM).await
}

/// `match_facets` with the bound `faceted_from` (for tests).
pub(super) async fn match_facets_from(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    now: chrono::DateTime<chrono::Utc>,
    faceted_from: f64,
) -> Result<MatchFacets, StoreError> {
    // An agent's own tickets are a facet too (`a` and the id): an agent's search reads the
    // tickets holding the words and the agent's facet, not every ticket holding the words (a
    // rare word's 987 tickets, each read from the table for the 100 of agent1's: 15-17 ms).
    let scoped = scope_facet(scope);
    let mut words = facets_of(query);
    words.extend(scoped.clone());
    if words.is_empty() || query.q.as_deref().and_then(fts_query).is_none() {
        return Ok(MatchFacets::none());
    }
    let counts = counts_in(conn, TicketScope::All).await?;
    if let Some(status) = query.status.filter(|s| 2 * counts.of(*s) > counts.total) {
        let word = format!("s{}", status.as_str());
        words.retain(|facet| *facet != word);
    }
    let tickets = counts.total.max(1) as f64;
    // Each filter's count below is within the scope (`list_count`): its share is of the scope's.
    let within = if scope == TicketScope::All { tickets } else { counts_in(conn, scope).await?.total.max(1) as f64 };
    let (mut share, mut filtered) = (if scoped.is_some() { within / tickets } else { 1.0 }, within);
    for one in each_filter(&TicketQuery { q: None, ..query.clone() }) {
        let Some(n) = from_counters(conn, list_count(scope, &one, None), &one, now).await? else { continue };
        filtered *= n as f64 / within;
        if facets_of(&one).iter().any(|facet| words.contains(facet)) {
            share *= n as f64 / within;
        }
    }
    if words.is_empty() || filtered <= faceted_from {
        return Ok(MatchFacets::none());
    }
    Ok(MatchFacets { words, share })
}

/// Each filter of `query` alone.
pub(super) fn each_filter(query: &TicketQuery) -> Vec<TicketQuery> {
    let none = TicketQuery { status: None, priority: None, category: None, assigned_to: None, unassigned: false, overdue: false, ..query.clone() };
    let mut each = Vec::new();
    if let Some(status) = query.status {
        each.push(TicketQuery { status: Some(status), ..none.clone() });
    }
    if let Some(priority) = query.priority {
        each.push(TicketQuery { priority: Some(priority), ..none.clone() });
    }
    if let Some(category) = &query.category {
        each.push(TicketQuery { category: Some(category.clone()), ..none.clone() });
    }
    if let Some(agent) = query.assigned_to {
        each.push(TicketQuery { assigned_to: Some(agent), ..none.clone() });
    }
    if query.unassigned {
        each.push(TicketQuery { unassigned: true, ..none.clone() });
    }
    if query.overdue {
        each.push(TicketQuery { overdue: true, ..none });
    }
    each
}

/// How long counting a mix's matches may take (ms) before the count says "at least" instead:
/// a mix spread thinly over a large condition (overdue and critical: 6 000 of 77 000 overdue)
/// reads all of that condition to count, 150 ms at 1 000 000 tickets. A few times what a
/// single filter's page and count cost (2–5 ms at a million): with 30, the counts that ran
/// up to it made the slowest mixes 25–38 ms ("printer" among the 16 000 unassigned tickets:
/// 5 388 matches, counted in 19–31 ms).
const COUNT_BUDGET_MS: u32 = 15;
/// Past the budget, the matches among this many newest tickets are counted, as "at least":
/// each is read and its words checked, 2–4 ms at a million (10 000 took 7–15 ms).
const COUNT_SAMPLE: i64 = 2_500;

/// The matches up to the cap, or `None` when counting them took longer than `budget_ms`.
pub(super) async fn matches_within(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    now: chrono::DateTime<chrono::Utc>,
    budget_ms: u32,
    facets: &[String],
) -> Result<Option<i64>, StoreError> {
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM (SELECT 1");
    push_source(&mut count, query);
    push_match_filters(&mut count, scope, query, now, facets);
    count.push(format_args!(" LIMIT {}) AS matches", COUNT_CAP + 1));
    let mut tx = budgeted(conn, budget_ms).await?;
    let read = count.build_query_scalar::<i64>().persistent(keep_prepared(scope, query)).fetch_one(&mut *tx).await;
    within_budget(tx, read).await
}

/// A savepoint whose statements are cancelled past `budget_ms`: a statement cancelled by its
/// timeout is rolled back with it, and the timeout ends with it (`SET LOCAL` would otherwise
/// hold until the list's transaction ends, and cut the page's read short too). Ended by
/// `within_budget`.
pub(super) async fn budgeted(conn: &mut PgConnection, budget_ms: u32) -> Result<Transaction<'_, Postgres>, StoreError> {
    let mut tx = conn.begin().await?;
    sqlx::query(&format!("SET LOCAL statement_timeout = {budget_ms}")).execute(&mut *tx).await?;
    Ok(tx)
}

/// What a read in a `budgeted` savepoint gave, or `None` where its budget ran out.
pub(super) async fn within_budget<T>(mut tx: Transaction<'_, Postgres>, read: Result<T, sqlx::Error>) -> Result<Option<T>, StoreError> {
    match read {
        Ok(value) => {
            sqlx::query("SET LOCAL statement_timeout TO DEFAULT").execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(value))
        }
        // 57014: query_canceled, here by the statement timeout.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("57014") => {
            tx.rollback().await?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The matches among the newest `sample` tickets: a lower bound of the count, read through
/// the primary key in bounded time.
pub(super) async fn newest_matches(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    now: chrono::DateTime<chrono::Utc>,
    sample: i64,
) -> Result<i64, StoreError> {
    let mut count = QueryBuilder::<Postgres>::new(format!("SELECT COUNT(*) FROM (SELECT * FROM tickets ORDER BY id DESC LIMIT {sample}) t"));
    push_filters(&mut count, scope, query, now);
    let n: i64 = count.build_query_scalar().persistent(false).fetch_one(conn).await?;
    Ok(n.min(COUNT_CAP))
}

impl Store {
    /// Every counter or rollup row that differs from a recount of the tickets and accounts
    /// (scans everything: for tests and consistency checks).
    #[tracing::instrument(skip_all, name = "store.counter_mismatches")]
    pub async fn counter_mismatches(&self) -> Result<Vec<String>, StoreError> {
        super::counter_mismatches(&self.pool).await
    }
}
