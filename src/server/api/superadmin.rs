use super::tickets::parse_id;
use super::ApiJson;
use crate::domain::{Priority, Role, TicketStatus};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::services::{account, superadmin as service};
use crate::server::startup::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", get(user).put(update_user).delete(delete_user))
        .route("/settings", get(settings).put(save_settings))
        .route("/audit", get(audit))
        .route("/profile", get(profile))
}

async fn dashboard(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<Value>, AppError> {
    let d = service::dashboard(&state.core, &caller).await?;
    Ok(Json(json!({ "dashboard": {
        "stats": { "totalUsers": d.total_users, "staffMembers": d.staff_members, "totalTickets": d.total_tickets, "openTickets": d.open_tickets },
        "userBreakdown": d.by_role,
        "recentUsers": d.recent_users,
        "recentTickets": d.recent_tickets,
    }})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserQuery {
    q: Option<String>,
    role: Option<String>,
    page: Option<String>,
}

async fn users(State(state): State<AppState>, caller: CurrentUser, Query(q): Query<UserQuery>) -> Result<Json<Value>, AppError> {
    let page = service::users(&state.core, &caller, q.q.as_deref(), q.role.as_deref(), q.page.as_deref()).await?;
    Ok(Json(json!({ "users": page.users, "total": page.total, "page": page.page, "perPage": page.per_page })))
}

fn user_id(raw: &str) -> Result<i64, AppError> {
    parse_id(raw).map_err(|_| AppError::not_found("User not found"))
}

async fn user(State(state): State<AppState>, caller: CurrentUser, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({ "user": service::user(&state.core, &caller, user_id(&id)?).await? })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CreateBody {
    name: String,
    email: String,
    password: String,
    role: String,
    department: String,
    phone: String,
}

async fn create_user(State(state): State<AppState>, caller: CurrentUser, ApiJson(b): ApiJson<CreateBody>) -> Result<(StatusCode, Json<Value>), AppError> {
    let input = service::NewAccount { name: &b.name, email: &b.email, password: &b.password, role: &b.role, department: &b.department, phone: &b.phone };
    let user = service::create_user(&state.core, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "message": "User created", "user": user }))))
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct UpdateBody {
    name: Option<String>,
    role: Option<String>,
    is_active: Option<bool>,
    department: Option<String>,
    phone: Option<String>,
}

/// Fields left out keep their current value.
async fn update_user(State(state): State<AppState>, caller: CurrentUser, Path(id): Path<String>, ApiJson(b): ApiJson<UpdateBody>) -> Result<Json<Value>, AppError> {
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
    Ok(Json(json!({ "message": "User updated", "user": user })))
}

async fn delete_user(State(state): State<AppState>, caller: CurrentUser, Path(id): Path<String>) -> Result<Json<Value>, AppError> {
    service::delete_user(&state.core, &caller, user_id(&id)?).await?;
    Ok(Json(json!({ "message": "User deleted; their tickets are kept." })))
}

fn settings_json(s: &crate::domain::SystemSettings) -> Value {
    json!({ "settings": {
        "ticketPriorities": Priority::ALL.map(Priority::as_str),
        "ticketStatuses": TicketStatus::ALL.map(TicketStatus::as_str),
        "categories": s.categories,
        "roles": Role::ALL.map(Role::as_str),
        "maxTicketsPerAgent": s.max_tickets_per_agent,
        "sla": s.sla,
    }})
}

async fn settings(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<Value>, AppError> {
    Ok(Json(settings_json(&service::settings(&state.core, &caller).await?)))
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SettingsBody {
    categories: Option<Vec<String>>,
    max_tickets_per_agent: Option<i64>,
    sla: Option<SlaBody>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SlaBody {
    low: Option<i64>,
    medium: Option<i64>,
    high: Option<i64>,
    critical: Option<i64>,
}

/// Fields left out keep their current value.
async fn save_settings(State(state): State<AppState>, caller: CurrentUser, ApiJson(b): ApiJson<SettingsBody>) -> Result<Json<Value>, AppError> {
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
    let mut reply = settings_json(&saved);
    reply["message"] = json!("Settings saved");
    Ok(Json(reply))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AuditQuery {
    action: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

async fn audit(State(state): State<AppState>, caller: CurrentUser, Query(q): Query<AuditQuery>) -> Result<Json<Value>, AppError> {
    let page = service::audit_log(&state.core, &caller, q.action.as_deref(), q.q.as_deref(), q.page.as_deref()).await?;
    Ok(Json(json!({ "entries": page.entries, "total": page.total, "page": page.page, "perPage": page.per_page })))
}

async fn profile(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<Value>, AppError> {
    caller.require(&[Role::Superadmin]).map_err(|_| AppError::forbidden("Super admin access required"))?;
    Ok(Json(json!({ "profile": account::profile(&state.core, &caller).await? })))
}
