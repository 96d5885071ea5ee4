//! `POST /api/mail/inbound`: one raw RFC 822 mail from a mail server's pipe (Postfix's
//! `pipe`, an MDA, a forwarding service), authorised by the secret in `mail.inbound_secret`.
//! The answer says what was done with the mail; the admin's list of mail taken in keeps it.

use crate::error::AppError;
use crate::server::guard;
use crate::server::services::inbound::{self, Taken};
use crate::server::startup::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap};
use axum::routing::post;
use axum::{Json, Router};

/// The largest mail taken in (attachments included).
pub const MAIL_BODY_LIMIT: usize = crate::server::http::MAIL_BODY_LIMIT;

pub fn router() -> Router<AppState> {
    Router::new().route("/inbound", post(take)).layer(DefaultBodyLimit::max(MAIL_BODY_LIMIT))
}

/// Equal secrets, compared in time that does not depend on where they differ.
fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(given.as_bytes()), Sha256::digest(expected.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Takes one raw mail and says what became of it: a new ticket, a reply on one, or why
/// neither (a copy taken already, a machine's mail, a sender without an account).
#[utoipa::path(post, path = "/api/mail/inbound", tag = "mail",
    request_body(content = String, content_type = "message/rfc822", description = "One raw mail, as the mail server received it"),
    responses((status = 200, description = "What was done with the mail", body = Taken),
        (status = 400, description = "Not sent as message/rfc822", body = super::openapi::schemas::ErrorBody),
        (status = 401, description = "Not the inbound secret", body = super::openapi::schemas::ErrorBody),
        (status = 403, description = "A person's token: only the mail server posts mail here", body = super::openapi::schemas::ErrorBody),
        (status = 413, description = "Larger than 25 MiB", body = super::openapi::schemas::ErrorBody)))]
async fn take(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Json<Taken>, AppError> {
    let core = &state.core;
    let given = guard::bearer_token(&headers).unwrap_or_default();
    let allowed = core.config.mail.inbound_secret.as_ref().is_some_and(|s| !given.is_empty() && same_secret(given, s.expose()));
    if !allowed {
        // A person's own token is refused as such; anything else is not the secret.
        if !given.is_empty() && core.keys.decode(given).is_ok() {
            return Err(AppError::forbidden("Only the mail server posts mail here, with the inbound secret."));
        }
        return Err(AppError::unauthorized("The inbound secret (mail.inbound_secret) is required as a bearer token."));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !content_type.trim().to_ascii_lowercase().starts_with("message/rfc822") {
        return Err(AppError::invalid("Content-Type", "Send one raw mail as Content-Type: message/rfc822."));
    }
    Ok(Json(inbound::take(core, &body, "api").await?))
}

fn mail_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| AppError::not_found("Mail not found"))
}

/// The admin's view of mail taken in (under `/api/admin/mail`).
pub fn admin_router() -> Router<AppState> {
    Router::new()
        .route("/inbound", axum::routing::get(list))
        .route("/inbound/{id}/raw", axum::routing::get(raw))
        .route("/inbound/{id}/process", post(process_again))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct InboundQuery {
    /// The `next` of the page before: mails older than it.
    before: Option<i64>,
}

/// Every mail taken in, newest first: sender, subject, outcome and why.
#[utoipa::path(get, path = "/api/admin/mail/inbound", tag = "mail", params(InboundQuery),
    responses((status = 200, description = "A page of mail taken in", body = crate::domain::InboundPage)))]
async fn list(
    State(state): State<AppState>,
    guard::AdminCaller(caller): guard::AdminCaller,
    super::extract::ApiQuery(query): super::extract::ApiQuery<InboundQuery>,
) -> Result<Json<crate::domain::InboundPage>, AppError> {
    Ok(Json(inbound::list(&state.core, &caller, query.before).await?))
}

/// The raw message, as received: a download, never shown in the app's origin.
#[utoipa::path(get, path = "/api/admin/mail/inbound/{id}/raw", tag = "mail", params(("id" = i64, Path, description = "Mail id")),
    responses((status = 200, description = "The raw message", content_type = "message/rfc822", body = String),
        (status = 404, description = "Not kept", body = super::openapi::schemas::ErrorBody)))]
async fn raw(
    State(state): State<AppState>,
    guard::AdminCaller(caller): guard::AdminCaller,
    super::extract::ApiPath(id): super::extract::ApiPath<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let id = mail_id(&id)?;
    let raw = inbound::raw(&state.core, &caller, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"mail-{id}.eml\"")),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        raw,
    )
        .into_response())
}

/// Takes a kept mail in again (after changing a setting): says what became of it now.
#[utoipa::path(post, path = "/api/admin/mail/inbound/{id}/process", tag = "mail", params(("id" = i64, Path, description = "Mail id")),
    responses((status = 200, description = "What was done with the mail", body = Taken),
        (status = 404, description = "Not kept", body = super::openapi::schemas::ErrorBody)))]
async fn process_again(
    State(state): State<AppState>,
    guard::AdminCaller(caller): guard::AdminCaller,
    super::extract::ApiPath(id): super::extract::ApiPath<String>,
) -> Result<Json<Taken>, AppError> {
    let id = mail_id(&id)?;
    Ok(Json(inbound::process_again(&state.core, &caller, id).await?))
}
