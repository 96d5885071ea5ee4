use super::tickets::{page_json, parse_id};
use super::extract::{ApiPath, ApiQuery};
use super::ApiJson;
use crate::domain::RawTicketQuery;
use crate::error::AppError;
use crate::server::guard::AdminCaller;
use crate::server::services::{account, admin as service, assignment, tickets};
use crate::server::startup::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use axum::extract::OriginalUri;
use futures_util::StreamExt;
use serde::Deserialize;
use super::openapi::schemas as s;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/mail/retry", axum::routing::post(retry_mail))
        .route("/tickets", get(list))
        .route("/tickets/export.csv", get(tickets_csv))
        .route("/tickets/assign", put(bulk_assign))
        .route("/ticket/{id}/assign", put(assign))
        .route("/ticket/{id}/reassign", put(reassign))
        .route("/ticket/{id}/assign-least-loaded", put(assign_least_loaded))
        .route("/agents", get(agents))
        .route("/reports", get(reports))
        .route("/reports/export.csv", get(reports_csv))
        .route("/profile", get(profile))
}

/// Ticket counts, agent performance and recent tickets.
#[utoipa::path(get, path = "/api/admin/dashboard", tag = "admin",
    responses((status = 200, description = "The dashboard", body = s::AdminDashboardReply)))]
async fn dashboard(State(state): State<AppState>, AdminCaller(caller): AdminCaller) -> Result<Json<s::AdminDashboardReply>, AppError> {
    let d = service::dashboard(&state.core, &caller).await?;
    let c = &d.counts;
    let stats = s::AdminStats {
        total_tickets: c.total,
        open_tickets: c.open,
        in_progress_tickets: c.in_progress,
        on_hold_tickets: c.on_hold,
        closed_tickets: c.closed,
        unassigned_tickets: d.unassigned,
        overdue_tickets: d.overdue,
    };
    Ok(Json(s::AdminDashboardReply { dashboard: s::AdminDashboard { stats, agent_performance: d.agents, recent_tickets: d.recent, mail: d.mail } }))
}

/// Sends the mail waiting in the outbox now, and tries mail that was given up on again (after
/// the mail server or its settings were fixed).
#[utoipa::path(post, path = "/api/admin/mail/retry", tag = "admin",
    responses((status = 200, description = "How many mails are due now", body = s::MailRetryReply)))]
async fn retry_mail(State(state): State<AppState>, AdminCaller(caller): AdminCaller) -> Result<Json<s::MailRetryReply>, AppError> {
    let retried = service::retry_mail(&state.core, &caller).await?;
    Ok(Json(s::MailRetryReply { message: format!("{retried} mail(s) will be sent now"), retried }))
}

/// Every ticket, filtered and paged.
#[utoipa::path(get, path = "/api/admin/tickets", tag = "admin", params(RawTicketQuery),
    responses((status = 200, description = "A page of tickets", body = s::TicketPageReply)))]
async fn list(State(state): State<AppState>, AdminCaller(caller): AdminCaller, ApiQuery(query): ApiQuery<RawTicketQuery>, uri: OriginalUri) -> Result<Json<s::TicketPageReply>, AppError> {
    Ok(Json(page_json(&tickets::list(&state.core, &caller, &query).await?, &uri)))
}

pub fn csv_response(filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response()
}

/// The filtered ticket list as CSV.
///
/// Streamed: the body is written batch by batch as the rows are read. A failure after the
/// first byte can only cut the download short (logged); before it, it is an ordinary error.
#[utoipa::path(get, path = "/api/admin/tickets/export.csv", tag = "admin", params(RawTicketQuery),
    responses((status = 200, description = "CSV, one ticket a line", content_type = "text/csv", body = String)))]
async fn tickets_csv(State(state): State<AppState>, AdminCaller(caller): AdminCaller, ApiQuery(query): ApiQuery<RawTicketQuery>) -> Result<Response, AppError> {
    let chunks = service::tickets_csv(state.core.clone(), &caller, &query).await?.map(|chunk| {
        chunk.inspect_err(|e| tracing::error!(error = ?e, "ticket export stopped part way"))
    });
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"tickets.csv\"".to_string()),
    ];
    Ok((headers, axum::body::Body::from_stream(chunks)).into_response())
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct BulkBody {
    ticket_ids: Vec<i64>,
    /// Left out or null: each ticket goes to the least-loaded agent with room.
    agent_id: Option<i64>,
}

/// Assigns up to 100 tickets in one transaction: `{assigned: [ids], refused: [{id, reason}]}`.
#[utoipa::path(put, path = "/api/admin/tickets/assign", tag = "admin", request_body = BulkBody,
    responses((status = 200, description = "What was assigned and what was refused", body = s::BulkAssignReply),
        (status = 409, description = "`agentId` is not an active agent (tickets refused one by one are in `refused`)", body = s::ErrorBody)))]
