use super::extract::{ApiPath, ApiQuery};
use super::ApiJson;
use crate::domain::{RawTicketQuery, TicketPage};
use crate::error::AppError;
use crate::server::guard::{CurrentUser, StaffCaller};
use crate::server::services::presence as presence_service;
use crate::server::services::tickets::{self, NewTicketInput, TicketEdit};
use crate::server::startup::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use axum::extract::OriginalUri;

use super::openapi::schemas as s;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(show).put(update).delete(delete))
        .route("/{id}/close", put(close))
        .route("/{id}/replies", post(reply))
        .route("/{id}/history", get(history))
        .route("/{id}/presence", get(presence).post(announce))
}

/// A list reply: the rows plus paging figures. `next` is the link to the following page (the
/// same request continued after the last row, by keyset), or null on the last page; `total`
/// stops at 10 000 with `totalCapped` true, where an exact count would scan.
pub fn page_json(page: &TicketPage, uri: &OriginalUri) -> s::TicketPageReply {
    s::TicketPageReply {
        tickets: page.tickets.clone(),
        total: page.total,
        total_capped: page.total_capped,
        page: page.page,
        per_page: page.per_page,
        total_pages: page.total_pages(),
        next: page.next.map(|cursor| next_link(uri, &cursor.to_string())),
        next_cursor: page.next.map(|cursor| cursor.to_string()),
    }
}

/// The request's own path and query with `after` set to the cursor (and `page` dropped).
fn next_link(uri: &OriginalUri, cursor: &str) -> String {
    let mut query: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("after=") && !pair.starts_with("page="))
        .collect();
    let after = format!("after={cursor}");
    query.push(&after);
    format!("{}?{}", uri.path(), query.join("&"))
}

/// Tickets the caller may see: users their own, agents their assigned, admins all.
#[utoipa::path(get, path = "/api/tickets", tag = "tickets", params(RawTicketQuery),
    responses((status = 200, description = "A page of tickets", body = s::TicketPageReply)))]
async fn list(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiQuery(query): ApiQuery<RawTicketQuery>,
    uri: OriginalUri,
) -> Result<Json<s::TicketPageReply>, AppError> {
    Ok(Json(page_json(&tickets::list(&state.core, &caller, &query).await?, &uri)))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct NewTicketBody {
    #[schema(example = "Printer on floor 3 jams", min_length = 5, max_length = 200)]
    title: String,
    #[schema(example = "It jams on every second page.", min_length = 1, max_length = 10000)]
    description: String,
    /// One of the configured categories (see `GET /api/superadmin/settings`).
    #[schema(example = "technical")]
    category: String,
    /// Default `medium`.
    #[schema(value_type = Option<String>, example = "high", pattern = "^(low|medium|high|critical)$")]
    priority: Option<String>,
    user_id: Option<i64>,
}

/// Opens a ticket (staff may open one on behalf of a user with `userId`).
#[utoipa::path(post, path = "/api/tickets", tag = "tickets", request_body = NewTicketBody,
    responses((status = 201, description = "Created: open, unassigned, no notes", body = s::TicketReply)))]
async fn create(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiJson(body): ApiJson<NewTicketBody>,
) -> Result<(StatusCode, Json<s::TicketReply>), AppError> {
    let input = NewTicketInput {
        title: &body.title,
        description: &body.description,
        category: &body.category,
        priority: body.priority.as_deref(),
        requester: body.user_id,
    };
    let ticket = tickets::create(&state.core, &caller, input).await?;
    let ticket = s::TicketWithNotes { ticket, notes: Vec::new() };
    Ok((StatusCode::CREATED, Json(s::TicketReply { message: "Ticket created".into(), ticket })))
}

pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| AppError::not_found("Ticket not found"))
}

/// One ticket with its conversation and history, as the caller may see them.
#[utoipa::path(get, path = "/api/tickets/{id}", tag = "tickets", params(("id" = i64, Path, description = "Ticket id", example = 1)),
    responses((status = 200, description = "The ticket", body = s::TicketShowReply)))]
