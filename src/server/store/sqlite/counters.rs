//! Reads of the counters that triggers keep in step with `tickets` (migration 0004): a few
//! rows per call, however many tickets there are. `counter_mismatches` recounts everything and
//! is for tests and consistency checks only.

use crate::server::store::counting::{list_count, ListCount};
use super::tickets::{facets_query, fts_query, push_filters, push_planned_filters, push_source, DueDays};
use super::Store;
use super::shared::{counts_in, kind_count};
use super::list_plan::{choose_for_count, estimate, merge_cost, mix_of, only, term::*, Counted, Plan};
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
        sizes: Option<&Counted>,
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
        // Matches up to the cap, through the index that reaches them reading fewest rows; where
        // even that would read more than COUNT_READS rows, what those rows hold, as "at least".
        let mix = mix_of(scope, query, search.is_some());
        let plan = sizes.map(|sizes| choose_for_count(sizes, mix, COUNT_CAP as u64 + 1));
        // A search among filters that the search index counts cheapest, from it alone: it
        // holds the filters and the deadline's day as words (migrations 0021, 0023), so the
        // tickets overdue before today are counted from the words, today's checked against
        // the hour. SQLite's own: PostgreSQL's search index holds the text alone.
        if let (Some(words), Some(sizes), Some(None)) = (search.as_deref(), sizes, plan.map(|p| p.index)) {
            if let Some(facets) = facets_query(scope, query, now, DueDays::BeforeToday) {
                let (n, capped) = self.search_count(words, &facets, mix, sizes).await?;
                if !query.overdue || capped {
                    return Ok((n, capped));
                }
                let today = facets_query(scope, query, now, DueDays::Today).unwrap_or_default();
                let late = self.due_today_count(words, &today, now, COUNT_CAP + 1 - n).await?;
                return Ok(((n + late).min(COUNT_CAP), n + late > COUNT_CAP));
            }
        }
        if let Some(plan) = plan.filter(|p| p.reads > COUNT_READS as u64) {
            // As many rows as COUNT_READS table reads cost: more where the index alone tells a
            // match, fewer where each is probed for words.
            let rows = COUNT_READS * 10 / i64::from(plan.per_row_tenths.max(1));
            return self.bounded_count(scope, query, plan, rows, now).await;
        }
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (SELECT 1");
        push_source(&mut count, scope, query, plan, now);
        push_planned_filters(&mut count, scope, query, plan, now);
        count.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(")");
        let n: i64 = count.build_query_scalar().fetch_one(&self.read).await?;
        Ok((n.min(COUNT_CAP), n > COUNT_CAP))
    }

}

/// The most rows a list's count reads: past them it says "at least" (`bounded_count`).
const COUNT_READS: i64 = 10_000;

/// The most a count of a search among filters costs, in row reads (about 10 ms, see
/// `list_plan::merge_cost`): past it, only the newest tickets are counted, as "at least".
const COUNT_COST: f64 = 10_000.0;

impl Store {
    /// The matches of `words` among the tickets holding `facets`, up to the cap: the search
    /// index intersects the word lists, newest first, and stops at the cap. A rare mix of
    /// common terms would pass every entry of their lists (a third of the tickets hold
    /// "printer", 92 % are closed); where the counters' sizes say it would cost more than
    /// `COUNT_COST`, only the newest tickets that cost about that are counted.
    async fn search_count(&self, words: &str, facets: &str, mix: u8, sizes: &Counted) -> Result<(i64, bool), StoreError> {
        let whole = merge_cost(sizes, mix);
        let matches = estimate(sizes, mix).max(1.0);
        let to_cap = whole * ((COUNT_CAP + 1) as f64 / matches).min(1.0);
        let mut conn = self.read.acquire().await?;
        let mut from = None;
        if to_cap > COUNT_COST {
            let (low, high) = id_range(&mut conn).await?;
            let span = ((high - low + 1) as f64 * COUNT_COST / whole).ceil() as i64;
            from = Some(high - span + 1).filter(|from| *from > low);
        }
        let mut sql = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ");
        sql.push_bind(words).push(" AND tickets_fts MATCH ").push_bind(facets);
        if let Some(from) = from {
            sql.push(" AND tickets_fts.rowid >= ").push_bind(from);
        }
        sql.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(")");
        let n: i64 = sql.build_query_scalar().fetch_one(&mut *conn).await?;
        Ok((n.min(COUNT_CAP), n > COUNT_CAP || from.is_some()))
    }
}

