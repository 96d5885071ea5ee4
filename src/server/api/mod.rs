//! The JSON REST API of the contract, under `/api`. Handlers only translate between HTTP
//! and the services.

mod auth;
mod json;
mod users;

use crate::error::AppError;
use crate::server::startup::AppState;
use axum::Router;

pub use json::ApiJson;

pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/auth", auth::router())
        .nest("/users", users::router())
        .fallback(|| async { AppError::not_found("Not found") })
}
