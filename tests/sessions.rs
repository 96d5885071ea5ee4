//! Sessions end exactly when they should: on sign-out, password change or reset,
//! deactivation (and stay ended after reactivation), on every instance that shares the database.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn logout_revokes_the_token_it_was_called_with_and_only_that_one() {
    let app = TestApp::spawn().await;
    let phone = app.login("user@gmail.com", "user123").await;
    let laptop = app.login("user@gmail.com", "user123").await;
    let reply = app.post("/api/auth/logout", Some(&phone), json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let after = app.get("/api/auth/verify", Some(&phone)).await;
    assert_eq!((after.status, after.error()), (StatusCode::UNAUTHORIZED, "Session ended; sign in again"));
    assert_eq!(app.get("/api/auth/verify", Some(&laptop)).await.status, StatusCode::OK, "other sessions go on");
    assert_eq!(app.post("/api/auth/logout", None, json!({})).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_of_a_page_ends_the_session_behind_the_cookie() {
    let app = TestApp::spawn().await;
    let token = app.login("agent@gmail.com", "agent123").await;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/rpc/logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("helpdesk_session={token}"))
        .header("sec-fetch-site", "same-origin")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert!(reply.status.is_redirection() || reply.status.is_success(), "{:?}", reply.status);
    assert_eq!(app.get("/api/auth/verify", Some(&token)).await.status, StatusCode::UNAUTHORIZED, "a copied cookie is dead too");
}

#[tokio::test]
async fn a_token_from_the_same_second_as_a_reset_stops_working() {
    let app = TestApp::spawn().await;
    let old = app.login("jane@gmail.com", "jane123").await;
    app.post("/api/auth/forgot-password", None, json!({ "email": "jane@gmail.com" })).await;
    let link = app.reset_token_for("jane@gmail.com").await;
    let reply = app.post("/api/auth/reset-password", None, json!({ "token": link, "password": "brand-new-pass" })).await;
    assert_eq!(reply.status, StatusCode::OK);
    // Issued well within the same second as the reset: it must still be refused.
    assert_eq!(app.get("/api/auth/verify", Some(&old)).await.status, StatusCode::UNAUTHORIZED);
    let fresh = app.login("jane@gmail.com", "brand-new-pass").await;
    assert_eq!(app.get("/api/auth/verify", Some(&fresh)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn reactivating_an_account_does_not_revive_its_old_tokens() {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let jane = app.login("jane@gmail.com", "jane123").await;
    let edit = |active: bool| json!({ "name": "Jane Smith", "role": "user", "isActive": active, "department": "", "phone": "" });
    let off = app.request(Method::PUT, "/api/superadmin/users/5", Some(&superadmin), Some(edit(false))).await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    assert_eq!(app.get("/api/auth/verify", Some(&jane)).await.status, StatusCode::UNAUTHORIZED);
    let on = app.request(Method::PUT, "/api/superadmin/users/5", Some(&superadmin), Some(edit(true))).await;
    assert_eq!(on.status, StatusCode::OK, "{:?}", on.body);
    assert_eq!(app.get("/api/auth/verify", Some(&jane)).await.status, StatusCode::UNAUTHORIZED, "the old token stays dead");
    app.login("jane@gmail.com", "jane123").await;
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_closes_open_reset_links() {
    let app = TestApp::spawn().await;
    app.post("/api/auth/forgot-password", None, json!({ "email": "user@gmail.com" })).await;
    let link = app.reset_token_for("user@gmail.com").await;
    let other = app.login("user@gmail.com", "user123").await;
    let this = app.login("user@gmail.com", "user123").await;
    let form = "current_password=user123&new_password=a-new-secret&confirm_password=a-new-secret";
    let request = Request::builder()
        .method(Method::POST)
        .uri("/rpc/profile/password")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("helpdesk_session={this}"))
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(form))
        .unwrap();
    let reply = app.send(request).await;
    assert!(reply.status.is_redirection() || reply.status.is_success(), "{:?} {:?}", reply.status, reply.body);
    let cookie = reply.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    let fresh = cookie.trim_start_matches("helpdesk_session=").split(';').next().unwrap();
    assert_eq!(app.get("/api/auth/verify", Some(fresh)).await.status, StatusCode::OK, "this browser stays signed in");
    assert_eq!(app.get("/api/auth/verify", Some(&other)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/auth/verify", Some(&this)).await.status, StatusCode::UNAUTHORIZED);
    let reset = app.post("/api/auth/reset-password", None, json!({ "token": link, "password": "attackers-pass" })).await;
    assert_eq!((reset.status, reset.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("token")), "the old link is closed");
    app.login("user@gmail.com", "a-new-secret").await;
}

#[tokio::test]
async fn a_session_made_on_one_instance_ends_on_another_sharing_the_database() {
    let dir = common::process::Scratch::new("shared-sessions");
    let url = format!("sqlite://{}/helpdesk.db", dir.0.display());
    let one = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    let two = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    let token = one.login("user@gmail.com", "user123").await;
    assert_eq!(two.get("/api/auth/verify", Some(&token)).await.status, StatusCode::OK, "the signing key is shared");
    assert_eq!(two.post("/api/auth/logout", Some(&token), json!({})).await.status, StatusCode::OK);
    assert_eq!(one.get("/api/auth/verify", Some(&token)).await.status, StatusCode::UNAUTHORIZED);
}

