use super::extract::ApiQuery;
use super::ApiJson;
use crate::domain::RawTicketQuery;
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::services::account::{self, ProfileChanges};
use crate::server::services::{dashboard, tickets};
use crate::server::startup::AppState;
use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use axum::extract::OriginalUri;

use super::openapi::schemas as s;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/profile", get(profile).put(update_profile))
        .route("/password", put(change_password))
        .route("/notifications", get(notifications).put(set_notifications))
        .route("/dashboard", get(home))
        .route("/my-tickets", get(my_tickets))
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/users/profile", tag = "users",
    responses((status = 200, description = "The profile", body = s::ProfileReply)))]
async fn profile(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<s::ProfileReply>, AppError> {
    Ok(Json(s::ProfileReply { profile: account::profile(&state.core, &caller).await? }))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct ProfileBody {
    name: String,
    phone: String,
    department: String,
}

/// Changes the caller's name, phone and department.
#[utoipa::path(put, path = "/api/users/profile", tag = "users", request_body = ProfileBody,
    responses((status = 200, description = "Saved", body = s::ProfileUpdatedReply)))]
async fn update_profile(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<s::ProfileUpdatedReply>, AppError> {
    let changes = ProfileChanges { name: &body.name, phone: &body.phone, department: &body.department };
    let profile = account::update_profile(&state.core, &caller, changes).await?;
    Ok(Json(s::ProfileUpdatedReply { message: "Profile updated".into(), profile }))
}

/// Counts and recent tickets of the caller's own requests.
#[utoipa::path(get, path = "/api/users/dashboard", tag = "users",
    responses((status = 200, description = "The dashboard", body = s::UserDashboardReply)))]
async fn home(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<s::UserDashboardReply>, AppError> {
    // Any signed-in person's own requests: staff raise tickets too.
    let summary = dashboard::own_requests(&state.core, &caller).await?;
    let c = &summary.counts;
    Ok(Json(s::UserDashboardReply {
        dashboard: s::UserDashboard {
            total_tickets: c.total,
            open_tickets: c.open,
            in_progress_tickets: c.in_progress,
            on_hold_tickets: c.on_hold,
            closed_tickets: c.closed,
            overdue_tickets: summary.overdue,
            recent_tickets: summary.recent,
        },
    }))
}

/// The tickets the caller opened.
#[utoipa::path(get, path = "/api/users/my-tickets", tag = "users", params(RawTicketQuery),
    responses((status = 200, description = "A page of tickets", body = s::TicketPageReply)))]
async fn my_tickets(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiQuery(query): ApiQuery<RawTicketQuery>,
    uri: OriginalUri,
) -> Result<Json<s::TicketPageReply>, AppError> {
    Ok(Json(super::tickets::page_json(&tickets::list_own_requests(&state.core, &caller, &query).await?, &uri)))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct PasswordBody {
    current_password: String,
    /// 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128)]
    new_password: String,
    /// Must repeat `newPassword` when sent.
    confirm_password: Option<String>,
}

/// Changes the caller's password. Every session of the account ends (on every device) and
/// open reset links close; the answer carries a new token for the caller. Wrong current
/// passwords are limited per account.
#[utoipa::path(put, path = "/api/users/password", tag = "users", request_body = PasswordBody,
    responses((status = 200, description = "Changed; use the new token", body = s::PasswordChangedReply),
        (status = 429, description = "Too many wrong current passwords", body = s::ErrorBody),
        (status = 503, description = "Password hashing is at capacity", body = s::ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Json<s::PasswordChangedReply>, AppError> {
    let confirm = body.confirm_password.as_deref().unwrap_or(&body.new_password);
    let token = account::change_password(&state.core, &caller, &body.current_password, &body.new_password, confirm).await?;
    Ok(Json(s::PasswordChangedReply { message: "Password changed".into(), token }))
}

/// The notification mails the caller can receive, each on or off.
#[utoipa::path(get, path = "/api/users/notifications", tag = "users",
    responses((status = 200, description = "Each kind of notification mail", body = s::NotificationsReply)))]
async fn notifications(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<s::NotificationsReply>, AppError> {
    Ok(Json(s::NotificationsReply { notifications: account::notifications(&state.core, &caller).await? }))
}

/// Kinds of notification mail switched on (`true`) or off (`false`), by name; kinds not named
/// stay as they are.
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[schema(example = json!({"status": false, "reply": true}))]
pub(super) struct NotificationsBody(std::collections::BTreeMap<String, bool>);

/// Switches kinds of notification mail on or off.
#[utoipa::path(put, path = "/api/users/notifications", tag = "users", request_body = NotificationsBody,
    responses((status = 200, description = "Each kind of notification mail, as now set", body = s::NotificationsReply),
        (status = 400, description = "A kind the caller does not receive", body = s::ErrorBody)))]
async fn set_notifications(
    State(state): State<AppState>,
    caller: CurrentUser,
    ApiJson(body): ApiJson<NotificationsBody>,
) -> Result<Json<s::NotificationsReply>, AppError> {
    let changes: Vec<(String, bool)> = body.0.into_iter().collect();
    Ok(Json(s::NotificationsReply { notifications: account::set_notifications(&state.core, &caller, &changes).await? }))
}
