//! Search on PostgreSQL: what a person typed as a `tsquery`, and how a search's page is read.
//! The GIN index on `search` finds the matching tickets but holds no order, so the newest
//! page of a search is read one of two ways: walking the tickets newest first and keeping the
//! matches (quick when the words are common), or reading every match and sorting (quick when
//! they are few). PostgreSQL's statistics of the words tell which (see `search_listed`).

use super::counters::counts_in;
use super::tickets::{page_of, push_after, push_filters, rows_of, ticket_window, ROW_COLUMNS, ROW_JOINS};
use crate::server::store::records::ListedTickets;
use crate::domain::{TicketQuery, TicketRow, TicketScope, COUNT_CAP};
use crate::server::store::rows::RowDbRow;
use crate::server::store::StoreError;
use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection, Postgres, QueryBuilder, Transaction};

/// Turns what a person typed into a `to_tsquery('simple', …)` text: every word must appear,
/// as a whole word, or as a prefix where it ends in `*` (`print*`). Words are cut at
/// punctuation as the `simple` parser cuts the tickets' text, and only letters and digits
/// reach the query, each quoted: nothing typed is read as tsquery syntax.
pub(super) fn fts_query(text: &str) -> Option<String> {
    let mut terms = Vec::new();
    for word in text.split_whitespace() {
        let prefix = word.ends_with('*');
        let parts: Vec<&str> = word.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            let star = if prefix && i + 1 == parts.len() { ":*" } else { "" };
            terms.push(format!("'{}'{star}", part.to_lowercase()));
        }
    }
    (!terms.is_empty()).then(|| terms.join(" & "))
}

/// Whether a list's statement is kept prepared. A search is planned afresh each time instead:
/// a prepared statement's generic plan cannot see how common the searched words are, and
/// PostgreSQL may settle on one plan for all of them: reading every match and sorting (right
/// for a rare word, seconds for one in a third of the tickets) or walking the newest tickets
/// (right for a common word, a long walk for a rare one). So is a mix of two conditions or
/// more: "closed" holds 92 % of the tickets and "on hold" 2 %, and which index a mix should
/// walk depends on such values (the filter sweep of issue 25: one generic plan walked a whole
/// status for a handful of matches). A role's own tickets are a condition too: an agent's 297
/// tickets in progress, newest first, were found by walking 23 776 other tickets in progress
/// (0.2-1.5 s at 1 000 000 tickets), as the generic plan expects an agent's share of them among
/// the newest.
pub(super) fn keep_prepared(scope: TicketScope, query: &TicketQuery) -> bool {
    let conditions = [
        scope != TicketScope::All,
        query.status.is_some(),
        query.priority.is_some(),
        query.category.is_some(),
        query.assigned_to.is_some(),
        query.unassigned,
        query.overdue,
    ];
    query.q.as_deref().and_then(fts_query).is_none() && conditions.iter().filter(|on| **on).count() < 2
}

/// A transaction whose statements are planned with their values: a search's best plan
/// depends on how common its words are (see `keep_prepared`), and the connections otherwise
/// plan each statement once for any values (see `session_options`).
pub(super) async fn searching(conn: &mut PgConnection) -> Result<Transaction<'_, Postgres>, StoreError> {
    let mut tx = conn.begin().await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan").execute(&mut *tx).await?;
    Ok(tx)
}

/// The search text of a search with no other filter, over all tickets: the one list whose
/// count is of the words alone, and read by `search_listed`.
pub(super) fn search_alone(scope: TicketScope, query: &TicketQuery) -> Option<String> {
    let alone = scope == TicketScope::All
        && query.status.is_none()
        && query.priority.is_none()
        && query.category.is_none()
        && query.assigned_to.is_none()
        && !query.unassigned
        && !query.overdue;
    query.q.as_deref().and_then(fts_query).filter(|_| alone)
}

