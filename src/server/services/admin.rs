//! The admin's view of the queue: dashboard, reports and exports.

use crate::domain::{AdminDashboard, AgentPerformance, MailStatus, RawTicketQuery, Report, Role, TicketQuery, TicketRow, TicketScope};
use crate::error::AppError;
use crate::server::csv;
use crate::server::guard::CurrentUser;
use crate::server::startup::Core;
use futures_util::stream::{self, Stream, StreamExt};
use std::sync::Arc;

/// Admins and super admins only (403 otherwise); every admin service starts here.
pub(super) fn admin(caller: &CurrentUser) -> Result<(), AppError> {
    caller.require(&[Role::Admin, Role::Superadmin]).map_err(|_| AppError::forbidden("Admin access required"))
}

pub async fn dashboard(core: &Core, caller: &CurrentUser) -> Result<AdminDashboard, AppError> {
    admin(caller)?;
    let now = chrono::Utc::now();
    let (mut dashboard, mail) = tokio::try_join!(core.store.admin_overview(5, now), core.store.mail_health(now.timestamp()))?;
    dashboard.mail = mail_status(mail);
    Ok(dashboard)
}

/// Sends waiting mail now and tries mail given up on again (after the mail server was fixed).
/// Returns how many mails that concerns.
pub async fn retry_mail(core: &Core, caller: &CurrentUser) -> Result<i64, AppError> {
    admin(caller)?;
    let n = core.store.retry_mail_now(chrono::Utc::now().timestamp()).await?;
    core.mail_wake.notify_one();
    tracing::info!(user_id = caller.id, mails = n, "mail retried by an admin");
    Ok(n)
}

/// The outbox's health as the dashboard shows it.
pub fn mail_status(h: crate::server::store::MailHealth) -> MailStatus {
    use crate::server::store::MAIL_DEPTH_CAP;
    let (last_error_at, last_error) = match h.last_error {
        Some((at, error)) => (chrono::DateTime::from_timestamp(at, 0), Some(error)),
        None => (None, None),
    };
    MailStatus {
        waiting: h.waiting.min(MAIL_DEPTH_CAP),
        waiting_capped: h.waiting > MAIL_DEPTH_CAP,
        oldest_waiting_secs: h.oldest_waiting_secs,
        failed: h.failed.min(MAIL_DEPTH_CAP),
        failed_capped: h.failed > MAIL_DEPTH_CAP,
        last_error,
        last_error_at,
    }
}

/// Every agent with their figures and current load, for assignment choices.
pub async fn agents(core: &Core, caller: &CurrentUser) -> Result<Vec<AgentPerformance>, AppError> {
    admin(caller)?;
    Ok(core.store.agent_performance(None).await?)
}

pub async fn report(core: &Core, caller: &CurrentUser, from: Option<&str>, to: Option<&str>) -> Result<Report, AppError> {
    admin(caller)?;
    let (from, to) = Report::parse_range(from, to, chrono::Utc::now().date_naive())?;
    Ok(core.store.report(from, to).await?)
}

const TICKET_HEADER: [&str; 12] = [
    "id", "title", "status", "priority", "category", "requester", "assignee", "created", "updated", "due", "overdue",
    "requesterId",
];

fn ticket_record(t: &TicketRow) -> String {
    csv::record(&[
        t.id.to_string(),
        t.title.clone(),
        t.status.as_str().to_string(),
        t.priority.as_str().to_string(),
        t.category.clone(),
        t.user_name.clone(),
        t.agent_name.clone().unwrap_or_default(),
        t.created_at.to_rfc3339(),
        t.updated_at.to_rfc3339(),
        t.due_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
        t.overdue.to_string(),
        t.user_id.to_string(),
    ])
}

/// Rows read per step of an export.
const EXPORT_BATCH: u32 = 1000;

/// The filtered ticket list as CSV: every matching ticket, in the list's order, as a stream of
/// chunks. Each chunk is one keyset step of `EXPORT_BATCH` rows, so an export of any size
/// holds one batch in memory and never re-reads the rows before it.
pub async fn tickets_csv(
    core: Arc<Core>,
    caller: &CurrentUser,
    raw: &RawTicketQuery,
) -> Result<impl Stream<Item = Result<String, AppError>> + Send + 'static, AppError> {
    admin(caller)?;
    let mut query = TicketQuery { page: 1, per_page: EXPORT_BATCH, after: None, ..TicketQuery::parse(raw)? };
    // The first batch is read before anything is sent: if the query fails, the answer is a
    // proper error status rather than a download that breaks off.
    // One moment for the whole export, so every row's "overdue" is decided alike.
    let now = chrono::Utc::now();
    let first = core.store.ticket_rows(TicketScope::All, &query, now).await?;
    let first_chunk = batch_chunk(&first, &mut query);
    let rest = (first.len() == EXPORT_BATCH as usize).then_some((core, query));
    let header = stream::iter([Ok(csv::record(&TICKET_HEADER)), Ok(first_chunk)]);
    let rows = stream::unfold(rest, move |state| async move {
        let (core, mut query) = state?;
        match core.store.ticket_rows(TicketScope::All, &query, now).await {
            Err(e) => Some((Err(e.into()), None)),
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => {
                let chunk = batch_chunk(&rows, &mut query);
                let more = rows.len() == EXPORT_BATCH as usize;
                Some((Ok(chunk), more.then_some((core, query))))
            }
        }
    });
    // Fused: the body may poll once more after the end, which a bare unfold does not allow.
    Ok(header.chain(rows).fuse())
}

/// One batch as CSV lines; the query moves on past its last row.
fn batch_chunk(rows: &[TicketRow], query: &mut TicketQuery) -> String {
    if let Some(last) = rows.last() {
        query.after = Some(query.cursor_after(last));
    }
    rows.iter().map(ticket_record).collect()
}

/// The report as CSV: one section per table, each with its own header.
pub async fn report_csv(core: &Core, caller: &CurrentUser, from: Option<&str>, to: Option<&str>) -> Result<String, AppError> {
    let r = report(core, caller, from, to).await?;
    let mut out = csv::record(&["section", "key", "value", "extra"]);
    let mut row = |section: &str, key: String, value: String, extra: String| {
        out.push_str(&csv::record(&[section.to_string(), key, value, extra]));
    };
    row("range", r.from.to_string(), r.to.to_string(), String::new());
    let s = &r.by_status;
    for (k, v) in [("open", s.open), ("in-progress", s.in_progress), ("on-hold", s.on_hold), ("closed", s.closed)] {
        row("status", k.into(), v.to_string(), String::new());
    }
    for (k, v) in &r.by_priority {
        row("priority", k.clone(), v.to_string(), String::new());
    }
    for (k, v) in &r.by_category {
        row("category", k.clone(), v.to_string(), String::new());
    }
    for d in &r.per_day {
        row("day", d.day.to_string(), d.opened.to_string(), d.closed.to_string());
    }
    let hours = |h: Option<f64>| h.map(|h| format!("{h:.2}")).unwrap_or_default();
    row("avgResolutionHours", "all".into(), hours(r.avg_resolution_hours), String::new());
    for a in &r.agents {
        row("agent", a.agent_name.clone(), a.resolved.to_string(), hours(a.avg_resolution_hours));
    }
    row("slaCompliancePercent", r.sla_met.to_string(), r.sla_compliance().map(|p| format!("{p:.1}")).unwrap_or_default(), r.sla_closed.to_string());
    Ok(out)
}
