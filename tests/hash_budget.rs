//! No unauthenticated request costs a password hash it has not earned. The process-wide hash
//! counter is read before and after each request, so this file holds one test (its own
//! process): nothing else hashes meanwhile.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use helpdesk::server::security::hashes_computed;
use serde_json::json;

async fn hashes_for(app: &TestApp, path: &str, body: serde_json::Value) -> (StatusCode, u64) {
    let before = hashes_computed();
    let reply = app.post_from("198.51.100.7", &[], path, body).await;
    (reply.status, hashes_computed() - before)
}

#[tokio::test]
async fn requests_that_cannot_succeed_cost_no_hash() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit.failures_per_account = 2;
        s.rate_limit.requests_per_ip = 6;
    })
    .await;
    let cases = [
        ("a made-up reset token", "/api/auth/reset-password", json!({ "token": "made-up", "password": "long-enough-pw" }), StatusCode::BAD_REQUEST),
        ("a taken email", "/api/auth/register", json!({ "name": "Copy Cat", "email": "user@gmail.com", "password": "long-enough-pw" }), StatusCode::CONFLICT),
        ("an invalid registration", "/api/auth/register", json!({ "name": "", "email": "x@example.com", "password": "long-enough-pw" }), StatusCode::BAD_REQUEST),
        ("an empty password", "/api/auth/login", json!({ "email": "user@gmail.com", "password": "" }), StatusCode::BAD_REQUEST),
        ("an overlong email", "/api/auth/login", json!({ "email": format!("{}@example.com", "a".repeat(300)), "password": "x" }), StatusCode::BAD_REQUEST),
        ("no email at all", "/api/auth/login", json!({ "email": "not-an-address", "password": "x" }), StatusCode::BAD_REQUEST),
    ];
    for (what, path, body, status) in cases {
        assert_eq!(hashes_for(&app, path, body).await, (status, 0), "{what}");
    }

    // The counter does see real work: a free email is hashed once, a sign-in verified once.
    let free = json!({ "name": "New Person", "email": "fresh@example.com", "password": "long-enough-pw" });
    assert_eq!(hashes_for(&app, "/api/auth/register", free).await, (StatusCode::CREATED, 1));
    let wrong = json!({ "email": "user@gmail.com", "password": "guess-guess" });
    for _ in 0..2 {
        assert_eq!(hashes_for(&app, "/api/auth/login", wrong.clone()).await, (StatusCode::UNAUTHORIZED, 1));
    }
    // Once the guesses are spent, further ones are refused before the hash.
    assert_eq!(hashes_for(&app, "/api/auth/login", wrong).await, (StatusCode::TOO_MANY_REQUESTS, 0));

    // Once the address' budget is spent, even a free email costs nothing.
    for n in 0..3 {
        let body = json!({ "name": "New Person", "email": format!("more{n}@example.com"), "password": "long-enough-pw" });
        hashes_for(&app, "/api/auth/register", body).await;
    }
    let over = json!({ "name": "New Person", "email": "over@example.com", "password": "long-enough-pw" });
    assert_eq!(hashes_for(&app, "/api/auth/register", over).await, (StatusCode::TOO_MANY_REQUESTS, 0));
}
