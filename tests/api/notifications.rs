//! Notification mails: who is told of each change, the mail itself (thread, reply address,
//! escaped HTML), switching kinds off, admins on new tickets, and the outbox's health. Mail
//! goes to the app's outbox folder here (no SMTP server set); `smtp.rs` sends it for real.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use mail_parser::MessageParser;
use serde_json::json;

const USER: (&str, &str) = ("user@gmail.com", "user123");
const AGENT: (&str, &str) = ("agent@gmail.com", "agent123");
const ADMIN: (&str, &str) = ("admin@gmail.com", "admin123");

async fn sign_in(app: &TestApp, (email, password): (&str, &str)) -> String {
    app.login(email, password).await
}

/// A new ticket raised by user@gmail.com, assigned by the admin to agent@gmail.com.
async fn assigned_ticket(app: &TestApp, title: &str) -> i64 {
    let user = sign_in(app, USER).await;
    let admin = sign_in(app, ADMIN).await;
    let body = json!({ "title": title, "description": "It prints blank pages since Monday.", "category": "technical" });
    let created = app.post("/api/tickets", Some(&user), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["ticket"]["id"].as_i64().unwrap();
    let assigned = app.request(Method::PUT, &format!("/api/admin/ticket/{id}/assign"), Some(&admin), Some(json!({ "agentId": 3 }))).await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);
    id
}

fn text_of(raw: &str) -> String {
    let message = MessageParser::default().parse(raw.as_bytes()).expect("a mail");
    message.body_text(0).map(|t| t.into_owned()).unwrap_or_default()
}

fn mails_about(mails: &[String], ticket: i64) -> Vec<String> {
    mails.iter().filter(|m| m.contains(&format!("[#{ticket}]"))).cloned().collect()
}

#[tokio::test]
async fn each_change_mails_the_people_it_concerns_and_never_its_author() {
    let app = TestApp::spawn().await;
    let id = assigned_ticket(&app, "Printer on floor 2").await;
    let (user, agent) = (sign_in(&app, USER).await, sign_in(&app, AGENT).await);

    let reply = |token: String, text: &str| {
        let (app, path, body) = (&app, format!("/api/tickets/{id}/replies"), json!({ "text": text }));
        async move { app.post(&path, Some(&token), body).await }
    };
    assert_eq!(reply(agent.clone(), "Which tray do you use?").await.status, StatusCode::CREATED);
    let note = json!({ "note": "The customer sounds annoyed.", "internal": true });
    assert!(app.post(&format!("/api/agents/ticket/{id}/note"), Some(&agent), note).await.status.is_success());
    assert_eq!(reply(user.clone(), "The lower tray.").await.status, StatusCode::CREATED);
    let status = json!({ "status": "in-progress" });
    let changed = app.request(Method::PUT, &format!("/api/agents/ticket/{id}/status"), Some(&agent), Some(status)).await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    let close = json!({ "resolutionNotes": "Replaced the pick-up roller of the lower tray." });
    let closed = app.request(Method::PUT, &format!("/api/tickets/{id}/close"), Some(&agent), Some(close)).await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.body);
    app.outbox_drained().await;

    // The requester: the agent's reply, the status change, the closing. Not their own ticket
    // or reply, not the assignment, never the internal note.
    let to_user = mails_about(&app.mails_to(USER.0), id);
    let texts: Vec<String> = to_user.iter().map(|m| text_of(m)).collect();
    assert_eq!(texts.len(), 3, "{texts:#?}");
    let has = |texts: &[String], a: &str, b: &str| texts.iter().any(|t| t.contains(a) && t.contains(b));
    assert!(has(&texts, "replied on your ticket", "Which tray do you use?"), "{texts:#?}");
    assert!(has(&texts, "changed the status", "open → in-progress"), "{texts:#?}");
    assert!(has(&texts, "closed your ticket", "Replaced the pick-up roller"), "{texts:#?}");
    assert!(to_user.iter().all(|m| !m.contains("annoyed")), "an internal note reached the requester");

    // The agent: the assignment and the requester's reply; none of their own changes.
    let to_agent: Vec<String> = mails_about(&app.mails_to(AGENT.0), id).iter().map(|m| text_of(m)).collect();
    assert_eq!(to_agent.len(), 2, "{to_agent:#?}");
    assert!(has(&to_agent, "assigned ticket", "to you"), "{to_agent:#?}");
    assert!(has(&to_agent, "replied on ticket", "The lower tray."), "{to_agent:#?}");
    // Admins are not told of new tickets unless the setting says so.
    assert!(mails_about(&app.mails_to(ADMIN.0), id).is_empty());
}