/// Where `search_listed` changes its way of reading.
#[derive(Debug, Clone, Copy)]
pub(super) struct SearchLimits {
    /// Words the statistics put at this many tickets or more are not counted ("10 000+").
    pub surely_over_cap: i64,
    /// Sorting the matches wins up to `sqrt(page rows × tickets)` matches (see `few_bound`);
    /// `Some(n)` puts that bound at `n` instead (for tests).
    pub few: Option<i64>,
}

impl Default for SearchLimits {
    fn default() -> Self {
        SearchLimits { surely_over_cap: 10 * COUNT_CAP, few: None }
    }
}

/// A search's page and count, read the cheapest way the statistics of its words suggest:
/// - words PostgreSQL expects in ten times the cap or more: "10 000+" without counting
///   (counting would read some 30 000 tickets to find 10 001 matches), and the page by walking
///   the newest tickets, where matches are everywhere;
/// - words expected in few tickets against all of them (see `few_bound`): every match read
///   once, which gives the count and the page, in one statement (`few_matches_sql`; not once
///   to count and again to sort);
/// - in between, or where the estimate was low: the matches counted up to the cap, and the
///   page read whichever way `few_bound` says for that count.
///
/// `conn` is outside any transaction: the estimate (an `EXPLAIN`, planned with the words
/// whatever the connection's plan mode) and the read of few matches need no plan of their
/// own, so the commonest search, words in few tickets, costs three statements and no
/// transaction; the other ways read in a `searching` one.
pub(super) async fn search_listed(
    conn: &mut PgConnection,
    query: &TicketQuery,
    tsquery: &str,
    now: DateTime<Utc>,
    limits: SearchLimits,
) -> Result<ListedTickets, StoreError> {
    let wanted = query.per_page + 1;
    let estimate = estimated_matches(conn, tsquery).await?;
    if estimate.is_some_and(|rows| rows >= limits.surely_over_cap) {
        let mut tx = searching(conn).await?;
        let rows = ticket_window(&mut tx, TicketScope::All, query, wanted, now).await?;
        tx.commit().await?;
        return Ok(page_of(query, rows, COUNT_CAP, true));
    }
    let tickets = counts_in(conn, TicketScope::All).await?.total;
    let few = limits.few.unwrap_or_else(|| few_bound(wanted, tickets));
    if estimate.is_some_and(|rows| rows <= few) {
        if let Some(listed) = few_matches_listed(conn, query, tsquery, 2 * few, now).await? {
            return Ok(listed);
        }
    }
    let mut tx = searching(conn).await?;
    let (total, capped) = capped_count(&mut tx, tsquery).await?;
    let rows = if !capped && total <= few {
        matches_window(&mut tx, query, wanted, now).await?
    } else {
        ticket_window(&mut tx, TicketScope::All, query, wanted, now).await?
    };
    tx.commit().await?;
    Ok(page_of(query, rows, total, capped))
}

/// A search's page and count from every match, read at once: `None` where this read cannot
/// tell them (more than `most` matches, the estimate having been low; or none on this page).
async fn few_matches_listed(
    conn: &mut PgConnection,
    query: &TicketQuery,
    tsquery: &str,
    most: i64,
    now: DateTime<Utc>,
) -> Result<Option<ListedTickets>, StoreError> {
    let offset = if query.after.is_some() { 0 } else { i64::from(query.page - 1) * i64::from(query.per_page) };
    let rows: Vec<CountedRow> = sqlx::query_as(&few_matches_sql())
        .bind(tsquery)
        .bind(most + 1)
        .bind(query.after.map(|c| c.id))
        .bind(i64::from(query.per_page) + 1)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    let Some(total) = rows.first().map(|r| r.matched).filter(|n| *n <= most) else { return Ok(None) };
    let rows = rows.into_iter().map(|r| r.row.into_row(now)).collect();
    Ok(Some(page_of(query, rows, total.min(COUNT_CAP), total > COUNT_CAP)))
}

