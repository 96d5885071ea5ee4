//! Aggregates for dashboards and reports, computed in SQL (never by loading tickets).

use crate::server::store::rows::agents_from_json;
use super::shared::json_rows;
use crate::server::store::rows::shown_name;
use super::Store;
use crate::domain::{AgentPerformance, DayCount, Report, TicketScope};
use crate::server::store::StoreError;
use chrono::{Datelike, NaiveDate};

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
        let (json,): (String,) = spans.bind(sqlx::query_as(&AGENT_SPANS_SQL)).fetch_one(&self.read).await?;
        agents_from_json(&json)
    }

    /// The active agent with the fewest open tickets (ties: lowest id), if any has room.
    #[tracing::instrument(skip_all, name = "store.least_loaded_agent")]
    pub async fn least_loaded_agent(&self, max_open: i64) -> Result<Option<i64>, StoreError> {
        least_loaded(&self.read, max_open).await
    }

    /// A report over `from..=to` (UTC days), read from the rollups: the days at the range's
    /// ends from the daily ones (0005), whole months from the monthly ones (0012), opened and
    /// closed per day from `rollup_opened` and `rollup_closed`; never from the tickets.
    #[tracing::instrument(skip_all, name = "store.report")]
    pub async fn report(&self, from: NaiveDate, to: NaiveDate) -> Result<Report, StoreError> {
        let spans = Spans::of(from, to);
        let by = |column: &'static str| {
            let sql = created_by_sql(column);
            let spans = spans.clone();
            async move { spans.bind(sqlx::query_as::<_, (String, i64)>(&sql)).fetch_all(&self.read).await }
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

        let (first, last) = (day_key(from), day_key(to));
        // A day a row, up to 366 of each: read as one JSON row each (see AGENT_SPANS_SQL).
        let days = |sql: &'static str| {
            let (first, last) = (first.clone(), last.clone());
            async move {
                let (json,): (String,) = sqlx::query_as(sql).bind(first).bind(last).fetch_one(&self.read).await?;
                Ok::<String, StoreError>(json)
            }
        };
        let (opened, closed) = tokio::try_join!(
            days("SELECT json_group_array(json_array(day, n)) FROM rollup_opened WHERE day >= ? AND day <= ?"),
            days("SELECT json_group_array(json_array(day, n, resolution_secs, sla_met)) FROM rollup_closed WHERE day >= ? AND day <= ?"),
        )?;
        let unexpected = |e: serde_json::Error| StoreError::Unexpected { operation: "store.report", reason: format!("the days' JSON: {e}") };
        let opened: Vec<(String, i64)> = serde_json::from_str(&opened).map_err(unexpected)?;
        let closed: Vec<(String, i64, i64, i64)> = serde_json::from_str(&closed).map_err(unexpected)?;
        let opened: std::collections::HashMap<String, i64> = opened.into_iter().collect();
        let closed_on: std::collections::HashMap<&str, i64> = closed.iter().map(|r| (r.0.as_str(), r.1)).collect();
        let per_day = from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|day| {
                let key = day.format("%Y-%m-%d").to_string();
                DayCount { day, opened: opened.get(&key).copied().unwrap_or(0), closed: closed_on.get(key.as_str()).copied().unwrap_or(0) }
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

/// Per agent: the days at the range's two ends from the daily rollup and its whole months
/// from the monthly one, each branch read by the agent's key and a range of it. The sums are a
/// subquery per agent, each a walk of one stretch of the primary key, as PostgreSQL's LATERAL
/// join does: grouping the union of every agent's rows instead sorted all of them in a
/// temporary b-tree, 8 ms rather than 3 for 30 days of 201 agents at a million tickets.
/// MATERIALIZED computes each agent's sums once (a flattened CTE would run the subquery once
/// per `->>`). Every agent in one JSON row (`json_rows`: sqlx-sqlite hands rows over one at a
/// time, which made 201 agents cost a millisecond): `[id, name, active, assigned, resolved, secs]`.
static AGENT_SPANS_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        concat!(
            "WITH a AS MATERIALIZED (
                SELECT u.id AS agent_id, ", shown_name!("u"), " AS agent_name, u.name AS sort_name, u.is_active AS is_active,
                    (SELECT json_array(COALESCE(SUM(x.n), 0), COALESCE(SUM(CASE WHEN x.status = 'closed' THEN x.n END), 0),
                                       COALESCE(SUM(x.resolution_secs), 0))
                     FROM (SELECT r.status, r.n, r.resolution_secs FROM rollup_agent r
                           WHERE r.agent_id = u.id AND r.day BETWEEN ?1 AND ?2
                           UNION ALL
                           SELECT r.status, r.n, r.resolution_secs FROM rollup_agent r
                           WHERE r.agent_id = u.id AND r.day BETWEEN ?3 AND ?4
                           UNION ALL
                           SELECT m.status, m.n, m.resolution_secs FROM rollup_agent_month m
                           WHERE m.agent_id = u.id AND m.month BETWEEN ?5 AND ?6) x) AS sums
                FROM users u WHERE u.role = 'agent' AND u.deleted_at IS NULL)
             SELECT {} FROM a"
        ),
        json_rows("a.agent_id, a.agent_name, a.is_active, a.sums ->> 0, a.sums ->> 1, a.sums ->> 2", "a.sort_name, a.agent_id")
    )
});

