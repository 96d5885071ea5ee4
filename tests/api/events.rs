//! `GET /api/events`: each open stream hears of the ticket changes its reader may see, and of
//! nothing else; internal notes reach staff only; a reconnect with `Last-Event-ID` gets exactly
//! what it missed, one gone too long is told to reload; a stream whose account is deactivated
//! or whose session ends is closed at once.

use crate::common::TestApp;
use axum::http::Method;
use serde_json::{json, Value};

async fn sign_in(app: &TestApp, who: &str) -> String {
    let password = format!("{}123", who.split('@').next().unwrap());
    app.login(who, &password).await
}

fn what(event: &crate::common::events::SseEvent) -> (String, i64, String) {
    (event.event.clone(), event.data["ticket"].as_i64().unwrap_or(0), event.data["kind"].as_str().unwrap_or("").to_string())
}

#[tokio::test]
async fn each_stream_hears_only_of_what_its_reader_may_see_and_notes_reach_staff_only() {
    let app = TestApp::spawn().await;
    let (john, jane, agent, admin) =
        (sign_in(&app, "user@gmail.com").await, sign_in(&app, "jane@gmail.com").await, sign_in(&app, "agent@gmail.com").await, sign_in(&app, "admin@gmail.com").await);
    let (mut johns, mut janes, mut agents, mut admins) = (app.events(&john, None).await, app.events(&jane, None).await, app.events(&agent, None).await, app.events(&admin, None).await);
    assert_eq!(johns.headers["content-type"], "text/event-stream");
    assert_eq!(johns.headers["x-accel-buffering"], "no");
    assert!(johns.headers.get("content-encoding").is_none());

    // Ticket 1 is John's, worked by Agent John: an internal note, then a public reply.
    assert!(app.post("/api/agents/ticket/1/note", Some(&agent), json!({ "note": "Checked the logs.", "internal": true })).await.status.is_success());
    assert!(app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "Please try again now." })).await.status.is_success());
    for stream in [&mut agents, &mut admins] {
        assert_eq!(what(&stream.next().await), ("ticket".into(), 1, "note".into()));
        assert_eq!(what(&stream.next().await), ("ticket".into(), 1, "reply".into()));
    }
    let first = johns.next().await;
    assert_eq!(what(&first), ("ticket".into(), 1, "reply".into()), "the requester hears of the reply, not the note");
    assert_eq!(first.data["status"], "open");
    assert!(first.id.as_deref().unwrap().parse::<i64>().unwrap() > 0);
    janes.quiet("Jane may not see John's ticket").await;

    // Jane's own new ticket: she and the admins hear of it; John and the agent do not.
    let created = app.post("/api/tickets", Some(&jane), json!({ "title": "Monitor flickers", "description": "Since Monday.", "category": "technical" })).await;
    let id = created.body["ticket"]["id"].as_i64().unwrap();
    assert_eq!(what(&janes.next().await), ("ticket".into(), id, "created".into()));
    assert_eq!(what(&admins.next().await), ("ticket".into(), id, "created".into()));
    johns.quiet("another requester's ticket").await;
    agents.quiet("a ticket outside the agent's queue").await;

    // Assigned to the agent: now it is in his queue; reassigned away, he hears it leave.
    let assign = |agent_id: i64| json!({ "agentId": agent_id });
    assert!(app.request(Method::PUT, &format!("/api/admin/ticket/{id}/assign"), Some(&admin), Some(assign(3))).await.status.is_success());
    let assigned = agents.next().await;
    assert_eq!((what(&assigned), assigned.data["assignee"].clone()), (("ticket".into(), id, "assigned".into()), json!(3)));
}

#[tokio::test]
async fn a_reconnect_gets_exactly_what_it_missed_and_one_gone_too_long_is_told_to_reload() {
    let app = TestApp::spawn().await;
    let admin = sign_in(&app, "admin@gmail.com").await;
    let user = sign_in(&app, "user@gmail.com").await;
    let mut stream = app.events(&admin, None).await;
    let reply = |text: &str| json!({ "text": text });
    app.post("/api/tickets/1/replies", Some(&user), reply("First.")).await;
    let seen = stream.next().await.id.expect("an id");
    drop(stream);

    for text in ["Second.", "Third.", "Fourth."] {
        assert!(app.post("/api/tickets/1/replies", Some(&user), reply(text)).await.status.is_success());
    }
    let mut again = app.events(&admin, Some(&seen)).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let event = again.next().await;
        assert_eq!(what(&event), ("ticket".into(), 1, "reply".into()));
        ids.push(event.id.unwrap().parse::<i64>().unwrap());
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]) && ids[0] > seen.parse::<i64>().unwrap(), "{ids:?} after {seen}");
    again.quiet("exactly the three missed").await;
    // The same through `?since=`, as a browser's own reconnect may drop the header.
    let mut by_query = app.events_at(&format!("/api/events?since={}", ids[1]), &admin, None).await;
    assert_eq!(by_query.next().await.id, Some(ids[2].to_string()));
    by_query.quiet("only what came after").await;

    // Events older than kept are gone: a client that last saw one of them reloads.
    app.core.store.prune_live(i64::MAX).await.unwrap();
    let mut stale = app.events(&admin, Some(&seen)).await;
    let told = stale.next().await;
    assert_eq!(told.event, "reload", "{told:?}");
    stale.quiet("one reload, then live events").await;
    app.post("/api/tickets/1/replies", Some(&user), reply("Fifth.")).await;
    assert_eq!(what(&stale.next().await), ("ticket".into(), 1, "reply".into()));
}

