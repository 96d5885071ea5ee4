//! One application error type for server functions, the REST API and pages.
//!
//! It travels to the browser (server functions encode it as JSON), so it carries only
//! what a person may see: a kind (mapped to an HTTP status), a message and, where the
//! error is about one input, the name of that field.

use leptos::prelude::FromServerFnError;
use leptos::server_fn::error::ServerFnErrorErr;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    Invalid,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    TooLarge,
    RateLimited,
    Busy,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    /// The form field or JSON property the error is about, if any.
    pub field: Option<String>,
    /// Seconds until a rate-limited request may be retried.
    pub retry_after: Option<u64>,
}

impl AppError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), field: None, retry_after: None }
    }

    /// Bad input: names the field and the rule it broke.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self { field: Some(field.to_string()), ..Self::new(ErrorKind::Invalid, message) }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// A uniqueness rule broken by one field (e.g. an email already registered).
    pub fn conflict_on(field: &str, message: impl Into<String>) -> Self {
        Self { field: Some(field.to_string()), ..Self::new(ErrorKind::Conflict, message) }
    }

    pub fn too_large() -> Self {
        Self::new(ErrorKind::TooLarge, "The request body is too large.")
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(
                ErrorKind::RateLimited,
                format!(
                    "Too many failed sign-in attempts. Try again in {} minute(s).",
                    retry_after_secs.div_ceil(60).max(1)
                ),
            )
        }
    }

    /// Too many registrations, resets or reset mails from one address.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(
                ErrorKind::RateLimited,
                format!("Too many requests from your address. Try again in {} minute(s).", retry_after_secs.div_ceil(60).max(1)),
            )
        }
    }

    /// The server is at capacity for this kind of work (e.g. password hashing); retry soon.
    /// More sign-ins at once from one address than are checked together: not a failure, just
    /// "come back in a second".
    pub fn too_many_at_once() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(ErrorKind::RateLimited, "Too many sign-ins at once from your network. Please try again in a moment.")
        }
    }

    pub fn busy(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(ErrorKind::Busy, "The server is busy right now. Please try again in a moment.")
        }
    }

    /// The database does not answer (stopped, unreachable, locked past the timeout, or
    /// shutting down): nothing was changed, and retrying soon may succeed.
    pub fn unavailable() -> Self {
        Self {
            retry_after: Some(5),
            ..Self::new(ErrorKind::Busy, "The database is not answering right now. Nothing was changed; please try again in a moment.")
        }
    }

    /// The change collided with another made at the same moment and was rolled back whole.
    pub fn collided() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(ErrorKind::Busy, "Another change to the same records was made at the same moment. Nothing was changed; please try again.")
        }
    }

    /// Something failed on our side; the details go to the log, never to the caller.
    pub fn internal() -> Self {
        Self::new(ErrorKind::Internal, "Something went wrong on our side. Please try again.")
    }

    pub fn status(&self) -> u16 {
        match self.kind {
            ErrorKind::Invalid => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::RateLimited => 429,
            ErrorKind::Busy => 503,
            ErrorKind::Internal => 500,
        }
    }

    /// The message if this error is about `field`.
    pub fn message_for(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::TextJson;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                Self::new(ErrorKind::Invalid, format!("The form is incomplete: {msg}"))
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => {
                Self::new(ErrorKind::Internal, "Could not reach the server. Check your connection.")
            }
            _ => Self::internal(),
        }
    }
}

/// Result of a form's last submission, as the page shows it.
pub type FormResult<T> = Option<Result<T, AppError>>;

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::Json;

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut body = serde_json::json!({ "error": self.message });
            if let Some(field) = &self.field {
                body["field"] = serde_json::Value::String(field.clone());
            }
            let mut response = (status, Json(body)).into_response();
            if let Some(secs) = self.retry_after {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    }

    impl From<tokio::task::JoinError> for AppError {
        fn from(err: tokio::task::JoinError) -> Self {
            tracing::error!(error = %err, "background task failed");
            AppError::internal()
        }
    }
}
