//! Nothing is half-written: an action and its audit entry land together or not at all, a
//! broken database answers a generic 500 that names nothing inside, and the last active super
//! admin survives two super admins demoting each other at once.

use crate::common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::json;
use sqlx::Connection;

/// An app on a database file, and a second connection to that file for breaking it.
async fn app_on_file(name: &str) -> (TestApp, sqlx::SqliteConnection, common::process::Scratch) {
    let dir = common::process::Scratch::new(name);
    let url = format!("sqlite://{}/helpdesk.db", dir.0.display());
    let app = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    let saboteur = sqlx::SqliteConnection::connect(&url).await.unwrap();
    (app, saboteur, dir)
}

async fn break_inserts_into(conn: &mut sqlx::SqliteConnection, table: &str) {
    let sql = format!("CREATE TRIGGER sabotage BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'sabotaged {table} insert'); END");
    sqlx::query(&sql).execute(conn).await.unwrap();
}

fn assert_generic_500(reply: &common::Reply, what: &str) {
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{what}: {:?}", reply.body);
    let text = reply.body.to_string().to_lowercase();
    for inside in ["sabotage", "sqlite", "sqlx", "trigger", "audit_log", "tickets", "error returned from database"] {
        assert!(!text.contains(inside), "{what} leaks {inside:?}: {text}");
    }
    assert!(!reply.error().is_empty(), "{what} still says something");
}

#[tokio::test]
async fn a_change_whose_audit_entry_cannot_be_written_does_not_happen() {
    let (app, mut saboteur, _dir) = app_on_file("audit-atomic").await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    break_inserts_into(&mut saboteur, "audit_log").await;

    let new_user = json!({ "name": "Half Written", "email": "half@example.com", "password": "long-enough-pw", "role": "agent" });
    let created = app.post("/api/superadmin/users", Some(&superadmin), new_user).await;
    assert_generic_500(&created, "create user");
    let found = app.get("/api/superadmin/users?q=half%40example.com", Some(&superadmin)).await;
    assert_eq!(found.body["users"].as_array().map(Vec::len), Some(0), "no account without its audit entry: {:?}", found.body);

    let demote = app.request(Method::PUT, "/api/superadmin/users/3", Some(&superadmin), Some(json!({ "role": "user" }))).await;
    assert_generic_500(&demote, "role change");
    assert_eq!(app.get("/api/superadmin/users/3", Some(&superadmin)).await.body["user"]["role"], "agent");

    let settings = app.request(Method::PUT, "/api/superadmin/settings", Some(&superadmin), Some(json!({ "maxTicketsPerAgent": 3 }))).await;
    assert_generic_500(&settings, "settings");
    assert_ne!(app.get("/api/superadmin/settings", Some(&superadmin)).await.body["settings"]["maxTicketsPerAgent"], 3);

    // Sign-in writes its audit entry with the session: no entry, no session.
    let login = app.post("/api/auth/login", None, json!({ "email": "user@gmail.com", "password": "user123" })).await;
    assert_generic_500(&login, "sign-in");

}

#[tokio::test]
async fn a_broken_database_answers_a_generic_500_and_keeps_nothing_half_written() {
    let (app, mut saboteur, _dir) = app_on_file("broken-db").await;
    let user = app.login("user@gmail.com", "user123").await;
    let before = app.get("/api/users/dashboard", Some(&user)).await.body["dashboard"]["totalTickets"].clone();
    break_inserts_into(&mut saboteur, "ticket_events").await;
    let ticket = json!({ "title": "Printer on fire", "description": "It is really on fire.", "priority": "high", "category": "technical" });
    let reply = app.post("/api/tickets", Some(&user), ticket).await;
    assert_generic_500(&reply, "create ticket");
    let after = app.get("/api/users/dashboard", Some(&user)).await.body["dashboard"]["totalTickets"].clone();
    assert_eq!(before, after, "the ticket went with its history event");
}

#[tokio::test]
async fn two_super_admins_demoting_each_other_at_once_leave_one() {
    for _ in 0..5 {
        let app = TestApp::spawn().await;
        let root = app.login("superadmin@gmail.com", "superadmin123").await;
        let second = json!({ "name": "Second Root", "email": "root2@example.com", "password": "long-enough-pw", "role": "superadmin" });
        let created = app.post("/api/superadmin/users", Some(&root), second).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
        let second_id = created.body["user"]["id"].as_i64().unwrap();
        let root2 = app.login("root2@example.com", "long-enough-pw").await;
        let demote = |token: String, id: i64| {
            let app = app.clone();
            async move {
                let path = format!("/api/superadmin/users/{id}");
                app.request(Method::PUT, &path, Some(&token), Some(json!({ "role": "admin" }))).await.status
            }
        };
        let (a, b) = tokio::join!(demote(root.clone(), second_id), demote(root2, 1));
        let ok = [a, b].iter().filter(|s| **s == StatusCode::OK).count();
        // The loser is refused: either the store saw it would leave none, or its own
        // session already ended with its demotion.
        assert_eq!(ok, 1, "{a} {b}");
        let mut survivors = 0;
        for (email, password) in [("superadmin@gmail.com", "superadmin123"), ("root2@example.com", "long-enough-pw")] {
            let who = app.post("/api/auth/login", None, json!({ "email": email, "password": password })).await;
            survivors += usize::from(who.body["user"]["role"] == "superadmin");
        }
        assert_eq!(survivors, 1, "exactly one super admin is left");
    }
}
