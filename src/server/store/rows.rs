//! Rows as both backends read them, and their mapping into domain values (the column types
//! decode alike from SQLite and PostgreSQL). Time-dependent facts (is a ticket overdue?) are
//! decided against the `now` the caller passes, read once per request.

use crate::domain::{
    RoleCounts, StatusCounts, TicketScope, AgentPerformance, AuditEntry, SlaHours, SystemSettings, EventKind, Priority, Profile, Role, Ticket, TicketEvent, TicketRow, TicketStatus,
};
use crate::server::security::PasswordHash;
use crate::server::store::records::UserRecord;
use chrono::{DateTime, Utc};

/// A user's name as tickets show it: deleted users keep their name, marked "(deleted)".
macro_rules! shown_name {
    ($alias:literal) => {
        concat!("CASE WHEN ", $alias, ".deleted_at IS NULL THEN ", $alias, ".name ELSE ", $alias, ".name || ' (deleted)' END")
    };
}
pub(in crate::server::store) use shown_name;

/// The statement reading a ticket's history entries (`$1` the ticket, `$2` whether internal
/// ones are shown) that also meet `$also` (`""`, or `" AND …"`), oldest first, as `EventDbRow`s.
macro_rules! events_sql {
    ($also:literal) => {
        concat!(
            "SELECT e.id, e.actor_id, ", shown_name!("u"), " AS actor, e.kind, e.detail, e.internal, e.created_at
             FROM ticket_events e JOIN users u ON u.id = e.actor_id
             WHERE e.ticket_id = $1 AND ($2 OR NOT e.internal)", $also, " ORDER BY e.id"
        )
    };
}
pub(in crate::server::store) use events_sql;

#[derive(sqlx::FromRow)]
pub(super) struct TicketDbRow {
    id: i64,
    user_id: i64,
    user_name: String,
    title: String,
    description: String,
    category: String,
    priority: String,
    status: String,
    assigned_to: Option<i64>,
    agent_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    resolution_notes: Option<String>,
    due_at: Option<i64>,
    version: i64,
}

// CHECK constraints admit only the contract's names, so the fallbacks never apply.
fn status(raw: &str) -> TicketStatus {
    TicketStatus::parse(raw).unwrap_or(TicketStatus::Open)
}
fn priority(raw: &str) -> Priority {
    Priority::parse(raw).unwrap_or(Priority::Medium)
}

/// The deadline as a time, and whether it has passed for a ticket still not closed.
fn sla(due_at: Option<i64>, status: TicketStatus, now: DateTime<Utc>) -> (Option<DateTime<Utc>>, bool) {
    let due = due_at.and_then(|secs| DateTime::from_timestamp(secs, 0));
    let overdue = status != TicketStatus::Closed && due.is_some_and(|d| d < now);
    (due, overdue)
}

