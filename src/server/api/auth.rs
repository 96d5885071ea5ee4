use super::ApiJson;

use crate::error::AppError;
use crate::server::guard::{self, ClientIp, CurrentUser};
use crate::server::services::auth::{self, Registration, Session};
use crate::server::startup::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::openapi::schemas as s;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/register", post(register))
        .route("/forgot-password", post(forgot_password))
        .route("/reset-password", post(reset_password))
        .route("/logout", post(logout))
        .route("/verify", get(verify))
}

fn session_reply(session: Session) -> s::SessionReply {
    s::SessionReply { token: session.token, user: session.user }
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct LoginBody {
    #[schema(example = "user@gmail.com")]
    email: String,
    #[schema(example = "user123")]
    password: String,
}

/// Signs in with email and password.
///
/// Failed attempts are limited per account and client address (IPv6: per /64), per address,
/// and per account from all addresses (a client that sends the `helpdesk_device` cookie of an
/// earlier sign-in to the account is not held by that last one; each sign-in sets it).
/// Successful sign-ins are limited per account; sign-ins checked at once per address.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", security(()), request_body = LoginBody,
    responses((status = 200, description = "Signed in", body = s::SessionReply),
        (status = 401, description = "Wrong email or password, or the account is deactivated", body = s::ErrorBody),
        (status = 429, description = "Too many failed sign-ins", body = s::ErrorBody),
        (status = 503, description = "Password checks are at capacity", body = s::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<([(header::HeaderName, String); 1], Json<s::SessionReply>), AppError> {
    let device = guard::cookie(&headers, guard::DEVICE_COOKIE);
    let session = auth::login(&state.core, &body.email, &body.password, &ip, device).await?;
    let device = guard::device_cookie(&state.core, &session.device);
    Ok(([(header::SET_COOKIE, device)], Json(session_reply(session))))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RegisterBody {
    #[schema(example = "Ada Lovelace", min_length = 1, max_length = 100)]
    name: String,
    #[schema(example = "ada@example.com", max_length = 254)]
    email: String,
    /// 8 to 128 characters.
    #[schema(example = "correct horse battery", min_length = 8, max_length = 128)]
    password: String,
    confirm_password: Option<String>,
}

/// Creates an account with role `user` and signs it in.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", security(()), request_body = RegisterBody,
    responses((status = 201, description = "Registered and signed in", body = s::RegisterReply),
        (status = 409, description = "An account with this email exists (`field`: `email`)", body = s::ErrorBody),
        (status = 429, description = "Too many requests from this address", body = s::ErrorBody),
        (status = 503, description = "Password hashing is at capacity", body = s::ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<s::RegisterReply>), AppError> {
    let confirm = body.confirm_password.as_deref().unwrap_or(&body.password);
    let session = auth::register(
        &state.core,
        Registration { name: &body.name, email: &body.email, password: &body.password, confirm_password: confirm },
        &ip,
    )
    .await?;
    let reply = s::RegisterReply { token: session.token, user: session.user, message: "Registration successful".into() };
    Ok((StatusCode::CREATED, Json(reply)))
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
pub(super) struct ForgotBody {
    #[schema(example = "user@gmail.com")]
    email: String,
}

/// Mails a single-use reset link valid for one hour; the answer is the same whether or not
/// the account exists.
#[utoipa::path(post, path = "/api/auth/forgot-password", tag = "auth", security(()), request_body = ForgotBody,
    responses((status = 200, description = "Accepted", body = s::MessageReply),
        (status = 429, description = "Too many requests from this address", body = s::ErrorBody)))]
async fn forgot_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<Json<s::MessageReply>, AppError> {
    auth::forgot_password(state.core.clone(), &body.email, &ip).await?;
    Ok(Json(s::MessageReply { message: FORGOT_REPLY.into() }))
}

/// The same words whether or not the account exists.
pub const FORGOT_REPLY: &str = "If an account exists for that email, a reset link is on its way. It is valid for one hour.";

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct ResetBody {
    token: String,
    password: String,
    confirm_password: Option<String>,
}

/// Sets a new password with the token from the reset mail; ends every session of the account.
#[utoipa::path(post, path = "/api/auth/reset-password", tag = "auth", security(()), request_body = ResetBody,
    responses((status = 200, description = "Password changed", body = s::MessageReply),
        (status = 429, description = "Too many requests from this address", body = s::ErrorBody),
        (status = 503, description = "Password hashing is at capacity", body = s::ErrorBody)))]
async fn reset_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Json<s::MessageReply>, AppError> {
    let (token, confirm) = (&body.token, body.confirm_password.as_deref());
    auth::reset_password(&state.core, token, &body.password, confirm, &ip).await?;
    Ok(Json(s::MessageReply { message: "Password changed. Sign in with your new password.".into() }))
}

/// Ends the session the token belongs to: the token stops working at once.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 200, description = "Signed out", body = s::MessageReply)))]
async fn logout(State(state): State<AppState>, caller: CurrentUser) -> Result<Json<s::MessageReply>, AppError> {
    auth::logout(&state.core, &caller).await?;
    Ok(Json(s::MessageReply { message: "Signed out".into() }))
}

/// Who the token (or session cookie) belongs to.
#[utoipa::path(get, path = "/api/auth/verify", tag = "auth",
    responses((status = 200, description = "The signed-in user", body = s::VerifyReply)))]
async fn verify(caller: CurrentUser) -> Json<s::VerifyReply> {
    Json(s::VerifyReply { user: caller.user })
}
