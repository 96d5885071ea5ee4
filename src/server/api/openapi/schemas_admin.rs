//! The answers of the admin and super admin operations (see `schemas.rs`).

use crate::domain::{AgentPerformance, AuditEntry, MailStatus, DayCount, Priority, Profile, Role, RoleCounts, SlaHours, TicketRow, TicketStatus};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminStats {
    pub total_tickets: i64,
    pub open_tickets: i64,
    pub in_progress_tickets: i64,
    pub on_hold_tickets: i64,
    pub closed_tickets: i64,
    pub unassigned_tickets: i64,
    pub overdue_tickets: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminDashboard {
    pub stats: AdminStats,
    pub agent_performance: Vec<AgentPerformance>,
    pub recent_tickets: Vec<TicketRow>,
    /// The mail outbox's health.
    pub mail: MailStatus,
}

#[derive(Serialize, ToSchema)]
pub struct MailRetryReply {
    pub message: String,
    /// Mails waiting or given up on that are due now.
    pub retried: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AdminDashboardReply {
    pub dashboard: AdminDashboard,
}

/// A ticket a bulk assignment left alone, and why.
#[derive(Serialize, ToSchema)]
pub struct BulkRefused {
    pub id: i64,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct BulkAssignReply {
    pub message: String,
    pub assigned: Vec<i64>,
    pub refused: Vec<BulkRefused>,
}

#[derive(Serialize, ToSchema)]
pub struct AgentsReply {
    pub agents: Vec<AgentPerformance>,
}

/// Tickets by status, keyed by the status names of the contract.
#[derive(Serialize, ToSchema)]
pub struct ByStatus {
    pub open: i64,
    #[serde(rename = "in-progress")]
    pub in_progress: i64,
    #[serde(rename = "on-hold")]
    pub on_hold: i64,
    pub closed: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlaFigures {
    /// Tickets closed in the range.
    pub closed: i64,
    /// Of those, closed before their SLA deadline.
    pub met: i64,
    /// `met / closed` in percent; null when nothing was closed.
    pub compliance_percent: Option<f64>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reports {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total_tickets: i64,
    pub by_status: ByStatus,
    /// Ticket count per priority name.
    pub by_priority: BTreeMap<String, i64>,
    /// Ticket count per category name.
    pub by_category: BTreeMap<String, i64>,
    pub per_day: Vec<DayCount>,
    pub avg_resolution_time: Option<f64>,
    pub agent_performance: Vec<AgentPerformance>,
    pub sla: SlaFigures,
}

#[derive(Serialize, ToSchema)]
pub struct ReportsReply {
    pub reports: Reports,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuperStats {
    pub total_users: i64,
    pub staff_members: i64,
    pub total_tickets: i64,
    pub open_tickets: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuperDashboard {
    pub stats: SuperStats,
    pub user_breakdown: RoleCounts,
    pub recent_users: Vec<Profile>,
    pub recent_tickets: Vec<TicketRow>,
}

#[derive(Serialize, ToSchema)]
pub struct SuperDashboardReply {
    pub dashboard: SuperDashboard,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserPageReply {
    pub users: Vec<Profile>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Serialize, ToSchema)]
pub struct UserReply {
    pub user: Profile,
}

#[derive(Serialize, ToSchema)]
pub struct UserSavedReply {
    pub message: String,
    pub user: Profile,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SystemSettingsView {
    pub ticket_priorities: Vec<Priority>,
    pub ticket_statuses: Vec<TicketStatus>,
    pub categories: Vec<String>,
    pub roles: Vec<Role>,
    pub max_tickets_per_agent: i64,
    /// SLA hours per priority.
    pub sla: SlaHours,
}

#[derive(Serialize, ToSchema)]
pub struct SettingsReply {
    pub settings: SystemSettingsView,
}

#[derive(Serialize, ToSchema)]
pub struct SettingsSavedReply {
    pub settings: SystemSettingsView,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPageReply {
    pub entries: Vec<AuditEntry>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}
