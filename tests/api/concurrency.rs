//! Many app instances rendering pages at once, as the test suite itself does: no render may
//! stall. (Generating the route list while another instance renders once stalled resources
//! for good: leptos#4773. The route list is now generated once per process.)

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use std::time::Duration;

const PAGES: [&str; 10] = [
    "/admin", "/admin/tickets?overdue=true", "/admin/reports", "/superadmin", "/superadmin/users",
    "/superadmin/users/5", "/superadmin/settings", "/superadmin/audit", "/tickets/1", "/profile",
];

async fn render_every_page_repeatedly(instance: usize) {
    let app = TestApp::spawn().await;
    let token = app.login("superadmin@gmail.com", "superadmin123").await;
    for round in 0..4 {
        for path in PAGES {
            let request = Request::builder()
                .uri(path)
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, format!("helpdesk_session={token}"))
                .body(Body::empty())
                .unwrap();
            let reply = tokio::time::timeout(Duration::from_secs(30), app.send(request)).await;
            let reply = reply.unwrap_or_else(|_| panic!("instance {instance}, round {round}: {path} stalled"));
            assert_eq!(reply.status, StatusCode::OK, "{path}: a super admin may open every page");
            assert_scripts_carry_the_policy_nonce(&reply, path);
        }
    }
}

/// Each page's policy names the nonce its own scripts carry, however many render at once.
fn assert_scripts_carry_the_policy_nonce(reply: &common::Reply, path: &str) {
    let policy = reply.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let nonce = policy.split_whitespace().find_map(|w| w.strip_prefix("'nonce-")?.strip_suffix('\''));
    let nonce = nonce.unwrap_or_else(|| panic!("{path}: no nonce in the policy {policy:?}"));
    let html = reply.body.as_str().unwrap_or_default();
    let scripts = html.matches("<script").count();
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{path}: every script carries this response's nonce");
}

macro_rules! instances {
    ($($name:ident $n:literal),*) => {
        $( #[tokio::test] async fn $name() { render_every_page_repeatedly($n).await } )*
    };
}

instances!(
    pages_render_concurrently_in_instance_1 1, pages_render_concurrently_in_instance_2 2,
    pages_render_concurrently_in_instance_3 3, pages_render_concurrently_in_instance_4 4,
    pages_render_concurrently_in_instance_5 5, pages_render_concurrently_in_instance_6 6,
    pages_render_concurrently_in_instance_7 7, pages_render_concurrently_in_instance_8 8
);
