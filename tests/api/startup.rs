//! Start-up: durable storage, production bootstrap, secrets.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use helpdesk::server::config::Config;
use serde_json::json;

/// A database file in a folder removed when the test ends (even when it fails).
fn temp_db(name: &str) -> (common::process::Scratch, String) {
    let dir = common::process::Scratch::new(name);
    let url = format!("sqlite://{}", dir.0.join("helpdesk.db").display());
    (dir, url)
}

#[tokio::test]
async fn a_database_file_keeps_accounts_and_sessions_across_restarts() {
    let (_dir, url) = temp_db("restart");
    let first = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    let body = json!({ "name": "Durable", "email": "durable@example.com", "password": "survives-restart", "confirmPassword": "survives-restart" });
    let reply = first.post("/api/auth/register", None, body).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let token = reply.body["token"].as_str().unwrap().to_string();
    drop(first);

    let second = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    second.login("durable@example.com", "survives-restart").await;
    assert_eq!(
        second.get("/api/auth/verify", Some(&token)).await.status,
        StatusCode::OK,
        "the generated signing secret is kept, so sessions survive a restart"
    );
}

#[tokio::test]
async fn a_production_start_creates_only_the_configured_super_admin() {
    let (_dir, url) = temp_db("production");
    let app = TestApp::spawn_with(|s| {
        s.database_url = url.clone();
        s.demo = false;
        s.bootstrap.admin_email = "root@example.com".into();
        s.bootstrap.admin_password = Some("configured-secret".into());
    })
    .await;
    let reply = app.post("/api/auth/login", None, json!({ "email": "superadmin@gmail.com", "password": "superadmin123" })).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "no well-known demo password exists");
    let token = app.login("root@example.com", "configured-secret").await;
    assert_eq!(app.get("/api/auth/verify", Some(&token)).await.body["user"]["role"], "superadmin");
}

#[tokio::test]
async fn a_production_start_without_a_password_generates_one() {
    let app = TestApp::spawn_with(|s| {
        s.demo = false;
        s.bootstrap.admin_email = "root@example.com".into();
    })
    .await;
    assert_eq!(app.core.store.count_users().await.unwrap(), 1);
    let reply = app.post("/api/auth/login", None, json!({ "email": "root@example.com", "password": "superadmin123" })).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_configured_signing_secret_is_used_by_every_instance() {
    let secret = "x".repeat(40);
    let (_dir, url) = temp_db("shared-secret");
    let configure = |s: &mut helpdesk::server::config::Config| {
        s.jwt_secret = Some(secret.clone().into());
        s.database_url = url.clone();
    };
    let a = TestApp::spawn_with(configure).await;
    let b = TestApp::spawn_with(configure).await;
    let token = a.login("user@gmail.com", "user123").await;
    assert_eq!(b.get("/api/auth/verify", Some(&token)).await.status, StatusCode::OK);
    // The same secret on another database: the signature holds, but there is no such session.
    let elsewhere = TestApp::spawn_with(|s| s.jwt_secret = Some(secret.clone().into())).await;
    assert_eq!(elsewhere.get("/api/auth/verify", Some(&token)).await.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn ephemeral_settings_use_an_in_memory_database_with_demo_data() {
    let s = Config::ephemeral(std::env::temp_dir());
    assert_eq!(s.database_url, "sqlite::memory:");
    assert!(s.demo);
}