impl Store {
    /// The matches of `words` among the tickets holding `today` (a list's filters and today's
    /// deadline day, `DueDays::Today`) that are past due at `now`, up to `limit`: the part of
    /// an overdue search's count that the deadline's words cannot tell.
    async fn due_today_count(&self, words: &str, today: &str, now: chrono::DateTime<chrono::Utc>, limit: i64) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM (SELECT 1 FROM tickets_fts CROSS JOIN tickets t ON t.id = tickets_fts.rowid
                   WHERE tickets_fts MATCH ? AND tickets_fts MATCH ? AND t.due_at < ? LIMIT ?)";
        Ok(sqlx::query_scalar(sql).bind(words).bind(today).bind(now.timestamp()).bind(limit).fetch_one(&self.read).await?)
    }

    /// The matches among the first `reads` rows the plan's index holds for its own conditions:
    /// exact when it holds no more, else a lower bound (`capped`, shown as "1 234+").
    pub(super) async fn bounded_count(
        &self,
        scope: TicketScope,
        query: &TicketQuery,
        plan: Plan,
        reads: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(i64, bool), StoreError> {
        let (walk_scope, walk) = only(scope, query, plan.prefix);
        let (rest_scope, rest) = only(scope, query, !plan.prefix);
        // Each row the walk reads is checked for the other filters as it is read (a subquery
        // without a table, 1 or NULL): from the index alone where it holds them, so a walk of
        // the index does not become a read of each ticket. Those that pass are probed for words.
        let words = rest.q.as_deref().and_then(fts_query);
        let mut sql = QueryBuilder::<Sqlite>::new("WITH walk AS MATERIALIZED (SELECT t.id, (SELECT 1");
        push_filters(&mut sql, rest_scope, &TicketQuery { q: None, ..rest }, now);
        sql.push(") AS hit");
        push_source(&mut sql, walk_scope, &walk, Some(plan), now);
        push_planned_filters(&mut sql, walk_scope, &walk, Some(plan), now);
        sql.push(" LIMIT ").push_bind(reads);
        sql.push(") SELECT (SELECT COUNT(*) FROM walk), (SELECT COUNT(*) FROM walk");
        if let Some(words) = words {
            sql.push(" CROSS JOIN tickets_fts ON tickets_fts.rowid = walk.id WHERE walk.hit AND tickets_fts MATCH ").push_bind(words);
        } else {
            sql.push(" WHERE walk.hit");
        }
        sql.push(")");
        let (read, matched): (i64, i64) = sql.build_query_as().fetch_one(&self.read).await?;
        Ok(if read < reads && matched <= COUNT_CAP { (matched, false) } else { (matched.min(COUNT_CAP), true) })
    }

    /// What the counters say of each part of a list's mix, for the planner (`list_plan`): a
    /// handful of counter rows and, for a search, the search index's count of each word.
    pub(super) async fn list_sizes(&self, scope: TicketScope, query: &TicketQuery, mix: u8, now: chrono::DateTime<chrono::Utc>) -> Result<Counted, StoreError> {
        let mut conn = self.read.acquire().await?;
        let all = counts_in(&mut conn, TicketScope::All).await?;
        let mut sets = Vec::new();
        if let Some(s) = query.status {
            sets.push((STATUS, all.of(s) as f64));
        }
        let person = match scope {
            TicketScope::RequestedBy(id) => Some((REQUESTER, TicketScope::RequestedBy(id))),
            TicketScope::AssignedTo(id) => Some((ASSIGNEE, TicketScope::AssignedTo(id))),
            TicketScope::All if query.unassigned => Some((UNASSIGNED, TicketScope::AssignedTo(0))),
            TicketScope::All => query.assigned_to.map(|id| (ASSIGNEE, TicketScope::AssignedTo(id))),
        };
        if let Some((term, scope)) = person {
            let counts = counts_in(&mut conn, scope).await?;
            sets.push((term, counts.total as f64));
            if let Some(s) = query.status {
                sets.push((term | STATUS, counts.of(s) as f64));
            }
            if mix & OVERDUE != 0 && term != UNASSIGNED {
                drop(conn);
                sets.push((term | OVERDUE, self.overdue_count(scope, now).await? as f64));
                conn = self.read.acquire().await?;
            }
        }
        if mix & OVERDUE != 0 {
            drop(conn);
            let overdue = self.overdue_count(TicketScope::All, now).await? as f64;
            sets.push((OVERDUE, overdue));
            conn = self.read.acquire().await?;
            // Only open tickets are overdue: of a status other than closed, as many are overdue
            // as of all open tickets (in the seed, nine in ten), not as of all tickets (one in
            // twelve). Derived from the counters, not counted.
            if let Some(s) = query.status {
                let open = (all.total - all.of(crate::domain::TicketStatus::Closed)).max(1) as f64;
                let share = if s == crate::domain::TicketStatus::Closed { 0.0 } else { (overdue / open).min(1.0) };
                sets.push((STATUS | OVERDUE, all.of(s) as f64 * share));
            }
        }
        // Every part of the mix's status, priority and category, from one read of the kind counts.
        let kinds: Vec<u8> = (1..8u8).map(|b| b << 3).filter(|k| k & mix == *k && *k != STATUS).collect();
        if !kinds.is_empty() {
            let mut sql = QueryBuilder::<Sqlite>::new("SELECT json_array(");
            for (i, kind) in kinds.iter().enumerate() {
                sql.push(if i == 0 { "SUM(CASE WHEN 1" } else { ", SUM(CASE WHEN 1" });
                if kind & STATUS != 0 {
                    sql.push(" AND status = ").push_bind(query.status.map(|s| s.as_str()));
                }
                if kind & RANK != 0 {
                    sql.push(" AND priority = ").push_bind(query.priority.map(|p| p.as_str()));
                }
                if kind & CATEGORY != 0 {
                    sql.push(" AND category = ").push_bind(query.category.clone());
                }
                sql.push(" THEN n ELSE 0 END)");
            }
            sql.push(") FROM ticket_kind_counts");
            let sums: String = sql.build_query_scalar().fetch_one(&mut *conn).await?;
            let sums: Vec<Option<f64>> = serde_json::from_str(&sums).unwrap_or_default();
            sets.extend(kinds.iter().zip(sums).map(|(k, n)| (*k, n.unwrap_or(0.0))));
        }
        if let Some(fts) = query.q.as_deref().and_then(fts_query).filter(|_| mix & WORDS != 0) {
            sets.push((WORDS, word_count(&mut conn, &fts, all.total).await? as f64));
        }
        Ok(Counted { all: all.total as f64, sets })
    }
}

