//! Tickets as pages and API clients see them, and the values a ticket is made of.

use super::{checked_text, Priority, TicketStatus};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The categories a new installation offers (a system setting).
pub const DEFAULT_CATEGORIES: [&str; 5] = ["account", "technical", "security", "billing", "general"];

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: Priority,
    pub status: TicketStatus,
    pub assigned_to: Option<i64>,
    pub agent_name: Option<String>,
    #[serde(with = "crate::domain::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::domain::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(with = "crate::domain::rfc3339::option", default)]
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution_notes: Option<String>,
    #[serde(with = "crate::domain::rfc3339::option", default)]
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// Increases with every edit; an edit based on an older version is refused (409).
    pub version: i64,
}

/// A message on a ticket: a public reply (the requester sees it) or an internal note (staff only).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketNote {
    pub id: i64,
    pub author_id: i64,
    pub author: String,
    pub text: String,
    pub internal: bool,
    #[serde(with = "crate::domain::rfc3339")]
    pub timestamp: DateTime<Utc>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Created,
    Edited,
    Status,
    Priority,
    Category,
    Assigned,
    Reassigned,
    Reply,
    Note,
    Closed,
}

impl EventKind {
    pub const ALL: [EventKind; 10] = [
        EventKind::Created,
        EventKind::Edited,
        EventKind::Status,
        EventKind::Priority,
        EventKind::Category,
        EventKind::Assigned,
        EventKind::Reassigned,
        EventKind::Reply,
        EventKind::Note,
        EventKind::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Edited => "edited",
            EventKind::Status => "status",
            EventKind::Priority => "priority",
            EventKind::Category => "category",
            EventKind::Assigned => "assigned",
            EventKind::Reassigned => "reassigned",
            EventKind::Reply => "reply",
            EventKind::Note => "note",
            EventKind::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// How the timeline phrases it: "<actor> <verb> <detail>".
    pub fn verb(self) -> &'static str {
        match self {
            EventKind::Created => "created the ticket",
            EventKind::Edited => "edited",
            EventKind::Status => "changed the status:",
            EventKind::Priority => "changed the priority:",
            EventKind::Category => "changed the category:",
            EventKind::Assigned => "assigned the ticket to",
            EventKind::Reassigned => "reassigned the ticket:",
            EventKind::Reply => "replied",
            EventKind::Note => "added an internal note",
            EventKind::Closed => "closed the ticket",
        }
    }
}

/// One entry of a ticket's history.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketEvent {
    pub id: i64,
    pub actor_id: i64,
    pub actor: String,
    pub kind: EventKind,
    pub detail: String,
    pub internal: bool,
    #[serde(with = "crate::domain::rfc3339")]
    pub at: DateTime<Utc>,
}

/// A mail taken in for a ticket, whole (quotes, signatures and all) where it was kept: the
/// staff working the ticket read what the reply was cut from.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketMail {
    pub id: i64,
    #[serde(with = "crate::domain::rfc3339")]
    pub received_at: DateTime<Utc>,
    pub sender: String,
    pub subject: String,
    /// created, replied or suppressed (a report about one of our mails).
    pub outcome: String,
    pub reason: String,
    /// The mail's whole text (an HTML-only mail as plain text); `None` when the raw message
    /// was larger than `mail.keep_raw_kb` and was not kept.
    pub text: Option<String>,
    /// Names of its attachments.
    pub attachments: Vec<String>,
}

/// What the caller may do with a ticket; the server decides, pages only show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketPermissions {
    pub edit_text: bool,
    pub edit_fields: bool,
    pub reply: bool,
    pub internal_note: bool,
    pub next_statuses: Vec<TicketStatus>,
    pub close: bool,
    /// Admins: assign or reassign (while not closed), and delete.
    pub assign: bool,
    pub delete: bool,
}

/// A ticket page: the ticket, its conversation and history as the caller may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    pub ticket: Ticket,
    pub notes: Vec<TicketNote>,
    pub history: Vec<TicketEvent>,
    pub can: TicketPermissions,
    pub categories: Vec<String>,
    /// Mail taken in for the ticket, newest first: for the staff working it, else empty.
    pub mails: Vec<TicketMail>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTitle(String);

impl TicketTitle {
    pub const MIN: usize = 5;
    pub const MAX: usize = 200;
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        checked_text("title", "Title", raw, (Self::MIN, Self::MAX), false).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDescription(String);

impl TicketDescription {
    pub const MAX: usize = 10_000;
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        checked_text("description", "Description", raw, (1, Self::MAX), true).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The text of a reply, an internal note or resolution notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteText(String);

impl NoteText {
    pub const MAX: usize = 5_000;
    pub fn parse(field: &str, label: &str, raw: &str) -> Result<Self, AppError> {
        checked_text(field, label, raw, (1, Self::MAX), true).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn parse_status(field: &str, raw: &str) -> Result<TicketStatus, AppError> {
    TicketStatus::parse(raw.trim())
        .ok_or_else(|| AppError::invalid(field, "Status must be one of open, in-progress, on-hold, closed."))
}

pub fn parse_priority(raw: &str) -> Result<Priority, AppError> {
    Priority::parse(raw.trim())
        .ok_or_else(|| AppError::invalid("priority", "Priority must be one of low, medium, high, critical."))
}

/// A category must be one of the configured ones.
pub fn parse_category(raw: &str, allowed: &[String]) -> Result<String, AppError> {
    let raw = raw.trim();
    allowed
        .iter()
        .find(|c| c.as_str() == raw)
        .cloned()
        .ok_or_else(|| AppError::invalid("category", format!("Category must be one of {}.", allowed.join(", "))))
}

/// An agent's numbers for their dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentStats {
    pub assigned: i64,
    pub resolved: i64,
    pub pending: i64,
    /// Mean hours from creation to closing over the agent's closed tickets.
    pub avg_resolution_hours: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_five_to_two_hundred_characters() {
        assert_eq!(TicketTitle::parse("Help").unwrap_err().field.as_deref(), Some("title"));
        assert!(TicketTitle::parse(" Help! ").is_ok());
        assert!(TicketTitle::parse(&"t".repeat(200)).is_ok());
        assert!(TicketTitle::parse(&"t".repeat(201)).is_err());
    }

    #[test]
    fn descriptions_are_required_and_at_most_ten_thousand_characters() {
        assert!(TicketDescription::parse("").is_err());
        assert!(TicketDescription::parse(&"d".repeat(10_000)).is_ok());
        assert!(TicketDescription::parse("line one\nline two\ttabbed").is_ok());
        assert!(TicketTitle::parse("two\nlines").is_err());
        assert_eq!(TicketDescription::parse(&"d".repeat(10_001)).unwrap_err().field.as_deref(), Some("description"));
    }

    #[test]
    fn categories_come_from_the_configured_set() {
        let allowed: Vec<String> = DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect();
        assert_eq!(parse_category("billing", &allowed).unwrap(), "billing");
        assert_eq!(parse_category("sales", &allowed).unwrap_err().field.as_deref(), Some("category"));
    }
}
