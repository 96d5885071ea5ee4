//! Mail in through `POST /api/mail/inbound`: a mail opens a ticket or lands as a reply on the
//! right one, never on a wrong one; the same mail twice is one; machines' mail is left alone.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use helpdesk::server::secret::Secret;
use serde_json::{json, Value};

pub(crate) const SECRET: &str = "inbound-secret-for-the-tests-0123456789";

pub(crate) async fn app() -> TestApp {
    TestApp::spawn_with(|s| s.mail.inbound_secret = Some(Secret::new(SECRET.to_string()))).await
}

pub(crate) async fn post_mail(app: &TestApp, raw: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/mail/inbound")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .header(header::CONTENT_TYPE, "message/rfc822")
        .body(Body::from(raw.replace('\n', "\r\n")))
        .unwrap();
    let reply = app.send(request).await;
    (reply.status, reply.body)
}

pub(crate) fn mail(from: &str, to: &str, subject: &str, extra_headers: &str, body: &str) -> String {
    let id = format!("<{}@mail.example.org>", helpdesk::server::security::random_token(8));
    format!(
        "From: {from}\nTo: {to}\nSubject: {subject}\nMessage-ID: {id}\nDate: Mon, 7 Dec 2026 10:00:00 +0000\nMIME-Version: 1.0\n{extra_headers}Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    )
}

async fn history(app: &TestApp, id: i64) -> Vec<Value> {
    let admin = app.login("admin@gmail.com", "admin123").await;
    app.get(&format!("/api/tickets/{id}/history"), Some(&admin)).await.body["history"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_mail_opens_a_ticket_for_its_sender_and_the_same_mail_again_is_a_duplicate() {
    let app = app().await;
    let raw = mail("Jane Smith <jane@gmail.com>", "support@localhost", "Scanner jams on every page", "", "The scanner on floor 3 jams.\n\n-- \nJane");
    let (status, taken) = post_mail(&app, &raw).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(taken["outcome"], "created", "{taken}");
    let id = taken["ticket"].as_i64().unwrap();
    let admin = app.login("admin@gmail.com", "admin123").await;
    let ticket = app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"].clone();
    assert_eq!(ticket["title"], "Scanner jams on every page");
    assert_eq!(ticket["userId"], 5, "the sender's account is the requester");
    assert_eq!(ticket["description"], "The scanner on floor 3 jams.", "the signature is cut: {ticket}");

    let (status, again) = post_mail(&app, &raw).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, json!({ "outcome": "duplicate", "ticket": id, "reason": "this Message-ID was taken in already" }));
}

#[tokio::test]
async fn a_reply_to_a_notification_lands_on_its_ticket_without_the_quote() {
    let app = app().await;
    let agent = app.login("agent@gmail.com", "agent123").await;
    assert_eq!(app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "Please try again now." })).await.status, StatusCode::CREATED);
    let notification = app.wait_for_mails_to("user@gmail.com", 1).await.pop().unwrap();
    let parsed = mail_parser::MessageParser::default().parse(notification.as_bytes()).unwrap();
    let reply_to = parsed.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap().to_string();
    let their_id = parsed.message_id().unwrap().to_string();

    let body = "It works now, thanks!\n\nOn Mon, 7 Dec 2026 at 10:02, Help Desk <helpdesk@localhost> wrote:\n> Please try again now.";
    let headers = format!("In-Reply-To: <{their_id}>\nReferences: <ticket-1@localhost> <{their_id}>\n");
    let raw = mail("John Doe <user@gmail.com>", &reply_to, "Re: [#1] Login Issue", &headers, body);
    let (status, taken) = post_mail(&app, &raw).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(taken, json!({ "outcome": "replied", "ticket": 1, "reason": "threaded by reply token" }));
    let last = history(&app, 1).await.pop().unwrap();
    assert_eq!((last["kind"].as_str(), last["detail"].as_str(), last["actorId"].as_i64()), (Some("reply"), Some("It works now, thanks!"), Some(4)));
    // The agent hears of the requester's reply.
    let to_agent = app.wait_for_mails_to("agent@gmail.com", 1).await;
    assert!(to_agent.iter().any(|m| m.contains("[#1]")), "{to_agent:?}");

    // Without the token, the thread and the requester's address still find the ticket.
    let raw = mail("user@gmail.com", "support@localhost", "Re: something", &headers, "One more thing.");
    let (_, taken) = post_mail(&app, &raw).await;
    assert_eq!(taken, json!({ "outcome": "replied", "ticket": 1, "reason": "threaded by In-Reply-To/References, from the requester" }));
    let raw = mail("user@gmail.com", "support@localhost", "Re: [#1] Login Issue", "", "And another.");
    let (_, taken) = post_mail(&app, &raw).await;
    assert_eq!(taken, json!({ "outcome": "replied", "ticket": 1, "reason": "threaded by its subject, from the requester" }));
}

