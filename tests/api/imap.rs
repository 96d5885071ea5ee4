//! Mail in from a real mailbox (Debian's Dovecot on loopback): unread mail becomes tickets and
//! replies and is marked read once stored; new mail is taken at once through IDLE; a
//! connection cut mid-fetch, or after storing and before marking, loses nothing and doubles
//! nothing.

use super::inbound::mail;
use crate::common::cutter::{Cut, Cutter};
use crate::common::dovecot::{Dovecot, USER};
use crate::common::process::{Scratch, Server};
use crate::common::TestApp;
use helpdesk::server::inbound::imap::ImapAccount;
use serde_json::Value;
use std::time::{Duration, Instant};

async fn app_reading(url: &str, poll_secs: u64) -> TestApp {
    let account = ImapAccount::parse(url).expect("the test's mailbox URL");
    TestApp::spawn_with(|s| {
        s.mail.imap = Some(account);
        s.mail.imap_poll = Duration::from_secs(poll_secs);
    })
    .await
}

/// Every mail the help desk has taken in, newest first.
async fn taken_in(app: &TestApp) -> Vec<Value> {
    let admin = app.login("admin@gmail.com", "admin123").await;
    app.get("/api/admin/mail/inbound", Some(&admin)).await.body["mails"].as_array().cloned().unwrap_or_default()
}

