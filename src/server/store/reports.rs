//! Aggregates for dashboards and reports, computed in SQL (never by loading tickets).

use super::counters::AgentRow;
use super::tickets::shown_name;
use super::Store;
use crate::domain::{AgentPerformance, DayCount, Report, TicketScope};
use crate::error::AppError;
use chrono::NaiveDate;

impl Store {
    /// Not-closed tickets nobody works on, and not-closed tickets past their SLA deadline.
    #[tracing::instrument(skip_all, name = "store.unassigned_and_overdue")]
    pub async fn unassigned_and_overdue(&self) -> Result<(i64, i64), AppError> {
        Ok((self.unassigned_open().await?, self.overdue_count(TicketScope::All).await?))
    }

    /// Every agent's assigned, resolved, open and mean resolution hours; with a range, only
    /// tickets created in it count. Without one, the counters answer.
    #[tracing::instrument(skip_all, name = "store.agent_performance")]
    pub async fn agent_performance(&self, range: Option<(NaiveDate, NaiveDate)>) -> Result<Vec<AgentPerformance>, AppError> {
        let Some((from, to)) = range else {
            return self.agent_totals().await;
        };
        let (first, last) = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());
        let sql = concat!(
            "SELECT u.id AS agent_id, ", shown_name!("u"), " AS agent_name, u.is_active AS is_active,
                COALESCE(SUM(r.n), 0) AS assigned,
                COALESCE(SUM(CASE WHEN r.status = 'closed' THEN r.n END), 0) AS resolved,
                COALESCE(SUM(r.resolution_secs), 0) AS resolution_secs
             FROM users u
             LEFT JOIN rollup_agent r ON r.agent_id = u.id AND r.day >= ?1 AND r.day <= ?2
             WHERE u.role = 'agent' AND u.deleted_at IS NULL
             GROUP BY u.id ORDER BY u.name"
        );
        let rows = sqlx::query_as::<_, AgentRow>(sql).bind(first).bind(last).fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The active agent with the fewest open tickets (ties: lowest id), if any has room.
    #[tracing::instrument(skip_all, name = "store.least_loaded_agent")]
    pub async fn least_loaded_agent(&self, max_open: i64) -> Result<Option<i64>, AppError> {
        least_loaded(&self.read, max_open).await
    }

    /// A report over `from..=to` (UTC days), read from the daily rollups (migration 0005): a
    /// few rows per day, however many tickets the days hold.
    #[tracing::instrument(skip_all, name = "store.report")]
    pub async fn report(&self, from: NaiveDate, to: NaiveDate) -> Result<Report, AppError> {
        let (first, last) = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());
        let by = |column: &'static str| {
            let sql = format!(
                "SELECT {column}, SUM(n) AS total FROM rollup_created WHERE day >= ? AND day <= ?
                 GROUP BY {column} HAVING total > 0 ORDER BY total DESC, {column}"
            );
            let (first, last) = (first.clone(), last.clone());
            async move { sqlx::query_as::<_, (String, i64)>(&sql).bind(first).bind(last).fetch_all(&self.read).await }
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

        let opened: Vec<(String, i64)> =
            sqlx::query_as("SELECT day, SUM(n) FROM rollup_created WHERE day >= ? AND day <= ? GROUP BY day")
                .bind(&first)
                .bind(&last)
                .fetch_all(&self.read)
                .await?;
        let closed: Vec<(String, i64, i64, i64)> =
            sqlx::query_as("SELECT day, n, resolution_secs, sla_met FROM rollup_closed WHERE day >= ? AND day <= ?")
                .bind(&first)
                .bind(&last)
                .fetch_all(&self.read)
                .await?;
        let per_day = from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|day| {
                let key = day.format("%Y-%m-%d").to_string();
                DayCount {
                    day,
                    opened: opened.iter().find(|(d, _)| *d == key).map_or(0, |r| r.1),
                    closed: closed.iter().find(|(d, ..)| *d == key).map_or(0, |r| r.1),
                }
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

/// The least-loaded active agent with room, read through `ex` (the pool, or a transaction
/// that has just assigned tickets and must see its own counts).
pub(super) async fn least_loaded<'e, E: sqlx::SqliteExecutor<'e>>(ex: E, max_open: i64) -> Result<Option<i64>, AppError> {
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
