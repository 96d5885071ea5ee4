//! Who else is on a ticket: the staff working it say what their page is doing and see each
//! other, writing included; a page that says `gone` or falls silent vanishes from the others
//! (told through the event stream); nobody else takes part. A reply written on a page that
//! fell behind is held back with what changed, not lost.

use crate::common::TestApp;
use axum::http::Method;
use serde_json::{json, Value};

async fn sign_in(app: &TestApp, who: &str) -> String {
    let password = format!("{}123", who.split('@').next().unwrap());
    app.login(who, &password).await
}

fn names(reply: &Value) -> Vec<(String, String)> {
    reply["viewers"]
        .as_array()
        .unwrap_or_else(|| panic!("viewers in {reply}"))
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_string(), v["state"].as_str().unwrap().to_string()))
        .collect()
}

fn said(state: &str, tab: &str) -> Value {
    json!({ "tab": tab, "state": state })
}

#[tokio::test]
async fn staff_on_a_ticket_see_each_other_writing_and_leaving_and_the_requester_hears_nothing_of_it() {
    let app = TestApp::spawn().await;
    let (agent, admin, user) = (sign_in(&app, "agent@gmail.com").await, sign_in(&app, "admin@gmail.com").await, sign_in(&app, "user@gmail.com").await);
    let (mut admins, mut users) = (app.events(&admin, None).await, app.events(&user, None).await);

    // Ticket 1 is John's, worked by Agent John. The admin opens it: nobody else is there yet.
    let first = app.post("/api/tickets/1/presence", Some(&admin), said("viewing", "tab-admin-0001")).await;
    assert_eq!((first.status.as_u16(), names(&first.body)), (200, vec![]));
    let event = admins.next().await;
    assert_eq!((event.data["ticket"].as_i64(), event.data["kind"].as_str()), (Some(1), Some("presence")));

    // The agent opens it in two tabs and writes a reply in one: the admin sees him once, writing.
    let seen = app.post("/api/tickets/1/presence", Some(&agent), said("viewing", "tab-agent-0001")).await;
    assert_eq!(names(&seen.body), vec![("Admin".into(), "viewing".into())], "the agent sees the admin, not himself");
    app.post("/api/tickets/1/presence", Some(&agent), said("replying", "tab-agent-0002")).await;
    assert_eq!(admins.next().await.data["kind"], "presence");
    assert_eq!(admins.next().await.data["kind"], "presence");
    let now = app.get("/api/tickets/1/presence", Some(&admin)).await;
    assert_eq!(names(&now.body), vec![("Agent John".into(), "replying".into())]);

    // Said again unchanged (the heartbeat): nobody is told.
    app.post("/api/tickets/1/presence", Some(&agent), said("viewing", "tab-agent-0001")).await;
    admins.quiet("a heartbeat changes nothing others see").await;

    // The writing tab closes; then the other: he is gone.
    app.post("/api/tickets/1/presence", Some(&agent), said("gone", "tab-agent-0002")).await;
    assert_eq!(admins.next().await.data["kind"], "presence");
    assert_eq!(names(&app.get("/api/tickets/1/presence", Some(&admin)).await.body), vec![("Agent John".into(), "viewing".into())]);
    app.post("/api/tickets/1/presence", Some(&agent), said("gone", "tab-agent-0001")).await;
    assert_eq!(admins.next().await.data["kind"], "presence");
    assert_eq!(names(&app.get("/api/tickets/1/presence", Some(&admin)).await.body), vec![]);
    users.quiet("the requester hears nothing of who is on the ticket").await;
}

#[tokio::test]
async fn a_page_that_falls_silent_lapses_on_its_own_and_the_others_are_told() {
    let app = TestApp::spawn().await;
    let (admin, agent) = (sign_in(&app, "admin@gmail.com").await, sign_in(&app, "agent@gmail.com").await);
    let agent_id = app.get("/api/auth/verify", Some(&agent)).await.body["user"]["id"].as_i64().expect("the agent's id");
    let mut admins = app.events(&admin, None).await;
    // The agent's page said it was there, a moment ago, for a moment only (a closed tab).
    let now = chrono::Utc::now().timestamp_millis();
    assert!(app.core.store.set_presence(1, agent_id, "tab-agent-gone", Some("replying"), now, now + 2000).await.unwrap());
    assert_eq!(names(&app.get("/api/tickets/1/presence", Some(&admin)).await.body), vec![("Agent John".into(), "replying".into())]);
    app.core.live.wake.notify_one();
    assert_eq!(admins.next().await.data["kind"], "presence");
    let left = (now + 2100 - chrono::Utc::now().timestamp_millis()).max(0) as u64;
    tokio::time::sleep(std::time::Duration::from_millis(left)).await;
    assert_eq!(names(&app.get("/api/tickets/1/presence", Some(&admin)).await.body), vec![], "lapsed: not shown even before it is removed");
    // The sweep (every few seconds in each instance) removes it and tells the pages.
    // (This instance's own sweep may have come first: either way it is removed once, and told.)
    assert!(helpdesk::server::services::presence::expire(&app.core).await.unwrap() <= 1);
    let told = admins.next().await;
    assert_eq!((told.data["ticket"].as_i64(), told.data["kind"].as_str()), (Some(1), Some("presence")));
    assert_eq!(helpdesk::server::services::presence::expire(&app.core).await.unwrap(), 0, "removed once");
}

