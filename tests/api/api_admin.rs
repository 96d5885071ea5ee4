//! Admin and super admin: dashboards, assignment, SLA, reports and CSV, users, settings,
//! the audit log, and the role matrix of every `/api` route.

use crate::common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{json, Value};

async fn token(app: &TestApp, who: &str) -> String {
    let password = match who {
        "superadmin" => "superadmin123",
        "admin" => "admin123",
        "agent" => "agent123",
        "user" => "user123",
        _ => "jane123",
    };
    let email = if who == "jane" { "jane@gmail.com".to_string() } else { format!("{who}@gmail.com") };
    app.login(&email, password).await
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> common::Reply {
    app.request(Method::PUT, path, Some(token), Some(body)).await
}

async fn new_ticket(app: &TestApp, user: &str, title: &str, priority: &str) -> i64 {
    let body = json!({ "title": title, "description": "details", "category": "technical", "priority": priority });
    let reply = app.post("/api/tickets", Some(user), body).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    reply.body["ticket"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_admin_dashboard_counts_in_sql_and_lists_agents() {
    let app = TestApp::spawn().await;
    let admin = token(&app, "admin").await;
    let user = token(&app, "user").await;
    new_ticket(&app, &user, "Unassigned one", "low").await;
    let d = app.get("/api/admin/dashboard", Some(&admin)).await.body["dashboard"].clone();
    assert_eq!(d["stats"]["totalTickets"], 4);
    assert_eq!(d["stats"]["closedTickets"], 1);
    assert_eq!(d["stats"]["unassignedTickets"], 1, "ticket 3 is closed, so only the new one");
    let agents = d["agentPerformance"].as_array().unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!((agents[0]["agentName"].as_str(), agents[0]["assigned"].as_i64(), agents[0]["open"].as_i64()), (Some("Agent John"), Some(2), Some(2)));
}

#[tokio::test]
async fn overdue_tickets_are_flagged_counted_and_filterable() {
    let app = TestApp::spawn().await;
    let (admin, superadmin, user) = (token(&app, "admin").await, token(&app, "superadmin").await, token(&app, "user").await);
    let id = new_ticket(&app, &user, "Becomes overdue", "critical").await;
    let row = |body: &Value| body["tickets"].as_array().unwrap().iter().find(|t| t["id"] == id).cloned().unwrap();
    assert_eq!(row(&app.get("/api/admin/tickets", Some(&admin)).await.body)["overdue"], false);
    // Backdate the ticket's deadline: one hour of SLA set for every priority, created > 1 h ago.
    let reply = put(&app, "/api/superadmin/settings", &superadmin, json!({ "sla": { "low": 1, "medium": 1, "high": 1, "critical": 1 } })).await;
    assert_eq!(reply.status, StatusCode::OK);
    let d = app.get("/api/admin/dashboard", Some(&admin)).await.body;
    assert_eq!(d["dashboard"]["stats"]["overdueTickets"], 2, "demo tickets 1 and 2 were created days ago");
    let agent = app.login("agent@gmail.com", "agent123").await;
    let agent_home = app.get("/api/agents/dashboard", Some(&agent)).await.body;
    assert_eq!(agent_home["dashboard"]["overdueTickets"], 2, "both are assigned to the agent");
    let user_home = app.get("/api/users/dashboard", Some(&user)).await.body;
    assert_eq!(user_home["dashboard"]["overdueTickets"], 1, "ticket 1; the new one is not due for an hour");
    let overdue = app.get("/api/admin/tickets?overdue=true", Some(&admin)).await.body;
    assert_eq!(overdue["total"], 2);
    assert!(overdue["tickets"].as_array().unwrap().iter().all(|t| t["overdue"] == true));
    assert_eq!(app.get("/api/admin/tickets?overdue=maybe", Some(&admin)).await.body["field"], "overdue");
}

#[tokio::test]
async fn admin_lists_filter_by_assignee_and_unassigned() {
    let app = TestApp::spawn().await;
    let (admin, user) = (token(&app, "admin").await, token(&app, "user").await);
    new_ticket(&app, &user, "Waiting for someone", "medium").await;
    assert_eq!(app.get("/api/admin/tickets?assignedTo=3", Some(&admin)).await.body["total"], 2);
    let unassigned = app.get("/api/admin/tickets?unassigned=true", Some(&admin)).await.body;
    assert_eq!(unassigned["total"], 2);
    assert!(unassigned["tickets"].as_array().unwrap().iter().all(|t| t["assignedTo"].is_null()));
    let rows = app.get("/api/admin/tickets", Some(&admin)).await.body;
    assert!(rows["tickets"][0]["userName"].is_string());
}

#[tokio::test]
async fn reassignment_and_least_loaded_assignment_are_explicit_and_recorded() {
    let app = TestApp::spawn().await;
    let (admin, superadmin, user) = (token(&app, "admin").await, token(&app, "superadmin").await, token(&app, "user").await);
    let created = app
        .post("/api/superadmin/users", Some(&superadmin), json!({ "name": "Agent Two", "email": "agent2@example.com", "password": "agent-two-pass", "role": "agent" }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let agent2 = created.body["user"]["id"].as_i64().unwrap();

    let id = new_ticket(&app, &user, "Least loaded please", "high").await;
    let reply = put(&app, &format!("/api/admin/ticket/{id}/assign-least-loaded"), &admin, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["ticket"]["assignedTo"], agent2, "agent two has no open tickets, agent John has two");

    let reply = put(&app, &format!("/api/admin/ticket/{id}/reassign"), &admin, json!({ "agentId": 3 })).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["ticket"]["agentName"], "Agent John");
    let history = app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"]["history"].clone();
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!((last["kind"].as_str(), last["detail"].as_str()), (Some("reassigned"), Some("Agent Two → Agent John")));
    let unassigned = new_ticket(&app, &user, "Not yet assigned", "low").await;
    assert_eq!(put(&app, &format!("/api/admin/ticket/{unassigned}/reassign"), &admin, json!({ "agentId": 3 })).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn settings_are_validated_persisted_and_applied_at_once() {
    let app = TestApp::spawn().await;
    let (superadmin, admin, user) = (token(&app, "superadmin").await, token(&app, "admin").await, token(&app, "user").await);
    let s = app.get("/api/superadmin/settings", Some(&superadmin)).await.body["settings"].clone();
    assert_eq!(s["sla"], json!({ "low": 72, "medium": 48, "high": 24, "critical": 4 }));
    assert_eq!(s["maxTicketsPerAgent"], 10);
    assert_eq!(s["ticketStatuses"], json!(["open", "in-progress", "on-hold", "closed"]));

    for (body, field) in [
        (json!({ "maxTicketsPerAgent": 0 }), "maxTicketsPerAgent"),
        (json!({ "sla": { "high": -1 } }), "sla.high"),
        (json!({ "categories": [] }), "categories"),
        (json!({ "categories": ["two words"] }), "categories"),
    ] {
        let reply = put(&app, "/api/superadmin/settings", &superadmin, body.clone()).await;
        assert_eq!((reply.status, reply.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{body}");
    }
    let reply = put(&app, "/api/superadmin/settings", &superadmin, json!({ "categories": ["hardware", "network"], "maxTicketsPerAgent": 2 })).await;
    assert_eq!(reply.status, StatusCode::OK);

    let old = app.post("/api/tickets", Some(&user), json!({ "title": "Old category", "description": "x", "category": "billing" })).await;
    assert_eq!(old.body["field"], "category");
    let id = new_ticket_in(&app, &user, "hardware").await;
    let full = put(&app, &format!("/api/admin/ticket/{id}/assign"), &admin, json!({ "agentId": 3 })).await;
    assert_eq!(full.status, StatusCode::CONFLICT, "agent John already holds two open tickets");
    assert_eq!(app.get("/api/superadmin/settings", Some(&superadmin)).await.body["settings"]["categories"], json!(["hardware", "network"]));
}

async fn new_ticket_in(app: &TestApp, user: &str, category: &str) -> i64 {
    let reply = app.post("/api/tickets", Some(user), json!({ "title": "In a new category", "description": "x", "category": category })).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["ticket"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn reports_aggregate_in_the_range_and_export_parseable_csv() {
    let app = TestApp::spawn().await;
    let (admin, user, agent) = (token(&app, "admin").await, token(&app, "user").await, token(&app, "agent").await);
    let id = new_ticket(&app, &user, "Report me, \"quoted\", with commas", "critical").await;
    put(&app, &format!("/api/admin/ticket/{id}/assign"), &admin, json!({ "agentId": 3 })).await;
    app.edit_ticket(&format!("/api/agents/ticket/{id}/status"), &agent, json!({ "status": "in-progress" })).await;
    app.edit_ticket(&format!("/api/tickets/{id}/close"), &agent, json!({ "resolutionNotes": "done" })).await;

    let r = app.get("/api/admin/reports", Some(&admin)).await.body["reports"].clone();
    assert_eq!(r["totalTickets"], 4);
    assert_eq!(r["byStatus"]["closed"], 2);
    assert_eq!(r["byPriority"]["critical"], 1);
    assert_eq!(r["perDay"].as_array().unwrap().len(), 30);
    let today = chrono::Utc::now().date_naive().to_string();
    let last = r["perDay"].as_array().unwrap().last().unwrap().clone();
    // Demo ticket 3 was closed 19 hours ago: today or yesterday, depending on the hour.
    let demo_closed = app.get("/api/tickets/3", Some(&admin)).await.body["ticket"]["closedAt"].as_str().unwrap().to_string();
    let closed_today = 1 + i64::from(demo_closed.starts_with(&today));
    assert_eq!((last["day"].as_str(), last["opened"].as_i64(), last["closed"].as_i64()), (Some(today.as_str()), Some(1), Some(closed_today)));
    assert_eq!(r["sla"]["compliancePercent"], 100.0, "both closed tickets met their deadline");
    assert_eq!(app.get("/api/admin/reports?from=2024-05-01&to=2024-04-01", Some(&admin)).await.body["field"], "from");

    let csv = app.get("/api/admin/tickets/export.csv?priority=critical", Some(&admin)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.body.as_str().unwrap().to_string();
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[1], "title");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][1], "Report me, \"quoted\", with commas");
    assert_eq!(&rows[0][2], "closed");

    let report_csv = app.get("/api/admin/reports/export.csv", Some(&admin)).await;
    let mut reader = csv::ReaderBuilder::new().from_reader(report_csv.body.as_str().unwrap().as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let closed = records.iter().find(|r| &r[0] == "status" && &r[1] == "closed").unwrap();
    assert_eq!(&closed[2], "2");
    assert_eq!(records.iter().filter(|r| &r[0] == "day").count(), 30);
}

#[tokio::test]
async fn deleting_a_ticket_is_for_admins_and_is_audited() {
    let app = TestApp::spawn().await;
    let (admin, superadmin, user) = (token(&app, "admin").await, token(&app, "superadmin").await, token(&app, "user").await);
    assert_eq!(app.request(Method::DELETE, "/api/tickets/1", Some(&user), None).await.status, StatusCode::FORBIDDEN);
    let reply = app.request(Method::DELETE, "/api/tickets/1", Some(&admin), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(app.get("/api/tickets/1", Some(&admin)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.request(Method::DELETE, "/api/tickets/1", Some(&admin), None).await.status, StatusCode::NOT_FOUND);
    let audit = app.get("/api/superadmin/audit?action=ticket-deleted", Some(&superadmin)).await.body;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["entries"][0]["target"], "ticket #1");
    assert_eq!(audit["entries"][0]["actorEmail"], "admin@gmail.com");
}

#[tokio::test]
async fn the_super_admin_manages_users_within_the_safety_rules() {
    let app = TestApp::spawn().await;
    let superadmin = token(&app, "superadmin").await;
    let d = app.get("/api/superadmin/dashboard", Some(&superadmin)).await.body["dashboard"].clone();
    assert_eq!(d["stats"], json!({ "totalUsers": 5, "staffMembers": 3, "totalTickets": 3, "openTickets": 2 }));
    assert_eq!(d["userBreakdown"], json!({ "users": 2, "agents": 1, "admins": 1, "superadmins": 1 }));

    let list = app.get("/api/superadmin/users?q=jane", Some(&superadmin)).await.body;
    assert_eq!(list["total"], 1);
    assert!(list["users"][0].get("passwordHash").is_none());
    let bad = app.post("/api/superadmin/users", Some(&superadmin), json!({ "name": "X", "email": "x@example.com", "password": "long-enough", "role": "root" })).await;
    assert_eq!(bad.body["field"], "role");
    let dup = app.post("/api/superadmin/users", Some(&superadmin), json!({ "name": "X", "email": "JANE@gmail.com", "password": "long-enough", "role": "user" })).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);

    let me = put(&app, "/api/superadmin/users/1", &superadmin, json!({ "role": "admin" })).await;
    assert_eq!(me.status, StatusCode::CONFLICT, "no self-demotion");
    assert_eq!(app.request(Method::DELETE, "/api/superadmin/users/1", Some(&superadmin), None).await.status, StatusCode::CONFLICT);
    assert_eq!(put(&app, "/api/superadmin/users/1", &superadmin, json!({ "isActive": false })).await.status, StatusCode::CONFLICT);

    let promoted = put(&app, "/api/superadmin/users/2", &superadmin, json!({ "role": "superadmin", "department": "IT" })).await;
    assert_eq!(promoted.status, StatusCode::OK);
    let admin2 = app.login("admin@gmail.com", "admin123").await;
    // With two super admins, one may demote the other, but not the last one left.
    assert_eq!(put(&app, "/api/superadmin/users/1", &admin2, json!({ "role": "admin" })).await.status, StatusCode::OK);
    assert_eq!(put(&app, "/api/superadmin/users/2", &admin2, json!({ "role": "user" })).await.status, StatusCode::CONFLICT);

    let deactivated = put(&app, "/api/superadmin/users/5", &admin2, json!({ "isActive": false })).await;
    assert_eq!(deactivated.body["user"]["isActive"], false);
    let login = app.post("/api/auth/login", None, json!({ "email": "jane@gmail.com", "password": "jane123" })).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);

    assert_eq!(app.request(Method::DELETE, "/api/superadmin/users/5", Some(&admin2), None).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/superadmin/users/5", Some(&admin2)).await.status, StatusCode::NOT_FOUND);
    let ticket = app.get("/api/tickets/2", Some(&admin2)).await.body["ticket"].clone();
    assert_eq!(ticket["userName"], "Jane Smith (deleted)", "tickets stay, with the former name");
    let again = app.post("/api/superadmin/users", Some(&admin2), json!({ "name": "New Jane", "email": "jane@gmail.com", "password": "long-enough", "role": "user" })).await;
    assert_eq!(again.status, StatusCode::CREATED, "the address is free again");
}

#[tokio::test]
async fn the_audit_log_records_sign_ins_failures_and_changes_with_ip() {
    let app = TestApp::spawn().await;
    let superadmin = token(&app, "superadmin").await;
    app.post("/api/auth/login", None, json!({ "email": "user@gmail.com", "password": "wrong-one" })).await;
    put(&app, "/api/superadmin/users/4", &superadmin, json!({ "role": "agent" })).await;
    put(&app, "/api/superadmin/users/4", &superadmin, json!({ "isActive": false })).await;
    put(&app, "/api/superadmin/settings", &superadmin, json!({ "maxTicketsPerAgent": 7 })).await;
    let log = app.get("/api/superadmin/audit", Some(&superadmin)).await.body;
    let actions: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["settings-changed", "deactivated", "role-changed", "sign-in-failed", "sign-in"]);
    assert!(log["entries"].as_array().unwrap().iter().all(|e| e["ip"] == "unknown" && e["at"].is_string()));
    let failed = app.get("/api/superadmin/audit?action=sign-in-failed&q=user%40gmail", Some(&superadmin)).await.body;
    assert_eq!(failed["total"], 1);
    assert_eq!(app.get("/api/superadmin/audit?action=nonsense", Some(&superadmin)).await.body["field"], "action");
}

/// Every `/api` route, called with each role and with no token: the status tells who may.
#[tokio::test]
async fn the_role_matrix_of_every_api_route() {
    let app = TestApp::spawn().await;
    let tokens = [
        ("user", token(&app, "user").await),
        ("agent", token(&app, "agent").await),
        ("admin", token(&app, "admin").await),
        ("superadmin", token(&app, "superadmin").await),
    ];
    // Allowed means anything but 401/403; refused means 403. Public routes need no token.
    let routes = common::api_routes();
    for (method, path, body, allowed) in &routes {
        let body = (!body.is_null()).then(|| body.clone());
        if *allowed == common::PUBLIC {
            for token in std::iter::once(None).chain(tokens.iter().map(|(_, t)| Some(t.as_str()))) {
                let reply = app.request(method.clone(), path, token, body.clone()).await;
                assert!(![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status), "{method} {path}: {:?}", reply.body);
            }
            continue;
        }
        let anonymous = app.request(method.clone(), path, None, body.clone()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {path} without a token");
        for (role, token) in &tokens {
            let reply = app.request(method.clone(), path, Some(token), body.clone()).await;
            if allowed.contains(role) {
                assert!(
                    reply.status != StatusCode::UNAUTHORIZED && reply.status != StatusCode::FORBIDDEN,
                    "{method} {path} as {role}: {} {:?}", reply.status, reply.body
                );
            } else {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path} as {role}: {:?}", reply.body);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_assignments_never_exceed_the_cap() {
    let app = TestApp::spawn().await;
    let (admin, superadmin, user) = (token(&app, "admin").await, token(&app, "superadmin").await, token(&app, "user").await);
    let created = app
        .post("/api/superadmin/users", Some(&superadmin), json!({ "name": "Solo Agent", "email": "solo@example.com", "password": "solo-password", "role": "agent" }))
        .await;
    let agent = created.body["user"]["id"].as_i64().unwrap();
    put(&app, "/api/superadmin/settings", &superadmin, json!({ "maxTicketsPerAgent": 1 })).await;
    for round in 0..15 {
        let a = new_ticket(&app, &user, &format!("Race A {round}"), "low").await;
        let b = new_ticket(&app, &user, &format!("Race B {round}"), "low").await;
        let tasks: Vec<_> = [a, b]
            .into_iter()
            .map(|id| {
                let (app, admin) = (app.clone(), admin.clone());
                tokio::spawn(async move { put(&app, &format!("/api/admin/ticket/{id}/assign"), &admin, json!({ "agentId": agent })).await.status })
            })
            .collect();
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), if round == 0 { 1 } else { 0 }, "round {round}: {statuses:?}");
        assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT));
    }
    let load = app.get(&format!("/api/admin/tickets?assignedTo={agent}"), Some(&admin)).await.body["total"].clone();
    assert_eq!(load, 1);
}

#[tokio::test]
async fn search_text_with_control_characters_is_refused_before_any_export_starts() {
    let app = TestApp::spawn().await;
    let admin = token(&app, "admin").await;
    for path in ["/api/admin/tickets/export.csv?q=0%00", "/api/tickets?q=printer%00", "/api/admin/tickets?q=%07"] {
        let reply = app.get(path, Some(&admin)).await;
        assert_eq!((reply.status, reply.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("q")), "{path}: {:?}", reply.body);
    }
}
