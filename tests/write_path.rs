//! Every ticket change goes through one write path, which publishes a `TicketChanged` after
//! it commits (and nothing for a change that was refused).

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use helpdesk::domain::{TicketChanged, TicketState, TicketStatus};
use serde_json::json;
use tokio::sync::broadcast::error::TryRecvError;

fn drain(rx: &mut tokio::sync::broadcast::Receiver<TicketChanged>) -> Vec<TicketChanged> {
    let mut out = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(event) => out.push(event),
            Err(TryRecvError::Empty) => return out,
            Err(e) => panic!("{e:?}"),
        }
    }
}

fn state(status: TicketStatus, assignee: Option<i64>) -> Option<TicketState> {
    Some(TicketState { status, assignee })
}

#[tokio::test]
async fn each_committed_change_is_published_with_its_before_and_after() {
    let app = TestApp::spawn().await;
    let mut rx = app.core.ticket_changes.subscribe();
    let (admin, user) = (app.login("admin@gmail.com", "admin123").await, app.login("user@gmail.com", "user123").await);

    let body = json!({ "title": "Projector is dead", "description": "No picture", "category": "technical", "priority": "high" });
    let id = app.post("/api/tickets", Some(&user), body).await.body["ticket"]["id"].as_i64().unwrap();
    assert_eq!(drain(&mut rx), vec![TicketChanged { id, requester: 4, before: None, after: state(TicketStatus::Open, None) }]);

    let assign = app.request(Method::PUT, &format!("/api/admin/ticket/{id}/assign"), Some(&admin), Some(json!({ "agentId": 3 }))).await;
    assert_eq!(assign.status, StatusCode::OK);
    let version = assign.body["ticket"]["version"].as_i64().unwrap();
    assert_eq!(drain(&mut rx), vec![TicketChanged { id, requester: 4, before: state(TicketStatus::Open, None), after: state(TicketStatus::Open, Some(3)) }]);

    // A refused change (stale version) publishes nothing.
    let stale = app.request(Method::PUT, &format!("/api/tickets/{id}"), Some(&admin), Some(json!({ "status": "in-progress", "version": version - 1 }))).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(drain(&mut rx), vec![]);

    let working = app.request(Method::PUT, &format!("/api/tickets/{id}"), Some(&admin), Some(json!({ "status": "in-progress", "version": version }))).await;
    assert_eq!(working.status, StatusCode::OK, "{:?}", working.body);
    assert_eq!(drain(&mut rx), vec![TicketChanged { id, requester: 4, before: state(TicketStatus::Open, Some(3)), after: state(TicketStatus::InProgress, Some(3)) }]);
    let version = working.body["ticket"]["version"].as_i64().unwrap();
    let closed = app.request(Method::PUT, &format!("/api/tickets/{id}/close"), Some(&admin), Some(json!({ "resolutionNotes": "Replaced the lamp", "version": version }))).await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    assert_eq!(drain(&mut rx), vec![TicketChanged { id, requester: 4, before: state(TicketStatus::InProgress, Some(3)), after: state(TicketStatus::Closed, Some(3)) }]);

    assert_eq!(app.request(Method::DELETE, &format!("/api/tickets/{id}"), Some(&admin), None).await.status, StatusCode::OK);
    assert_eq!(drain(&mut rx), vec![TicketChanged { id, requester: 4, before: state(TicketStatus::Closed, Some(3)), after: None }]);
}

#[tokio::test]
async fn deleting_an_agent_unassigns_their_open_tickets_with_history_and_events() {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let mut rx = app.core.ticket_changes.subscribe();
    // Demo ticket 1 (open) and 2 (in progress) are the demo agent's.
    let gone = app.request(Method::DELETE, "/api/superadmin/users/3", Some(&superadmin), None).await;
    assert_eq!(gone.status, StatusCode::OK, "{:?}", gone.body);
    let events = drain(&mut rx);
    assert_eq!(
        events,
        vec![
            TicketChanged { id: 1, requester: 4, before: state(TicketStatus::Open, Some(3)), after: state(TicketStatus::Open, None) },
            TicketChanged { id: 2, requester: 5, before: state(TicketStatus::InProgress, Some(3)), after: state(TicketStatus::InProgress, None) },
        ]
    );
    let ticket = app.get("/api/tickets/1", Some(&superadmin)).await.body["ticket"].clone();
    assert_eq!(ticket["assignedTo"], serde_json::Value::Null);
    let history = ticket["history"].as_array().unwrap();
    assert!(history.iter().any(|e| e["detail"] == "Agent John → nobody (account deleted)"), "{history:?}");
    let audit = app.get("/api/superadmin/audit?action=user-deleted", Some(&superadmin)).await.body;
    assert_eq!(audit["total"], 1, "{audit}");
}

#[tokio::test]
async fn a_reply_racing_a_close_never_lands_after_it() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let agent = app.login("agent@gmail.com", "agent123").await;
    for round in 0..20 {
        let body = json!({ "title": format!("Race {round}"), "description": "d", "category": "technical", "priority": "low", "userId": 4 });
        let id = app.post("/api/tickets", Some(&admin), body).await.body["ticket"]["id"].as_i64().unwrap();
        app.request(Method::PUT, &format!("/api/admin/ticket/{id}/assign"), Some(&admin), Some(json!({ "agentId": 3 }))).await;
        let version = app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"]["version"].as_i64().unwrap();
        let working = app.request(Method::PUT, &format!("/api/tickets/{id}"), Some(&admin), Some(json!({ "status": "in-progress", "version": version }))).await;
        let version = working.body["ticket"]["version"].as_i64().unwrap();
        let (close_path, note_path) = (format!("/api/tickets/{id}/close"), format!("/api/agents/ticket/{id}/note"));
        let close = app.request(Method::PUT, &close_path, Some(&admin), Some(json!({ "resolutionNotes": "done", "version": version })));
        let reply = app.post(&note_path, Some(&agent), json!({ "note": "one more thing", "internal": false }));
        let (close, reply) = tokio::join!(close, reply);
        assert!(close.status == StatusCode::OK || reply.status == StatusCode::OK, "one of them lands");
        let history = app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"]["history"].clone();
        let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        if let Some(closed_at) = kinds.iter().position(|k| *k == "closed") {
            assert!(kinds[closed_at..].iter().all(|k| *k == "closed" || *k == "status"), "round {round}: {kinds:?} (reply {})", reply.status);
        }
    }
}
