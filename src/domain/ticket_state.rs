//! A ticket's status and priority, and the figures and rows built from them: counts per
//! status, a list row, what a change did to a ticket (`TicketChanged`), a home page's summary.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TicketStatus {
    Open,
    InProgress,
    OnHold,
    Closed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 4] =
        [TicketStatus::Open, TicketStatus::InProgress, TicketStatus::OnHold, TicketStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::InProgress => "in-progress",
            TicketStatus::OnHold => "on-hold",
            TicketStatus::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::Open => "Open",
            TicketStatus::InProgress => "In progress",
            TicketStatus::OnHold => "On hold",
            TicketStatus::Closed => "Closed",
        }
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
    Critical,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Medium, Priority::High, Priority::Critical];

    /// Sorting weight, critical highest (the database's generated `priority_rank` agrees).
    pub fn rank(self) -> i64 {
        match self {
            Priority::Low => 1,
            Priority::Medium => 2,
            Priority::High => 3,
            Priority::Critical => 4,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Medium => "Medium",
            Priority::High => "High",
            Priority::Critical => "Critical",
        }
    }
}

/// Ticket counts by status for one scope (a requester, an assignee or everyone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCounts {
    pub total: i64,
    pub open: i64,
    pub in_progress: i64,
    pub on_hold: i64,
    pub closed: i64,
}

impl StatusCounts {
    pub fn of(&self, status: TicketStatus) -> i64 {
        match status {
            TicketStatus::Open => self.open,
            TicketStatus::InProgress => self.in_progress,
            TicketStatus::OnHold => self.on_hold,
            TicketStatus::Closed => self.closed,
        }
    }
}

/// One line of a ticket list, with the names of requester and assignee.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketRow {
    pub id: i64,
    pub title: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub category: String,
    pub user_id: i64,
    pub user_name: String,
    pub assigned_to: Option<i64>,
    pub agent_name: Option<String>,
    #[serde(with = "crate::domain::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::domain::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// The SLA deadline, and whether it has passed with the ticket still not closed.
    #[serde(with = "crate::domain::rfc3339::option", default)]
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// A role's home page: counts and the most recently updated tickets in the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeSummary {
    pub counts: StatusCounts,
    /// Not closed and past the SLA deadline.
    pub overdue: i64,
    pub recent: Vec<TicketRow>,
    /// An agent's own numbers (agents only).
    pub agent: Option<super::AgentStats>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_priorities_use_the_contract_names() {
        assert_eq!(serde_json::to_string(&TicketStatus::InProgress).unwrap(), "\"in-progress\"");
        assert_eq!(serde_json::to_string(&TicketStatus::OnHold).unwrap(), "\"on-hold\"");
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(s.as_str()), Some(s));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
        assert_eq!(TicketStatus::parse("done"), None);
    }
}

/// A ticket's status and assignee, before or after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketState {
    pub status: TicketStatus,
    pub assignee: Option<i64>,
}

/// Published after a ticket change commits: which ticket, whose, and its state before (none
/// for a new ticket) and after (none once deleted). Live updates listen for these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketChanged {
    pub id: i64,
    pub requester: i64,
    pub before: Option<TicketState>,
    pub after: Option<TicketState>,
}
