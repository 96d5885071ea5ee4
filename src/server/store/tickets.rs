use super::Store;
use crate::domain::{Priority, StatusCounts, TicketStatus, TicketSummary};
use crate::error::AppError;
use chrono::{DateTime, Utc};

/// Whose tickets a query covers; decided by the service from the caller's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketScope {
    RequestedBy(i64),
    AssignedTo(i64),
    All,
}

impl TicketScope {
    /// A WHERE clause (always true for `All`) and the id to bind, if any.
    fn filter(self) -> (&'static str, Option<i64>) {
        match self {
            TicketScope::RequestedBy(id) => ("user_id = ?", Some(id)),
            TicketScope::AssignedTo(id) => ("assigned_to = ?", Some(id)),
            TicketScope::All => ("1 = 1", None),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    title: String,
    status: String,
    priority: String,
    category: String,
    updated_at: DateTime<Utc>,
}

impl From<SummaryRow> for TicketSummary {
    fn from(row: SummaryRow) -> Self {
        TicketSummary {
            id: row.id,
            title: row.title,
            // CHECK constraints admit only the contract's names.
            status: TicketStatus::parse(&row.status).unwrap_or(TicketStatus::Open),
            priority: Priority::parse(&row.priority).unwrap_or(Priority::Medium),
            category: row.category,
            updated_at: row.updated_at,
        }
    }
}

impl Store {
    /// Counts by status in one aggregate query (index on the scope column and status).
    pub async fn ticket_counts(&self, scope: TicketScope) -> Result<StatusCounts, AppError> {
        let (filter, id) = scope.filter();
        let sql = format!("SELECT status, COUNT(*) FROM tickets WHERE {filter} GROUP BY status");
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        if let Some(id) = id {
            query = query.bind(id);
        }
        let mut counts = StatusCounts::default();
        for (status, n) in query.fetch_all(&self.read).await? {
            match TicketStatus::parse(&status) {
                Some(TicketStatus::Open) => counts.open = n,
                Some(TicketStatus::InProgress) => counts.in_progress = n,
                Some(TicketStatus::OnHold) => counts.on_hold = n,
                Some(TicketStatus::Closed) => counts.closed = n,
                None => {}
            }
            counts.total += n;
        }
        Ok(counts)
    }

    pub async fn recent_tickets(&self, scope: TicketScope, limit: i64) -> Result<Vec<TicketSummary>, AppError> {
        let (filter, id) = scope.filter();
        let sql = format!(
            "SELECT id, title, status, priority, category, updated_at FROM tickets
             WHERE {filter} ORDER BY updated_at DESC, id DESC LIMIT ?"
        );
        let mut query = sqlx::query_as::<_, SummaryRow>(&sql);
        if let Some(id) = id {
            query = query.bind(id);
        }
        let rows = query.bind(limit).fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
