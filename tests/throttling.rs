//! Attempt limits: a stranger guessing a password stops themselves, not the account's owner;
//! endpoints that cost a hash or send mail are limited per address; `X-Forwarded-For` counts
//! only when it comes from a trusted proxy.

mod common;

use axum::http::{header, StatusCode};
use common::{Reply, TestApp};
use serde_json::{json, Value};

const ATTACKER: &str = "203.0.113.9";
const OWNER: &str = "198.51.100.20";

fn login(email: &str, password: &str) -> Value {
    json!({ "email": email, "password": password })
}

fn retry_after(reply: &Reply) -> u64 {
    reply.headers.get(header::RETRY_AFTER).expect("a Retry-After header").to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn guesses_from_one_address_stop_that_address_and_never_the_owner() {
    let app = TestApp::spawn_with(|s| s.rate_limit.failures_per_account = 3).await;
    for _ in 0..3 {
        let reply = app.post_from(ATTACKER, &[], "/api/auth/login", login("superadmin@gmail.com", "guess-guess")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = app.post_from(ATTACKER, &[], "/api/auth/login", login("superadmin@gmail.com", "superadmin123")).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits once the guesses are spent");
    assert!(retry_after(&blocked) > 0);
    let owner = app.post_from(OWNER, &[], "/api/auth/login", login("superadmin@gmail.com", "superadmin123")).await;
    assert_eq!(owner.status, StatusCode::OK, "the owner, elsewhere, is not locked out");
}

#[tokio::test]
async fn simultaneous_guesses_are_each_counted_before_the_hash() {
    let app = TestApp::spawn_with(|s| s.rate_limit.failures_per_account = 3).await;
    let guesses = (0..12).map(|i| {
        let app = app.clone();
        async move { app.post_from(ATTACKER, &[], "/api/auth/login", login("admin@gmail.com", &format!("guess-{i}"))).await.status }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let tried = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((tried, refused), (3, 9), "{statuses:?}");
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_stopped_outright() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit.failures_per_account = 100;
        s.rate_limit.failures_per_ip = 4;
    })
    .await;
    let accounts = ["user@gmail.com", "jane@gmail.com", "agent@gmail.com", "admin@gmail.com"];
    for email in accounts {
        assert_eq!(app.post_from(ATTACKER, &[], "/api/auth/login", login(email, "guess-guess")).await.status, StatusCode::UNAUTHORIZED);
    }
    let stopped = app.post_from(ATTACKER, &[], "/api/auth/login", login("superadmin@gmail.com", "guess-guess")).await;
    assert_eq!(stopped.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = app.post_from(OWNER, &[], "/api/auth/login", login("user@gmail.com", "user123")).await;
    assert_eq!(elsewhere.status, StatusCode::OK);
}

#[tokio::test]
async fn a_successful_sign_in_clears_its_accounts_failures() {
    let app = TestApp::spawn_with(|s| s.rate_limit.failures_per_account = 2).await;
    for _ in 0..5 {
        assert_eq!(app.post_from(OWNER, &[], "/api/auth/login", login("user@gmail.com", "typo-typo")).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.post_from(OWNER, &[], "/api/auth/login", login("user@gmail.com", "user123")).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn registration_reset_and_reset_mail_are_limited_per_address() {
    let app = TestApp::spawn_with(|s| s.rate_limit.requests_per_ip = 3).await;
    let register = |n: usize| json!({ "name": "New Person", "email": format!("new{n}@example.com"), "password": "long-enough-pw", "confirmPassword": "long-enough-pw" });
    for n in 0..3 {
        assert_eq!(app.post_from(ATTACKER, &[], "/api/auth/register", register(n)).await.status, StatusCode::CREATED);
    }
    // The budget covers every endpoint that costs a hash or sends mail, taken or free email alike.
    let cases = [
        ("/api/auth/register", register(9)),
        ("/api/auth/register", json!({ "name": "Someone", "email": "user@gmail.com", "password": "long-enough-pw" })),
        ("/api/auth/forgot-password", json!({ "email": "user@gmail.com" })),
        ("/api/auth/reset-password", json!({ "token": "made-up-token", "password": "long-enough-pw" })),
    ];
    for (path, body) in cases {
        let reply = app.post_from(ATTACKER, &[], path, body).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert!(retry_after(&reply) > 0, "{path}");
    }
    let elsewhere = app.post_from(OWNER, &[], "/api/auth/register", register(10)).await;
    assert_eq!(elsewhere.status, StatusCode::CREATED);
}

#[tokio::test]
async fn reset_mail_to_one_recipient_is_limited_without_changing_the_answer() {
    let app = TestApp::spawn_with(|s| s.rate_limit.requests_per_ip = 100).await;
    let mut answers = Vec::new();
    for i in 0..6 {
        let peer = format!("192.0.2.{}", i + 1);
        answers.push(app.post_from(&peer, &[], "/api/auth/forgot-password", json!({ "email": "jane@gmail.com" })).await);
    }
    assert!(answers.iter().all(|a| a.status == StatusCode::OK && a.body == answers[0].body));
    app.reset_token_for("jane@gmail.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mails_to("jane@gmail.com").len(), 3, "a mailbox is not flooded");
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit.failures_per_ip = 2;
        s.trusted_proxies = vec!["10.0.0.1/32".parse().unwrap()];
    })
    .await;
    let via_proxy = |client: &'static str| [("x-forwarded-for", client)];
    // Behind the proxy, clients are told apart by the address it forwards.
    for _ in 0..2 {
        let r = app.post_from("10.0.0.1", &via_proxy(ATTACKER), "/api/auth/login", login("ghost@example.com", "guess-guess")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let attacker = app.post_from("10.0.0.1", &via_proxy(ATTACKER), "/api/auth/login", login("ghost@example.com", "guess-guess")).await;
    assert_eq!(attacker.status, StatusCode::TOO_MANY_REQUESTS);
    let owner = app.post_from("10.0.0.1", &via_proxy(OWNER), "/api/auth/login", login("user@gmail.com", "user123")).await;
    assert_eq!(owner.status, StatusCode::OK, "one client's guesses do not block everyone behind the proxy");
    // From anyone else the header is a lie and is ignored: a new made-up address per try buys nothing.
    for (i, expected) in [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].into_iter().enumerate() {
        let spoofed = format!("192.0.2.{i}");
        let r = app.post_from(OWNER, &[("x-forwarded-for", spoofed.as_str())], "/api/auth/login", login("ghost@example.com", "guess")).await;
        assert_eq!(r.status, expected, "try {i}");
    }
}
