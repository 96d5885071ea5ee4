use super::tickets::parse_id;
use super::extract::{ApiPath, ApiQuery};
use super::ApiJson;
use crate::domain::{Priority, Role, TicketStatus};
use crate::error::AppError;
use crate::server::guard::SuperadminCaller;
use crate::server::services::{account, superadmin as service};
use crate::server::startup::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::openapi::schemas as s;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", get(user).put(update_user).delete(delete_user))
        .route("/settings", get(settings).put(save_settings))
        .route("/audit", get(audit))
        .route("/profile", get(profile))
}

/// User and ticket counts, recent users and tickets.
#[utoipa::path(get, path = "/api/superadmin/dashboard", tag = "superadmin",
    responses((status = 200, description = "The dashboard", body = s::SuperDashboardReply)))]
async fn dashboard(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller) -> Result<Json<s::SuperDashboardReply>, AppError> {
    let d = service::dashboard(&state.core, &caller).await?;
    let stats = s::SuperStats { total_users: d.total_users, staff_members: d.staff_members, total_tickets: d.total_tickets, open_tickets: d.open_tickets };
    Ok(Json(s::SuperDashboardReply {
        dashboard: s::SuperDashboard { stats, user_breakdown: d.by_role, recent_users: d.recent_users, recent_tickets: d.recent_tickets },
    }))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct UserQuery {
    /// Text in the name or email.
    q: Option<String>,
    /// One of `user`, `agent`, `admin`, `superadmin`.
    role: Option<String>,
    /// 1-based page number.
    page: Option<String>,
}

/// Accounts, searched and paged (never a password hash).
#[utoipa::path(get, path = "/api/superadmin/users", tag = "superadmin", params(UserQuery),
    responses((status = 200, description = "A page of users", body = s::UserPageReply)))]
async fn users(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller, ApiQuery(q): ApiQuery<UserQuery>) -> Result<Json<s::UserPageReply>, AppError> {
    let page = service::users(&state.core, &caller, q.q.as_deref(), q.role.as_deref(), q.page.as_deref()).await?;
    Ok(Json(s::UserPageReply { users: page.users, total: page.total, page: page.page, per_page: page.per_page }))
}

fn user_id(raw: &str) -> Result<i64, AppError> {
    parse_id(raw).map_err(|_| AppError::not_found("User not found"))
}

/// One account.
#[utoipa::path(get, path = "/api/superadmin/users/{id}", tag = "superadmin", params(("id" = i64, Path, description = "User id", example = 5)),
    responses((status = 200, description = "The user", body = s::UserReply)))]
async fn user(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller, ApiPath(id): ApiPath<String>) -> Result<Json<s::UserReply>, AppError> {
    Ok(Json(s::UserReply { user: service::user(&state.core, &caller, user_id(&id)?).await? }))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct NewAccountBody {
    #[schema(example = "Agent Two", min_length = 1, max_length = 100)]
    name: String,
    #[schema(example = "agent2@example.com", max_length = 254)]
    email: String,
    #[schema(example = "agent-two-pass", min_length = 8, max_length = 128)]
    password: String,
    #[schema(example = "agent", pattern = "^(user|agent|admin|superadmin)$")]
    role: String,
    department: String,
    phone: String,
}

/// Creates an account with any role.
#[utoipa::path(post, path = "/api/superadmin/users", tag = "superadmin", request_body = NewAccountBody,
    responses((status = 201, description = "Created", body = s::UserSavedReply),
        (status = 409, description = "An account with this email exists (`field`: `email`)", body = s::ErrorBody),
        (status = 503, description = "Password hashing is at capacity", body = s::ErrorBody)))]
async fn create_user(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller, ApiJson(b): ApiJson<NewAccountBody>) -> Result<(StatusCode, Json<s::UserSavedReply>), AppError> {
    let input = service::NewAccount { name: &b.name, email: &b.email, password: &b.password, role: &b.role, department: &b.department, phone: &b.phone };
    let user = service::create_user(&state.core, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(s::UserSavedReply { message: "User created".into(), user })))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct AccountEditBody {
    name: Option<String>,
    role: Option<String>,
    is_active: Option<bool>,
    department: Option<String>,
    phone: Option<String>,
}

/// Changes an account; fields left out keep their current value.
///
/// Deactivating, deleting or changing the role ends the account's sessions.
#[utoipa::path(put, path = "/api/superadmin/users/{id}", tag = "superadmin", params(("id" = i64, Path, description = "User id", example = 5)), request_body = AccountEditBody,
    responses((status = 200, description = "Saved", body = s::UserSavedReply),
        (status = 409, description = "Would demote or deactivate yourself or the last active super admin, or the account changed meanwhile", body = s::ErrorBody)))]
