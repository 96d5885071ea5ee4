//! The outbox against a real SMTP server on loopback (Debian's aiosmtpd): changes commit while
//! the server is down and their mail waits; once it is up each mail arrives exactly once; two
//! instances on one PostgreSQL database never send the same mail twice.

use crate::common::process::free_addr;
use crate::common::smtp::SmtpSink;
use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use helpdesk::server::secret::Secret;
use mail_parser::MessageParser;
use serde_json::json;
use std::collections::BTreeSet;

fn message_ids(messages: &[Vec<u8>]) -> Vec<String> {
    messages
        .iter()
        .map(|raw| MessageParser::default().parse(raw).and_then(|m| m.message_id().map(str::to_string)).expect("a Message-ID"))
        .collect()
}

/// The outbox's health once the mail server's refusal is recorded (or after five seconds).
async fn first_refusal(app: &TestApp) -> helpdesk::server::store::MailHealth {
    let mut health = app.core.store.mail_health(chrono::Utc::now().timestamp()).await.unwrap();
    for _ in 0..250 {
        if health.last_error.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        health = app.core.store.mail_health(chrono::Utc::now().timestamp()).await.unwrap();
    }
    health
}

#[tokio::test]
async fn mail_waits_while_the_mail_server_is_down_and_arrives_exactly_once_when_it_is_back() {
    let addr = free_addr();
    let app = TestApp::spawn_with(|s| s.mail.smtp_url = Some(Secret::new(format!("smtp://{addr}")))).await;
    let (agent, admin) = (app.login("agent@gmail.com", "agent123").await, app.login("admin@gmail.com", "admin123").await);

    // Two changes commit although no mail server answers: their mail waits in the outbox.
    for text in ["First answer.", "Second answer."] {
        let reply = app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": text })).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
    let health = first_refusal(&app).await;
    assert_eq!(health.waiting, 2, "{health:?}");
    assert!(health.last_error.is_some(), "the refused attempt is recorded: {health:?}");

    // The server comes up; an admin asks for the waiting mail to go now.
    let sink = SmtpSink::start_on(addr).await;
    let retried = app.request(Method::POST, "/api/admin/mail/retry", Some(&admin), None).await;
    assert_eq!(retried.status, StatusCode::OK, "{:?}", retried.body);
    assert_eq!(retried.body["retried"], 2);
    let messages = sink.wait_for(2, 10).await;
    app.outbox_drained().await;
    // Another pass of the worker finds nothing to send: nothing arrives twice.
    assert_eq!(helpdesk::server::notify::outbox::send_due(&app.core).await.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let messages_after = sink.messages();
    assert_eq!(messages_after.len(), 2, "each mail exactly once");
    let ids = message_ids(&messages);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 2, "{ids:?}");
    for raw in &messages {
        let mail = MessageParser::default().parse(raw).unwrap();
        assert_eq!(mail.to().and_then(|a| a.first()).and_then(|a| a.address()), Some("user@gmail.com"));
    }
    // Each mail's history: the refused attempt(s), then the accepted one.
    for id in &ids {
        let attempts = app.core.store.mail_attempts(id).await.unwrap();
        assert!(attempts.len() >= 2, "{attempts:?}");
        assert!(attempts[..attempts.len() - 1].iter().all(|a| a.error.is_some()), "{attempts:?}");
        assert_eq!(attempts.last().unwrap().error, None, "{attempts:?}");
    }
    let health = app.core.store.mail_health(chrono::Utc::now().timestamp()).await.unwrap();
    assert_eq!((health.waiting, health.failed), (0, 0), "{health:?}");
}

#[tokio::test]
async fn a_mail_the_server_refuses_for_good_is_given_up_and_shown() {
    // aiosmtpd accepts any address; a recipient that is not an address at all is refused by us
    // before the server, for good.
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|s| s.mail.smtp_url = Some(Secret::new(sink.url()))).await;
    let mail = helpdesk::server::store::NewMail {
        kind: "reply".into(),
        ticket_id: Some(1),
        recipient_id: None,
        to: "not an address".into(),
        subject: "x".into(),
        text: "x".into(),
        html: None,
        message_id: "refused.t1@localhost".into(),
        thread_id: None,
        reply_to: None,
    };
    app.core.store.queue_mail(&mail, chrono::Utc::now().timestamp()).await.unwrap();
    app.core.mail_wake.notify_one();
    let mut health = Default::default();
    for _ in 0..250 {
        health = app.core.store.mail_health(chrono::Utc::now().timestamp()).await.unwrap();
        if (health.waiting, health.failed) == (0, 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let health: helpdesk::server::store::MailHealth = health;
    assert_eq!((health.waiting, health.failed), (0, 1), "{health:?}");
    assert!(health.last_error.unwrap().1.contains("not a deliverable address"));
    assert!(sink.messages().is_empty());
}

/// Two app instances on one PostgreSQL database, each with its outbox worker, racing for the
/// same mail: every mail reaches the server once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_send_each_mail_once() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else {
        eprintln!("skipped: HELPDESK_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)");
        return;
    };
    let sink = SmtpSink::start().await;
    let schema = format!("mail_twice_{}", std::process::id());
    helpdesk::server::store::postgres_admin::prepare_schema(&url, &schema).await.expect("a fresh schema");
    let shared = helpdesk::server::store::postgres_admin::url_in_schema(&url, &schema);
    let configure = |s: &mut helpdesk::server::config::Config| {
        s.database_url = shared.clone();
        s.mail.smtp_url = Some(Secret::new(sink.url()));
        s.mail.notify_admins = true;
    };
    let first = TestApp::spawn_with(|s| configure(s)).await;
    let second = TestApp::spawn_with(|s| configure(s)).await;
    let tokens = [first.login("user@gmail.com", "user123").await, second.login("jane@gmail.com", "jane123").await];

    // 20 new tickets through either instance: each mails both admins (40 mails).
    for n in 0..20 {
        let (app, token) = if n % 2 == 0 { (&first, &tokens[0]) } else { (&second, &tokens[1]) };
        let body = json!({ "title": format!("Ticket {n}"), "description": "Raised to test the outbox.", "category": "technical" });
        assert_eq!(app.post("/api/tickets", Some(token), body).await.status, StatusCode::CREATED);
    }
    // Both workers race for the rest too.
    let (a, b) = tokio::join!(
        helpdesk::server::notify::outbox::send_due(&first.core),
        helpdesk::server::notify::outbox::send_due(&second.core)
    );
    a.unwrap();
    b.unwrap();
    let messages = sink.wait_for(40, 15).await;
    first.outbox_drained().await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let ids = message_ids(&sink.messages());
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), distinct.len()), (40, 40), "every mail once: {} arrived, {} distinct", messages.len(), distinct.len());
}

