//! The values that cross the storage boundary, the same for every backend.

use crate::domain::{EventKind, Priority, Profile, Role, TicketCursor, TicketRow, TicketStatus};
use crate::server::security::PasswordHash;
use chrono::{DateTime, Utc};

pub struct NewTicket<'a> {
    pub requester: i64,
    pub actor: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub priority: Priority,
    /// SLA deadline, unix seconds.
    pub due_at: i64,
}

/// The columns an update sets; `None` leaves a column as it is.
#[derive(Debug, Default)]
pub struct TicketUpdate {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub category: Option<String>,
    pub assigned_to: Option<i64>,
    /// Leaves the ticket unassigned (its agent's account was deleted).
    pub unassign: bool,
    /// With `assigned_to`: write only while that agent holds fewer open tickets than this, so
    /// the cap holds even when two admins assign at the same moment.
    pub max_open_for_assignee: Option<i64>,
    /// A new SLA deadline (unix seconds), when the priority changes.
    pub due_at: Option<i64>,
    /// Closing time and resolution notes.
    pub closed: Option<(DateTime<Utc>, String)>,
    /// Whether this is an edit that concurrent edits must not silently overwrite.
    pub bump_version: bool,
}

/// A page of a list as `list_tickets` reads it.
pub struct ListedTickets {
    pub rows: Vec<TicketRow>,
    pub next: Option<TicketCursor>,
    pub total: i64,
    pub capped: bool,
}

pub struct NewEvent {
    pub kind: EventKind,
    pub detail: String,
    pub internal: bool,
}

/// A user as stored, including the secret parts pages never see.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub profile: Profile,
    pub password_hash: PasswordHash,
}

pub struct UserChange<'a> {
    pub name: &'a str,
    pub role: Role,
    pub is_active: bool,
    pub department: &'a str,
    pub phone: &'a str,
}

pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a PasswordHash,
    pub role: Role,
    pub department: &'a str,
    pub phone: &'a str,
}

/// Something worth a line in the audit trail.
#[derive(Clone, Copy)]
pub struct AuditRecord<'a> {
    pub actor_id: Option<i64>,
    pub actor_email: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
    pub ip: &'a str,
}

/// Searches shorter than a trigram cannot use the index; the service asks for three characters.
pub const MIN_AUDIT_SEARCH: usize = 3;

/// A counter in its window after one more hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hits {
    pub count: i64,
    pub window_start: i64,
}

/// One connection pool's size at this moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// `read` or `write`; an in-memory database uses one pool for both.
    pub pool: &'static str,
    /// Connections open, idle or in use.
    pub size: u32,
    pub idle: usize,
}

/// A demo account of the API contract, with its password already hashed.
pub struct DemoAccount {
    pub id: i64,
    pub name: &'static str,
    pub email: &'static str,
    pub role: Role,
    pub password_hash: PasswordHash,
}

/// The contract's three demo tickets: (id, requester, title, description, status, priority, category, assignee).
pub(super) const DEMO_TICKETS: [(i64, i64, &str, &str, &str, &str, &str, Option<i64>); 3] = [
    (1, 4, "Login Issue", "I cannot sign in to my account since this morning.", "open", "high", "account", Some(3)),
    (2, 5, "Password Reset", "The password reset email never arrives.", "in-progress", "medium", "security", Some(3)),
    (3, 4, "Data Export Issue", "The CSV export of my data stops halfway.", "closed", "low", "technical", None),
];

/// A time as the store writes it: to the microsecond, which is all PostgreSQL keeps, so that
/// both backends store, show and page by the same instants and a moved installation is exact.
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

/// Now, as the store writes it (see `micros`).
pub fn written_now() -> DateTime<Utc> {
    micros(Utc::now())
}

/// One ticket change inside a `Changes`, as the notification rule needs it.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub id: i64,
    pub actor: i64,
    pub requester: i64,
    /// The assignee after the change.
    pub assignee: Option<i64>,
    pub events: Vec<(EventKind, bool, String)>,
}

/// A person a mail may go to, read inside the change that causes it.
#[derive(Debug, Clone)]
pub struct MailPerson {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    /// The notification kinds switched off (`domain::NoticeKind` names).
    pub opted_out: Vec<String>,
}

/// A mail written to the outbox.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: String,
    pub ticket_id: Option<i64>,
    pub recipient_id: Option<i64>,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// Without angle brackets.
    pub message_id: String,
    pub thread_id: Option<String>,
    pub reply_to: Option<String>,
}

/// A mail claimed from the outbox for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub kind: String,
    pub ticket_id: Option<i64>,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub message_id: String,
    pub thread_id: Option<String>,
    pub reply_to: Option<String>,
    /// Including this one.
    pub attempts: i64,
}

/// What an attempt to send came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailOutcome {
    Sent,
    /// Try again at this time (unix seconds).
    Retry { error: String, at: i64 },
    /// Refused for good, or too many attempts.
    GiveUp { error: String },
}

/// The outbox at a glance: mail waiting (capped at `MAIL_DEPTH_CAP`, beyond it "more"), the
/// oldest waiting mail's age, the mails given up on, and the last refusal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailHealth {
    pub waiting: i64,
    pub oldest_waiting_secs: Option<i64>,
    pub failed: i64,
    pub last_error: Option<(i64, String)>,
}

/// Counts of the outbox are read up to this many rows (an index walk, never a scan of the
/// history); beyond it the page says "10 000+".
pub const MAIL_DEPTH_CAP: i64 = 10_000;

/// One delivery attempt: when (unix seconds) and the refusal, if any.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailAttempt {
    pub at: i64,
    pub error: Option<String>,
}

/// A mail taken in, and what was done with it.
#[derive(Debug, Clone)]
pub struct InboundRecord {
    pub message_id: String,
    pub received_at: i64,
    /// `api` or `imap`.
    pub source: String,
    pub sender: String,
    pub subject: String,
    pub outcome: String,
    pub ticket_id: Option<i64>,
    pub reason: String,
    /// The raw message, when it is within the size kept.
    pub raw: Option<Vec<u8>>,
    pub raw_size: i64,
}

/// A mail taken in for a ticket, with its raw message if it was kept: staff read it whole on
/// the ticket page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TicketMailRow {
    pub id: i64,
    pub received_at: i64,
    pub sender: String,
    pub subject: String,
    pub outcome: String,
    pub reason: String,
    pub raw: Option<Vec<u8>>,
}

/// A mail taken in, as the admin's list shows it (without the raw message).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboundRow {
    pub id: i64,
    pub message_id: String,
    pub received_at: i64,
    pub source: String,
    pub sender: String,
    pub subject: String,
    pub outcome: String,
    pub ticket_id: Option<i64>,
    pub reason: String,
    pub raw_size: i64,
    pub raw_kept: bool,
}

/// What a report kept in memory depends on (`Store::report_inputs`): `version` moves with
/// every ticket change (the newest live event, the newest ticket); `agents` are who the report
/// lists now, `(id, shown name, active)` in its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInputs {
    pub version: (i64, i64),
    pub agents: Vec<(i64, String, bool)>,
}
