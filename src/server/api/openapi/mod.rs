//! The OpenAPI 3.1 document of the REST API, generated from the handlers' `#[utoipa::path]`
//! annotations, and the routes that publish it (`/api/openapi.json`, `/api/docs`).
//!
//! Handlers declare their success answers and their particular errors (409, 429, 503); the
//! errors every operation of a kind can meet (bad input, no token, wrong role, unknown id,
//! body too large) are added by [`errors::CommonErrors`], from what the operation takes.

mod errors;
pub mod schemas;
mod schemas_admin;

use super::{admin, agents, auth, mail, superadmin, tickets, users};
use errors::CommonErrors;
use crate::server::startup::AppState;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Help desk REST API",
        description = "The JSON API under `/api`. Send `Authorization: Bearer <token>` with the token from \
            `POST /api/auth/login`; a browser signed in to the app may instead send its `helpdesk_session` \
            cookie. Errors answer `{\"error\": string, \"field\"?: string}`; 429 and 503 carry `Retry-After` \
            (seconds). A ticket edit, status change or close may send the `version` the client last saw: \
            then it is refused (409) when the ticket moved on meanwhile; without it the change applies to the \
            current ticket (the lifecycle still decides, and the history keeps the text an edit replaced)."
    ),
    paths(
        auth::login, auth::register, auth::forgot_password, auth::reset_password, auth::logout, auth::verify,
        tickets::list, tickets::create, tickets::show, tickets::update, tickets::close, tickets::delete,
        tickets::reply, tickets::history, tickets::presence, tickets::announce, users::change_password,
        users::profile, users::update_profile, users::home, users::my_tickets, users::notifications, users::set_notifications,
        agents::home, agents::assigned, agents::status, agents::note, agents::profile,
        admin::dashboard, admin::retry_mail, admin::list, admin::tickets_csv, admin::bulk_assign, admin::assign, admin::reassign,
        admin::assign_least_loaded, admin::agents, admin::reports, admin::reports_csv, admin::profile,
        superadmin::dashboard, superadmin::users, superadmin::user, superadmin::create_user, superadmin::update_user,
        superadmin::delete_user, superadmin::settings, superadmin::save_settings, superadmin::audit, superadmin::profile,
        mail::take, mail::list, mail::raw, mail::process_again,
        crate::server::live::stream::events,
    ),
    components(schemas(schemas::ErrorBody)),
    security(("bearer" = []), ("session" = [])),
    modifiers(&Security, &CommonErrors),
    tags(
        (name = "auth", description = "Signing in and out, registration, password reset"),
        (name = "tickets", description = "Tickets as each role may see and change them"),
        (name = "users", description = "Any signed-in person: profile, own requests"),
        (name = "agents", description = "Agents: assigned tickets, status, notes"),
        (name = "admin", description = "Admins and super admins: all tickets, assignment, reports"),
        (name = "superadmin", description = "Super admins: accounts, settings, audit log"),
        (name = "mail", description = "Mail in: a mail server's pipe posts raw mails with the inbound secret"),
        (name = "events", description = "Live updates: a server-sent event stream of the ticket changes the caller may see"),
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate: a bearer JWT, or the browser's session cookie.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some("The token from `POST /api/auth/login` or `/register`; valid 24 h or until logout."))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let cookie = ApiKeyValue::with_description("helpdesk_session", "The session cookie a browser gets when it signs in to the app.");
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(cookie)));
    }
}

/// The document as JSON, built once: it only changes with the code.
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI document does not serialise");
            String::from("{}")
        })
    })
}

/// Public routes: the document, its reference page and the page's stylesheet.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { typed("application/json", document_json()) }))
        .route("/docs", get(|| async { typed("text/html; charset=utf-8", super::docs::page()) }))
        .route("/docs.css", get(|| async { typed("text/css; charset=utf-8", super::docs::STYLESHEET) }))
}

fn typed(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response()
}
