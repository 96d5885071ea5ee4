//! Aggregates for dashboards and reports, computed in SQL (never by loading tickets).

use crate::server::store::rows::AgentRow;
use crate::server::store::rows::shown_name;
use super::Store;
use crate::domain::{AgentPerformance, DayCount, Report, TicketScope};
use crate::server::store::StoreError;
use chrono::{Datelike, NaiveDate};
use sqlx::postgres::{PgArguments, Postgres};
use sqlx::query::QueryAs;
use std::collections::HashMap;

impl Store {
    /// Not-closed tickets nobody works on, and not-closed tickets past their SLA deadline.
    #[tracing::instrument(skip_all, name = "store.unassigned_and_overdue")]
    pub async fn unassigned_and_overdue(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(i64, i64), StoreError> {
        Ok((self.unassigned_open().await?, self.overdue_count(TicketScope::All, now).await?))
    }

    /// Every agent's assigned, resolved, open and mean resolution hours; with a range, only
    /// tickets created in it count. Without one, the counters answer.
    #[tracing::instrument(skip_all, name = "store.agent_performance")]
    pub async fn agent_performance(&self, range: Option<(NaiveDate, NaiveDate)>) -> Result<Vec<AgentPerformance>, StoreError> {
        let Some((from, to)) = range else {
            return self.agent_totals().await;
        };
        let spans = Spans::of(from, to);
        let rows = spans.bind(sqlx::query_as::<_, AgentRow>(AGENT_SPANS_SQL)).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The active agent with the fewest open tickets (ties: lowest id), if any has room.
    #[tracing::instrument(skip_all, name = "store.least_loaded_agent")]
    pub async fn least_loaded_agent(&self, max_open: i64) -> Result<Option<i64>, StoreError> {
        least_loaded(&self.pool, max_open).await
    }

    /// A report over `from..=to` (UTC days), read from the rollups: the days at the range's
    /// ends from the daily ones, whole months from the monthly ones, opened and closed per day
    /// from `rollup_opened` and `rollup_closed`; never from the tickets.
    #[tracing::instrument(skip_all, name = "store.report")]
    pub async fn report(&self, from: NaiveDate, to: NaiveDate) -> Result<Report, StoreError> {
        let spans = Spans::of(from, to);
        let by = |column: &'static str| {
            let sql = created_by_sql(column);
            async move { spans.bind(sqlx::query_as::<_, (String, i64)>(&sql)).fetch_all(&self.pool).await }
        };
        let (by_status_rows, by_priority, by_category) = tokio::try_join!(by("status"), by("priority"), by("category"))?;
        let mut by_status = crate::domain::StatusCounts::default();
        for (status, n) in &by_status_rows {
            match status.as_str() {
                "open" => by_status.open = *n,
                "in-progress" => by_status.in_progress = *n,
                "on-hold" => by_status.on_hold = *n,
                "closed" => by_status.closed = *n,
                _ => {}
            }
            by_status.total += n;
        }

        let opened: Vec<(NaiveDate, i64)> = sqlx::query_as("SELECT day, n FROM rollup_opened WHERE day BETWEEN $1 AND $2")
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        let closed: Vec<(NaiveDate, i64, i64, i64)> =
            sqlx::query_as("SELECT day, n, resolution_secs, sla_met FROM rollup_closed WHERE day BETWEEN $1 AND $2")
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
        let opened: HashMap<NaiveDate, i64> = opened.into_iter().collect();
        let closed_on: HashMap<NaiveDate, i64> = closed.iter().map(|r| (r.0, r.1)).collect();
        let per_day = from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|day| DayCount {
                day,
                opened: opened.get(&day).copied().unwrap_or(0),
                closed: closed_on.get(&day).copied().unwrap_or(0),
            })
            .collect();

        // Closed in the range: mean resolution time and how many met their deadline.
        let (sla_closed, secs, sla_met) = closed.iter().fold((0, 0, 0), |(n, s, m), r| (n + r.1, s + r.2, m + r.3));
        Ok(Report {
            from,
            to,
            total: by_status.total,
            by_status,
            by_priority,
            by_category,
            per_day,
            avg_resolution_hours: (sla_closed > 0).then(|| secs as f64 / sla_closed as f64 / 3600.0),
            agents: self.agent_performance(Some((from, to))).await?,
            sla_closed,
            sla_met,
        })
    }
}

