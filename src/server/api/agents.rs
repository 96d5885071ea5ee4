use super::tickets::{page_json, parse_id};
use super::extract::{ApiPath, ApiQuery};
use super::ApiJson;
use crate::domain::RawTicketQuery;
use crate::error::AppError;
use crate::server::guard::AgentCaller;
use crate::server::services::{account, dashboard, tickets};
use crate::server::startup::AppState;
use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use axum::extract::OriginalUri;
use super::openapi::schemas as s;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(home))
        .route("/assigned-tickets", get(assigned))
        .route("/ticket/{id}/status", put(status))
        .route("/ticket/{id}/note", post(note))
        .route("/profile", get(profile))
}

/// The agent's figures and recently updated assigned tickets.
#[utoipa::path(get, path = "/api/agents/dashboard", tag = "agents",
    responses((status = 200, description = "The dashboard", body = s::AgentDashboardReply)))]
async fn home(State(state): State<AppState>, AgentCaller(caller): AgentCaller) -> Result<Json<s::AgentDashboardReply>, AppError> {
    let summary = dashboard::home(&state.core, &caller).await?;
    let stats = summary.agent.unwrap_or(crate::domain::AgentStats { assigned: 0, resolved: 0, pending: 0, avg_resolution_hours: None });
    Ok(Json(s::AgentDashboardReply {
        dashboard: s::AgentDashboard {
            assigned_tickets: stats.assigned,
            resolved_tickets: stats.resolved,
            pending_tickets: stats.pending,
            overdue_tickets: summary.overdue,
            performance: s::AgentPerformanceFigures {
                total_assigned: stats.assigned,
                resolved: stats.resolved,
                pending: stats.pending,
                avg_resolution_time: stats.avg_resolution_hours,
            },
            recent_tickets: summary.recent,
        },
    }))
}

/// Tickets assigned to the caller.
#[utoipa::path(get, path = "/api/agents/assigned-tickets", tag = "agents", params(RawTicketQuery),
    responses((status = 200, description = "A page of tickets", body = s::TicketPageReply)))]
async fn assigned(
    State(state): State<AppState>,
    AgentCaller(caller): AgentCaller,
    ApiQuery(query): ApiQuery<RawTicketQuery>,
    uri: OriginalUri,
) -> Result<Json<s::TicketPageReply>, AppError> {
    Ok(Json(page_json(&tickets::list(&state.core, &caller, &query).await?, &uri)))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct StatusBody {
    #[schema(example = "in-progress", pattern = "^(open|in-progress|on-hold|closed)$")]
    status: String,
    /// Added to the ticket as a note.
    notes: Option<String>,
    /// The `version` of the ticket the change is based on: sent, a stale one is refused (409);
    /// absent, the lifecycle checks the ticket's current state.
    #[schema(example = 1)]
    version: Option<i64>,
    /// The newest history entry id the client has shown: a stale `version` is then answered
    /// with what others did after it.
    #[schema(example = 7)]
    seen: Option<i64>,
}

/// Moves an assigned ticket along its lifecycle.
#[utoipa::path(put, path = "/api/agents/ticket/{id}/status", tag = "agents", params(("id" = i64, Path, description = "Ticket id", example = 1)), request_body = StatusBody,
    responses((status = 200, description = "Status changed", body = s::TicketReply), (status = 409, description = "`version` stale, or the lifecycle forbids the change", body = s::ErrorBody)))]
async fn status(
    State(state): State<AppState>,
    AgentCaller(caller): AgentCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<s::TicketReply>, AppError> {
    let ticket =
        tickets::change_status(&state.core, &caller, parse_id(&id)?, &body.status, body.notes.as_deref(), body.version, body.seen).await?;
    super::changed(&state, &caller, ticket, "Status updated").await
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct NoteBody {
    #[schema(example = "Asked the user for a screenshot.", min_length = 1, max_length = 5000)]
    note: String,
    /// `false` posts a public reply instead of an internal note.
    internal: Option<bool>,
    /// The id of the newest history entry the writer has read: if others changed the ticket
    /// after it, nothing is added and the 409 says what they did.
    seen: Option<i64>,
}

/// Adds an internal note (or, with `internal: false`, a public reply) to an assigned ticket.
#[utoipa::path(post, path = "/api/agents/ticket/{id}/note", tag = "agents", params(("id" = i64, Path, description = "Ticket id", example = 1)), request_body = NoteBody,
    responses((status = 200, description = "Note added", body = s::TicketReply),
        (status = 409, description = "The ticket is closed, or others changed it after `seen`", body = s::ErrorBody)))]
async fn note(
    State(state): State<AppState>,
    AgentCaller(caller): AgentCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Json<s::TicketReply>, AppError> {
    let internal = body.internal.unwrap_or(true);
    let ticket = tickets::add_note(&state.core, &caller, parse_id(&id)?, &body.note, internal, body.seen).await?;
    super::changed(&state, &caller, ticket, "Note added").await
}

/// The agent's profile with assigned and resolved counts.
#[utoipa::path(get, path = "/api/agents/profile", tag = "agents",
    responses((status = 200, description = "The profile", body = s::AgentProfileReply)))]
async fn profile(State(state): State<AppState>, AgentCaller(caller): AgentCaller) -> Result<Json<s::AgentProfileReply>, AppError> {
    let (profile, stats) = tokio::try_join!(account::profile(&state.core, &caller), dashboard::agent_stats(&state.core, &caller))?;
    let stats = s::AgentStatsFigures { assigned: stats.assigned, resolved: stats.resolved };
    Ok(Json(s::AgentProfileReply { profile: s::AgentProfile { profile, stats } }))
}
