//! SQLite → PostgreSQL → the app: an installation used on SQLite (accounts made and changed,
//! tickets worked, settings saved), moved with `helpdesk migrate`, is served by the app started
//! on PostgreSQL exactly as it was, and goes on from there.

use crate::common;

use common::process::{call, Scratch, Server};
use serde_json::{json, Value};
use std::process::Command;

async fn json_of(server: &Server, path: &str, token: &str) -> Value {
    let (status, reply) = call(server.addr, "GET", path, Some(token), None).await.unwrap();
    assert_eq!(status, 200, "{path}: {reply}");
    reply
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_moved_from_sqlite_to_postgres_is_served_as_it_was() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else {
        eprintln!("skipped: HELPDESK_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)");
        return;
    };
    let scratch = Scratch::new("round-trip");
    let database = scratch.0.join("helpdesk.db");

    // Used on SQLite: a registered account, tickets made and worked, settings changed.
    let sqlite = Server::start(&database, &scratch.0.join("outbox"), &[]).await;
    let body = json!({ "name": "Moved Person", "email": "moved@example.com", "password": "Moved-pass-42" });
    let (status, reply) = call(sqlite.addr, "POST", "/api/auth/register", None, Some(&body)).await.unwrap();
    assert_eq!(status, 201, "{reply}");
    let moved = sqlite.login("moved@example.com", "Moved-pass-42").await;
    let ticket = json!({ "title": "Printer on fire", "description": "Smoke from tray 2", "category": "technical", "priority": "critical" });
    let (status, created) = call(sqlite.addr, "POST", "/api/tickets", Some(&moved), Some(&ticket)).await.unwrap();
    assert_eq!(status, 201, "{created}");
    let id = created["ticket"]["id"].as_i64().unwrap();
    let admin = sqlite.login("admin@gmail.com", "admin123").await;
    let (status, reply) = call(sqlite.addr, "PUT", &format!("/api/admin/ticket/{id}/assign"), Some(&admin), Some(&json!({ "agentId": 3 }))).await.unwrap();
    assert_eq!(status, 200, "{reply}");
    let superadmin = sqlite.login("superadmin@gmail.com", "superadmin123").await;
    let (status, reply) =
        call(sqlite.addr, "PUT", "/api/superadmin/settings", Some(&superadmin), Some(&json!({ "maxTicketsPerAgent": 7 }))).await.unwrap();
    assert_eq!(status, 200, "{reply}");
    let before_ticket = json_of(&sqlite, &format!("/api/tickets/{id}"), &moved).await;
    let before_dashboard = json_of(&sqlite, "/api/admin/dashboard", &admin).await;
    let before_audit = json_of(&sqlite, "/api/superadmin/audit", &superadmin).await;
    drop(sqlite);

    // Moved.
    let schema = format!("round_trip_{}", std::process::id());
    helpdesk::server::store::postgres_admin::prepare_schema(&url, &schema).await.unwrap();
    let target = helpdesk::server::store::postgres_admin::url_in_schema(&url, &schema);
    let out = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["migrate", "--from", &format!("sqlite://{}", database.display()), "--to", &target])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{printed}{}", String::from_utf8_lossy(&out.stderr));
    assert!(printed.contains("tickets") && printed.contains("users"), "rows per table: {printed}");

    // Served from PostgreSQL: the same account signs in with its password, the same ticket,
    // counts, audit trail and settings; new rows continue the ids.
    let pg = Server::start_on(&target, &scratch.0.join("outbox"), &[]).await;
    let moved = pg.login("moved@example.com", "Moved-pass-42").await;
    let admin = pg.login("admin@gmail.com", "admin123").await;
    let superadmin = pg.login("superadmin@gmail.com", "superadmin123").await;
    let after_ticket = json_of(&pg, &format!("/api/tickets/{id}"), &moved).await;
    assert_eq!(after_ticket["ticket"], before_ticket["ticket"]);
    assert_eq!(after_ticket["events"], before_ticket["events"]);
    // Overdue is measured against the clock, and a demo ticket falls due the moment it is
    // seeded: it may have become overdue between the two readings, never the other way.
    let overdue = |v: &Value| v["dashboard"]["stats"]["overdueTickets"].as_i64().unwrap();
    let stats = |v: &Value| {
        let mut stats = v["dashboard"]["stats"].clone();
        stats.as_object_mut().map(|o| o.remove("overdueTickets"));
        stats
    };
    let after_dashboard = json_of(&pg, "/api/admin/dashboard", &admin).await;
    assert!((overdue(&before_dashboard)..=overdue(&before_dashboard) + 1).contains(&overdue(&after_dashboard)));
    assert!(stats(&before_dashboard).is_object());
    assert_eq!(stats(&after_dashboard), stats(&before_dashboard));
    let after_audit = json_of(&pg, "/api/superadmin/audit", &superadmin).await;
    // The newest entries are the sign-ins just made; every entry before them was moved as it was.
    let moved_trail = before_audit["entries"].as_array().unwrap();
    assert!(!moved_trail.is_empty());
    let after = after_audit["entries"].as_array().unwrap();
    for entry in moved_trail.iter().take(5) {
        assert!(after.contains(entry), "{entry} moved");
    }
    let settings = json_of(&pg, "/api/superadmin/settings", &superadmin).await;
    assert_eq!(settings["settings"]["maxTicketsPerAgent"], 7);
    let (status, next) = call(pg.addr, "POST", "/api/tickets", Some(&moved), Some(&ticket)).await.unwrap();
    assert_eq!(status, 201, "{next}");
    assert_eq!(next["ticket"]["id"].as_i64(), Some(id + 1), "ids continue after the moved ones");
}
