//! The one guard: who is calling, and may they do this? Used by server functions, pages
//! and the REST API alike.

use crate::domain::{Role, SessionUser};
use crate::error::AppError;
use crate::server::security::TokenError;
use crate::server::startup::{AppState, Core};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{header, request::Parts, Extensions, HeaderMap};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "helpdesk_session";

/// A signed-in, active user, as the database knows them now (role changes apply at once),
/// and the address the request came from (for the audit trail).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: SessionUser,
    pub ip: String,
}

impl std::ops::Deref for CurrentUser {
    type Target = SessionUser;
    fn deref(&self) -> &SessionUser {
        &self.user
    }
}

impl CurrentUser {
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden("Access denied"))
        }
    }
}

/// The bearer token of an API client, else the session cookie of a browser.
pub fn token_from_headers(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    bearer.or_else(|| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value)
    })
}

pub async fn authenticate(core: &Core, headers: &HeaderMap, ip: String) -> Result<CurrentUser, AppError> {
    let token = token_from_headers(headers)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::unauthorized("No token provided"))?;
    let claims = core.keys.decode(token).map_err(|e| match e {
        TokenError::Expired => AppError::unauthorized("Token expired"),
        TokenError::Invalid => AppError::unauthorized("Invalid token"),
    })?;
    let record = core.store.user_by_id(claims.id).await?.ok_or_else(|| AppError::unauthorized("Invalid token"))?;
    if !record.profile.is_active {
        return Err(AppError::unauthorized("Account is deactivated"));
    }
    if claims.iat < record.tokens_valid_after {
        return Err(AppError::unauthorized("Token expired"));
    }
    let p = record.profile;
    Ok(CurrentUser { user: SessionUser { id: p.id, name: p.name, email: p.email, role: p.role }, ip })
}

/// The client's address, for rate limits and the audit trail.
pub fn client_ip(extensions: &Extensions) -> String {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The `Set-Cookie` value that signs a browser in.
pub fn session_cookie(core: &Core, token: &str) -> String {
    let secure = if core.settings.secure_cookies() { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        core.keys.ttl_secs()
    )
}

/// The `Set-Cookie` value that signs a browser out.
pub fn cleared_cookie(core: &Core) -> String {
    let secure = if core.settings.secure_cookies() { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        authenticate(&state.core, &parts.headers, client_ip(&parts.extensions)).await
    }
}