async fn show(State(state): State<AppState>, caller: CurrentUser, ApiPath(id): ApiPath<String>) -> Result<Json<s::TicketShowReply>, AppError> {
    let view = tickets::view(&state.core, &caller, parse_id(&id)?).await?;
    Ok(Json(s::TicketShowReply { ticket: s::TicketDetail { ticket: view.ticket, notes: view.notes, history: view.history, mails: view.mails } }))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct TicketEditBody {
    #[schema(min_length = 5, max_length = 200)]
    title: Option<String>,
    #[schema(min_length = 1, max_length = 10000)]
    description: Option<String>,
    #[schema(value_type = Option<String>, example = "in-progress", pattern = "^(open|in-progress|on-hold|closed)$")]
    status: Option<String>,
    #[schema(value_type = Option<String>, example = "high", pattern = "^(low|medium|high|critical)$")]
    priority: Option<String>,
    category: Option<String>,
    resolution_notes: Option<String>,
    /// The `version` of the ticket the edit is based on: sent, a stale one is refused (409);
    /// absent, the edit applies to the current version and the history keeps what it replaced.
    #[schema(example = 1)]
    version: Option<i64>,
    /// The newest history entry id the client has shown: a stale `version` is then answered
    /// with what others did after it.
    #[schema(example = 7)]
    seen: Option<i64>,
}

/// Edits a ticket: the requester its title and description while open; staff its status,
/// priority and category. With `version`, refused (409) if the ticket moved on meanwhile.
#[utoipa::path(put, path = "/api/tickets/{id}", tag = "tickets", params(("id" = i64, Path, description = "Ticket id", example = 1)), request_body = TicketEditBody,
    responses((status = 200, description = "Updated", body = s::TicketReply), (status = 409, description = "`version` stale, or the lifecycle forbids the change", body = s::ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<TicketEditBody>,
) -> Result<Json<s::TicketReply>, AppError> {
    let edit = TicketEdit {
        title: body.title.as_deref(),
        description: body.description.as_deref(),
        status: body.status.as_deref(),
        priority: body.priority.as_deref(),
        category: body.category.as_deref(),
        resolution_notes: body.resolution_notes.as_deref(),
        reply: None,
        version: body.version,
        seen: body.seen,
    };
    let ticket = tickets::edit(&state.core, &caller, parse_id(&id)?, edit).await?;
    super::changed(&state, &caller, ticket, "Ticket updated").await
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct CloseBody {
    #[schema(example = "Replaced the toner.", min_length = 1, max_length = 5000)]
    resolution_notes: String,
    /// The `version` of the ticket the close is based on: sent, a stale one is refused (409);
    /// absent, the lifecycle checks the ticket's current state.
    #[schema(example = 1)]
    version: Option<i64>,
    /// The newest history entry id the client has shown: a stale `version` is then answered
    /// with what others did after it.
    #[schema(example = 7)]
    seen: Option<i64>,
}

/// Closes a ticket with resolution notes (the assigned agent or an admin).
#[utoipa::path(put, path = "/api/tickets/{id}/close", tag = "tickets", params(("id" = i64, Path, description = "Ticket id", example = 1)), request_body = CloseBody,
    responses((status = 200, description = "Closed", body = s::TicketReply), (status = 409, description = "`version` stale, or the lifecycle forbids the change", body = s::ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    StaffCaller(caller): StaffCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<Json<s::TicketReply>, AppError> {
    let ticket = tickets::close(&state.core, &caller, parse_id(&id)?, &body.resolution_notes, body.version, body.seen).await?;
    super::changed(&state, &caller, ticket, "Ticket closed").await
}

/// Deletes a ticket (admins).
#[utoipa::path(delete, path = "/api/tickets/{id}", tag = "tickets", params(("id" = i64, Path, description = "Ticket id", example = 1)),
    responses((status = 200, description = "Deleted", body = s::MessageReply)))]
async fn delete(State(state): State<AppState>, caller: CurrentUser, ApiPath(id): ApiPath<String>) -> Result<Json<s::MessageReply>, AppError> {
    tickets::delete(&state.core, &caller, parse_id(&id)?, true).await?;
    Ok(Json(s::MessageReply { message: "Ticket deleted".into() }))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct ReplyBody {
    #[schema(example = "Thanks, that fixed it.", min_length = 1, max_length = 5000)]
    text: String,
    /// The id of the newest history entry the writer has read: if others changed the ticket
    /// after it, the reply is not added and the 409 says what they did.
    seen: Option<i64>,
}

/// Adds a public reply: the requester on their own ticket, or the staff working it, while the
/// ticket is not closed. The requester sees it; so does everyone who works the ticket.
#[utoipa::path(post, path = "/api/tickets/{id}/replies", tag = "tickets", params(("id" = i64, Path, description = "Ticket id", example = 1)), request_body = ReplyBody,
    responses((status = 201, description = "Reply added", body = s::TicketReply),
        (status = 409, description = "The ticket is closed, or others changed it after `seen`", body = s::ErrorBody)))]
async fn reply(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> Result<(StatusCode, Json<s::TicketReply>), AppError> {
    let ticket = tickets::add_note(&state.core, &caller, parse_id(&id)?, &body.text, false, body.seen).await?;
    Ok((StatusCode::CREATED, super::changed(&state, &caller, ticket, "Reply added").await?))
}

/// A ticket's history, oldest first: every change, reply and (for the staff working it)
/// internal note.
#[utoipa::path(get, path = "/api/tickets/{id}/history", tag = "tickets", params(("id" = i64, Path, description = "Ticket id", example = 1)),
    responses((status = 200, description = "The history", body = s::HistoryReply)))]
async fn history(State(state): State<AppState>, caller: CurrentUser, ApiPath(id): ApiPath<String>) -> Result<Json<s::HistoryReply>, AppError> {
    Ok(Json(s::HistoryReply { history: tickets::history(&state.core, &caller, parse_id(&id)?).await? }))
}

/// Who else has the ticket open now (the staff working it; see `POST` to say one is there).
#[utoipa::path(get, path = "/api/tickets/{id}/presence", tag = "tickets", params(("id" = i64, Path, description = "Ticket id", example = 1)),
    responses((status = 200, description = "The other people on the ticket", body = s::PresenceReply)))]
