//! The ticket endpoints of the contract: creation, visibility, the lifecycle, replies and
//! notes, lost-update protection, lists and dashboards.

use crate::common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::TestApp;
use serde_json::{json, Value};

const USER: (&str, &str) = ("user@gmail.com", "user123");
const JANE: (&str, &str) = ("jane@gmail.com", "jane123");
const AGENT: (&str, &str) = ("agent@gmail.com", "agent123");
const ADMIN: (&str, &str) = ("admin@gmail.com", "admin123");

struct Tokens {
    user: String,
    jane: String,
    agent: String,
    admin: String,
}

async fn tokens(app: &TestApp) -> Tokens {
    Tokens {
        user: app.login(USER.0, USER.1).await,
        jane: app.login(JANE.0, JANE.1).await,
        agent: app.login(AGENT.0, AGENT.1).await,
        admin: app.login(ADMIN.0, ADMIN.1).await,
    }
}

fn new_ticket(title: &str) -> Value {
    json!({ "title": title, "description": "The printer on floor 3 shows error E42.", "category": "technical", "priority": "high" })
}

async fn create(app: &TestApp, token: &str, title: &str) -> Value {
    let reply = app.post("/api/tickets", Some(token), new_ticket(title)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["ticket"].clone()
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> common::Reply {
    app.request(Method::PUT, path, Some(token), Some(body)).await
}

/// A ticket by the user, assigned to the demo agent by the admin.
async fn assigned_ticket(app: &TestApp, t: &Tokens, title: &str) -> i64 {
    let id = create(app, &t.user, title).await["id"].as_i64().unwrap();
    let reply = put(app, &format!("/api/admin/ticket/{id}/assign"), &t.admin, json!({ "agentId": 3 })).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    id
}

#[tokio::test]
async fn a_user_raises_a_ticket_that_starts_open_and_unassigned() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let ticket = create(&app, &t.user, "Printer jams on floor 3").await;
    assert_eq!(ticket["status"], "open");
    assert_eq!(ticket["priority"], "high");
    assert_eq!(ticket["assignedTo"], Value::Null);
    assert_eq!(ticket["userId"], 4);
    assert_eq!(ticket["userName"], "John Doe");
    assert_eq!(ticket["notes"], json!([]));
    for field in ["createdAt", "updatedAt", "closedAt", "resolutionNotes", "version"] {
        assert!(ticket.get(field).is_some(), "{field}");
    }
    let default_priority = app
        .post("/api/tickets", Some(&t.user), json!({ "title": "No priority given", "description": "x", "category": "general" }))
        .await;
    assert_eq!(default_priority.body["ticket"]["priority"], "medium");
}

#[tokio::test]
async fn bad_ticket_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let cases = [
        ("title", json!("Help"), "title"),
        ("title", json!("t".repeat(201)), "title"),
        ("title", json!(""), "title"),
        ("description", json!(""), "description"),
        ("description", json!("d".repeat(10_001)), "description"),
        ("category", json!("sales"), "category"),
        ("priority", json!("urgent"), "priority"),
    ];
    for (key, value, field) in cases {
        let mut body = new_ticket("A valid title");
        body[key] = value;
        let reply = app.post("/api/tickets", Some(&t.user), body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{key}");
        assert_eq!(reply.body["field"], field, "{key}");
    }
    let mut huge = new_ticket("A valid title");
    huge["description"] = json!("d".repeat(300_000));
    let reply = app.post("/api/tickets", Some(&t.user), huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.error().contains("too large"));
    let listed = app.get("/api/tickets", Some(&t.user)).await;
    assert_eq!(listed.body["total"], 2, "nothing was half-written");
}

#[tokio::test]
async fn every_ticket_endpoint_needs_a_token() {
    let app = TestApp::spawn().await;
    let calls = [
        (Method::GET, "/api/tickets"),
        (Method::POST, "/api/tickets"),
        (Method::GET, "/api/tickets/1"),
        (Method::PUT, "/api/tickets/1"),
        (Method::PUT, "/api/tickets/1/close"),
        (Method::GET, "/api/users/dashboard"),
        (Method::GET, "/api/users/my-tickets"),
        (Method::GET, "/api/agents/dashboard"),
        (Method::GET, "/api/agents/assigned-tickets"),
        (Method::PUT, "/api/agents/ticket/1/status"),
        (Method::POST, "/api/agents/ticket/1/note"),
        (Method::GET, "/api/agents/profile"),
    ];
    for (method, path) in calls {
        let reply = app.request(method.clone(), path, None, Some(json!({}))).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(reply.error(), "No token provided");
    }
}

#[tokio::test]
async fn users_see_only_their_own_tickets_and_others_get_404() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let mine = app.get("/api/tickets", Some(&t.user)).await;
    assert_eq!(mine.body["total"], 2);
    assert!(mine.body["tickets"].as_array().unwrap().iter().all(|r| r["userId"] == 4));
    let janes = app.get("/api/users/my-tickets", Some(&t.jane)).await;
    assert_eq!(janes.body["total"], 1);

    for path in ["/api/tickets/2", "/api/tickets/999", "/api/tickets/abc"] {
        let reply = app.get(path, Some(&t.user)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error(), "Ticket not found");
    }
    let foreign_edit = put(&app, "/api/tickets/2", &t.user, json!({ "title": "Hijacked title" })).await;
    assert_eq!(foreign_edit.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn agents_see_what_is_assigned_to_them_and_admins_see_everything() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let unassigned = create(&app, &t.user, "Nobody works on this yet").await["id"].as_i64().unwrap();
    let agent_list = app.get("/api/agents/assigned-tickets", Some(&t.agent)).await;
    assert_eq!(agent_list.body["total"], 2, "demo tickets 1 and 2");
    assert_eq!(app.get(&format!("/api/tickets/{unassigned}"), Some(&t.agent)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/tickets", Some(&t.admin)).await.body["total"], 4);
    assert_eq!(app.get(&format!("/api/tickets/{unassigned}"), Some(&t.admin)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn role_specific_endpoints_refuse_other_roles() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    assert_eq!(app.get("/api/agents/dashboard", Some(&t.user)).await.status, StatusCode::FORBIDDEN);
    let assign = put(&app, "/api/admin/ticket/3/assign", &t.agent, json!({ "agentId": 3 })).await;
    assert_eq!((assign.status, assign.error()), (StatusCode::FORBIDDEN, "Admin access required"));
}

#[tokio::test]
async fn staff_see_the_tickets_they_raised_in_their_own_requests() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    // The agent raises a ticket: it is theirs to see, in "my tickets" and on its page,
    // but it is not in their work queue (it is not assigned to them).
    let raised = create(&app, &t.agent, "My laptop will not boot").await["id"].as_i64().unwrap();
    let mine = app.get("/api/users/my-tickets", Some(&t.agent)).await;
    assert_eq!(mine.status, StatusCode::OK);
    let ids: Vec<i64> = mine.body["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![raised]);
    assert_eq!(app.get("/api/users/dashboard", Some(&t.agent)).await.body["dashboard"]["totalTickets"], 1);
    assert_eq!(app.get(&format!("/api/tickets/{raised}"), Some(&t.agent)).await.status, StatusCode::OK);
    let queue = app.get("/api/agents/assigned-tickets", Some(&t.agent)).await.body;
    assert!(queue["tickets"].as_array().unwrap().iter().all(|t| t["id"].as_i64() != Some(raised)), "{queue}");
    // Every ticket any list shows to the agent opens for them; another user's ticket does not.
    for list in ["/api/users/my-tickets", "/api/agents/assigned-tickets", "/api/tickets"] {
        for ticket in app.get(list, Some(&t.agent)).await.body["tickets"].as_array().unwrap() {
            let id = ticket["id"].as_i64().unwrap();
            assert_eq!(app.get(&format!("/api/tickets/{id}"), Some(&t.agent)).await.status, StatusCode::OK, "{list} {id}");
        }
    }
    let janes = create(&app, &t.jane, "Jane's own problem").await["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/tickets/{janes}"), Some(&t.agent)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_agent_works_a_ticket_through_its_lifecycle_and_the_requester_sees_the_public_part() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let id = assigned_ticket(&app, &t, "Laptop will not boot").await;

    let reply = app.edit_ticket(&format!("/api/agents/ticket/{id}/status"), &t.agent,
        json!({ "status": "in-progress", "notes": "Looking into it now." })).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["ticket"]["status"], "in-progress");

    let note = app.post(&format!("/api/agents/ticket/{id}/note"), Some(&t.agent), json!({ "note": "Disk SMART errors; order a new one." })).await;
    assert_eq!(note.status, StatusCode::OK);

    let close = app.edit_ticket(&format!("/api/tickets/{id}/close"), &t.agent, json!({ "resolutionNotes": "Replaced the disk." })).await;
    assert_eq!(close.status, StatusCode::OK, "{:?}", close.body);
    assert_eq!(close.body["ticket"]["status"], "closed");
    assert!(close.body["ticket"]["closedAt"].is_string());

    let seen = app.get(&format!("/api/tickets/{id}"), Some(&t.user)).await.body["ticket"].clone();
    assert_eq!(seen["resolutionNotes"], "Replaced the disk.");
    let notes: Vec<&str> = seen["notes"].as_array().unwrap().iter().map(|n| n["text"].as_str().unwrap()).collect();
    assert_eq!(notes, vec!["Looking into it now."], "the internal note stays internal");
    assert!(seen["notes"][0]["author"] == "Agent John" && seen["notes"][0]["timestamp"].is_string());
    let history: Vec<&str> = seen["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(history, vec!["created", "assigned", "status", "reply", "closed"]);

    let staff = app.get(&format!("/api/tickets/{id}"), Some(&t.agent)).await.body["ticket"].clone();
    assert_eq!(staff["notes"].as_array().unwrap().len(), 2);
    assert_eq!(staff["notes"][1]["internal"], true);
}

#[tokio::test]
async fn the_lifecycle_is_enforced_by_the_server() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let id = assigned_ticket(&app, &t, "Lifecycle checks").await;
    let status = |s: &str| json!({ "status": s });
    let path = format!("/api/agents/ticket/{id}/status");

    let skip = app.edit_ticket(&format!("/api/tickets/{id}/close"), &t.agent, json!({ "resolutionNotes": "Done" })).await;
    assert_eq!(skip.status, StatusCode::CONFLICT, "open cannot jump to closed");
    assert!(skip.error().contains("open to closed"));
    assert_eq!(app.edit_ticket(&path, &t.agent, status("on-hold")).await.status, StatusCode::OK);
    assert_eq!(app.edit_ticket(&path, &t.agent, status("in-progress")).await.status, StatusCode::OK);
    assert_eq!(app.edit_ticket(&path, &t.agent, status("in-progress")).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.edit_ticket(&path, &t.agent, status("finished")).await.body["field"], "status");
    let no_notes = app.edit_ticket(&format!("/api/tickets/{id}/close"), &t.agent, json!({})).await;
    assert_eq!((no_notes.status, no_notes.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("resolutionNotes")));
    assert_eq!(app.edit_ticket(&path, &t.agent, json!({ "status": "closed", "notes": "Fixed" })).await.status, StatusCode::OK);

    for s in ["open", "in-progress", "on-hold"] {
        let reopen = app.edit_ticket(&path, &t.agent, status(s)).await;
        assert_eq!(reopen.status, StatusCode::CONFLICT, "closed is final ({s})");
    }
    let late_note = app.post(&format!("/api/agents/ticket/{id}/note"), Some(&t.agent), json!({ "note": "late" })).await;
    assert_eq!(late_note.status, StatusCode::CONFLICT);
    let late_edit = app.edit_ticket(&format!("/api/tickets/{id}"), &t.admin, json!({ "priority": "low" })).await;
    assert_eq!(late_edit.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_requester_can_neither_close_nor_change_status() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let id = assigned_ticket(&app, &t, "Requester limits").await;
    let close = app.edit_ticket(&format!("/api/tickets/{id}/close"), &t.user, json!({ "resolutionNotes": "I fixed it" })).await;
    assert_eq!(close.status, StatusCode::FORBIDDEN);
    for body in [json!({ "status": "closed", "resolutionNotes": "x" }), json!({ "status": "in-progress" }), json!({ "priority": "critical" })] {
        let reply = app.edit_ticket(&format!("/api/tickets/{id}"), &t.user, body.clone()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{body}");
    }
    assert_eq!(app.get(&format!("/api/tickets/{id}"), Some(&t.user)).await.body["ticket"]["status"], "open");
}

#[tokio::test]
async fn only_the_requester_edits_the_text_and_only_while_open() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let id = assigned_ticket(&app, &t, "Original title").await;
    let edited = app.edit_ticket(&format!("/api/tickets/{id}"), &t.user, json!({ "title": "Better title", "description": "More detail" })).await;
    assert_eq!(edited.status, StatusCode::OK);
    assert_eq!(edited.body["ticket"]["title"], "Better title");
    let by_agent = app.edit_ticket(&format!("/api/tickets/{id}"), &t.agent, json!({ "title": "Agent title" })).await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN);
    app.edit_ticket(&format!("/api/agents/ticket/{id}/status"), &t.agent, json!({ "status": "in-progress" })).await;
    let late = app.edit_ticket(&format!("/api/tickets/{id}"), &t.user, json!({ "title": "Too late now" })).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_stale_edit_gets_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let ticket = create(&app, &t.user, "Version check").await;
    let id = ticket["id"].as_i64().unwrap();
    let version = ticket["version"].as_i64().unwrap();
    let first = put(&app, &format!("/api/tickets/{id}"), &t.user, json!({ "title": "First editor wins", "version": version })).await;
    assert_eq!(first.status, StatusCode::OK);
    let second = put(&app, &format!("/api/tickets/{id}"), &t.user, json!({ "title": "Second editor loses", "version": version })).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.error().contains("changed meanwhile"));
    assert_eq!(app.get(&format!("/api/tickets/{id}"), Some(&t.user)).await.body["ticket"]["title"], "First editor wins");
}

#[tokio::test]
async fn the_prototypes_clients_change_tickets_without_a_version_and_nothing_is_lost_unseen() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let id = assigned_ticket(&app, &t, "Blind overwrite").await;
    let steps = [
        (format!("/api/tickets/{id}"), &t.user, json!({ "title": "Overwritten without a version" }), "open"),
        (format!("/api/agents/ticket/{id}/status"), &t.agent, json!({ "status": "in-progress" }), "in-progress"),
        (format!("/api/tickets/{id}/close"), &t.admin, json!({ "resolutionNotes": "Closed without a version" }), "closed"),
    ];
    for (path, token, body, status) in steps {
        let reply = put(&app, &path, token, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {:?}", reply.body);
        assert_eq!(reply.body["ticket"]["status"], status, "{path}");
    }
    let ticket = app.get(&format!("/api/tickets/{id}"), Some(&t.user)).await.body["ticket"].clone();
    assert_eq!(ticket["title"], "Overwritten without a version");
    let edited = ticket["history"].as_array().unwrap().iter().find(|e| e["kind"] == "edited").expect("the edit is in the history").clone();
    assert!(edited["detail"].as_str().unwrap().contains("Blind overwrite"), "the replaced title is kept: {edited}");
    // Without a version the lifecycle still decides against the ticket as it is now.
    let reopen = put(&app, &format!("/api/agents/ticket/{id}/status"), &t.agent, json!({ "status": "open" })).await;
    assert_eq!(reopen.status, StatusCode::CONFLICT, "{:?}", reopen.body);
}

#[tokio::test]
async fn a_stale_version_is_refused_on_every_kind_of_change() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let id = assigned_ticket(&app, &t, "Stale edits").await;
    let cases = [
        (format!("/api/tickets/{id}"), &t.user, json!({ "title": "From a stale copy", "version": 0 })),
        (format!("/api/agents/ticket/{id}/status"), &t.agent, json!({ "status": "in-progress", "version": 0 })),
        (format!("/api/tickets/{id}/close"), &t.admin, json!({ "resolutionNotes": "Stale", "version": 0 })),
    ];
    for (path, token, body) in cases {
        let reply = put(&app, &path, token, body).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{path}");
    }
    // Who may not change a status is told so, whatever version they send.
    let requester = put(&app, &format!("/api/tickets/{id}/close"), &t.user, json!({ "resolutionNotes": "Mine", "version": 0 })).await;
    assert_eq!(requester.status, StatusCode::FORBIDDEN);
    let ticket = app.get(&format!("/api/tickets/{id}"), Some(&t.user)).await.body["ticket"].clone();
    assert_eq!((ticket["title"].as_str(), ticket["status"].as_str()), (Some("Stale edits"), Some("open")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_creates_all_succeed_with_distinct_ids() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let tasks: Vec<_> = (0..50)
        .map(|n| {
            let (app, token) = (app.clone(), t.user.clone());
            tokio::spawn(async move { app.post("/api/tickets", Some(&token), new_ticket(&format!("Parallel ticket {n}"))).await })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, StatusCode::CREATED);
        ids.push(reply.body["ticket"]["id"].as_i64().unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50);
    assert_eq!(app.get("/api/tickets?perPage=1", Some(&t.user)).await.body["total"], 52);
}

#[tokio::test]
async fn lists_filter_search_sort_and_page() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    for (title, priority, category) in [
        ("Keyboard missing keys", "low", "technical"),
        ("Invoice shows wrong total", "critical", "billing"),
        ("Cannot reach the VPN", "high", "technical"),
    ] {
        let body = json!({ "title": title, "description": format!("About: {title}"), "category": category, "priority": priority });
        app.post("/api/tickets", Some(&t.user), body).await;
    }
    let get = |q: &str| {
        let (path, app, token) = (format!("/api/tickets?{q}"), &app, t.user.clone());
        async move { app.get(&path, Some(&token)).await }
    };
    assert_eq!(get("").await.body["total"], 5);
    assert_eq!(get("category=technical").await.body["total"], 3);
    assert_eq!(get("priority=critical").await.body["tickets"][0]["title"], "Invoice shows wrong total");
    assert_eq!(get("status=closed").await.body["total"], 1);
    assert_eq!(get("q=invoice").await.body["total"], 1, "whole words over the title");
    assert_eq!(get("q=invo").await.body["total"], 0, "a part of a word is not a word");
    assert_eq!(get("q=invo*").await.body["total"], 1, "unless it ends in *: a prefix");
    assert_eq!(get("q=about%20vpn").await.body["total"], 1, "every word must match, description included");
    assert_eq!(get("q=%22%20OR%20*").await.status, StatusCode::OK, "search syntax is treated as text");
    assert_eq!(get("sort=priority").await.body["tickets"][0]["priority"], "critical");
    let page2 = get("perPage=2&page=2&sort=oldest").await.body;
    assert_eq!((page2["total"].as_i64(), page2["totalPages"].as_i64()), (Some(5), Some(3)));
    assert_eq!(page2["tickets"].as_array().unwrap().len(), 2);
    assert_eq!(get("status=done").await.body["field"], "status");
    assert_eq!(get("perPage=500").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn dashboards_count_in_the_callers_scope() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let user = app.get("/api/users/dashboard", Some(&t.user)).await.body["dashboard"].clone();
    assert_eq!((user["totalTickets"].as_i64(), user["openTickets"].as_i64()), (Some(2), Some(1)));
    assert_eq!(user["recentTickets"].as_array().unwrap().len(), 2);
    for n in 0..4 {
        create(&app, &t.user, &format!("Recent number {n}")).await;
    }
    let user = app.get("/api/users/dashboard", Some(&t.user)).await.body["dashboard"].clone();
    let recent: Vec<&str> = user["recentTickets"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(recent.len(), 5, "the five newest of six: {recent:?}");
    assert_eq!(&recent[..4], ["Recent number 3", "Recent number 2", "Recent number 1", "Recent number 0"], "newest first");

    let id = assigned_ticket(&app, &t, "For the agent's numbers").await;
    let path = format!("/api/agents/ticket/{id}/status");
    app.edit_ticket(&path, &t.agent, json!({ "status": "in-progress" })).await;
    app.edit_ticket(&path, &t.agent, json!({ "status": "closed", "notes": "Done" })).await;
    let agent = app.get("/api/agents/dashboard", Some(&t.agent)).await.body["dashboard"].clone();
    assert_eq!(agent["assignedTickets"], 3);
    assert_eq!(agent["resolvedTickets"], 1);
    assert_eq!(agent["pendingTickets"], 2);
    let avg = agent["performance"]["avgResolutionTime"].as_f64().unwrap();
    assert!((0.0..0.1).contains(&avg), "closed within seconds: {avg} h");
    let profile = app.get("/api/agents/profile", Some(&t.agent)).await.body["profile"].clone();
    assert_eq!(profile["stats"]["resolved"], 1);
}

#[tokio::test]
async fn assignment_is_refused_with_a_reason() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let assign = |id: i64, agent: i64| {
        let path = format!("/api/admin/ticket/{id}/assign");
        let token = t.admin.clone();
        let app = &app;
        async move { app.edit_ticket(&path, &token, json!({ "agentId": agent })).await }
    };
    let already = assign(1, 3).await;
    assert_eq!(already.status, StatusCode::CONFLICT);
    assert!(already.error().contains("already assigned"));
    assert!(assign(3, 3).await.error().contains("closed"));
    let fresh = create(&app, &t.user, "Needs an agent").await["id"].as_i64().unwrap();
    assert!(assign(fresh, 4).await.error().contains("active agent"), "a user is not an agent");
    assert_eq!(assign(fresh, 999).await.status, StatusCode::CONFLICT);
    app.core.store.set_max_tickets_per_agent(2).await.unwrap();
    let full = assign(fresh, 3).await;
    assert_eq!(full.status, StatusCode::CONFLICT, "agent 3 already holds two open tickets");
    assert!(full.error().contains("most one agent may hold"));
    let missing = app.request(Method::PUT, &format!("/api/admin/ticket/{fresh}/assign"), Some(&t.admin), Some(json!({}))).await;
    assert_eq!(missing.body["field"], "agentId");
}

#[tokio::test]
/// (A real internal error, from a broken database, is in tests/integrity.rs.)
async fn a_badly_typed_body_is_a_400_that_names_no_internals() {
    let app = TestApp::spawn().await;
    let t = tokens(&app).await;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/tickets")
        .header(header::AUTHORIZATION, format!("Bearer {}", t.user))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"title\": 5}"))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["field"], "body");
    assert!(!reply.error().to_lowercase().contains("sqlx") && !reply.error().contains("serde"));
}