#[tokio::test]
async fn a_mail_threads_under_its_ticket_carries_a_signed_reply_address_and_escapes_what_people_wrote() {
    let app = TestApp::spawn().await;
    let id = assigned_ticket(&app, "<script>alert('title')</script> & co").await;
    let agent = sign_in(&app, AGENT).await;
    let text = "<img src=x onerror=alert(1)> see =cmd|' /C calc'!A0";
    assert_eq!(app.post(&format!("/api/tickets/{id}/replies"), Some(&agent), json!({ "text": text })).await.status, StatusCode::CREATED);
    let raw = app.wait_for_mails_to(USER.0, 1).await.pop().unwrap();
    let mail = MessageParser::default().parse(raw.as_bytes()).expect("a mail");

    assert_eq!(mail.subject(), Some(format!("[#{id}] <script>alert('title')</script> & co").as_str()));
    let thread = format!("ticket-{id}@localhost");
    assert_eq!(mail.in_reply_to().as_text(), Some(thread.as_str()));
    assert_eq!(mail.references().as_text(), Some(thread.as_str()));
    let message_id = mail.message_id().expect("a Message-ID");
    assert!(message_id.ends_with(&format!(".t{id}@localhost")), "{message_id}");
    assert_eq!(mail.header_raw("Auto-Submitted").map(str::trim), Some("auto-generated"));

    let reply_to = mail.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).expect("a Reply-To").to_string();
    let token = helpdesk::server::notify::reply_token::token_in(&reply_to).expect("a token in the reply address");
    assert_eq!(helpdesk::server::notify::reply_token::read(&app.core.mail_key, token), Some((id, 4)), "{reply_to}");

    let html = mail.body_html(0).expect("an HTML part").into_owned();
    assert!(!html.contains("<script>") && !html.contains("<img"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") && html.contains("&lt;script&gt;"), "{html}");
    let plain = mail.body_text(0).expect("a text part");
    assert!(plain.contains(text), "{plain}");
    assert!(plain.contains(&format!("http://127.0.0.1:3000/tickets/{id}")), "{plain}");
}

#[tokio::test]
async fn a_kind_switched_off_sends_no_more_of_it_and_the_others_still_come() {
    let app = TestApp::spawn().await;
    let id = assigned_ticket(&app, "VPN drops").await;
    let (user, agent) = (sign_in(&app, USER).await, sign_in(&app, AGENT).await);

    let listed = app.get("/api/users/notifications", Some(&user)).await;
    assert_eq!(listed.status, StatusCode::OK);
    let kinds: Vec<&str> = listed.body["notifications"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["reply", "status", "closed"], "a user is offered what a requester receives");
    let off = app.request(Method::PUT, "/api/users/notifications", Some(&user), Some(json!({ "reply": false }))).await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    assert_eq!(off.body["notifications"][0], json!({ "kind": "reply", "label": "Someone replies on a ticket I raised", "enabled": false }));

    let refused = app.request(Method::PUT, "/api/users/notifications", Some(&user), Some(json!({ "assigned": false }))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.body["field"], "assigned", "{:?}", refused.body);
    let refused = app.request(Method::PUT, "/api/users/notifications", Some(&user), Some(json!({ "reply": "no" }))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{:?}", refused.body);

    assert_eq!(app.post(&format!("/api/tickets/{id}/replies"), Some(&agent), json!({ "text": "Rebooted the gateway." })).await.status, StatusCode::CREATED);
    let status = app.request(Method::PUT, &format!("/api/agents/ticket/{id}/status"), Some(&agent), Some(json!({ "status": "on-hold" }))).await;
    assert_eq!(status.status, StatusCode::OK);
    app.outbox_drained().await;
    let texts: Vec<String> = mails_about(&app.mails_to(USER.0), id).iter().map(|m| text_of(m)).collect();
    assert_eq!(texts.len(), 1, "only the status change: {texts:#?}");
    assert!(texts[0].contains("changed the status"), "{}", texts[0]);

    // A status change sent with a reply still comes as the status kind, which is on.
    let on = app.request(Method::PUT, "/api/users/notifications", Some(&user), Some(json!({ "reply": true, "status": false }))).await;
    assert_eq!(on.status, StatusCode::OK);
    let body = json!({ "status": "in-progress", "notes": "Back on it." });
    assert_eq!(app.request(Method::PUT, &format!("/api/agents/ticket/{id}/status"), Some(&agent), Some(body)).await.status, StatusCode::OK);
    app.wait_for_mails_to(USER.0, texts.len() + 1).await;
    app.outbox_drained().await;
    let now: Vec<String> = mails_about(&app.mails_to(USER.0), id).iter().map(|m| text_of(m)).collect();
    assert_eq!(now.len(), 2, "{now:#?}");
    assert!(now.iter().any(|t| t.contains("replied on your ticket") && t.contains("Back on it.")), "{now:#?}");
}

#[tokio::test]
async fn admins_hear_of_every_new_ticket_when_the_setting_is_on_but_not_of_their_own() {
    let app = TestApp::spawn_with(|s| s.mail.notify_admins = true).await;
    let user = sign_in(&app, USER).await;
    let body = json!({ "title": "Mouse missing", "description": "Someone took my mouse.", "category": "technical" });
    let created = app.post("/api/tickets", Some(&user), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let id = created.body["ticket"]["id"].as_i64().unwrap();
    for admin in [ADMIN.0, "superadmin@gmail.com"] {
        let mails = app.wait_for_mails_to(admin, 1).await;
        let text = text_of(&mails_about(&mails, id)[0]);
        assert!(text.contains("raised ticket") && text.contains("Someone took my mouse."), "{text}");
    }
    let admin = sign_in(&app, ADMIN).await;
    let own = json!({ "title": "Admin's own", "description": "Raised by the admin.", "category": "technical" });
    let own = app.post("/api/tickets", Some(&admin), own).await.body["ticket"]["id"].as_i64().unwrap();
    app.outbox_drained().await;
    assert!(mails_about(&app.mails_to(ADMIN.0), own).is_empty(), "the author is never told of their own change");
    assert_eq!(mails_about(&app.mails_to("superadmin@gmail.com"), own).len(), 1);
    assert!(mails_about(&app.mails_to(USER.0), id).is_empty());
}

#[tokio::test]
async fn mail_that_cannot_be_sent_waits_and_shows_on_the_dashboard_and_in_the_metrics() {
    // A mail server that refuses every connection: nothing listens on that port.
    let closed = crate::common::process::free_addr();
    let app = TestApp::spawn_with(|s| s.mail.smtp_url = Some(helpdesk::server::secret::Secret::new(format!("smtp://{closed}")))).await;
    let id = assigned_ticket(&app, "Monitor flickers").await;
    let agent = sign_in(&app, AGENT).await;
    assert_eq!(app.post(&format!("/api/tickets/{id}/replies"), Some(&agent), json!({ "text": "On it." })).await.status, StatusCode::CREATED);

    let admin = sign_in(&app, ADMIN).await;
    let mut mail = json!(null);
    for _ in 0..250 {
        mail = app.get("/api/admin/dashboard", Some(&admin)).await.body["dashboard"]["mail"].clone();
        if mail["lastError"].is_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(mail["waiting"], 2, "the assignment's and the reply's mails wait: {mail}");
    assert!(mail["oldestWaitingSecs"].as_i64().is_some(), "{mail}");
    assert!(mail["lastError"].as_str().unwrap().starts_with("SMTP"), "{mail}");
    assert_eq!(mail["failed"], 0, "a refused connection is tried again, not given up: {mail}");

    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let metrics = app.get("/metrics", Some(&superadmin)).await;
    let text = metrics.body.as_str().unwrap_or_default().to_string();
    assert!(text.lines().any(|l| l == "mail_outbox_depth 2"), "{text}");
}