#[tokio::test]
async fn the_dashboards_retry_button_sends_waiting_mail_without_a_script() {
    use axum::body::Body;
    use axum::http::{header, Request};
    let addr = free_addr();
    let app = TestApp::spawn_with(|s| s.mail.smtp_url = Some(Secret::new(format!("smtp://{addr}")))).await;
    let (agent, admin) = (app.login("agent@gmail.com", "agent123").await, app.login("admin@gmail.com", "admin123").await);
    let reply = app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "An answer." })).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert!(first_refusal(&app).await.last_error.is_some(), "the refused attempt is recorded");

    // The dashboard offers the button as a form that posts by itself.
    let cookie = format!("helpdesk_session={admin}");
    let page = Request::builder().uri("/admin").header(header::ACCEPT, "text/html").header(header::COOKIE, &cookie);
    let page = app.send(page.body(Body::empty()).unwrap()).await;
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains(r#"<form method="post" action="/rpc/admin/mail/retry">"#), "{html}");
    assert!(html.contains("Retry now"));

    // Posted as a browser without a script posts it: the mail goes, the admin is back on the dashboard.
    let sink = SmtpSink::start_on(addr).await;
    let post = Request::builder()
        .method(Method::POST)
        .uri("/rpc/admin/mail/retry")
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::REFERER, "http://localhost/admin")
        .header(header::COOKIE, &cookie);
    let reply = app.send(post.body(Body::empty()).unwrap()).await;
    assert!(reply.status.is_redirection(), "{:?}", reply.status);
    assert_eq!(reply.headers[header::LOCATION], "/admin?mail=retried");
    assert_eq!(sink.wait_for(1, 10).await.len(), 1);
}
