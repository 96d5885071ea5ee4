//! Helpers for server functions: the shared state, the caller, and error statuses.

use crate::error::AppError;
use crate::server::guard::{self, CurrentUser};
use crate::server::startup::{AppState, Core};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;
use std::sync::Arc;

pub fn core() -> Result<Arc<Core>, AppError> {
    use_context::<AppState>().map(|s| s.core).ok_or_else(|| {
        tracing::error!("application state missing from the server function context");
        AppError::internal()
    })
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server function context");
        AppError::internal()
    })
}

/// The signed-in caller, or 401.
pub async fn caller(core: &Core) -> Result<CurrentUser, AppError> {
    let parts = parts()?;
    let ip = guard::client_ip(&parts.extensions, &parts.headers, &core.config.trusted_proxies);
    guard::authenticate(core, &parts.headers, ip).await
}

/// The signed-in caller if there is one; a missing or stale session is simply `None`.
pub async fn optional_caller(core: &Core) -> Result<Option<CurrentUser>, AppError> {
    match caller(core).await {
        Ok(user) => Ok(Some(user)),
        Err(e) if e.status() == 401 => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn client_ip() -> String {
    let trusted = use_context::<AppState>().map(|s| s.core.config.trusted_proxies.clone()).unwrap_or_default();
    use_context::<Parts>().map(|p| guard::client_ip(&p.extensions, &p.headers, &trusted)).unwrap_or_else(|| "unknown".into())
}

/// The value of the request's cookie `name`.
pub fn cookie(name: &str) -> Option<String> {
    use_context::<Parts>().and_then(|p| guard::cookie(&p.headers, name).map(str::to_string))
}

pub fn set_cookie(value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        expect_context::<ResponseOptions>().append_header(header::SET_COOKIE, value);
    }
}

/// True for a form posted by a browser without JavaScript (it expects an HTML answer).
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| p.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Gives a failed call its HTTP status, except for plain HTML form posts: those must get
/// leptos' redirect back to the form (with the error in the query), which a 4xx would break.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if !is_plain_form_post() {
            if let (Some(options), Ok(status)) =
                (use_context::<ResponseOptions>(), StatusCode::from_u16(err.status()))
            {
                options.set_status(status);
            }
        }
    }
    result
}

/// Sets a page's HTTP status during server-side rendering.
pub fn set_page_status(status: u16) {
    if let (Some(options), Ok(status)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(status)) {
        options.set_status(status);
    }
}