async fn wait_taken(app: &TestApp, n: usize, secs: u64) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let mails = taken_in(app).await;
        if mails.len() >= n || Instant::now() > deadline {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn outcomes(mails: &[Value]) -> Vec<(String, String)> {
    let mut got: Vec<_> = mails.iter().map(|m| (m["subject"].as_str().unwrap_or("").to_string(), m["outcome"].as_str().unwrap_or("").to_string())).collect();
    got.sort();
    got
}

#[tokio::test]
async fn mail_in_the_mailbox_becomes_tickets_and_replies_and_is_marked_read_once_stored() {
    let dovecot = Dovecot::start().await;
    let new = mail("Jane Smith <jane@gmail.com>", "support@localhost", "Scanner jams on every page", "", "The scanner on floor 3 jams.");
    let reply = mail("John Doe <user@gmail.com>", "support@localhost", "Re: [#1] Login Issue", "", "It works again, thanks.\n\nOn Mon, 7 Dec 2026 Help Desk wrote:\n> Try now.");
    dovecot.deliver(&[new.replace('\n', "\r\n").into_bytes(), reply.replace('\n', "\r\n").into_bytes()]).await;
    // A long poll: what comes later is taken because IDLE said so, not because time passed.
    let app = app_reading(&dovecot.url(), 600).await;

    let mails = wait_taken(&app, 2, 30).await;
    assert_eq!(
        outcomes(&mails),
        [("Re: [#1] Login Issue".to_string(), "replied".to_string()), ("Scanner jams on every page".to_string(), "created".to_string())],
        "{mails:?}\n{}",
        dovecot.log()
    );
    assert!(mails.iter().all(|m| m["source"] == "imap"), "{mails:?}");
    assert_eq!(dovecot.wait_all_read(10).await, (2, 2), "both marked read once stored");
    let admin = app.login("admin@gmail.com", "admin123").await;
    let history = app.get("/api/tickets/1/history", Some(&admin)).await.body["history"].as_array().cloned().unwrap();
    let last = history.last().unwrap();
    assert_eq!((last["kind"].as_str(), last["detail"].as_str(), last["actorId"].as_i64()), (Some("reply"), Some("It works again, thanks."), Some(4)));
    let created = mails.iter().find(|m| m["outcome"] == "created").and_then(|m| m["ticket"].as_i64()).expect("the new ticket's id");
    let ticket = app.get(&format!("/api/tickets/{created}"), Some(&admin)).await.body["ticket"].clone();
    assert_eq!((ticket["title"].as_str(), ticket["userId"].as_i64()), (Some("Scanner jams on every page"), Some(5)));

    // Mail that arrives while the worker waits is taken within moments (IDLE), not at the poll.
    let started = Instant::now();
    let later = mail("Jane Smith <jane@gmail.com>", "support@localhost", "The printer too", "", "Now the printer jams as well.");
    dovecot.deliver(&[later.replace('\n', "\r\n").into_bytes()]).await;
    let mails = wait_taken(&app, 3, 20).await;
    assert_eq!(mails.len(), 3, "the third mail was taken through IDLE: {mails:?}");
    assert!(started.elapsed() < Duration::from_secs(15), "taken after {:?}", started.elapsed());
    assert_eq!(dovecot.wait_all_read(10).await, (3, 3));
}

#[tokio::test]
async fn a_connection_cut_mid_fetch_or_before_marking_loses_nothing_and_doubles_nothing() {
    let dovecot = Dovecot::start().await;
    // The first connection is cut halfway through a mail's body; the second after the first
    // mail is stored, as the worker asks to mark it read.
    let cutter = Cutter::start(dovecot.addr, vec![Cut::ServerSays("BODY[]"), Cut::ClientSays("UID STORE")]).await;
    let subjects = ["Monitor flickers", "Keyboard missing keys", "Mouse double-clicks"];
    let raws: Vec<Vec<u8>> = subjects
        .iter()
        .map(|s| mail("Jane Smith <jane@gmail.com>", "support@localhost", s, "", &format!("{s}, since Monday.")).replace('\n', "\r\n").into_bytes())
        .collect();
    dovecot.deliver(&raws).await;
    let app = app_reading(&dovecot.url_via(cutter.addr), 1).await;

    assert_eq!(dovecot.wait_all_read(60).await, (3, 3), "every mail marked read in the end\n{}", dovecot.log());
    assert_eq!(cutter.pending(), 0, "both cuts happened");
    let mails = taken_in(&app).await;
    let created: Vec<_> = outcomes(&mails).into_iter().filter(|(_, o)| o == "created").map(|(s, _)| s).collect();
    let mut expected: Vec<String> = subjects.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(created, expected, "each mail one ticket: {mails:?}");
    // The mail stored before the cut came again and was known.
    assert_eq!(mails.iter().filter(|m| m["outcome"] == "duplicate").count(), 1, "{mails:?}");
    let admin = app.login("admin@gmail.com", "admin123").await;
    for subject in subjects {
        let found = app.get(&format!("/api/tickets?search={}", subject.replace(' ', "+")), Some(&admin)).await.body;
        let n = found["tickets"].as_array().map(|t| t.iter().filter(|t| t["title"] == subject).count());
        assert_eq!(n, Some(1), "{subject}: {found}");
    }
}

#[tokio::test]
async fn a_mailbox_over_tls_is_read_and_a_certificate_nobody_vouches_for_is_refused() {
    let dovecot = Dovecot::start_with_tls().await;
    let (at, certificate) = dovecot.tls.clone().expect("a TLS port");
    let raw = mail("Jane Smith <jane@gmail.com>", "support@localhost", "Badge reader rejects my card", "", "Since this morning.");
    dovecot.deliver(&[raw.replace('\n', "\r\n").into_bytes()]).await;
    let url = format!("imaps://{USER}:{}@localhost:{}/INBOX", dovecot.password, at.port());
    let scratch = Scratch::new("imap-tls");

    // The server's certificate is signed by nobody the machine trusts: nothing is read.
    let doubting = Server::start(&scratch.0.join("a.db"), &scratch.0.join("outbox-a"), &[("HELPDESK_MAIL_IMAP_URL", url.as_str()), ("RUST_LOG", "error")]).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(dovecot.counts().await, (1, 0), "no mail read over a connection nobody vouches for");
    drop(doubting);

    // Trusted (OpenSSL reads SSL_CERT_FILE), the mail is read over TLS and taken in.
    let cert = certificate.display().to_string();
    let env = [("HELPDESK_MAIL_IMAP_URL", url.as_str()), ("SSL_CERT_FILE", cert.as_str())];
    let server = Server::start(&scratch.0.join("b.db"), &scratch.0.join("outbox-b"), &env).await;
    assert_eq!(dovecot.wait_all_read(30).await, (1, 1), "{}", dovecot.log());
    let admin = server.login("admin@gmail.com", "admin123").await;
    let (status, listed) = server.call("GET", "/api/admin/mail/inbound", Some(&admin), None).await.unwrap();
    assert_eq!(status, 200, "{listed}");
    let first = &listed["mails"][0];
    assert_eq!((first["source"].as_str(), first["outcome"].as_str(), first["subject"].as_str()), (Some("imap"), Some("created"), Some("Badge reader rejects my card")));
}

#[tokio::test]
async fn a_server_without_idle_is_looked_at_every_poll() {
    let dovecot = Dovecot::start_without_idle().await;
    assert!(!dovecot.offers("IDLE").await, "the server offers no IDLE");
    let app = app_reading(&dovecot.url(), 1).await;
    // Once the worker has looked at the empty mailbox and waits, a mail comes in.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let raw = mail("Jane Smith <jane@gmail.com>", "support@localhost", "Projector in room 4 is dim", "", "It is hard to read the slides.");
    dovecot.deliver(&[raw.replace('\n', "\r\n").into_bytes()]).await;
    let mails = wait_taken(&app, 1, 20).await;
    assert_eq!(outcomes(&mails), [("Projector in room 4 is dim".to_string(), "created".to_string())], "{}", dovecot.log());
    assert_eq!(dovecot.wait_all_read(10).await, (1, 1));
}
