use super::tickets::parse_id;
use super::ApiJson;
use crate::domain::Role;
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::services::tickets;
use crate::server::startup::AppState;
use axum::extract::{Path, State};
use axum::routing::put;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/ticket/{id}/assign", put(assign))
}

pub fn admin(caller: &CurrentUser) -> Result<(), AppError> {
    caller.require(&[Role::Admin, Role::Superadmin]).map_err(|_| AppError::forbidden("Admin access required"))
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct AssignBody {
    agent_id: Option<i64>,
}

async fn assign(
    State(state): State<AppState>,
    caller: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<Value>, AppError> {
    admin(&caller)?;
    let agent_id = body.agent_id.ok_or_else(|| AppError::invalid("agentId", "agentId is required."))?;
    let ticket = tickets::assign(&state.core, &caller, parse_id(&id)?, agent_id).await?;
    Ok(Json(json!({ "message": "Ticket assigned", "ticket": super::full_ticket(&state, &caller, ticket).await? })))
}