/// Tickets created in the range by one column (status, priority or category): end days from
/// the daily rollup, whole months from the monthly one.
fn created_by_sql(column: &str) -> String {
    format!(
        "SELECT {column}, SUM(n) AS total FROM (
            SELECT {column}, n FROM rollup_created WHERE day BETWEEN ?1 AND ?2
            UNION ALL SELECT {column}, n FROM rollup_created WHERE day BETWEEN ?3 AND ?4
            UNION ALL SELECT {column}, n FROM rollup_created_month WHERE month BETWEEN ?5 AND ?6)
         GROUP BY {column} HAVING total > 0 ORDER BY total DESC, {column}"
    )
}

fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A report's range cut where the rollups serve it cheapest: the days before its first whole
/// month, its whole months, the days after its last whole month (an empty span is bound as
/// `'1'..'0'`, which matches nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spans {
    head: (String, String),
    tail: (String, String),
    months: (String, String),
}

impl Spans {
    fn of(from: NaiveDate, to: NaiveDate) -> Spans {
        let none = || ("1".to_string(), "0".to_string());
        let first_whole = if from.day() == 1 { Some(from) } else { first_of_next_month(from) };
        let last_whole_end = match first_of_next_month(to) {
            Some(next) if next.pred_opt() == Some(to) => Some(to),
            _ => to.with_day(1).and_then(|d| d.pred_opt()),
        };
        match (first_whole, last_whole_end) {
            (Some(start), Some(end)) if start <= end => Spans {
                head: if from < start { (day_key(from), day_key(start.pred_opt().unwrap_or(start))) } else { none() },
                tail: if end < to { (day_key(end.succ_opt().unwrap_or(end)), day_key(to)) } else { none() },
                months: (start.format("%Y-%m").to_string(), end.format("%Y-%m").to_string()),
            },
            _ => Spans { head: (day_key(from), day_key(to)), tail: none(), months: none() },
        }
    }

    /// Binds ?1..?6: head days, tail days, months.
    fn bind<'q, O>(
        &self,
        query: sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, O, sqlx::sqlite::SqliteArguments<'q>> {
        query
            .bind(self.head.0.clone())
            .bind(self.head.1.clone())
            .bind(self.tail.0.clone())
            .bind(self.tail.1.clone())
            .bind(self.months.0.clone())
            .bind(self.months.1.clone())
    }
}

fn first_of_next_month(day: NaiveDate) -> Option<NaiveDate> {
    let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// The least-loaded active agent with room, read through `ex` (the pool, or a transaction
/// that has just assigned tickets and must see its own counts).
pub(super) async fn least_loaded<'e, E: sqlx::SqliteExecutor<'e>>(ex: E, max_open: i64) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM (
            SELECT u.id, (SELECT COALESCE(SUM(c.n), 0) FROM ticket_counts c
                          WHERE c.scope = 'assignee' AND c.scope_id = u.id AND c.status <> 'closed') AS load
            FROM users u WHERE u.role = 'agent' AND u.is_active = 1 AND u.deleted_at IS NULL)
         WHERE load < ? ORDER BY load, id LIMIT 1",
    )
    .bind(max_open)
    .fetch_optional(ex)
    .await?)
}

#[cfg(test)]
#[path = "reports_tests.rs"]
mod tests;
