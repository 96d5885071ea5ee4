//! What admins and the super admin see and change: settings, SLA, reports, users, audit.

use super::{checked_text, Priority, Role, Profile, StatusCounts, TicketRow, DEFAULT_CATEGORIES};
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// SLA hours per priority: how long a ticket may stay unresolved.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaHours {
    pub low: i64,
    pub medium: i64,
    pub high: i64,
    pub critical: i64,
}

impl Default for SlaHours {
    fn default() -> Self {
        SlaHours { low: 72, medium: 48, high: 24, critical: 4 }
    }
}

impl SlaHours {
    pub fn for_priority(&self, p: Priority) -> i64 {
        match p {
            Priority::Low => self.low,
            Priority::Medium => self.medium,
            Priority::High => self.high,
            Priority::Critical => self.critical,
        }
    }

    /// When a ticket of priority `p` created at `created` is due.
    pub fn due(&self, p: Priority, created: DateTime<Utc>) -> DateTime<Utc> {
        created + chrono::Duration::hours(self.for_priority(p))
    }
}

/// The editable system settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemSettings {
    pub categories: Vec<String>,
    pub sla: SlaHours,
    pub max_tickets_per_agent: i64,
}

impl Default for SystemSettings {
    fn default() -> Self {
        SystemSettings {
            categories: DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect(),
            sla: SlaHours::default(),
            max_tickets_per_agent: 10,
        }
    }
}

impl SystemSettings {
    /// Validates settings as submitted: 1–20 distinct categories of lower-case letters,
    /// digits and dashes; SLA hours 1–8760; 1–1000 open tickets per agent.
    pub fn parse(categories: &[String], sla: [i64; 4], max_tickets_per_agent: i64) -> Result<Self, AppError> {
        let mut clean: Vec<String> = Vec::new();
        for raw in categories {
            let c = raw.trim().to_lowercase();
            if c.is_empty() {
                continue;
            }
            let c = checked_text("categories", "A category", &c, (1, 40), false)?;
            if !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-') {
                return Err(AppError::invalid("categories", format!("Category \"{c}\" may use only letters, digits and dashes.")));
            }
            if clean.contains(&c) {
                return Err(AppError::invalid("categories", format!("Category \"{c}\" is listed twice.")));
            }
            clean.push(c);
        }
        if clean.is_empty() || clean.len() > 20 {
            return Err(AppError::invalid("categories", "Give between 1 and 20 categories."));
        }
        for (field, hours) in ["sla.low", "sla.medium", "sla.high", "sla.critical"].into_iter().zip(sla) {
            if !(1..=8760).contains(&hours) {
                return Err(AppError::invalid(field, "SLA hours must be a whole number from 1 to 8760."));
            }
        }
        if !(1..=1000).contains(&max_tickets_per_agent) {
            return Err(AppError::invalid("maxTicketsPerAgent", "Max tickets per agent must be from 1 to 1000."));
        }
        let [low, medium, high, critical] = sla;
        Ok(SystemSettings { categories: clean, sla: SlaHours { low, medium, high, critical }, max_tickets_per_agent })
    }
}

/// One agent's numbers.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPerformance {
    pub agent_id: i64,
    pub agent_name: String,
    pub is_active: bool,
    pub assigned: i64,
    pub resolved: i64,
    /// Assigned and not closed: the agent's current load.
    pub open: i64,
    pub avg_resolution_hours: Option<f64>,
}

/// An agent as an assignment choice or a filter's option: who, and the current load. What the
/// pages need of an agent, a third of `AgentPerformance` in the page's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentChoice {
    pub agent_id: i64,
    pub agent_name: String,
    pub is_active: bool,
    pub open: i64,
}

impl From<AgentPerformance> for AgentChoice {
    fn from(a: AgentPerformance) -> Self {
        AgentChoice { agent_id: a.agent_id, agent_name: a.agent_name, is_active: a.is_active, open: a.open }
    }
}

