//! Mail taken in, as admins follow it: each mail's outcome and reason, its raw message,
//! processing it again; and a sender's hourly budget of notifications.

use super::inbound::{mail, post_mail, SECRET};
use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use helpdesk::server::secret::Secret;
use serde_json::json;

#[tokio::test]
async fn admins_see_each_mail_with_its_reason_read_the_raw_message_and_process_it_again() {
    let app = TestApp::spawn_with(|s| {
        s.mail.inbound_secret = Some(Secret::new(SECRET.to_string()));
        s.mail.unknown_senders_create = false;
    })
    .await;
    let raw = mail("Stranger <stranger@example.net>", "support@localhost", "Need help <b>now</b>", "", "Hello, the VPN is down.");
    let (_, taken) = post_mail(&app, &raw).await;
    assert_eq!(taken["outcome"], "rejected", "{taken}");

    let admin = app.login("admin@gmail.com", "admin123").await;
    let listed = app.get("/api/admin/mail/inbound", Some(&admin)).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    let first = &listed.body["mails"][0];
    assert_eq!((first["sender"].as_str(), first["outcome"].as_str(), first["rawKept"].as_bool()), (Some("stranger@example.net"), Some("rejected"), Some(true)));
    assert!(first["reason"].as_str().unwrap().contains("has no account"), "{first}");
    let id = first["id"].as_i64().unwrap();

    let request = Request::builder().uri(format!("/api/admin/mail/inbound/{id}/raw")).header(header::AUTHORIZATION, format!("Bearer {admin}")).body(Body::empty()).unwrap();
    let raw_reply = app.send(request).await;
    assert_eq!(raw_reply.status, StatusCode::OK);
    assert_eq!(raw_reply.headers[header::CONTENT_TYPE], "message/rfc822");
    assert!(raw_reply.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    assert_eq!(raw_reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(raw_reply.body.as_str().unwrap().contains("Hello, the VPN is down."));

    // The super admin makes the sender an account; the mail, processed again, becomes a ticket.
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let body = json!({ "name": "Stranger", "email": "stranger@example.net", "password": "Stranger-42", "role": "user" });
    assert_eq!(app.post("/api/superadmin/users", Some(&superadmin), body).await.status, StatusCode::CREATED);
    let again = app.post(&format!("/api/admin/mail/inbound/{id}/process"), Some(&admin), json!(null)).await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(again.body["outcome"], "created", "{:?}", again.body);
    // Once it became a ticket, processing it again changes nothing.
    let twice = app.post(&format!("/api/admin/mail/inbound/{id}/process"), Some(&admin), json!(null)).await;
    assert_eq!(twice.body["outcome"], "duplicate", "{:?}", twice.body);
    assert_eq!(app.get("/api/admin/mail/inbound", Some(&admin)).await.body["mails"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_sender_past_the_hourly_budget_is_still_taken_in_but_tells_nobody() {
    let app = TestApp::spawn_with(|s| {
        s.mail.inbound_secret = Some(Secret::new(SECRET.to_string()));
        s.mail.notify_admins = true;
        s.mail.notices_per_sender_hour = 2;
    })
    .await;
    let mut tickets = Vec::new();
    for n in 1..=3 {
        let raw = mail("jane@gmail.com", "support@localhost", &format!("Looping mail {n}"), "", "Same again.");
        let (_, taken) = post_mail(&app, &raw).await;
        assert_eq!(taken["outcome"], "created", "{taken}");
        tickets.push((taken["ticket"].as_i64().unwrap(), taken["reason"].as_str().unwrap().to_string()));
    }
    assert!(!tickets[1].1.contains("tells nobody") && tickets[2].1.contains("tells nobody"), "{tickets:?}");
    app.outbox_drained().await;
    let to_admin = app.mails_to("admin@gmail.com");
    for (n, (id, _)) in tickets.iter().enumerate() {
        let told = to_admin.iter().filter(|m| m.contains(&format!("[#{id}]"))).count();
        assert_eq!(told, usize::from(n < 2), "ticket {id}");
    }
}
