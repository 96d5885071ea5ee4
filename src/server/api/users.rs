use super::ApiJson;
use crate::domain::RawTicketQuery;
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::services::account::{self, ProfileChanges};
use crate::server::services::{dashboard, tickets};
use crate::server::startup::AppState;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use axum::extract::OriginalUri;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/profile", get(profile).put(update_profile))
        .route("/dashboard", get(home))
        .route("/my-tickets", get(my_tickets))
}

async fn profile(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<Value>, AppError> {
    let profile = account::profile(&state.core, &caller).await?;
    Ok(Json(json!({ "profile": profile })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProfileBody {
    name: String,
    phone: String,
    department: String,
}

async fn update_profile(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<Value>, AppError> {
    let changes = ProfileChanges { name: &body.name, phone: &body.phone, department: &body.department };
    let profile = account::update_profile(&state.core, &caller, changes).await?;
    Ok(Json(json!({ "message": "Profile updated", "profile": profile })))
}

async fn home(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<Value>, AppError> {
    // Any signed-in person's own requests: staff raise tickets too.
    let summary = dashboard::own_requests(&state.core, &caller).await?;
    let c = &summary.counts;
    Ok(Json(json!({ "dashboard": {
        "totalTickets": c.total,
        "openTickets": c.open,
        "inProgressTickets": c.in_progress,
        "onHoldTickets": c.on_hold,
        "closedTickets": c.closed,
        "overdueTickets": summary.overdue,
        "recentTickets": summary.recent,
    }})))
}

async fn my_tickets(
    State(state): State<AppState>,
    caller: CurrentUser,
    Query(query): Query<RawTicketQuery>,
    uri: OriginalUri,
) -> Result<Json<Value>, AppError> {
    Ok(Json(super::tickets::page_json(&tickets::list_own_requests(&state.core, &caller, &query).await?, &uri)))
}