async fn presence(State(state): State<AppState>, StaffCaller(caller): StaffCaller, ApiPath(id): ApiPath<String>) -> Result<Json<s::PresenceReply>, AppError> {
    Ok(Json(s::PresenceReply { viewers: presence_service::viewers(&state.core, &caller, parse_id(&id)?).await? }))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct PresenceBody {
    /// Names the page (8–64 letters, digits, `-`, `_`): a person's two tabs are two pages.
    #[schema(example = "tab-3f9a61c2", min_length = 8, max_length = 64, pattern = "^[A-Za-z0-9_-]{8,64}$")]
    tab: String,
    /// What the page is doing; `gone` as it closes. Said again within 45 s, or it lapses.
    #[schema(example = "replying", pattern = "^(viewing|replying|noting|gone)$")]
    state: String,
}

/// Says what one page is doing on the ticket (staff working it), and answers who else is there.
#[utoipa::path(post, path = "/api/tickets/{id}/presence", tag = "tickets", params(("id" = i64, Path, description = "Ticket id", example = 1)), request_body = PresenceBody,
    responses((status = 200, description = "Recorded; the other people on the ticket", body = s::PresenceReply)))]
async fn announce(
    State(state): State<AppState>,
    StaffCaller(caller): StaffCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PresenceBody>,
) -> Result<Json<s::PresenceReply>, AppError> {
    let viewers = presence_service::announce(&state.core, &caller, parse_id(&id)?, &body.tab, &body.state).await?;
    Ok(Json(s::PresenceReply { viewers }))
}