#[tokio::test]
async fn a_stream_ends_at_once_when_its_account_is_deactivated_or_its_session_signed_out() {
    let app = TestApp::spawn().await;
    let superadmin = sign_in(&app, "superadmin@gmail.com").await;
    let jane = sign_in(&app, "jane@gmail.com").await;
    let user = sign_in(&app, "user@gmail.com").await;
    let mut janes = app.events(&jane, None).await;
    let mut users = app.events(&user, None).await;

    let body = json!({ "isActive": false });
    let updated = app.request(Method::PUT, "/api/superadmin/users/5", Some(&superadmin), Some(body)).await;
    assert!(updated.status.is_success(), "{:?}", updated.body);
    let ended = janes.next().await;
    assert_eq!(ended.event, "end", "{ended:?}");
    assert_eq!(janes.next_within(std::time::Duration::from_secs(2)).await, None, "and the stream closes");
    users.quiet("another account's stream goes on").await;

    assert!(app.post("/api/auth/logout", Some(&user), Value::Null).await.status.is_success());
    assert_eq!(users.next().await.event, "end");
}

#[tokio::test]
async fn a_stream_asked_after_something_that_is_not_an_event_id_is_refused_naming_it() {
    let app = TestApp::spawn().await;
    let admin = sign_in(&app, "admin@gmail.com").await;
    for (path, field) in [("/api/events?since=abc", "since"), ("/api/events?since=-4", "since")] {
        let reply = app.get(path, Some(&admin)).await;
        assert_eq!((reply.status.as_u16(), reply.body["field"].as_str()), (400, Some(field)), "{path}: {:?}", reply.body);
    }
    let request = axum::http::Request::builder()
        .uri("/api/events")
        .header("authorization", format!("Bearer {admin}"))
        .header("last-event-id", "yesterday")
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!((reply.status.as_u16(), reply.body["field"].as_str()), (400, Some("Last-Event-ID")));
    assert_eq!(app.get("/api/events", None).await.status.as_u16(), 401);
}

#[tokio::test]
async fn a_page_carries_the_cursor_it_was_rendered_at_and_a_stream_from_it_misses_nothing_made_meanwhile() {
    let app = TestApp::spawn().await;
    let (agent, user) = (sign_in(&app, "agent@gmail.com").await, sign_in(&app, "user@gmail.com").await);
    let mut watching = app.events(&agent, None).await;
    assert!(app.post("/api/tickets/1/replies", Some(&user), json!({ "text": "Before the page." })).await.status.is_success());
    let before: i64 = watching.next().await.id.unwrap().parse().unwrap();

    let request = axum::http::Request::builder()
        .uri("/tickets/1")
        .header("accept", "text/html")
        .header("cookie", format!("helpdesk_session={agent}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let page = app.send(request).await;
    let html = page.body.as_str().expect("a page");
    let cursor: i64 = html
        .split(r#"<meta name="live-cursor" content=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("the page names its cursor: {}", &html[..html.len().min(600)]));
    assert!(cursor >= before, "the page was rendered after event {before}, its cursor is {cursor}");
    assert!(html.contains("Before the page."), "the rendered page shows what the cursor covers");

    // A change between the render and the browser's stream connecting reaches the stream.
    assert!(app.post("/api/tickets/1/replies", Some(&user), json!({ "text": "Meanwhile." })).await.status.is_success());
    let mut late = app.events_at(&format!("/api/events?since={cursor}"), &agent, None).await;
    let event = late.next().await;
    assert_eq!(what(&event), ("ticket".into(), 1, "reply".into()));
    assert!(event.id.unwrap().parse::<i64>().unwrap() > before);
    late.quiet("only what came after the render").await;
}