#[tokio::test]
async fn only_the_staff_working_a_ticket_take_part_and_bad_words_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let (agent, admin, user) = (sign_in(&app, "agent@gmail.com").await, sign_in(&app, "admin@gmail.com").await, sign_in(&app, "user@gmail.com").await);
    // The requester of ticket 1 may not say or read who is on it.
    assert_eq!(app.post("/api/tickets/1/presence", Some(&user), said("viewing", "tab-user-00001")).await.status.as_u16(), 403);
    assert_eq!(app.get("/api/tickets/1/presence", Some(&user)).await.status.as_u16(), 403);
    // An agent on a ticket that is not his: as for any ticket he may not see.
    let created = app.post("/api/tickets", Some(&user), json!({ "title": "Not the agent's", "description": "Unassigned.", "category": "technical" })).await;
    let other = created.body["ticket"]["id"].as_i64().unwrap();
    assert_eq!(app.post(&format!("/api/tickets/{other}/presence"), Some(&agent), said("viewing", "tab-agent-0001")).await.status.as_u16(), 404);
    for (body, field) in [(said("typing", "tab-admin-0001"), "state"), (said("viewing", "<b>x</b>"), "tab"), (said("viewing", "short"), "tab")] {
        let reply = app.post("/api/tickets/1/presence", Some(&admin), body.clone()).await;
        assert_eq!((reply.status.as_u16(), reply.body["field"].as_str()), (400, Some(field)), "{body}");
    }
    assert_eq!(app.get("/api/tickets/1/presence", None).await.status.as_u16(), 401);
}

#[tokio::test]
async fn a_reply_written_while_others_moved_the_ticket_on_is_held_back_with_what_they_did() {
    let app = TestApp::spawn().await;
    let (agent, admin) = (sign_in(&app, "agent@gmail.com").await, sign_in(&app, "admin@gmail.com").await);
    let history = app.get("/api/tickets/1/history", Some(&agent)).await;
    let seen = history.body["history"].as_array().unwrap().iter().filter_map(|e| e["id"].as_i64()).max().unwrap();
    // While the agent writes, the admin answers.
    assert!(app.post("/api/tickets/1/replies", Some(&admin), json!({ "text": "Restart the router." })).await.status.is_success());

    let held = app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "Please restart the router.", "seen": seen })).await;
    assert_eq!(held.status.as_u16(), 409, "{:?}", held.body);
    let message = held.body["error"].as_str().unwrap();
    assert!(message.contains("Admin replied") && message.contains("kept"), "{message}");
    let after = app.get("/api/tickets/1/history", Some(&agent)).await;
    let texts: Vec<&str> = after.body["history"].as_array().unwrap().iter().filter_map(|e| e["detail"].as_str()).collect();
    assert!(!texts.contains(&"Please restart the router."), "nothing was added");

    // Having read it, the agent sends it again: it goes.
    let newest = after.body["history"].as_array().unwrap().iter().filter_map(|e| e["id"].as_i64()).max().unwrap();
    let sent = app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "Please restart the router.", "seen": newest })).await;
    assert_eq!(sent.status.as_u16(), 201, "{:?}", sent.body);
    // The agent's own change is no news to him, and without `seen` a reply goes as before.
    let mine = app.post("/api/agents/ticket/1/note", Some(&agent), json!({ "note": "Checked.", "internal": true, "seen": newest })).await;
    assert_eq!(mine.status.as_u16(), 200, "{:?}", mine.body);
    assert_eq!(app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "One more." })).await.status.as_u16(), 201);
}

#[tokio::test]
async fn a_change_on_a_version_that_moved_on_says_what_others_did_since_the_page_was_drawn() {
    let app = TestApp::spawn().await;
    let (agent, admin) = (sign_in(&app, "agent@gmail.com").await, sign_in(&app, "admin@gmail.com").await);
    let ticket = app.get("/api/tickets/1", Some(&agent)).await;
    let version = ticket.body["ticket"]["version"].as_i64().unwrap();
    let history = app.get("/api/tickets/1/history", Some(&agent)).await;
    let seen = history.body["history"].as_array().unwrap().iter().filter_map(|e| e["id"].as_i64()).max().unwrap();
    // While the agent decides, the admin raises the priority.
    let raised = app.edit_ticket("/api/tickets/1", &admin, json!({ "priority": "critical" })).await;
    assert!(raised.status.is_success(), "{:?}", raised.body);

    let status = json!({ "status": "on-hold", "version": version, "seen": seen });
    let refused = app.request(Method::PUT, "/api/agents/ticket/1/status", Some(&agent), Some(status)).await;
    assert_eq!(refused.status.as_u16(), 409, "{:?}", refused.body);
    let message = refused.body["error"].as_str().unwrap();
    assert!(message.starts_with("Not saved: meanwhile, Admin") && message.contains("critical"), "{message}");
    let close = json!({ "resolutionNotes": "Fixed.", "version": version, "seen": seen });
    let refused = app.request(Method::PUT, "/api/tickets/1/close", Some(&agent), Some(close)).await;
    assert!(refused.status.as_u16() == 409 && refused.body["error"].as_str().unwrap().contains("Admin"), "{:?}", refused.body);
    // Without `seen`, the stale version is refused as before; nothing changed either time.
    let bare = app.request(Method::PUT, "/api/agents/ticket/1/status", Some(&agent), Some(json!({ "status": "on-hold", "version": version }))).await;
    assert_eq!((bare.status.as_u16(), bare.body["error"].as_str()), (409, Some(helpdesk::server::services::ticket_changes::CONFLICT_MESSAGE)));
    assert_eq!(app.get("/api/tickets/1", Some(&agent)).await.body["ticket"]["status"], ticket.body["ticket"]["status"]);
}
