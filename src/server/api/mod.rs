//! The JSON REST API of the contract, under `/api`. Handlers only translate between HTTP
//! and the services.

mod admin;
mod agents;
mod auth;
mod docs;
mod extract;
mod json;
pub mod openapi;
mod superadmin;
mod tickets;
mod users;

use crate::domain::{Ticket, TicketNote};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::AppState;
use axum::extract::DefaultBodyLimit;
use axum::Router;
use serde_json::{json, Value};

pub use json::ApiJson;

/// Larger bodies are refused with 413 before they are read (every route is bounded by
/// `http::bound_body`; the extractors are told the same bound).
const BODY_LIMIT: usize = crate::server::http::BODY_LIMIT;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(openapi::router())
        .nest("/auth", auth::router())
        .nest("/users", users::router())
        .nest("/tickets", tickets::router())
        .nest("/agents", agents::router())
        .nest("/admin", admin::router())
        .nest("/superadmin", superadmin::router())
        .fallback(|| async { AppError::not_found("Not found") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// A ticket in the contract's shape: its fields plus `notes: [{author, text, timestamp}]`.
pub fn ticket_json(ticket: &Ticket, notes: Vec<TicketNote>) -> Value {
    let mut value = json!(ticket);
    value["notes"] = json!(notes);
    value
}

/// The ticket after a change, with the conversation the caller may see.
async fn full_ticket(state: &AppState, caller: &CurrentUser, ticket: Ticket) -> Result<Value, AppError> {
    let view = crate::server::services::tickets::view(&state.core, caller, ticket.id).await?;
    Ok(ticket_json(&view.ticket, view.notes))
}
