//! Every ticket change goes through one write path, which publishes a `TicketChanged` after
//! it commits (and nothing for a change that was refused).

use crate::common;

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

#[tokio::test]
async fn bulk_assignment_takes_what_fits_in_one_transaction_and_says_why_not_for_the_rest() {
    let app = TestApp::spawn().await;
    let (admin, superadmin) = (app.login("admin@gmail.com", "admin123").await, app.login("superadmin@gmail.com", "superadmin123").await);
    // The demo agent holds tickets 1 and 2; allow them four.
    app.request(Method::PUT, "/api/superadmin/settings", Some(&superadmin), Some(json!({ "maxTicketsPerAgent": 4 }))).await;
    let mut fresh = Vec::new();
    for i in 0..4 {
        let body = json!({ "title": format!("Bulk {i}"), "description": "d", "category": "technical", "priority": "low", "userId": 4 });
        fresh.push(app.post("/api/tickets", Some(&admin), body).await.body["ticket"]["id"].as_i64().unwrap());
    }
    let mut rx = app.core.ticket_changes.subscribe();
    let ids = [fresh.clone(), vec![1, 3, 999, fresh[0]]].concat();
    let reply = app.request(Method::PUT, "/api/admin/tickets/assign", Some(&admin), Some(json!({ "ticketIds": ids, "agentId": 3 }))).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["assigned"], json!([fresh[0], fresh[1]]), "two fit under the cap of four");
    let reasons: Vec<(i64, String)> = reply.body["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_i64().unwrap(), r["reason"].as_str().unwrap().to_string()))
        .collect();
    let reason_of = |id: i64| reasons.iter().find(|(i, _)| *i == id).map(|(_, r)| r.clone()).unwrap_or_default();
    assert!(reason_of(1).contains("already assigned to Agent John"), "{reasons:?}");
    assert!(reason_of(3).contains("closed"), "{reasons:?}");
    assert!(reason_of(999).contains("not found"), "{reasons:?}");
    assert!(reason_of(fresh[2]).contains("no room") && reason_of(fresh[3]).contains("no room"), "{reasons:?}");
    assert_eq!(drain(&mut rx).len(), 2, "one event per assigned ticket");

    // Without an agent, each goes to the least-loaded one with room.
    let body = json!({ "name": "Second Agent", "email": "second@example.com", "password": "password123", "role": "agent", "department": "", "phone": "" });
    let second = app.post("/api/superadmin/users", Some(&superadmin), body).await.body["user"]["id"].as_i64().unwrap();
    let reply = app.request(Method::PUT, "/api/admin/tickets/assign", Some(&admin), Some(json!({ "ticketIds": [fresh[2], fresh[3]] }))).await;
    assert_eq!(reply.body["assigned"], json!([fresh[2], fresh[3]]), "{:?}", reply.body);
    for id in [fresh[2], fresh[3]] {
        assert_eq!(app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"]["assignedTo"], second);
    }

    let too_many: Vec<i64> = (1..=101).collect();
    let reply = app.request(Method::PUT, "/api/admin/tickets/assign", Some(&admin), Some(json!({ "ticketIds": too_many }))).await;
    assert_eq!((reply.status, reply.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("ids")));
}
