//! Sessions end exactly when they should: on sign-out, password change or reset,
//! deactivation (and stay ended after reactivation), on every instance that shares the database.

use crate::common;

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


#[tokio::test]
async fn a_sign_in_checked_against_a_password_changed_meanwhile_gets_no_session() {
    let app = TestApp::spawn().await;
    let read = app.core.store.user_by_email("jane@gmail.com").await.unwrap().expect("jane");
    let hash = helpdesk::server::security::hash_password("changed-meanwhile".into()).await.unwrap();
    let entry = helpdesk::server::store::AuditRecord {
        actor_id: Some(read.profile.id),
        actor_email: "jane@gmail.com",
        action: "password_changed",
        target: "jane@gmail.com",
        detail: "",
        ip: "",
    };
    app.core.store.set_password(read.profile.id, &hash, chrono::Utc::now().timestamp(), entry).await.unwrap();
    let late = helpdesk::server::services::auth::open_session(&app.core, &read, None).await;
    assert_eq!(late.map(|s| s.token).unwrap_err().status(), 401, "the old password opens nothing");
    app.login("jane@gmail.com", "changed-meanwhile").await;
}

#[tokio::test]
async fn a_sign_in_checked_before_a_deactivation_gets_no_session() {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let read = app.core.store.user_by_email("jane@gmail.com").await.unwrap().expect("jane");
    let edit = json!({ "name": "Jane Smith", "role": "user", "isActive": false, "department": "", "phone": "" });
    assert_eq!(app.request(Method::PUT, "/api/superadmin/users/5", Some(&superadmin), Some(edit)).await.status, StatusCode::OK);
    let late = helpdesk::server::services::auth::open_session(&app.core, &read, None).await;
    assert_eq!(late.map(|s| s.token).unwrap_err().status(), 401);
}

#[tokio::test]
async fn deactivating_an_account_closes_its_reset_links_and_an_inactive_account_redeems_none() {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    app.post("/api/auth/forgot-password", None, json!({ "email": "jane@gmail.com" })).await;
    let link = app.reset_token_for("jane@gmail.com").await;
    let edit = |active: bool| json!({ "name": "Jane Smith", "role": "user", "isActive": active, "department": "", "phone": "" });
    assert_eq!(app.request(Method::PUT, "/api/superadmin/users/5", Some(&superadmin), Some(edit(false))).await.status, StatusCode::OK);
    // A link made while the account is inactive (as an old link would be) is refused too.
    let late = "b".repeat(64);
    let expires = chrono::Utc::now().timestamp() + 3600;
    app.core.store.insert_password_reset(Some(5), &helpdesk::server::security::token_digest(&late), expires, None).await.unwrap();
    for token in [&link, &late] {
        let reset = app.post("/api/auth/reset-password", None, json!({ "token": token, "password": "set-while-away" })).await;
        assert_eq!((reset.status, reset.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("token")), "{:?}", reset.body);
    }
    assert_eq!(app.request(Method::PUT, "/api/superadmin/users/5", Some(&superadmin), Some(edit(true))).await.status, StatusCode::OK);
    let reset = app.post("/api/auth/reset-password", None, json!({ "token": link, "password": "set-while-away" })).await;
    assert_eq!(reset.status, StatusCode::BAD_REQUEST, "closed for good, not just while inactive");
    app.login("jane@gmail.com", "jane123").await;
}

#[tokio::test]
async fn a_session_idle_past_the_timeout_ends_and_one_in_use_goes_on() {
    let app = TestApp::spawn_with(|s| s.idle_timeout_secs = 3).await;
    let busy = app.login("user@gmail.com", "user123").await;
    let idle = app.login("jane@gmail.com", "jane123").await;
    for _ in 0..5 {
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        assert_eq!(app.get("/api/auth/verify", Some(&busy)).await.status, StatusCode::OK, "a session in use goes on");
    }
    let reply = app.get("/api/auth/verify", Some(&idle)).await;
    assert_eq!((reply.status, reply.error()), (StatusCode::UNAUTHORIZED, "Session ended; sign in again"));
}

#[tokio::test]
async fn a_bearer_in_any_case_beside_a_session_cookie_does_not_skip_the_cross_site_check() {
    let app = TestApp::spawn().await;
    let token = app.login("agent@gmail.com", "agent123").await;
    let post = |authorization: &str, cookie: Option<&str>| {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/api/auth/logout")
            .header(header::AUTHORIZATION, authorization)
            .header(header::ORIGIN, "https://evil.example");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, format!("helpdesk_session={cookie}"));
        }
        request.body(Body::empty()).unwrap()
    };
    for scheme in ["BEARER", "Bearer", "bearer", "bEaReR"] {
        let reply = app.send(post(&format!("{scheme} x"), Some(&token))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{scheme}");
    }
    assert_eq!(app.get("/api/auth/verify", Some(&token)).await.status, StatusCode::OK, "the session was not ended");
    let api_client = app.send(post(&format!("BEARER {token}"), None)).await;
    assert_eq!(api_client.status, StatusCode::OK, "a bearer alone, in any case, is an API client: {:?}", api_client.body);
}
