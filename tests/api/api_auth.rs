//! The REST auth endpoints of the contract, including bad input and bad tokens.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::TestApp;
use helpdesk::domain::Role;
use helpdesk::server::security::Claims;
use serde_json::json;

#[tokio::test]
async fn every_demo_account_signs_in_with_its_role() {
    let app = TestApp::spawn().await;
    let accounts = [
        ("superadmin@gmail.com", "superadmin123", "superadmin", "Super Admin"),
        ("admin@gmail.com", "admin123", "admin", "Admin"),
        ("agent@gmail.com", "agent123", "agent", "Agent John"),
        ("user@gmail.com", "user123", "user", "John Doe"),
        ("jane@gmail.com", "jane123", "user", "Jane Smith"),
    ];
    for (email, password, role, name) in accounts {
        let reply = app.post("/api/auth/login", None, json!({ "email": email, "password": password })).await;
        assert_eq!(reply.status, StatusCode::OK, "{email}");
        assert_eq!(reply.body["user"]["role"], role);
        assert_eq!(reply.body["user"]["name"], name);
        assert_eq!(reply.body["user"]["email"], email);
        assert!(reply.body["user"].get("passwordHash").is_none() && reply.body["user"].get("password").is_none());
    }
}

#[tokio::test]
async fn login_ignores_email_case_and_surrounding_space() {
    let app = TestApp::spawn().await;
    let reply = app.post("/api/auth/login", None, json!({ "email": "  USER@Gmail.com ", "password": "user123" })).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = app.post("/api/auth/login", None, json!({ "email": "user@gmail.com", "password": "nope-nope" })).await;
    let unknown = app.post("/api/auth/login", None, json!({ "email": "ghost@gmail.com", "password": "nope-nope" })).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn bad_login_bodies_are_refused_naming_the_problem() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({ "password": "x" }), "email"),
        (json!({ "email": "user@gmail.com" }), "password"),
        (json!({ "email": 42, "password": "x" }), "body"),
    ];
    for (body, field) in cases {
        let reply = app.post("/api/auth/login", None, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.body["field"], field, "{body}");
        assert!(!reply.error().is_empty());
    }
    let not_json = Request::builder()
        .method(Method::POST)
        .uri("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let reply = app.send(not_json).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.error().contains("JSON"));
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_with_retry_after() {
    let app = TestApp::spawn_with(|s| s.rate_limit.failures_per_account = 3).await;
    for _ in 0..3 {
        let reply = app.post("/api/auth/login", None, json!({ "email": "agent@gmail.com", "password": "wrong-pw" })).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = app.post("/api/auth/login", None, json!({ "email": "agent@gmail.com", "password": "agent123" })).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = blocked.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!(retry > 0);
    // Other accounts still sign in.
    app.login("user@gmail.com", "user123").await;
}

#[tokio::test]
async fn successful_sign_ins_are_never_limited() {
    let app = TestApp::spawn_with(|s| s.rate_limit.failures_per_account = 2).await;
    for _ in 0..6 {
        app.login("user@gmail.com", "user123").await;
    }
}

#[tokio::test]
async fn register_creates_a_user_role_account_and_signs_it_in() {
    let app = TestApp::spawn().await;
    let body = json!({ "name": "Ada Lovelace", "email": "Ada@Example.com", "password": "analytical", "confirmPassword": "analytical", "role": "superadmin" });
    let reply = app.post("/api/auth/register", None, body).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["user"]["role"], "user", "self-registration never grants a staff role");
    assert_eq!(reply.body["user"]["email"], "ada@example.com");
    assert!(reply.body["message"].is_string());
    let token = reply.body["token"].as_str().unwrap();
    let verify = app.get("/api/auth/verify", Some(token)).await;
    assert_eq!(verify.status, StatusCode::OK);
    assert_eq!(verify.body["user"]["name"], "Ada Lovelace");
    app.login("ada@example.com", "analytical").await;
}

#[tokio::test]
async fn register_refuses_bad_input_field_by_field() {
    let app = TestApp::spawn().await;
    let ok = json!({ "name": "Ada", "email": "ada@example.com", "password": "analytical", "confirmPassword": "analytical" });
    let cases = [
        ("name", json!(""), 400, "name"),
        ("name", json!("n".repeat(101)), 400, "name"),
        ("email", json!("not-an-email"), 400, "email"),
        ("email", json!("USER@gmail.com"), 409, "email"),
        ("password", json!("short"), 400, "password"),
        ("password", json!("x".repeat(129)), 400, "password"),
        ("confirmPassword", json!("different"), 400, "confirmPassword"),
    ];
    for (key, value, status, field) in cases {
        let mut body = ok.clone();
        body[key] = value.clone();
        let reply = app.post("/api/auth/register", None, body).await;
        assert_eq!(reply.status.as_u16(), status, "{key}={value}");
        assert_eq!(reply.body["field"], field, "{key}={value}");
    }
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_known_and_unknown_emails() {
    let app = TestApp::spawn().await;
    let known = app.post("/api/auth/forgot-password", None, json!({ "email": "jane@gmail.com" })).await;
    let unknown = app.post("/api/auth/forgot-password", None, json!({ "email": "nobody@gmail.com" })).await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);
    app.reset_token_for("jane@gmail.com").await;
    assert!(app.mails_to("nobody@gmail.com").is_empty());
    let bad = app.post("/api/auth/forgot-password", None, json!({ "email": "nope" })).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() {
    let app = TestApp::spawn().await;
    let old_token = app.login("jane@gmail.com", "jane123").await;
    app.post("/api/auth/forgot-password", None, json!({ "email": "jane@gmail.com" })).await;
    let token = app.reset_token_for("jane@gmail.com").await;

    let reply = app.post("/api/auth/reset-password", None, json!({ "token": token, "password": "brand-new-pass" })).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);

    let old = app.post("/api/auth/login", None, json!({ "email": "jane@gmail.com", "password": "jane123" })).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "the old password no longer works");
    app.login("jane@gmail.com", "brand-new-pass").await;

    let again = app.post("/api/auth/reset-password", None, json!({ "token": token, "password": "another-pass" })).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "a link works once");
    assert_eq!(again.body["field"], "token");
    assert_eq!(app.get("/api/auth/verify", Some(&old_token)).await.status, StatusCode::UNAUTHORIZED, "sessions from before the reset end");
}

