//! Aggregates for dashboards and reports, computed in SQL (never by loading tickets).

use super::tickets::shown_name;
use super::Store;
use crate::domain::{AgentPerformance, DayCount, Report, TicketScope};
use crate::error::AppError;
use chrono::{NaiveDate, NaiveTime, Utc};

#[derive(sqlx::FromRow)]
struct AgentRow {
    agent_id: i64,
    agent_name: String,
    is_active: bool,
    assigned: i64,
    resolved: i64,
    open: i64,
    avg_hours: Option<f64>,
}

impl From<AgentRow> for AgentPerformance {
    fn from(r: AgentRow) -> Self {
        AgentPerformance {
            agent_id: r.agent_id,
            agent_name: r.agent_name,
            is_active: r.is_active,
            assigned: r.assigned,
            resolved: r.resolved,
            open: r.open,
            avg_resolution_hours: r.avg_hours,
        }
    }
}

/// Start of `from` and the start of the day after `to`, as stored timestamps compare.
fn bounds(from: NaiveDate, to: NaiveDate) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let start = from.and_time(NaiveTime::MIN).and_utc();
    let end = (to + chrono::Duration::days(1)).and_time(NaiveTime::MIN).and_utc();
    (start, end)
}

impl Store {
    /// Not-closed tickets nobody works on, and not-closed tickets past their SLA deadline.
    pub async fn unassigned_and_overdue(&self) -> Result<(i64, i64), AppError> {
        let unassigned = self.unassigned_open().await?;
        let overdue: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE status <> 'closed' AND due_at < ?")
            .bind(Utc::now().timestamp())
            .fetch_one(&self.read)
            .await?;
        Ok((unassigned, overdue))
    }

    /// Every agent's assigned, resolved, open and mean resolution hours; with a range, only
    /// tickets created in it count. Without one, the counters answer.
    pub async fn agent_performance(&self, range: Option<(NaiveDate, NaiveDate)>) -> Result<Vec<AgentPerformance>, AppError> {
        let Some((from, to)) = range else {
            return self.agent_totals().await;
        };
        let (start, end) = bounds(from, to);
        let sql = concat!(
            "SELECT u.id AS agent_id, ", shown_name!("u"), " AS agent_name, u.is_active AS is_active,
                COUNT(t.id) AS assigned,
                COALESCE(SUM(t.status = 'closed'), 0) AS resolved,
                COALESCE(SUM(t.status <> 'closed'), 0) AS open,
                AVG(CASE WHEN t.status = 'closed' THEN (julianday(t.closed_at) - julianday(t.created_at)) * 24.0 END) AS avg_hours
             FROM users u
             LEFT JOIN tickets t ON t.assigned_to = u.id
                AND t.created_at >= ?1 AND t.created_at < ?2
             WHERE u.role = 'agent' AND u.deleted_at IS NULL
             GROUP BY u.id ORDER BY u.name"
        );
        let rows = sqlx::query_as::<_, AgentRow>(sql).bind(start).bind(end).fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The active agent with the fewest open tickets (ties: lowest id), if any has room.
    pub async fn least_loaded_agent(&self, max_open: i64) -> Result<Option<i64>, AppError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM (
                SELECT u.id, (SELECT COALESCE(SUM(c.n), 0) FROM ticket_counts c
                              WHERE c.scope = 'assignee' AND c.scope_id = u.id AND c.status <> 'closed') AS load
                FROM users u WHERE u.role = 'agent' AND u.is_active = 1 AND u.deleted_at IS NULL)
             WHERE load < ? ORDER BY load, id LIMIT 1",
        )
        .bind(max_open)
        .fetch_optional(&self.read)
        .await?)
    }

    /// Deletes a ticket with its history (the audit log keeps the record of it).
    pub async fn delete_ticket(&self, id: i64) -> Result<bool, AppError> {
        let done = sqlx::query("DELETE FROM tickets WHERE id = ?").bind(id).execute(&self.write).await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn report(&self, from: NaiveDate, to: NaiveDate) -> Result<Report, AppError> {
        let (start, end) = bounds(from, to);
        let by = |column: &'static str| {
            let sql = format!(
                "SELECT {column}, COUNT(*) FROM tickets WHERE created_at >= ? AND created_at < ? GROUP BY {column} ORDER BY COUNT(*) DESC, {column}"
            );
            async move { sqlx::query_as::<_, (String, i64)>(&sql).bind(start).bind(end).fetch_all(&self.read).await }
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

        let opened: Vec<(String, i64)> = sqlx::query_as(
            "SELECT substr(created_at, 1, 10) AS day, COUNT(*) FROM tickets
             WHERE created_at >= ? AND created_at < ? GROUP BY day",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&self.read)
        .await?;
        let closed: Vec<(String, i64)> = sqlx::query_as(
            "SELECT substr(closed_at, 1, 10) AS day, COUNT(*) FROM tickets
             WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ? GROUP BY day",
        )
        .bind(start)
        .bind(end)
        .fetch_all(&self.read)
        .await?;
        let count_on = |rows: &[(String, i64)], day: NaiveDate| {
            let key = day.format("%Y-%m-%d").to_string();
            rows.iter().find(|(d, _)| *d == key).map_or(0, |(_, n)| *n)
        };
        let per_day = from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|day| DayCount { day, opened: count_on(&opened, day), closed: count_on(&closed, day) })
            .collect();

        // Closed in the range: mean resolution time and how many met their deadline.
        let (avg_resolution_hours, sla_closed, sla_met): (Option<f64>, i64, i64) = sqlx::query_as(
            "SELECT AVG((julianday(closed_at) - julianday(created_at)) * 24.0),
                    COUNT(*),
                    COALESCE(SUM(CAST(strftime('%s', closed_at) AS INTEGER) <= due_at), 0)
             FROM tickets WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ?",
        )
        .bind(start)
        .bind(end)
        .fetch_one(&self.read)
        .await?;

        Ok(Report {
            from,
            to,
            total: by_status.total,
            by_status,
            by_priority,
            by_category,
            per_day,
            avg_resolution_hours,
            agents: self.agent_performance(Some((from, to))).await?,
            sla_closed,
            sla_met,
        })
    }

    /// Every ticket in a scope matching the filters, for export (in pages, oldest first).
    pub async fn export_rows(&self, scope: TicketScope, query: &crate::domain::TicketQuery) -> Result<Vec<crate::domain::TicketRow>, AppError> {
        let mut all = Vec::new();
        let mut page_query = query.clone();
        page_query.per_page = 1000;
        page_query.page = 1;
        loop {
            let rows = self.ticket_rows(scope, &page_query).await?;
            let done = rows.len() < 1000;
            all.extend(rows);
            if done || all.len() >= 100_000 {
                return Ok(all);
            }
            page_query.page += 1;
        }
    }
}
