//! The JSON REST API of the contract, under `/api`. Handlers only translate between HTTP
//! and the services: their route extractors say who may call them (`guard::AdminCaller`, …),
//! and each returns a type of `openapi::schemas`, which the document is generated from.

mod admin;
mod agents;
mod auth;
mod docs;
pub(crate) mod extract;
mod json;
mod mail;
pub mod openapi;
mod superadmin;
mod tickets;
mod users;

use crate::domain::Ticket;
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::AppState;
use axum::extract::DefaultBodyLimit;
use axum::{Json, Router};

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
        .nest("/admin", admin::router().nest("/mail", mail::admin_router()))
        .nest("/superadmin", superadmin::router())
        .nest("/mail", mail::router())
        .route("/events", axum::routing::get(crate::server::live::stream::events))
        .fallback(|| async { AppError::not_found("Not found") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The answer to a change of one ticket: what was done, and the ticket after it with the
/// conversation the caller may see (the contract's `notes: [{author, text, timestamp}]`).
async fn changed(state: &AppState, caller: &CurrentUser, ticket: Ticket, message: &str) -> Result<Json<openapi::schemas::TicketReply>, AppError> {
    let (ticket, notes) = crate::server::services::tickets::after_change(&state.core, caller, ticket).await?;
    let ticket = openapi::schemas::TicketWithNotes { ticket, notes };
    Ok(Json(openapi::schemas::TicketReply { message: message.to_string(), ticket }))
}