#[tokio::test]
async fn reset_refuses_unknown_tokens_and_weak_passwords() {
    let app = TestApp::spawn().await;
    let unknown = app.post("/api/auth/reset-password", None, json!({ "token": "deadbeef", "password": "long-enough" })).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.body["field"], "token");
    app.post("/api/auth/forgot-password", None, json!({ "email": "user@gmail.com" })).await;
    let token = app.reset_token_for("user@gmail.com").await;
    let weak = app.post("/api/auth/reset-password", None, json!({ "token": token, "password": "short" })).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert_eq!(weak.body["field"], "password");
    let missing = app.post("/api/auth/reset-password", None, json!({ "password": "long-enough" })).await;
    assert_eq!(missing.body["field"], "token");
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = TestApp::spawn().await;
    let token = "feedfacefeedface";
    let past = chrono::Utc::now().timestamp() - 1;
    app.core.store.insert_password_reset(Some(4), &helpdesk::server::security::token_digest(token), past, None).await.unwrap();
    let reply = app.post("/api/auth/reset-password", None, json!({ "token": token, "password": "long-enough" })).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    app.login("user@gmail.com", "user123").await;
}

#[tokio::test]
async fn verify_needs_a_valid_current_token() {
    let app = TestApp::spawn().await;
    let none = app.get("/api/auth/verify", None).await;
    assert_eq!((none.status, none.error()), (StatusCode::UNAUTHORIZED, "No token provided"));

    let garbage = app.get("/api/auth/verify", Some("garbage")).await;
    assert_eq!((garbage.status, garbage.error()), (StatusCode::UNAUTHORIZED, "Invalid token"));

    let token = app.login("agent@gmail.com", "agent123").await;
    let mut tampered: Vec<char> = token.chars().collect();
    let mid = tampered.len() - 5;
    tampered[mid] = if tampered[mid] == 'a' { 'b' } else { 'a' };
    let tampered: String = tampered.into_iter().collect();
    let reply = app.get("/api/auth/verify", Some(&tampered)).await;
    assert_eq!((reply.status, reply.error()), (StatusCode::UNAUTHORIZED, "Invalid token"));

    let now = chrono::Utc::now().timestamp();
    let claims = Claims { id: 3, email: "agent@gmail.com".into(), role: Role::Agent, name: "Agent John".into(), exp: now - 5, iat: now - 100, sid: "expired".into() };
    let expired = app.core.keys.encode(&claims).unwrap();
    let reply = app.get("/api/auth/verify", Some(&expired)).await;
    assert_eq!((reply.status, reply.error()), (StatusCode::UNAUTHORIZED, "Token expired"));

    let ok = app.get("/api/auth/verify", Some(&token)).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["user"]["role"], "agent");
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn().await;
    let token = other.login("user@gmail.com", "user123").await;
    let reply = app.get("/api/auth/verify", Some(&token)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "each installation generates its own secret");
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in_and_their_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let token = app.login("jane@gmail.com", "jane123").await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let off = app.request(Method::PUT, "/api/superadmin/users/5", Some(&superadmin), Some(json!({ "isActive": false }))).await;
    assert_eq!(off.status, StatusCode::OK);
    let verify = app.get("/api/auth/verify", Some(&token)).await;
    assert_eq!(verify.status, StatusCode::UNAUTHORIZED);
    let login = app.post("/api/auth/login", None, json!({ "email": "jane@gmail.com", "password": "jane123" })).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert!(login.error().contains("deactivated"));
}

#[tokio::test]
async fn the_session_cookie_is_accepted_like_a_bearer_token() {
    let app = TestApp::spawn().await;
    let token = app.login("user@gmail.com", "user123").await;
    let request = Request::builder()
        .uri("/api/auth/verify")
        .header(header::COOKIE, format!("theme=dark; helpdesk_session={token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/nothing-here", None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error(), "Not found");
}