async fn bulk_assign(State(state): State<AppState>, AdminCaller(caller): AdminCaller, ApiJson(body): ApiJson<BulkBody>) -> Result<Json<s::BulkAssignReply>, AppError> {
    let outcome = assignment::bulk_assign(&state.core, &caller, &body.ticket_ids, body.agent_id).await?;
    Ok(Json(s::BulkAssignReply {
        message: format!("Assigned {} tickets", outcome.assigned.len()),
        assigned: outcome.assigned,
        refused: outcome.refused.into_iter().map(|r| s::BulkRefused { id: r.id, reason: r.reason }).collect(),
    }))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct AssignBody {
    /// Required: the agent to assign the ticket to.
    #[schema(required = true, value_type = i64, example = 3)]
    agent_id: Option<i64>,
}

fn agent_id(body: &AssignBody) -> Result<i64, AppError> {
    body.agent_id.ok_or_else(|| AppError::invalid("agentId", "agentId is required."))
}

/// Assigns an unassigned ticket to an active agent with room.
#[utoipa::path(put, path = "/api/admin/ticket/{id}/assign", tag = "admin", params(("id" = i64, Path, description = "Ticket id", example = 1)), request_body = AssignBody,
    responses((status = 200, description = "Assigned", body = s::TicketReply),
        (status = 409, description = "Closed, already assigned, not an active agent, or the agent is full", body = s::ErrorBody)))]
async fn assign(State(state): State<AppState>, AdminCaller(caller): AdminCaller, ApiPath(id): ApiPath<String>, ApiJson(body): ApiJson<AssignBody>) -> Result<Json<s::TicketReply>, AppError> {
    let ticket = assignment::assign(&state.core, &caller, parse_id(&id)?, agent_id(&body)?).await?;
    super::changed(&state, &caller, ticket, "Ticket assigned").await
}

/// Moves an assigned ticket to another agent.
#[utoipa::path(put, path = "/api/admin/ticket/{id}/reassign", tag = "admin", params(("id" = i64, Path, description = "Ticket id", example = 1)), request_body = AssignBody,
    responses((status = 200, description = "Reassigned", body = s::TicketReply),
        (status = 409, description = "Closed, not assigned yet, same agent, or the agent is full", body = s::ErrorBody)))]
async fn reassign(State(state): State<AppState>, AdminCaller(caller): AdminCaller, ApiPath(id): ApiPath<String>, ApiJson(body): ApiJson<AssignBody>) -> Result<Json<s::TicketReply>, AppError> {
    let ticket = assignment::reassign(&state.core, &caller, parse_id(&id)?, agent_id(&body)?).await?;
    super::changed(&state, &caller, ticket, "Ticket reassigned").await
}

/// Assigns an unassigned ticket to the active agent with the fewest open tickets.
#[utoipa::path(put, path = "/api/admin/ticket/{id}/assign-least-loaded", tag = "admin", params(("id" = i64, Path, description = "Ticket id", example = 1)),
    responses((status = 200, description = "Assigned", body = s::TicketReply),
        (status = 409, description = "Closed, already assigned, or no agent has room", body = s::ErrorBody)))]
async fn assign_least_loaded(State(state): State<AppState>, AdminCaller(caller): AdminCaller, ApiPath(id): ApiPath<String>) -> Result<Json<s::TicketReply>, AppError> {
    let ticket = assignment::assign_least_loaded(&state.core, &caller, parse_id(&id)?).await?;
    super::changed(&state, &caller, ticket, "Ticket assigned").await
}

/// Every agent with their figures.
#[utoipa::path(get, path = "/api/admin/agents", tag = "admin",
    responses((status = 200, description = "The agents", body = s::AgentsReply)))]
async fn agents(State(state): State<AppState>, AdminCaller(caller): AdminCaller) -> Result<Json<s::AgentsReply>, AppError> {
    Ok(Json(s::AgentsReply { agents: service::agents(&state.core, &caller).await? }))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct RangeQuery {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today); at most 366 days in all.
    to: Option<String>,
}

/// Figures over tickets created or closed in a date range.
#[utoipa::path(get, path = "/api/admin/reports", tag = "admin", params(RangeQuery),
    responses((status = 200, description = "The report", body = s::ReportsReply)))]
async fn reports(State(state): State<AppState>, AdminCaller(caller): AdminCaller, ApiQuery(q): ApiQuery<RangeQuery>) -> Result<Json<s::ReportsReply>, AppError> {
    let r = service::report(&state.core, &caller, q.from.as_deref(), q.to.as_deref()).await?;
    let pairs = |v: &[(String, i64)]| v.iter().cloned().collect::<std::collections::BTreeMap<_, _>>();
    let by = &r.by_status;
    let sla = s::SlaFigures { closed: r.sla_closed, met: r.sla_met, compliance_percent: r.sla_compliance() };
    Ok(Json(s::ReportsReply {
        reports: s::Reports {
            from: r.from,
            to: r.to,
            total_tickets: r.total,
            by_status: s::ByStatus { open: by.open, in_progress: by.in_progress, on_hold: by.on_hold, closed: by.closed },
            by_priority: pairs(&r.by_priority),
            by_category: pairs(&r.by_category),
            avg_resolution_time: r.avg_resolution_hours,
            sla,
            per_day: r.per_day,
            agent_performance: r.agents,
        },
    }))
}

/// The report as CSV.
#[utoipa::path(get, path = "/api/admin/reports/export.csv", tag = "admin", params(RangeQuery),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String)))]
async fn reports_csv(State(state): State<AppState>, AdminCaller(caller): AdminCaller, ApiQuery(q): ApiQuery<RangeQuery>) -> Result<Response, AppError> {
    Ok(csv_response("report.csv", service::report_csv(&state.core, &caller, q.from.as_deref(), q.to.as_deref()).await?))
}

/// The admin's profile.
#[utoipa::path(get, path = "/api/admin/profile", tag = "admin",
    responses((status = 200, description = "The profile", body = s::ProfileReply)))]
async fn profile(State(state): State<AppState>, AdminCaller(caller): AdminCaller) -> Result<Json<s::ProfileReply>, AppError> {
    Ok(Json(s::ProfileReply { profile: account::profile(&state.core, &caller).await? }))
}