/// The `n` busiest agents, for a page that shows a few (the dashboard): most open tickets
/// first, then most assigned, then by name; how many there were in all.
pub fn busiest(mut agents: Vec<AgentPerformance>, n: usize) -> (Vec<AgentPerformance>, usize) {
    let total = agents.len();
    agents.sort_by(|a, b| b.open.cmp(&a.open).then(b.assigned.cmp(&a.assigned)).then_with(|| a.agent_name.cmp(&b.agent_name)));
    agents.truncate(n);
    (agents, total)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminDashboard {
    pub counts: StatusCounts,
    pub unassigned: i64,
    pub overdue: i64,
    pub agents: Vec<AgentPerformance>,
    pub recent: Vec<TicketRow>,
    /// The mail outbox's health (filled by the service, not the ticket store).
    #[serde(default)]
    pub mail: MailStatus,
}

/// The outbox at a glance: mail waiting to be sent (`waiting_capped`: at least that many), how
/// long the oldest has waited, mails given up on, and the last refusal.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailStatus {
    pub waiting: i64,
    pub waiting_capped: bool,
    pub oldest_waiting_secs: Option<i64>,
    pub failed: i64,
    pub failed_capped: bool,
    pub last_error: Option<String>,
    #[serde(with = "crate::domain::rfc3339::option", default)]
    pub last_error_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleCounts {
    pub users: i64,
    pub agents: i64,
    pub admins: i64,
    pub superadmins: i64,
}

impl RoleCounts {
    pub fn of(&self, role: Role) -> i64 {
        match role {
            Role::User => self.users,
            Role::Agent => self.agents,
            Role::Admin => self.admins,
            Role::Superadmin => self.superadmins,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuperDashboard {
    pub total_users: i64,
    pub staff_members: i64,
    pub total_tickets: i64,
    pub open_tickets: i64,
    pub by_role: RoleCounts,
    pub recent_users: Vec<Profile>,
    pub recent_tickets: Vec<TicketRow>,
}

impl SuperDashboard {
    /// The overview from accounts by role and the ticket counts: staff are every role but
    /// users; open tickets are those not closed.
    pub fn new(by_role: RoleCounts, counts: &StatusCounts, recent_users: Vec<Profile>, recent_tickets: Vec<TicketRow>) -> Self {
        SuperDashboard {
            total_users: by_role.users + by_role.agents + by_role.admins + by_role.superadmins,
            staff_members: by_role.agents + by_role.admins + by_role.superadmins,
            total_tickets: counts.total,
            open_tickets: counts.total - counts.closed,
            by_role,
            recent_users,
            recent_tickets,
        }
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    #[serde(with = "crate::domain::rfc3339::day")]
    pub day: NaiveDate,
    pub opened: i64,
    pub closed: i64,
}

/// The report over tickets created (or closed) between `from` and `to`, inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    #[serde(with = "crate::domain::rfc3339::day")]
    pub from: NaiveDate,
    #[serde(with = "crate::domain::rfc3339::day")]
    pub to: NaiveDate,
    pub total: i64,
    pub by_status: StatusCounts,
    pub by_priority: Vec<(String, i64)>,
    pub by_category: Vec<(String, i64)>,
    pub per_day: Vec<DayCount>,
    pub avg_resolution_hours: Option<f64>,
    pub agents: Vec<AgentPerformance>,
    /// Tickets closed in the range, and how many of them before their SLA deadline.
    pub sla_closed: i64,
    pub sla_met: i64,
}

impl Report {
    pub fn sla_compliance(&self) -> Option<f64> {
        (self.sla_closed > 0).then(|| 100.0 * self.sla_met as f64 / self.sla_closed as f64)
    }

    pub const MAX_DAYS: i64 = 366;

    /// The range from the raw inputs: default the last 30 days, at most a year, from ≤ to.
    pub fn parse_range(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), AppError> {
        let date = |field: &str, raw: Option<&str>| -> Result<Option<NaiveDate>, AppError> {
            match raw.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => super::rfc3339::day::parse(s)
                    .map(Some)
                    .ok_or_else(|| AppError::invalid(field, format!("{field} must be a date like 2024-02-04."))),
            }
        };
        let to = date("to", to)?.unwrap_or(today);
        let from = date("from", from)?.unwrap_or(to - chrono::Duration::days(29));
        if from > to {
            return Err(AppError::invalid("from", "from must not be after to."));
        }
        if (to - from).num_days() >= Self::MAX_DAYS {
            return Err(AppError::invalid("from", "A report covers at most 366 days."));
        }
        Ok((from, to))
    }
}

/// Every action the audit log records, as stored.
pub const AUDIT_ACTIONS: [&str; 14] = [
    "sign-in", "sign-in-failed", "registered", "password-reset", "password-changed", "user-created", "user-updated",
    "role-changed", "activated", "deactivated", "user-deleted", "settings-changed", "ticket-deleted", "ticket-reassigned",
];

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "crate::domain::rfc3339")]
    pub at: DateTime<Utc>,
    pub actor_email: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Exact, or `COUNT_CAP` when `total_capped`.
    pub total: i64,
    #[serde(default)]
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPage {
    pub users: Vec<Profile>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Parses a 1-based page number (default 1).
pub fn parse_page(raw: Option<&str>) -> Result<u32, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(1),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| AppError::invalid("page", "page must be a whole number from 1.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dashboard_keeps_the_busiest_agents_and_counts_them_all() {
        let agent = |name: &str, open, assigned| AgentPerformance {
            agent_id: 0,
            agent_name: name.into(),
            is_active: true,
            assigned,
            resolved: 0,
            open,
            avg_resolution_hours: None,
        };
        let all = vec![agent("Ann", 1, 9), agent("Bob", 4, 4), agent("Cid", 4, 7), agent("Dee", 0, 0), agent("Eve", 1, 9)];
        let (kept, total) = busiest(all.clone(), 3);
        let names: Vec<&str> = kept.iter().map(|a| a.agent_name.as_str()).collect();
        assert_eq!((names, total), (vec!["Cid", "Bob", "Ann"], 5));
        assert_eq!(busiest(all, 10).0.len(), 5, "fewer than n: all of them");
        assert_eq!(busiest(Vec::new(), 3), (Vec::new(), 0));
    }

    #[test]
    fn sla_deadlines_follow_the_priority() {
        let sla = SlaHours::default();
        let created = DateTime::parse_from_rfc3339("2024-02-04T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(sla.due(Priority::Critical, created).to_rfc3339(), "2024-02-04T14:00:00+00:00");
        assert_eq!(sla.due(Priority::Low, created).to_rfc3339(), "2024-02-07T10:00:00+00:00");
    }

    #[test]
    fn settings_are_validated_field_by_field() {
        let cats = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = SystemSettings::parse(&cats(&["Hardware", " network ", ""]), [72, 48, 24, 4], 5).unwrap();
        assert_eq!(ok.categories, vec!["hardware", "network"]);
        let field = |r: Result<SystemSettings, AppError>| r.unwrap_err().field.unwrap();
        assert_eq!(field(SystemSettings::parse(&cats(&[]), [72, 48, 24, 4], 5)), "categories");
        assert_eq!(field(SystemSettings::parse(&cats(&["a b"]), [72, 48, 24, 4], 5)), "categories");
        assert_eq!(field(SystemSettings::parse(&cats(&["x", "X"]), [72, 48, 24, 4], 5)), "categories");
        assert_eq!(field(SystemSettings::parse(&cats(&["x"]), [72, 0, 24, 4], 5)), "sla.medium");
        assert_eq!(field(SystemSettings::parse(&cats(&["x"]), [72, 48, 24, 4], 0)), "maxTicketsPerAgent");
    }

    #[test]
    fn report_ranges_default_to_thirty_days_and_are_bounded() {
        let today = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        let (from, to) = Report::parse_range(None, None, today).unwrap();
        assert_eq!((from.to_string(), to.to_string()), ("2024-03-02".into(), "2024-03-31".into()));
        assert_eq!(Report::parse_range(Some("2024-04-01"), Some("2024-03-01"), today).unwrap_err().field.as_deref(), Some("from"));
        assert_eq!(Report::parse_range(Some("yesterday"), None, today).unwrap_err().field.as_deref(), Some("from"));
        assert!(Report::parse_range(Some("2022-01-01"), None, today).is_err());
    }
}

/// A mail taken in, as admins see it: what became of it and why.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundMail {
    pub id: i64,
    pub message_id: String,
    #[serde(with = "crate::domain::rfc3339")]
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// `api`, `imap`, or `again` (processed again by an admin).
    pub source: String,
    pub sender: String,
    pub subject: String,
    /// created, replied, duplicate, suppressed or rejected.
    pub outcome: String,
    pub ticket: Option<i64>,
    pub reason: String,
    pub raw_size: i64,
    /// Whether the raw message was kept (see `mail.keep_raw_kb`).
    pub raw_kept: bool,
}

/// A page of the mail taken in, newest first.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundPage {
    pub mails: Vec<InboundMail>,
    /// Ask with `before=` this for the next (older) page; none on the last.
    pub next: Option<i64>,
}
