//! The profile of the signed-in user, through the REST API and the services.

use crate::common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use helpdesk::server::guard::CurrentUser;
use helpdesk::server::services::account;
use helpdesk::domain::{Role, SessionUser};
use serde_json::json;

#[tokio::test]
async fn a_user_reads_and_edits_their_profile() {
    let app = TestApp::spawn().await;
    let token = app.login("user@gmail.com", "user123").await;
    let reply = app.get("/api/users/profile", Some(&token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["profile"]["email"], "user@gmail.com");
    assert_eq!(reply.body["profile"]["isActive"], true);
    assert!(reply.body["profile"].get("passwordHash").is_none());

    let body = json!({ "name": " John Q. Doe ", "phone": "+1 555 0100", "department": "Finance" });
    let reply = app.request(Method::PUT, "/api/users/profile", Some(&token), Some(body)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["profile"]["name"], "John Q. Doe");
    assert_eq!(reply.body["profile"]["department"], "Finance");
    let again = app.get("/api/users/profile", Some(&token)).await;
    assert_eq!(again.body["profile"]["phone"], "+1 555 0100");
}

#[tokio::test]
async fn a_bad_profile_edit_names_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.login("user@gmail.com", "user123").await;
    for (body, field) in [
        (json!({ "name": "", "phone": "", "department": "" }), "name"),
        (json!({ "name": "John", "phone": "call me maybe", "department": "" }), "phone"),
        (json!({ "name": "John", "phone": "", "department": "d".repeat(101) }), "department"),
    ] {
        let reply = app.request(Method::PUT, "/api/users/profile", Some(&token), Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.body["field"], field);
    }
    assert_eq!(app.get("/api/users/profile", Some(&token)).await.body["profile"]["name"], "John Doe");
}

#[tokio::test]
async fn the_profile_needs_a_token() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/api/users/profile", None).await.status, StatusCode::UNAUTHORIZED);
}

fn caller(id: i64, email: &str) -> CurrentUser {
    CurrentUser { user: SessionUser { id, name: "x".into(), email: email.into(), role: Role::User }, ip: "test".into(), session: "test".into() }
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one() {
    let app = TestApp::spawn().await;
    let me = caller(4, "user@gmail.com");
    let wrong = account::change_password(&app.core, &me, "not-it", "new-password", "new-password").await.unwrap_err();
    assert_eq!(wrong.field.as_deref(), Some("currentPassword"));
    let mismatch = account::change_password(&app.core, &me, "user123", "new-password", "other").await.unwrap_err();
    assert_eq!(mismatch.field.as_deref(), Some("confirmPassword"));
    let weak = account::change_password(&app.core, &me, "user123", "short", "short").await.unwrap_err();
    assert_eq!(weak.field.as_deref(), Some("newPassword"));

    account::change_password(&app.core, &me, "user123", "new-password", "new-password").await.unwrap();
    app.login("user@gmail.com", "new-password").await;
    let old = app.post("/api/auth/login", None, json!({ "email": "user@gmail.com", "password": "user123" })).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guessing_the_current_password_through_a_session_is_limited() {
    let app = TestApp::spawn_with(|s| s.rate_limit.failures_per_account = 3).await;
    let me = caller(4, "user@gmail.com");
    for _ in 0..3 {
        let wrong = account::change_password(&app.core, &me, "a-guess", "new-password", "new-password").await.unwrap_err();
        assert_eq!(wrong.status(), 400);
    }
    let stopped = account::change_password(&app.core, &me, "user123", "new-password", "new-password").await.unwrap_err();
    assert_eq!(stopped.status(), 429, "even the right one waits once the guesses are spent");
    app.login("user@gmail.com", "user123").await;
}