impl TicketDbRow {
    pub(super) fn into_ticket(self, now: DateTime<Utc>) -> Ticket {
        let r = self;
        let status = status(&r.status);
        let (due_at, overdue) = sla(r.due_at, status, now);
        Ticket {
            id: r.id,
            user_id: r.user_id,
            user_name: r.user_name,
            title: r.title,
            description: r.description,
            category: r.category,
            priority: priority(&r.priority),
            status,
            assigned_to: r.assigned_to,
            agent_name: r.agent_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            closed_at: r.closed_at,
            resolution_notes: r.resolution_notes,
            due_at,
            overdue,
            version: r.version,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RowDbRow {
    id: i64,
    title: String,
    status: String,
    priority: String,
    category: String,
    user_id: i64,
    user_name: String,
    assigned_to: Option<i64>,
    agent_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    due_at: Option<i64>,
}

impl RowDbRow {
    pub(super) fn into_row(self, now: DateTime<Utc>) -> TicketRow {
        let r = self;
        let status = status(&r.status);
        let (due_at, overdue) = sla(r.due_at, status, now);
        TicketRow {
            id: r.id,
            title: r.title,
            status,
            priority: priority(&r.priority),
            category: r.category,
            user_id: r.user_id,
            user_name: r.user_name,
            assigned_to: r.assigned_to,
            agent_name: r.agent_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            due_at,
            overdue,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct EventDbRow {
    id: i64,
    actor_id: i64,
    actor: String,
    kind: String,
    detail: String,
    internal: bool,
    created_at: DateTime<Utc>,
}

impl EventDbRow {
    /// `None` for a kind this binary does not know (the CHECK constraint admits none).
    pub(super) fn into_event(self) -> Option<TicketEvent> {
        let r = self;
        Some(TicketEvent {
            id: r.id,
            actor_id: r.actor_id,
            actor: r.actor,
            kind: EventKind::parse(&r.kind)?,
            detail: r.detail,
            internal: r.internal,
            at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    id: i64,
    name: String,
    email: String,
    password_hash: String,
    role: String,
    is_active: bool,
    department: String,
    phone: String,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for UserRecord {
    fn from(row: UserRow) -> Self {
        UserRecord {
            profile: Profile {
                id: row.id,
                name: row.name,
                email: row.email,
                // The CHECK constraint admits only the four role names.
                role: Role::parse(&row.role).unwrap_or(Role::User),
                created_at: row.created_at,
                is_active: row.is_active,
                department: row.department,
                phone: row.phone,
            },
            password_hash: PasswordHash::from_stored(row.password_hash),
        }
    }
}

/// An agent's figures as the counters (all time) or the rollups (a range) give them.
#[derive(sqlx::FromRow)]
pub(super) struct AgentRow {
    agent_id: i64,
    agent_name: String,
    is_active: bool,
    assigned: i64,
    resolved: i64,
    /// Summed over the resolved tickets.
    resolution_secs: i64,
}

/// Agents read as one JSON array of `[id, name, active (0/1), assigned, resolved,
/// resolution_secs]` (see `json_rows`).
pub(super) fn agents_from_json(json: &str) -> Result<Vec<AgentPerformance>, crate::server::store::StoreError> {
    let rows: Vec<(i64, String, i64, i64, i64, i64)> =
        serde_json::from_str(json).map_err(|e| crate::server::store::StoreError::Unexpected { operation: "store.agent_totals", reason: format!("the agents' JSON: {e}") })?;
    Ok(rows
        .into_iter()
        .map(|(agent_id, agent_name, active, assigned, resolved, resolution_secs)| {
            AgentRow { agent_id, agent_name, is_active: active != 0, assigned, resolved, resolution_secs }.into()
        })
        .collect())
}

impl From<AgentRow> for AgentPerformance {
    fn from(r: AgentRow) -> Self {
        AgentPerformance {
            agent_id: r.agent_id,
            agent_name: r.agent_name,
            is_active: r.is_active,
            assigned: r.assigned,
            resolved: r.resolved,
            open: r.assigned - r.resolved,
            avg_resolution_hours: mean_hours(r.resolved, r.resolution_secs),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_email: String,
    action: String,
    target: String,
    detail: String,
    ip: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry { id: r.id, at: r.at, actor_email: r.actor_email, action: r.action, target: r.target, detail: r.detail, ip: r.ip }
    }
}

/// Mean resolution time in hours; none before the first resolved ticket.
pub(super) fn mean_hours(resolved: i64, secs: i64) -> Option<f64> {
    (resolved > 0).then(|| secs as f64 / resolved as f64 / 3600.0)
}

/// The editable settings from their (key, JSON value) rows; anything missing or unreadable
/// falls back to its default.
pub(super) fn settings_from_rows(rows: Vec<(String, String)>) -> SystemSettings {
    let mut settings = SystemSettings::default();
    for (key, value) in rows {
        match key.as_str() {
            "categories" => {
                if let Ok(c) = serde_json::from_str::<Vec<String>>(&value) {
                    settings.categories = c;
                }
            }
            "sla" => {
                if let Ok(s) = serde_json::from_str::<SlaHours>(&value) {
                    settings.sla = s;
                }
            }
            "maxTicketsPerAgent" => {
                if let Ok(n) = value.parse() {
                    settings.max_tickets_per_agent = n;
                }
            }
            _ => {}
        }
    }
    settings
}

/// The settings as the (key, JSON value) rows they are stored in.
pub(super) fn settings_rows(s: &SystemSettings) -> [(&'static str, String); 3] {
    [
        ("categories", serde_json::to_string(&s.categories).unwrap_or_default()),
        ("sla", serde_json::to_string(&s.sla).unwrap_or_default()),
        ("maxTicketsPerAgent", s.max_tickets_per_agent.to_string()),
    ]
}

/// A LIKE pattern that finds `text` anywhere, its wildcards and the escape character (`\`,
/// named by `ESCAPE` where the dialect needs it) standing for themselves.
pub(super) fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// The counter scope and id of a ticket scope in ticket_counts; 'assignee' 0 holds the
/// unassigned tickets.
pub(super) fn counter_key(scope: TicketScope) -> (&'static str, i64) {
    match scope {
        TicketScope::All => ("all", 0),
        TicketScope::RequestedBy(id) => ("requester", id),
        TicketScope::AssignedTo(id) => ("assignee", id),
    }
}

/// Tickets per status from the (status, n) rows of ticket_counts.
pub(super) fn status_counts_from_rows(rows: Vec<(String, i64)>) -> StatusCounts {
    let mut counts = StatusCounts::default();
    for (raw, n) in rows {
        match TicketStatus::parse(&raw) {
            Some(TicketStatus::Open) => counts.open = n,
            Some(TicketStatus::InProgress) => counts.in_progress = n,
            Some(TicketStatus::OnHold) => counts.on_hold = n,
            Some(TicketStatus::Closed) => counts.closed = n,
            None => continue,
        }
        counts.total += n;
    }
    counts
}

/// Live accounts per role from the (role, n) rows of user_counts.
pub(super) fn role_counts_from_rows(rows: Vec<(String, i64)>) -> RoleCounts {
    let mut counts = RoleCounts::default();
    for (role, n) in rows {
        match Role::parse(&role) {
            Some(Role::User) => counts.users = n,
            Some(Role::Agent) => counts.agents = n,
            Some(Role::Admin) => counts.admins = n,
            Some(Role::Superadmin) => counts.superadmins = n,
            None => {}
        }
    }
    counts
}