async fn update_user(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller, ApiPath(id): ApiPath<String>, ApiJson(b): ApiJson<AccountEditBody>) -> Result<Json<s::UserSavedReply>, AppError> {
    let id = user_id(&id)?;
    let current = service::user(&state.core, &caller, id).await?;
    let change = service::AccountChange {
        name: b.name.as_deref().unwrap_or(&current.name),
        role: b.role.as_deref().unwrap_or(current.role.as_str()),
        is_active: b.is_active.unwrap_or(current.is_active),
        department: b.department.as_deref().unwrap_or(&current.department),
        phone: b.phone.as_deref().unwrap_or(&current.phone),
    };
    let user = service::update_user(&state.core, &caller, id, change).await?;
    Ok(Json(s::UserSavedReply { message: "User updated".into(), user }))
}

/// Deletes an account; its tickets are kept.
#[utoipa::path(delete, path = "/api/superadmin/users/{id}", tag = "superadmin", params(("id" = i64, Path, description = "User id", example = 5)),
    responses((status = 200, description = "Deleted", body = s::MessageReply),
        (status = 409, description = "Your own account, or the last active super admin", body = s::ErrorBody)))]
async fn delete_user(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller, ApiPath(id): ApiPath<String>) -> Result<Json<s::MessageReply>, AppError> {
    service::delete_user(&state.core, &caller, user_id(&id)?).await?;
    Ok(Json(s::MessageReply { message: "User deleted; their tickets are kept.".into() }))
}

fn settings_view(saved: crate::domain::SystemSettings) -> s::SystemSettingsView {
    s::SystemSettingsView {
        ticket_priorities: Priority::ALL.to_vec(),
        ticket_statuses: TicketStatus::ALL.to_vec(),
        categories: saved.categories,
        roles: Role::ALL.to_vec(),
        max_tickets_per_agent: saved.max_tickets_per_agent,
        sla: saved.sla,
    }
}

/// The system settings and the fixed value sets.
#[utoipa::path(get, path = "/api/superadmin/settings", tag = "superadmin",
    responses((status = 200, description = "The settings", body = s::SettingsReply)))]
async fn settings(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller) -> Result<Json<s::SettingsReply>, AppError> {
    Ok(Json(s::SettingsReply { settings: settings_view(service::settings(&state.core, &caller).await?) }))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct SettingsBody {
    /// 1 to 20 distinct names of lower-case letters, digits and dashes.
    #[schema(example = json!(["account", "technical", "security", "billing", "general"]))]
    categories: Option<Vec<String>>,
    #[schema(minimum = 1, maximum = 1000, example = 10)]
    max_tickets_per_agent: Option<i64>,
    sla: Option<SlaBody>,
}

/// SLA hours per priority, 1–8760.
#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct SlaBody {
    #[schema(minimum = 1, maximum = 8760, example = 72)]
    low: Option<i64>,
    #[schema(minimum = 1, maximum = 8760, example = 48)]
    medium: Option<i64>,
    #[schema(minimum = 1, maximum = 8760, example = 24)]
    high: Option<i64>,
    #[schema(minimum = 1, maximum = 8760, example = 4)]
    critical: Option<i64>,
}

/// Changes the editable settings; fields left out keep their current value.
#[utoipa::path(put, path = "/api/superadmin/settings", tag = "superadmin", request_body = SettingsBody,
    responses((status = 200, description = "Saved", body = s::SettingsSavedReply)))]
async fn save_settings(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller, ApiJson(b): ApiJson<SettingsBody>) -> Result<Json<s::SettingsSavedReply>, AppError> {
    let current = service::settings(&state.core, &caller).await?;
    let sla = b.sla.unwrap_or_default();
    let hours = [
        sla.low.unwrap_or(current.sla.low),
        sla.medium.unwrap_or(current.sla.medium),
        sla.high.unwrap_or(current.sla.high),
        sla.critical.unwrap_or(current.sla.critical),
    ];
    let categories = b.categories.unwrap_or(current.categories);
    let max = b.max_tickets_per_agent.unwrap_or(current.max_tickets_per_agent);
    let saved = service::save_settings(&state.core, &caller, &categories, hours, max).await?;
    Ok(Json(s::SettingsSavedReply { settings: settings_view(saved), message: "Settings saved".into() }))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditQuery {
    /// One recorded action, e.g. `sign-in-failed`.
    action: Option<String>,
    /// Text in the actor, target or detail.
    q: Option<String>,
    /// 1-based page number.
    page: Option<String>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/superadmin/audit", tag = "superadmin", params(AuditQuery),
    responses((status = 200, description = "A page of entries", body = s::AuditPageReply)))]
async fn audit(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller, ApiQuery(q): ApiQuery<AuditQuery>) -> Result<Json<s::AuditPageReply>, AppError> {
    let page = service::audit_log(&state.core, &caller, q.action.as_deref(), q.q.as_deref(), q.page.as_deref()).await?;
    Ok(Json(s::AuditPageReply { entries: page.entries, total: page.total, page: page.page, per_page: page.per_page }))
}

/// The super admin's profile.
#[utoipa::path(get, path = "/api/superadmin/profile", tag = "superadmin",
    responses((status = 200, description = "The profile", body = s::ProfileReply)))]
async fn profile(State(state): State<AppState>, SuperadminCaller(caller): SuperadminCaller) -> Result<Json<s::ProfileReply>, AppError> {
    Ok(Json(s::ProfileReply { profile: account::profile(&state.core, &caller).await? }))
}