/// Per live agent: the days at the range's two ends from the daily rollup and its whole months
/// from the monthly one, each branch read by the agent's key and a range of it (the primary
/// keys). Names sort by code point (COLLATE "C"), as SQLite's BINARY collation does.
const AGENT_SPANS_SQL: &str = concat!(
    "SELECT u.id AS agent_id, ", shown_name!("u"), " AS agent_name, u.is_active AS is_active,
        COALESCE(s.assigned, 0) AS assigned, COALESCE(s.resolved, 0) AS resolved,
        COALESCE(s.resolution_secs, 0) AS resolution_secs
     FROM users u CROSS JOIN LATERAL (
        SELECT SUM(x.n)::BIGINT AS assigned,
               (SUM(x.n) FILTER (WHERE x.status = 'closed'))::BIGINT AS resolved,
               SUM(x.resolution_secs)::BIGINT AS resolution_secs
        FROM (
            SELECT r.status, r.n, r.resolution_secs FROM rollup_agent r
            WHERE r.agent_id = u.id AND r.day BETWEEN $1 AND $2
            UNION ALL
            SELECT r.status, r.n, r.resolution_secs FROM rollup_agent r
            WHERE r.agent_id = u.id AND r.day BETWEEN $3 AND $4
            UNION ALL
            SELECT m.status, m.n, m.resolution_secs FROM rollup_agent_month m
            WHERE m.agent_id = u.id AND m.month BETWEEN $5 AND $6) AS x
     ) AS s
     WHERE u.role = 'agent' AND u.deleted_at IS NULL
     ORDER BY u.name COLLATE \"C\", u.id"
);

/// Tickets created in the range by one column (status, priority or category): end days from
/// the daily rollup, whole months from the monthly one.
fn created_by_sql(column: &str) -> String {
    format!(
        "SELECT {column}, SUM(n)::BIGINT AS total FROM (
            SELECT {column}, n FROM rollup_created WHERE day BETWEEN $1 AND $2
            UNION ALL SELECT {column}, n FROM rollup_created WHERE day BETWEEN $3 AND $4
            UNION ALL SELECT {column}, n FROM rollup_created_month WHERE month BETWEEN $5 AND $6) AS created
         GROUP BY {column} HAVING SUM(n) > 0 ORDER BY total DESC, {column} COLLATE \"C\""
    )
}

/// A report's range cut where the rollups serve it cheapest: the days before its first whole
/// month, its whole months (each as its first day, the monthly rollups' key), the days after
/// its last whole month. An empty span is bound as NULL..NULL, which matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spans {
    head: Option<(NaiveDate, NaiveDate)>,
    tail: Option<(NaiveDate, NaiveDate)>,
    months: Option<(NaiveDate, NaiveDate)>,
}

impl Spans {
    fn of(from: NaiveDate, to: NaiveDate) -> Spans {
        let first_whole = if from.day() == 1 { Some(from) } else { first_of_next_month(from) };
        let last_whole_end = match first_of_next_month(to) {
            Some(next) if next.pred_opt() == Some(to) => Some(to),
            _ => to.with_day(1).and_then(|d| d.pred_opt()),
        };
        match (first_whole, last_whole_end) {
            (Some(start), Some(end)) if start <= end => Spans {
                head: (from < start).then(|| (from, start.pred_opt().unwrap_or(start))),
                tail: (end < to).then(|| (end.succ_opt().unwrap_or(end), to)),
                months: Some((start, end.with_day(1).unwrap_or(end))),
            },
            _ => Spans { head: Some((from, to)), tail: None, months: None },
        }
    }

    /// Binds $1..$6: head days, tail days, months.
    fn bind<'q, O>(self, query: QueryAs<'q, Postgres, O, PgArguments>) -> QueryAs<'q, Postgres, O, PgArguments> {
        query
            .bind(self.head.map(|s| s.0))
            .bind(self.head.map(|s| s.1))
            .bind(self.tail.map(|s| s.0))
            .bind(self.tail.map(|s| s.1))
            .bind(self.months.map(|s| s.0))
            .bind(self.months.map(|s| s.1))
    }
}

fn first_of_next_month(day: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// The least-loaded active agent with room, read through `ex` (the pool, or a transaction
/// that has just assigned tickets and must see its own counts).
pub(super) async fn least_loaded<'e, E: sqlx::PgExecutor<'e>>(ex: E, max_open: i64) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT u.id FROM users u CROSS JOIN LATERAL (
            SELECT COALESCE(SUM(c.n), 0)::BIGINT AS open_n FROM ticket_counts c
            WHERE c.scope = 'assignee' AND c.scope_id = u.id AND c.status <> 'closed') AS l
         WHERE u.role = 'agent' AND u.is_active AND u.deleted_at IS NULL AND l.open_n < $1
         ORDER BY l.open_n, u.id LIMIT 1",
    )
    .bind(max_open)
    .fetch_optional(ex)
    .await?)
}

#[cfg(test)]
#[path = "reports_tests.rs"]
mod tests;