/// A page's row and how many tickets matched (`few_matches_sql`, `tickets::counted_page_within`).
#[derive(sqlx::FromRow)]
pub(super) struct CountedRow {
    pub matched: i64,
    #[sqlx(flatten)]
    pub row: RowDbRow,
}

/// Up to `$2` matches of the words `$1`, counted, and the page of them after the id `$3`
/// (if any), `$4` rows from `$5`, newest first, in one statement. Its one sensible plan, whatever
/// the words, reads the matches through the GIN index (see the plan test), so it is planned
/// once like any other statement.
pub(super) fn few_matches_sql() -> String {
    format!(
        "WITH matches AS MATERIALIZED (SELECT id FROM tickets WHERE search @@ to_tsquery('simple', $1) LIMIT $2), \
              page AS (SELECT id FROM matches WHERE $3::BIGINT IS NULL OR id < $3 ORDER BY id DESC LIMIT $4 OFFSET $5) \
         {ROW_COLUMNS}, (SELECT COUNT(*) FROM matches) AS matched FROM page JOIN tickets t ON t.id = page.id{ROW_JOINS} \
         ORDER BY t.id DESC"
    )
}

/// Up to how many matches reading them all and sorting costs less than walking the newest
/// tickets until `wanted` matches turn up: a walk reads about `wanted × tickets / matches`
/// rows, so sorting wins while `matches² ≤ wanted × tickets` (at a million tickets and a page
/// of 25, up to about 5 000 matches).
pub(super) fn few_bound(wanted: u32, tickets: i64) -> i64 {
    (f64::from(wanted) * tickets.max(0) as f64).sqrt() as i64
}

/// Up to `limit` rows of a search's page, read by sorting every match (see `few_bound`):
/// the matches are sorted by an expression no index holds (`t.id + 0`), so PostgreSQL reads
/// them through the GIN index rather than walking the primary key, and the page's few rows
/// are joined to their names after.
pub(super) async fn matches_window(
    conn: &mut PgConnection,
    query: &TicketQuery,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Vec<TicketRow>, StoreError> {
    let offset = if query.after.is_some() { 0 } else { i64::from(query.page - 1) * i64::from(query.per_page) };
    let mut list = QueryBuilder::<Postgres>::new(ROW_COLUMNS);
    list.push(" FROM (SELECT t.* FROM tickets t");
    push_filters(&mut list, TicketScope::All, query, now);
    push_after(&mut list, query);
    list.push(format_args!(" ORDER BY t.id + 0 DESC LIMIT {limit} OFFSET {offset}) t"));
    list.push(ROW_JOINS);
    list.push(" ORDER BY t.id DESC");
    rows_of(conn, list, false, now).await
}

/// How many tickets PostgreSQL's statistics of the words say hold them (planned with the
/// words: inside `searching`).
pub(super) async fn estimated_matches(conn: &mut PgConnection, tsquery: &str) -> Result<Option<i64>, StoreError> {
    // Kept prepared like any statement: EXPLAIN plans its query each time, with the words.
    let plan: Vec<String> = sqlx::query_scalar("EXPLAIN SELECT 1 FROM tickets WHERE search @@ to_tsquery('simple', $1)")
        .bind(tsquery)
        .fetch_all(conn)
        .await?;
    Ok(estimated_rows(&plan))
}

/// The tickets holding the words, counted up to the cap.
async fn capped_count(conn: &mut PgConnection, tsquery: &str) -> Result<(i64, bool), StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE search @@ to_tsquery('simple', $1) LIMIT {}) AS matches",
        COUNT_CAP + 1
    );
    let n: i64 = sqlx::query_scalar(&sql).bind(tsquery).persistent(false).fetch_one(conn).await?;
    Ok((n.min(COUNT_CAP), n > COUNT_CAP))
}

/// The rows the top node of a text `EXPLAIN` expects (`… (cost=… rows=N width=…)`).
fn estimated_rows(plan: &[String]) -> Option<i64> {
    let line = plan.first()?;
    let rest = &line[line.find(" rows=")? + " rows=".len()..];
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
