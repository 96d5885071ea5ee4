//! The API's answers: every handler under `api/` returns one of these types (in `Json`), and
//! the OpenAPI document is generated from them, so the document is what is sent. Errors are
//! `AppError`'s `{"error", "field"?}`, described by `ErrorBody`. Field names follow the JSON
//! exactly; the tests in `tests/api/` pin the contract's shapes.

use crate::domain::{Profile, SessionUser, Ticket, TicketEvent, TicketNote, TicketRow};
use serde::Serialize;
use utoipa::ToSchema;

/// Every error: a message a person may read and, when the error is about one input, its field.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    /// The JSON property or query parameter the error is about (e.g. `version`, `email`).
    #[schema(required = false)]
    pub field: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageReply {
    pub message: String,
}

/// A signed-in session: the bearer token and who it belongs to.
#[derive(Serialize, ToSchema)]
pub struct SessionReply {
    /// A JWT for `Authorization: Bearer …` (also valid until `POST /api/auth/logout`).
    pub token: String,
    pub user: SessionUser,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterReply {
    pub token: String,
    pub user: SessionUser,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct VerifyReply {
    pub user: SessionUser,
}

/// A page of a ticket list. `next` links to the following page (keyset), null on the last.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketPageReply {
    pub tickets: Vec<TicketRow>,
    /// Exact, or 10 000 with `totalCapped` true.
    pub total: i64,
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
    pub total_pages: u32,
    pub next: Option<String>,
    pub next_cursor: Option<String>,
}

/// A ticket with the conversation the caller may see.
#[derive(Serialize, ToSchema)]
pub struct TicketWithNotes {
    #[schema(inline)]
    #[serde(flatten)]
    pub ticket: Ticket,
    pub notes: Vec<TicketNote>,
}

/// A ticket with its conversation and its history.
#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    #[schema(inline)]
    #[serde(flatten)]
    pub ticket: Ticket,
    pub notes: Vec<TicketNote>,
    pub history: Vec<TicketEvent>,
    /// Mail taken in for the ticket, newest first, whole: for the staff working it, else empty.
    pub mails: Vec<crate::domain::TicketMail>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketShowReply {
    pub ticket: TicketDetail,
}

/// The answer to a change of one ticket: what was done and the ticket after it.
#[derive(Serialize, ToSchema)]
pub struct TicketReply {
    pub message: String,
    pub ticket: TicketWithNotes,
}

/// Who else has the ticket open: other staff working it, each at the busiest of their pages.
#[derive(Serialize, ToSchema)]
pub struct PresenceReply {
    pub viewers: Vec<crate::domain::Viewer>,
}

/// A ticket's history, oldest first.
#[derive(Serialize, ToSchema)]
pub struct HistoryReply {
    pub history: Vec<TicketEvent>,
}

/// A new password set: the caller's other sessions ended; this token replaces theirs.
#[derive(Serialize, ToSchema)]
pub struct PasswordChangedReply {
    pub message: String,
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileReply {
    pub profile: Profile,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationsReply {
    pub notifications: Vec<crate::domain::NotificationSetting>,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileUpdatedReply {
    pub message: String,
    pub profile: Profile,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDashboard {
    pub total_tickets: i64,
    pub open_tickets: i64,
    pub in_progress_tickets: i64,
    pub on_hold_tickets: i64,
    pub closed_tickets: i64,
    pub overdue_tickets: i64,
    pub recent_tickets: Vec<TicketRow>,
}

#[derive(Serialize, ToSchema)]
pub struct UserDashboardReply {
    pub dashboard: UserDashboard,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentPerformanceFigures {
    pub total_assigned: i64,
    pub resolved: i64,
    pub pending: i64,
    /// Mean hours from creation to closing; null before the first closed ticket.
    pub avg_resolution_time: Option<f64>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentDashboard {
    pub assigned_tickets: i64,
    pub resolved_tickets: i64,
    pub pending_tickets: i64,
    pub overdue_tickets: i64,
    pub performance: AgentPerformanceFigures,
    pub recent_tickets: Vec<TicketRow>,
}

#[derive(Serialize, ToSchema)]
pub struct AgentDashboardReply {
    pub dashboard: AgentDashboard,
}

#[derive(Serialize, ToSchema)]
pub struct AgentStatsFigures {
    pub assigned: i64,
    pub resolved: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AgentProfile {
    #[schema(inline)]
    #[serde(flatten)]
    pub profile: Profile,
    pub stats: AgentStatsFigures,
}

#[derive(Serialize, ToSchema)]
pub struct AgentProfileReply {
    pub profile: AgentProfile,
}

pub use super::schemas_admin::*;
