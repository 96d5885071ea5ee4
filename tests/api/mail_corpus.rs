//! The mail corpus in `tests/mail/`: mail shaped as Gmail, Outlook, Apple Mail, Thunderbird,
//! autoresponders and mailer daemons really write it, each posted to `POST /api/mail/inbound`
//! and checked against its row of `CASES`: the outcome, the ticket, the reason, and what was
//! stored (a reply's exact text, or a new ticket's title and description).

use super::inbound::{app, SECRET};
use crate::common::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Which ticket the answer names.
enum On {
    /// Ticket #1, "Login Issue", whose requester is John Doe (user@gmail.com, user 4).
    Ticket1,
    /// A ticket opened for this mail.
    NewTicket,
    /// None.
    NoTicket,
}

/// What the mail must leave in the store.
enum Stored {
    /// One reply on #1 by John Doe, with exactly this text (quote and signature cut).
    Reply(&'static str),
    /// One new ticket: its title (if given), and what its description has and lacks.
    Ticket { title: Option<&'static str>, has: &'static [&'static str], lacks: &'static [&'static str] },
    /// No event on #1 and no ticket.
    Nothing,
}

struct Case {
    file: &'static str,
    outcome: &'static str,
    on: On,
    reason: &'static str,
    stored: Stored,
}

/// What our notification says; no stored text may carry it where the quote was cut.
const OUR_QUOTE: &[&str] = &["Reply above this line", "Please try again now.", "Open the ticket"];

const CASES: &[Case] = &[
    Case { file: "gmail-reply.eml", outcome: "replied", on: On::Ticket1, reason: "threaded by reply token",
        stored: Stored::Reply("It works now, thanks!\n\nI had to clear the browser cache first.") },
    Case { file: "outlook-reply.eml", outcome: "replied", on: On::Ticket1, reason: "threaded by reply token",
        stored: Stored::Reply("Hi,\n\nthe reset link worked, I can log in again. The old bookmark in my browser pointed to the retired portal, which is why it failed before.\n\nThanks,\nJohn") },
    Case { file: "apple-mail-reply.eml", outcome: "replied", on: On::Ticket1, reason: "threaded by reply token",
        stored: Stored::Reply("That did it, I\u{2019}m back in. Thanks for the quick help, I really appreciate that you sorted this out before the weekend.") },
    Case { file: "thunderbird-reply.eml", outcome: "replied", on: On::Ticket1, reason: "threaded by reply token",
        stored: Stored::Reply("Hello,\n\nthe login works again after the password reset. The old bookmark still points to the retired portal, though.") },
    Case { file: "thunderbird-below-the-quote.eml", outcome: "replied", on: On::Ticket1, reason: "threaded by reply token",
        stored: Stored::Reply("The laptop works too now. I removed the old bookmark and saved the new portal address.") },
    Case { file: "changed-subject-reply.eml", outcome: "replied", on: On::Ticket1, reason: "threaded by In-Reply-To/References, from the requester",
        stored: Stored::Reply("Sorry to bother you again: it works on my phone, but the laptop still says \u{201c}invalid credentials\u{201d}.") },
    Case { file: "out-of-office.eml", outcome: "suppressed", on: On::NoTicket, reason: "suppressed: Auto-Submitted: auto-replied", stored: Stored::Nothing },
    Case { file: "bounce.eml", outcome: "suppressed", on: On::Ticket1, reason: "suppressed: Auto-Submitted: auto-replied, about our mail on #1", stored: Stored::Nothing },
    Case { file: "no-message-id.eml", outcome: "created", on: On::NewTicket, reason: "new ticket",
        stored: Stored::Ticket { title: Some("Door badge reader in the lobby is offline"),
            has: &["The badge reader at the lobby door shows a red light since 07:30.\nReception lets people in meanwhile.", "Facilities Desk, ext. 2100"], lacks: &[] } },
    Case { file: "html-only.eml", outcome: "created", on: On::NewTicket, reason: "new ticket",
        stored: Stored::Ticket { title: Some("VPN client shows error 809"),
            has: &["since the update the VPN client shows error 809 when I connect from home.\nI restarted the laptop twice.", "Thanks,\nPriya"],
            lacks: &["<", ">", "script", "alert", "onerror", "cookie", "evil.example", "margin", "Support request", "=3D"] } },
    Case { file: "iso-8859-1.eml", outcome: "created", on: On::NewTicket, reason: "new ticket",
        stored: Stored::Ticket { title: Some("Kaffeemaschine im Caf\u{e9} tropft"),
            has: &["die Kaffeemaschine im Caf\u{e9} (3. Stock) tropft seit heute Morgen.", "Viele Gr\u{fc}\u{df}e\nJ\u{fc}rgen M\u{fc}ller"], lacks: &["=E9", "=FC", "\u{fffd}"] } },
    Case { file: "shift-jis.eml", outcome: "created", on: On::NewTicket, reason: "new ticket",
        stored: Stored::Ticket { title: Some("プリンターが動きません"),
            has: &["お世話になっております。経理部の山田です。", "3階のプリンターが動きません。", "印刷ボタンを押しても何も起きません。"], lacks: &["\u{fffd}"] } },
    Case { file: "gmail-forward.eml", outcome: "created", on: On::NewTicket, reason: "new ticket",
        stored: Stored::Ticket { title: Some("Fwd: Licence renewal for DesignSuite"),
            has: &["Can you renew this before Friday? The invoice can go to cost centre 4711.", "---------- Forwarded message ---------",
                "From: DesignSuite Sales <sales@vendor.example>", "your DesignSuite licence (5 seats) expires on Friday, 11 December 2026.",
                "On Fri, 4 Dec 2026 at 16:20, Jane Smith <jane@gmail.com> wrote:\n> How much would a renewal for 5 seats cost?", "--\nDesignSuite Sales"],
            lacks: &[] } },
    Case { file: "stranger-quoting-ticket.eml", outcome: "created", on: On::NewTicket, reason: "new ticket: mike.brown@example.com is not on #1",
        stored: Stored::Ticket { title: None,
            has: &["I can't log in either since this morning - same error as John.\nMy user name is mbrown.\n\nRegards,\nMike", "(This mail mentioned ticket #1.)"],
            lacks: &["Original Message", "Reply above this line", "Please try again now."] } },
];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mail")
}

/// Posts raw bytes as they are (`inbound::post_mail` turns "\n" into "\r\n"; these files are CRLF already).
pub(crate) async fn post_raw(app: &TestApp, raw: &[u8]) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/mail/inbound")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .header(header::CONTENT_TYPE, "message/rfc822")
        .body(Body::from(raw.to_vec()))
        .unwrap();
    let reply = app.send(request).await;
    (reply.status, reply.body)
}

/// An agent's reply on #1 mails John Doe: that mail's reply address and Message-ID.
async fn notification(app: &TestApp) -> (String, String) {
    let agent = app.login("agent@gmail.com", "agent123").await;
    let replied = app.post("/api/tickets/1/replies", Some(&agent), json!({ "text": "Please try again now." })).await;
    assert_eq!(replied.status, StatusCode::CREATED, "{:?}", replied.body);
    let mail = app.wait_for_mails_to("user@gmail.com", 1).await.pop().unwrap();
    let parsed = mail_parser::MessageParser::default().parse(mail.as_bytes()).expect("our notification parses");
    let reply_to = parsed.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).expect("a reply address").to_string();
    (reply_to, parsed.message_id().expect("a Message-ID").to_string())
}

fn load(file: &str, reply_to: &str, their_id: &str) -> Vec<u8> {
    let raw = std::fs::read_to_string(corpus_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let fresh = helpdesk::server::security::random_token(8);
    raw.replace("{{REPLY_TO}}", reply_to).replace("{{THEIR_ID}}", their_id).replace("{{MSG_ID}}", &fresh).into_bytes()
}

async fn history(app: &TestApp, admin: &str) -> Vec<Value> {
    app.get("/api/tickets/1/history", Some(admin)).await.body["history"].as_array().cloned().unwrap_or_default()
}

async fn ticket_count(app: &TestApp, admin: &str) -> i64 {
    app.get("/api/admin/tickets", Some(admin)).await.body["total"].as_i64().expect("the admin's ticket list has a total")
}

/// Posts `file` (placeholders filled in) to a fresh app and checks it against its row of
/// `CASES`. Returns the app, the bytes posted and the answer, for checks of a test's own.
async fn check(file: &str) -> (TestApp, Vec<u8>, Value) {
    let case = CASES.iter().find(|c| c.file == file).unwrap_or_else(|| panic!("{file} has no row in CASES"));
    let app = app().await;
    let (reply_to, their_id) = notification(&app).await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let (events_before, tickets_before) = (history(&app, &admin).await.len(), ticket_count(&app, &admin).await);

    let raw = load(file, &reply_to, &their_id);
    let (status, taken) = post_raw(&app, &raw).await;
    assert_eq!(status, StatusCode::OK, "{file}: {taken}");
    assert_eq!(taken["outcome"], case.outcome, "{file}: {taken}");
    assert_eq!(taken["reason"], case.reason, "{file}: {taken}");
    match case.on {
        On::Ticket1 => assert_eq!(taken["ticket"], 1, "{file}: {taken}"),
        On::NewTicket => assert!(taken["ticket"].as_i64().is_some_and(|t| t != 1), "{file}: a new ticket: {taken}"),
        On::NoTicket => assert!(taken["ticket"].is_null(), "{file}: no ticket: {taken}"),
    }
    let recorded = app.get("/api/admin/mail/inbound", Some(&admin)).await.body["mails"][0].clone();
    assert_eq!((&recorded["outcome"], &recorded["ticket"], &recorded["rawKept"]), (&taken["outcome"], &taken["ticket"], &json!(true)), "{file}: {recorded}");

    let (events, tickets) = (history(&app, &admin).await, ticket_count(&app, &admin).await);
    match &case.stored {
        Stored::Reply(text) => {
            assert_eq!((events.len(), tickets), (events_before + 1, tickets_before), "{file}: one event on #1, no ticket");
            let last = events.last().unwrap();
            assert_eq!((last["kind"].as_str(), last["actorId"].as_i64()), (Some("reply"), Some(4)), "{file}: {last}");
            assert_eq!(last["detail"].as_str().unwrap_or_default(), *text, "{file}: the reply as stored");
        }
        Stored::Ticket { title, has, lacks } => {
            assert_eq!((events.len(), tickets), (events_before, tickets_before + 1), "{file}: #1 got nothing, one ticket opened");
            let ticket = app.get(&format!("/api/tickets/{}", taken["ticket"]), Some(&admin)).await.body["ticket"].clone();
            assert_ne!(ticket["userId"], 4, "{file}: the sender's ticket, not John Doe's: {ticket}");
            if let Some(title) = title {
                assert_eq!(ticket["title"].as_str().unwrap_or_default(), *title, "{file}: the title");
            }
            let description = ticket["description"].as_str().unwrap_or_default();
            for text in has.iter() {
                assert!(description.contains(text), "{file}: the description lacks {text:?}:\n{description}");
            }
            for text in lacks.iter().chain(OUR_QUOTE.iter()) {
                assert!(!description.contains(text), "{file}: the description has {text:?}:\n{description}");
            }
        }
        Stored::Nothing => assert_eq!((events.len(), tickets), (events_before, tickets_before), "{file}: no event on #1, no ticket"),
    }
    (app, raw, taken)
}

#[test]
fn every_mail_of_the_corpus_has_a_row_a_readme_line_crlf_line_ends_and_fits_in_4_kb() {
    let dir = corpus_dir();
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("tests/mail/README.md");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/mail")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.ends_with(".eml"))
        .collect();
    files.sort();
    let mut rows: Vec<&str> = CASES.iter().map(|c| c.file).collect();
    rows.sort();
    assert_eq!(files, rows, "each .eml in tests/mail has one row in CASES");
    for file in &files {
        let raw = std::fs::read(dir.join(file)).unwrap();
        assert!(raw.len() < 4096, "{file}: {} bytes", raw.len());
        assert!(raw.iter().enumerate().all(|(i, b)| *b != b'\n' || (i > 0 && raw[i - 1] == b'\r')), "{file}: a line not ended by CRLF");
        assert!(readme.contains(&format!("`{file}`")), "{file} has no line in tests/mail/README.md");
    }
}

#[tokio::test]
async fn a_gmail_reply_lands_on_its_ticket_without_the_quote() {
    check("gmail-reply.eml").await;
}

#[tokio::test]
async fn an_outlook_reply_lands_on_its_ticket_without_the_quoted_header_block() {
    check("outlook-reply.eml").await;
}

#[tokio::test]
async fn an_apple_mail_reply_is_decoded_and_lands_on_its_ticket_without_the_quote() {
    check("apple-mail-reply.eml").await;
}

#[tokio::test]
async fn a_thunderbird_reply_lands_on_its_ticket_unflowed_without_signature_or_quote() {
    check("thunderbird-reply.eml").await;
}

#[tokio::test]
async fn a_reply_written_below_the_quote_keeps_only_what_was_written_there() {
    check("thunderbird-below-the-quote.eml").await;
}

#[tokio::test]
async fn a_reply_with_a_changed_subject_is_threaded_by_its_references() {
    check("changed-subject-reply.eml").await;
}

#[tokio::test]
async fn an_out_of_office_reply_is_suppressed_and_touches_no_ticket() {
    check("out-of-office.eml").await;
}

#[tokio::test]
async fn a_bounce_of_our_notification_is_suppressed_and_kept_with_its_ticket() {
    check("bounce.eml").await;
}

#[tokio::test]
async fn a_mail_without_a_message_id_opens_one_ticket_and_the_same_bytes_again_are_a_duplicate() {
    let (app, raw, first) = check("no-message-id.eml").await;
    let (status, again) = post_raw(&app, &raw).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, json!({ "outcome": "duplicate", "ticket": first["ticket"], "reason": "this Message-ID was taken in already" }));
}

#[tokio::test]
async fn an_html_only_mail_becomes_plain_text_without_script_or_markup() {
    check("html-only.eml").await;
}

#[tokio::test]
async fn a_latin1_mail_is_decoded_in_subject_and_body() {
    check("iso-8859-1.eml").await;
}

#[tokio::test]
async fn a_shift_jis_mail_with_an_iso_2022_jp_subject_is_decoded() {
    check("shift-jis.eml").await;
}

#[tokio::test]
async fn a_forwarded_mail_opens_a_ticket_that_keeps_all_it_forwards() {
    check("gmail-forward.eml").await;
}

#[tokio::test]
async fn a_stranger_quoting_a_ticket_number_gets_a_ticket_of_their_own() {
    check("stranger-quoting-ticket.eml").await;
}
