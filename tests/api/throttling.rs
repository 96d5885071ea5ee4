//! Attempt limits: a stranger guessing a password stops themselves, not the account's owner;
//! endpoints that cost a hash or send mail are limited per address; `X-Forwarded-For` counts
//! only when it comes from a trusted proxy.

use crate::common;

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
async fn simultaneous_guesses_reach_at_most_the_limit_plus_the_attempts_in_flight() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit.failures_per_account = 3;
        s.rate_limit.sign_ins_in_flight_per_ip = 4;
    })
    .await;
    let guesses = (0..12).map(|i| {
        let app = app.clone();
        async move { app.post_from(ATTACKER, &[], "/api/auth/login", login("admin@gmail.com", &format!("guess-{i}"))).await }
    });
    let replies = futures_util::future::join_all(guesses).await;
    let tried = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let refused = replies.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(tried + refused, 12);
    assert!((1..=3 + 4).contains(&tried), "at most the limit plus the bound in flight are checked: {tried}");
    let after = app.post_from(ATTACKER, &[], "/api/auth/login", login("admin@gmail.com", "admin123")).await;
    assert_eq!(after.status, StatusCode::TOO_MANY_REQUESTS, "the guesses counted, so even the right password waits");
}

/// Accounts `office-N@example.com` sharing one password, stored directly (40 hashes would
/// only slow the test down).
async fn office_accounts(app: &TestApp, n: usize) -> Vec<String> {
    let hash = helpdesk::server::security::hash_password("office-password".into()).await.unwrap();
    let mut emails = Vec::new();
    for i in 0..n {
        let email = format!("office-{i}@example.com");
        let user = helpdesk::server::store::NewUser {
            name: "Office Worker",
            email: &email,
            password_hash: &hash,
            role: helpdesk::domain::Role::User,
            department: "",
            phone: "",
        };
        app.core.store.insert_user(user, None).await.unwrap();
        emails.push(email);
    }
    emails
}