/// How many tickets a search matches, for the planner: exact up to 1 000; past that, the share
/// of matches among four windows of 1 250 ids spread over all tickets, times all tickets. Each
/// read stops early: counting every match of a common word (or the vocabulary's count of it)
/// reads its whole doclist.
async fn word_count(conn: &mut sqlx::SqliteConnection, fts: &str, all: i64) -> Result<i64, StoreError> {
    const EXACT: i64 = 1_000;
    const WINDOW: i64 = 1_250;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ? LIMIT ?)")
        .bind(fts)
        .bind(EXACT)
        .fetch_one(&mut *conn)
        .await?;
    if n < EXACT {
        return Ok(n);
    }
    let (low, high) = id_range(conn).await?;
    let mut sampled = 0;
    for quarter in 0..4 {
        let start = low + (high - low - WINDOW).max(0) * quarter / 3;
        sampled += sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM tickets_fts WHERE tickets_fts MATCH ? AND rowid BETWEEN ? AND ?")
            .bind(fts)
            .bind(start)
            .bind(start + WINDOW - 1)
            .fetch_one(&mut *conn)
            .await?;
    }
    Ok((sampled * all / (4 * WINDOW)).max(EXACT))
}

/// The lowest and highest ticket ids (0 without tickets). Two subqueries: SQLite reads MIN or
/// MAX alone from the index's end, both at once by a scan.
async fn id_range(conn: &mut sqlx::SqliteConnection) -> Result<(i64, i64), StoreError> {
    Ok(sqlx::query_as("SELECT COALESCE((SELECT MIN(id) FROM tickets), 0), COALESCE((SELECT MAX(id) FROM tickets), 0)")
        .fetch_one(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TicketStatus;

    #[tokio::test]
    async fn a_search_among_filters_is_counted_from_the_search_index_and_only_the_newest_where_that_would_pass_too_much() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        store.add_test_user().await;
        for n in 0..120 {
            let title = if n % 2 == 0 { "Printer jammed" } else { "Mail bounced" };
            let status = if n % 3 == 0 { "open" } else { "closed" };
            sqlx::query(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
                 VALUES (1, ?, 'x', 'technical', 'low', ?, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')",
            )
            .bind(title)
            .bind(status)
            .execute(&store.write)
            .await
            .unwrap();
        }
        // Every sixth ticket is open and holds "printer".
        let query = TicketQuery { status: Some(TicketStatus::Open), q: Some("printer".into()), ..Default::default() };
        let (scope, mix) = (TicketScope::All, STATUS | WORDS);
        let words = fts_query("printer").unwrap();
        let now = chrono::Utc::now();
        let facets = facets_query(scope, &query, now, DueDays::BeforeToday).unwrap();
        let sizes = store.list_sizes(scope, &query, mix, now).await.unwrap();
        assert_eq!(store.search_count(&words, &facets, mix, &sizes).await.unwrap(), (20, false));
        assert_eq!(store.list_total(scope, &query, now, Some(&sizes)).await.unwrap(), (20, false));
        // Were both lists 125 000 entries long with few matches, the intersection would cost
        // twice COUNT_COST: half the ids, the newest, are counted (ids 61 to 120 hold 10).
        let huge = Counted { all: 120.0, sets: vec![(WORDS, 125_000.0), (STATUS, 125_000.0), (WORDS | STATUS, 10.0)] };
        assert_eq!(store.search_count(&words, &facets, mix, &huge).await.unwrap(), (10, true));
    }
}