#[tokio::test]
async fn nobody_replies_in_another_persons_name() {
    let app = app().await;
    let agent = app.login("agent@gmail.com", "agent123").await;
    assert_eq!(app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "Checking." })).await.status, StatusCode::CREATED);
    let notification = app.wait_for_mails_to("user@gmail.com", 1).await.pop().unwrap();
    let parsed = mail_parser::MessageParser::default().parse(notification.as_bytes()).unwrap();
    let reply_to = parsed.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap().to_string();
    let before = history(&app, 1).await.len();

    // A stranger quoting a real ticket number: a ticket of their own, which says so.
    let raw = mail("jane@gmail.com", "support@localhost", "Re: [#1] Login Issue", "", "Me too!");
    let (_, taken) = post_mail(&app, &raw).await;
    assert_eq!(taken["outcome"], "created", "{taken}");
    assert_eq!(taken["reason"], "new ticket: jane@gmail.com is not on #1");
    assert_ne!(taken["ticket"], 1);
    // Someone else using the requester's reply address (a forwarded notification).
    let raw = mail("jane@gmail.com", &reply_to, "Re: [#1] Login Issue", "", "I got this mail forwarded.");
    let (_, taken) = post_mail(&app, &raw).await;
    assert_eq!(taken["outcome"], "created", "{taken}");
    // Staff act only through their own reply token, never by From alone.
    let raw = mail("agent@gmail.com", "support@localhost", "Re: [#1] Login Issue", "References: <ticket-1@localhost>\n", "Closing this.");
    let (_, taken) = post_mail(&app, &raw).await;
    assert_eq!((taken["outcome"].as_str(), taken["reason"].as_str()), (Some("created"), Some("new ticket: agent@gmail.com is not on #1")));
    // A made-up token is worth nothing.
    let raw = mail("user@gmail.com", "support+t2u5s00000000000000000000@localhost", "hello", "", "Forged.");
    let (_, taken) = post_mail(&app, &raw).await;
    assert_eq!(taken["outcome"], "created", "{taken}");
    assert_eq!(history(&app, 1).await.len(), before, "ticket #1 got nothing");
    assert_eq!(history(&app, 2).await.iter().filter(|e| e["detail"] == "Forged.").count(), 0);
}

#[tokio::test]
async fn mail_a_machine_sent_is_recorded_and_answered_by_nothing() {
    let app = app().await;
    let cases = [
        ("Auto-Submitted: auto-replied\n", "suppressed: Auto-Submitted: auto-replied"),
        ("Precedence: bulk\n", "suppressed: Precedence: bulk"),
        ("List-Id: <news.example.org>\n", "suppressed: List-Id is set"),
        ("X-Loop: helpdesk\n", "suppressed: X-Loop is set"),
    ];
    for (headers, reason) in cases {
        let raw = mail("jane@gmail.com", "support@localhost", "Out of office", headers, "I am away until Monday.");
        let (status, taken) = post_mail(&app, &raw).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(taken, json!({ "outcome": "suppressed", "ticket": null, "reason": reason }));
    }
    // A bounce of one of our notification mails: kept with that mail's ticket, not a ticket.
    let agent = app.login("agent@gmail.com", "agent123").await;
    assert_eq!(app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "Try now." })).await.status, StatusCode::CREATED);
    let ours = app.wait_for_mails_to("user@gmail.com", 1).await.pop().unwrap();
    let ours = mail_parser::MessageParser::default().parse(ours.as_bytes()).unwrap().message_id().unwrap().to_string();
    let bounce = format!("From: Mail Delivery System <MAILER-DAEMON@mail.example.org>\nTo: helpdesk@localhost\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <bounce1@mail.example.org>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nThe mail could not be delivered.\n--b\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--b\nContent-Type: text/rfc822-headers\n\nFrom: helpdesk@localhost\nMessage-ID: <{ours}>\nSubject: [#1] Login Issue\n--b--\n");
    let (_, taken) = post_mail(&app, &bounce).await;
    assert_eq!(taken, json!({ "outcome": "suppressed", "ticket": 1, "reason": "suppressed: sent by mailer-daemon, about our mail on #1" }));
    let mailer = app.core.mail_identity.domain.clone();
    let own = format!("From: helpdesk@{mailer}\nTo: support@{mailer}\nSubject: [#1] Login Issue\nMessage-ID: <abc.t1@{mailer}>\n\nLooping back.\n");
    let (_, taken) = post_mail(&app, &own).await;
    assert_eq!(taken["reason"], "suppressed: one of our own mails", "{taken}");
    assert_eq!(app.mails_to("jane@gmail.com").len(), 0, "no mail answers a machine");
}