#[tokio::test]
async fn an_office_signing_in_at_once_behind_one_address_locks_nobody_out() {
    const OFFICE: &str = "198.51.100.77";
    let app = TestApp::spawn().await;
    let emails = office_accounts(&app, 40).await;
    let sign_ins = (0..200).map(|i| {
        let (app, email) = (app.clone(), emails[i % emails.len()].clone());
        async move { app.post_from(OFFICE, &[], "/api/auth/login", login(&email, "office-password")).await }
    });
    let replies = futures_util::future::join_all(sign_ins).await;
    for reply in &replies {
        assert!(
            [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS, StatusCode::SERVICE_UNAVAILABLE].contains(&reply.status),
            "{:?} {:?}",
            reply.status,
            reply.body
        );
        if reply.status != StatusCode::OK {
            assert_eq!(retry_after(reply), 1, "a busy moment, not a lockout: {:?}", reply.body);
            assert!(!reply.error().contains("failed"), "no right password counts as a failure: {}", reply.error());
        }
    }
    assert!(replies.iter().any(|r| r.status == StatusCode::OK));
    let admin = app.post_from(OFFICE, &[], "/api/auth/login", login("admin@gmail.com", "admin123")).await;
    assert_eq!(admin.status, StatusCode::OK, "the office is not locked out: {:?}", admin.body);
    for email in &emails[..3] {
        assert_eq!(app.post_from(OFFICE, &[], "/api/auth/login", login(email, "office-password")).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn guesses_from_one_ipv6_64_count_as_one_address() {
    let app = TestApp::spawn().await;
    let mut statuses = Vec::new();
    for i in 1..=40 {
        let peer = format!("2001:db8:77:1::{i:x}");
        statuses.push(app.post_from(&peer, &[], "/api/auth/login", login("superadmin@gmail.com", "guess-guess")).await.status);
    }
    let tried = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(tried, 5, "one /64 is one address: {statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    let elsewhere = app.post_from("2001:db8:77:2::1", &[], "/api/auth/login", login("superadmin@gmail.com", "superadmin123")).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "another /64 is another address");
}

fn device_cookie(reply: &Reply) -> String {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("helpdesk_device="))
        .expect("a device cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn guesses_spread_over_many_addresses_stop_at_the_accounts_ceiling_but_not_its_owners_browser() {
    let app = TestApp::spawn_with(|s| s.rate_limit.failures_per_account_total = 6).await;
    let first = app.post_from(OWNER, &[], "/api/auth/login", login("admin@gmail.com", "admin123")).await;
    assert_eq!(first.status, StatusCode::OK);
    let cookie = device_cookie(&first);
    for i in 1..=6 {
        let peer = format!("203.0.113.{i}");
        assert_eq!(app.post_from(&peer, &[], "/api/auth/login", login("admin@gmail.com", "guess-guess")).await.status, StatusCode::UNAUTHORIZED);
    }
    let seventh = app.post_from("203.0.113.99", &[], "/api/auth/login", login("admin@gmail.com", "guess-guess")).await;
    assert_eq!(seventh.status, StatusCode::TOO_MANY_REQUESTS, "the account's ceiling holds across addresses");
    let stranger = app.post_from("192.0.2.55", &[], "/api/auth/login", login("admin@gmail.com", "admin123")).await;
    assert_eq!(stranger.status, StatusCode::TOO_MANY_REQUESTS, "a browser never seen before waits");
    let owner = app.post_from("192.0.2.56", &[("cookie", &cookie)], "/api/auth/login", login("admin@gmail.com", "admin123")).await;
    assert_eq!(owner.status, StatusCode::OK, "the owner's browser signs in while the ceiling holds: {:?}", owner.body);
    let other_accounts_cookie = app.post_from("192.0.2.57", &[("cookie", &cookie)], "/api/auth/login", login("user@gmail.com", "user123")).await;
    assert_eq!(other_accounts_cookie.status, StatusCode::OK);
    let forged = app.post_from("192.0.2.58", &[("cookie", "helpdesk_device=made.up.value")], "/api/auth/login", login("admin@gmail.com", "admin123")).await;
    assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS, "only a cookie we signed counts");
}

#[tokio::test]
async fn successful_sign_ins_are_limited_per_account() {
    let app = TestApp::spawn_with(|s| s.rate_limit.sign_ins_per_account = 3).await;
    for i in 1..=3 {
        let peer = format!("192.0.2.{i}");
        assert_eq!(app.post_from(&peer, &[], "/api/auth/login", login("user@gmail.com", "user123")).await.status, StatusCode::OK);
    }
    let fourth = app.post_from("192.0.2.4", &[], "/api/auth/login", login("user@gmail.com", "user123")).await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&fourth) > 1);
    assert_eq!(app.post_from("192.0.2.4", &[], "/api/auth/login", login("jane@gmail.com", "jane123")).await.status, StatusCode::OK);
}

async fn stored_rows(app: &TestApp) -> [i64; 3] {
    let mut counts = [0; 3];
    for (count, table) in counts.iter_mut().zip(["throttles", "audit_log", "password_resets"]) {
        *count = app.core.store.count_rows(table).await.unwrap();
    }
    counts
}

#[tokio::test]
async fn a_300_kib_sign_in_form_answers_413_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let before = stored_rows(&app).await;
    let form = format!("email={}&password=x", "a".repeat(300 * 1024));
    for declared in [true, false] {
        let mut request = axum::http::Request::builder()
            .method(axum::http::Method::POST)
            .uri("/rpc/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if declared {
            request = request.header(header::CONTENT_LENGTH, form.len());
        }
        let reply = app.send(request.body(axum::body::Body::from(form.clone())).unwrap()).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "length declared: {declared}");
    }
    assert_eq!(stored_rows(&app).await, before, "nothing counted, audited or stored");
}

#[tokio::test]
async fn an_overlong_sign_in_email_is_refused_naming_the_field_before_anything_is_stored() {
    let app = TestApp::spawn().await;
    let before = stored_rows(&app).await;
    let email = format!("{}@example.com", "a".repeat(288));
    let reply = app.post_from(ATTACKER, &[], "/api/auth/login", login(&email, "guess-guess")).await;
    assert_eq!((reply.status, reply.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("email")), "{:?}", reply.body);
    assert_eq!(stored_rows(&app).await, before);
}

#[tokio::test]
async fn forgot_password_stores_the_same_rows_and_answers_the_same_for_any_address() {
    let app = TestApp::spawn().await;
    let mut deltas = Vec::new();
    let mut answers = Vec::new();
    for (peer, email) in [("192.0.2.10", "jane@gmail.com"), ("192.0.2.11", "nobody-here@example.com")] {
        let before = stored_rows(&app).await;
        let reply = app.post_from(peer, &[], "/api/auth/forgot-password", json!({ "email": email })).await;
        let after = stored_rows(&app).await;
        deltas.push([after[0] - before[0], after[1] - before[1], after[2] - before[2]]);
        answers.push((reply.status, reply.body));
    }
    assert_eq!(deltas[0], deltas[1], "throttle, audit and reset rows alike");
    assert_eq!(deltas[0][2], 1, "one reset row either way");
    assert_eq!(answers[0], answers[1]);
    app.reset_token_for("jane@gmail.com").await;
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
