//! Search on PostgreSQL: what a person typed as a `tsquery`, and how a search's page is read.
//! The GIN index on `search` finds the matching tickets but holds no order, so the newest
//! page of a search is read one of two ways: walking the tickets newest first and keeping the
//! matches (quick when the words are common), or reading every match and sorting (quick when
//! they are few). The count taken for the page tells which.

use super::counters::counts_in;
use super::tickets::{push_after, push_filters, ROW_COLUMNS, ROW_JOINS};
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
/// (right for a common word, a long walk for a rare one).
pub(super) fn keep_prepared(query: &TicketQuery) -> bool {
    query.q.as_deref().and_then(fts_query).is_none()
}

/// A transaction whose statements are planned with their values: a search's best plan
/// depends on how common its words are (see `keep_prepared`), and the connections otherwise
/// plan each statement once for any values (see `session_options`).
pub(super) async fn searching(conn: &mut PgConnection) -> Result<Transaction<'_, Postgres>, StoreError> {
    let mut tx = conn.begin().await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan").execute(&mut *tx).await?;
    Ok(tx)
}

/// A search with no other filter, over all tickets: the one list whose count is of the
/// words alone (see `list_total`).
pub(super) fn search_alone(scope: TicketScope, query: &TicketQuery) -> bool {
    query.q.as_deref().and_then(fts_query).is_some()
        && scope == TicketScope::All
        && query.status.is_none()
        && query.priority.is_none()
        && query.category.is_none()
        && query.assigned_to.is_none()
        && !query.unassigned
        && !query.overdue
}

/// Whether reading all `matches` and sorting them costs less than walking the newest tickets
/// until `wanted` matches turn up: a walk reads about `wanted × tickets / matches` rows, so
/// sorting wins while `matches² ≤ wanted × tickets` (at a million tickets and a page of 25,
/// up to about 5 000 matches). One more read of the counter rows.
pub(super) async fn few_matches(conn: &mut PgConnection, matches: i64, wanted: u32) -> Result<bool, StoreError> {
    let tickets = counts_in(conn, TicketScope::All).await?.total;
    Ok(sorting_wins(matches, i64::from(wanted), tickets))
}

fn sorting_wins(matches: i64, wanted: i64, tickets: i64) -> bool {
    matches.saturating_mul(matches) <= wanted.saturating_mul(tickets)
}

/// Up to `limit` rows of a search's page, read by sorting every match (see `few_matches`):
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
    let rows = list.build_query_as::<RowDbRow>().persistent(false).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| r.into_row(now)).collect())
}

/// How many tickets hold the words, up to `COUNT_CAP`, and whether there are more. The planner's
/// statistics of the words (their share of the tickets) answer first: where they put the
/// matches at ten times the cap or more, the answer is "more" without counting, which would
/// read some 30 000 tickets to find the first 10 001 holding a common word (30 ms a search at
/// a million tickets). Otherwise the matches are counted, up to the cap.
pub(super) async fn search_count(conn: &mut PgConnection, tsquery: &str) -> Result<(i64, bool), StoreError> {
    count_matches(conn, tsquery, 10 * COUNT_CAP).await
}

async fn count_matches(conn: &mut PgConnection, tsquery: &str, surely_over: i64) -> Result<(i64, bool), StoreError> {
    let plan: Vec<String> = sqlx::query_scalar("EXPLAIN SELECT 1 FROM tickets WHERE search @@ to_tsquery('simple', $1)")
        .bind(tsquery)
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    if estimated_rows(&plan).is_some_and(|rows| rows >= surely_over) {
        return Ok((COUNT_CAP, true));
    }
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