#[tokio::test]
async fn the_endpoint_takes_only_the_mail_servers_secret_and_raw_mail() {
    let app = app().await;
    let raw = mail("jane@gmail.com", "support@localhost", "Hello there", "", "Body.");
    let send = |auth: Option<String>, content_type: &str, body: String| {
        let mut builder = Request::builder().method(Method::POST).uri("/api/mail/inbound").header(header::CONTENT_TYPE, content_type);
        if let Some(auth) = auth {
            builder = builder.header(header::AUTHORIZATION, auth);
        }
        builder.body(Body::from(body)).unwrap()
    };
    assert_eq!(app.send(send(None, "message/rfc822", raw.clone())).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.send(send(Some("Bearer wrong".into()), "message/rfc822", raw.clone())).await.status, StatusCode::UNAUTHORIZED);
    let user = app.login("user@gmail.com", "user123").await;
    assert_eq!(app.send(send(Some(format!("Bearer {user}")), "message/rfc822", raw.clone())).await.status, StatusCode::FORBIDDEN);
    let wrong_type = app.send(send(Some(format!("Bearer {SECRET}")), "text/plain", raw.clone())).await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_type.body["field"], "Content-Type");
    let (status, taken) = post_mail(&app, "this is not a mail").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(taken["outcome"], "rejected", "{taken}");

    // Without a secret set, the endpoint takes nothing.
    let off = TestApp::spawn().await;
    assert_eq!(off.send(send(Some(format!("Bearer {SECRET}")), "message/rfc822", raw)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn html_only_and_latin1_mail_become_plain_text() {
    let app = app().await;
    let html = "From: jane@gmail.com\nTo: support@localhost\nSubject: =?ISO-8859-1?Q?Caf=E9_machine?=\nMessage-ID: <html1@mail.example.org>\nMIME-Version: 1.0\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n<html><body><p>The caf=E9 machine <b>leaks</b>.</p><script>alert(1)</script></body></html>\n";
    let (_, taken) = post_mail(&app, html).await;
    assert_eq!(taken["outcome"], "created", "{taken}");
    let admin = app.login("admin@gmail.com", "admin123").await;
    let ticket = app.get(&format!("/api/tickets/{}", taken["ticket"]), Some(&admin)).await.body["ticket"].clone();
    assert_eq!(ticket["title"], "Café machine");
    let description = ticket["description"].as_str().unwrap();
    assert!(description.contains("The café machine leaks."), "{description}");
    assert!(!description.contains('<'), "markup became text: {description}");
}

#[tokio::test]
async fn an_unknown_sender_gets_an_account_or_is_left_as_the_setting_says() {
    let app = app().await;
    let raw = mail("New Person <new.person@example.net>", "support@localhost", "First contact", "", "Hello, I need help.");
    let (_, taken) = post_mail(&app, &raw).await;
    assert_eq!(taken["outcome"], "created", "{taken}");
    let user = app.core.store.user_by_email("new.person@example.net").await.unwrap().expect("an account for the sender");
    assert_eq!(user.profile.name, "New Person");

    let strict = TestApp::spawn_with(|s| {
        s.mail.inbound_secret = Some(Secret::new(SECRET.to_string()));
        s.mail.unknown_senders_create = false;
    })
    .await;
    let (_, taken) = post_mail(&strict, &raw).await;
    assert_eq!(taken["outcome"], "rejected", "{taken}");
    assert!(strict.core.store.user_by_email("new.person@example.net").await.unwrap().is_none());
}

#[tokio::test]
async fn shift_jis_forwarded_and_id_less_mail_is_read_whole_and_taken_once() {
    let app = app().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let ticket = |id: &Value| {
        let (app, admin, id) = (&app, admin.clone(), id.as_i64().unwrap());
        async move { app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"].clone() }
    };

    // Shift-JIS subject and body ("the printer is broken", "it cannot print").
    let sjis = "From: jane@gmail.com\nTo: support@localhost\nSubject: =?Shift_JIS?B?g3aDioOTg16BW4KqifOC6oLcgrWCvQ==?=\nMessage-ID: <sjis1@mail.example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: base64\n\niPON/IKqgsWCq4LcgrmC8YFC\n";
    let (_, taken) = post_mail(&app, sjis).await;
    let t = ticket(&taken["ticket"]).await;
    assert_eq!((t["title"].as_str(), t["description"].as_str()), (Some("プリンターが壊れました"), Some("印刷ができません。")), "{taken}");

    // A forwarded mail keeps what it forwards: its quote is the point, not a reply's history.
    let body = "Can you look at this?\n\n________________________________\nFrom: Vendor <sales@vendor.example>\nSent: Monday, December 7, 2026 09:00\nSubject: Licence expiry\n\nYour licence expires on Friday.";
    let raw = mail("jane@gmail.com", "support@localhost", "FW: Licence expiry", "", body);
    let (_, taken) = post_mail(&app, &raw).await;
    let description = ticket(&taken["ticket"]).await["description"].as_str().unwrap().to_string();
    assert!(description.contains("Can you look at this?") && description.contains("Your licence expires on Friday."), "{description}");

    // A mail without a Message-ID is known by its bytes: the same mail twice is one ticket.
    let id_less = "From: jane@gmail.com\nTo: support@localhost\nSubject: No id here\n\nA mail program that sets no Message-ID.\n";
    let (_, first) = post_mail(&app, id_less).await;
    let (_, second) = post_mail(&app, id_less).await;
    assert_eq!(first["outcome"], "created", "{first}");
    assert_eq!((second["outcome"].as_str(), &second["ticket"]), (Some("duplicate"), &first["ticket"]), "{second}");
}
