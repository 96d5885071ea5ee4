//! Event streams on connections of their own: a connection that opens with `GET /api/events`
//! is answered without hyper (no per-connection buffers kept), with the same headers, errors
//! and events as the route; every other connection, and a stream asked for on a connection
//! that served requests first, is served as before.

use crate::common::TestApp;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(5);

async fn send(addr: SocketAddr, request: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(addr).await.expect("the server accepts");
    tcp.write_all(request.as_bytes()).await.unwrap();
    tcp
}

/// Reads until `needle` has come; everything read.
async fn until(tcp: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        match tokio::time::timeout(WAIT, tcp.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            other => panic!("{needle:?} did not come ({other:?}); read: {}", String::from_utf8_lossy(&seen)),
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

fn stream_request(path: &str, token: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n")
}

#[tokio::test]
async fn a_stream_that_opens_its_connection_is_written_directly_with_the_routes_headers_and_events() {
    let app = TestApp::spawn().await;
    let addr = app.serve_on_loopback().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let before = app.core.live.registry.open();

    let mut tcp = send(addr, &stream_request("/api/events", &admin)).await;
    let head = until(&mut tcp, "\r\n\r\n").await.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200 ok\r\n"), "{head}");
    for line in [
        "content-type: text/event-stream",
        "x-accel-buffering: no",
        "cache-control: no-store",
        "x-content-type-options: nosniff",
        "content-security-policy: default-src 'self'",
        "x-request-id: ",
        "date: ",
        // Delimited by closing: written here, not by hyper (which would send it chunked).
        "connection: close",
    ] {
        assert!(head.contains(line), "{line:?} in {head}");
    }
    assert!(!head.contains("transfer-encoding"), "{head}");
    assert_eq!(app.core.live.registry.open(), before + 1, "the stream is registered");

    let created = app.post("/api/tickets", Some(&admin), json!({ "title": "Printer jams", "description": "Tray 2.", "category": "technical" })).await;
    let id = created.body["ticket"]["id"].as_i64().unwrap();
    let text = until(&mut tcp, "\n\n").await;
    assert!(text.contains("event: ticket\n") && text.contains(&format!("\"ticket\":{id}")) && text.contains("\"kind\":\"created\""), "{text}");

    // The client hangs up: the stream leaves the registry without waiting for a write to fail.
    drop(tcp);
    for _ in 0..100 {
        if app.core.live.registry.open() == before {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("a closed stream stayed registered");
}

#[tokio::test]
async fn a_direct_stream_refused_gets_the_routes_error_and_a_catch_up_gets_what_it_missed() {
    let app = TestApp::spawn().await;
    let addr = app.serve_on_loopback().await;
    let agent = app.login("agent@gmail.com", "agent123").await;

    let mut refused = send(addr, &stream_request("/api/events", "not-a-token")).await;
    let answer = until(&mut refused, "}").await;
    assert!(answer.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("content-type: application/json"), "{answer}");
    assert!(answer.contains("Invalid token"), "{answer}");
    let mut buf = Vec::new();
    tokio::time::timeout(WAIT, refused.read_to_end(&mut buf)).await.expect("closed after the answer").unwrap();

    let mut bad = send(addr, &stream_request("/api/events?since=abc", &agent)).await;
    let answer = until(&mut bad, "}").await;
    assert!(answer.starts_with("HTTP/1.1 400 ") && answer.contains("since"), "{answer}");

    // A note on ticket 1 (the agent's), then a stream from before it hears of it first.
    let cursor = app.core.live.cursor.load(std::sync::atomic::Ordering::Acquire);
    assert!(app.post("/api/agents/ticket/1/note", Some(&agent), json!({ "note": "Looked at it.", "internal": true })).await.status.is_success());
    let mut late = send(addr, &stream_request(&format!("/api/events?since={cursor}"), &agent)).await;
    let text = until(&mut late, "\"kind\":\"note\"").await;
    assert!(text.contains("\"ticket\":1"), "{text}");
}

#[tokio::test]
async fn other_connections_and_a_stream_after_other_requests_are_served_by_hyper_as_before() {
    let app = TestApp::spawn().await;
    let addr = app.serve_on_loopback().await;
    let admin = app.login("admin@gmail.com", "admin123").await;

    // A kept-alive connection: a request first, then the stream on the same connection.
    let mut tcp = send(addr, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
    let first = until(&mut tcp, "\r\n\r\n").await;
    assert!(first.starts_with("HTTP/1.1 200 OK\r\n"), "{first}");
    tcp.write_all(stream_request("/api/events", &admin).as_bytes()).await.unwrap();
    let head = until(&mut tcp, "text/event-stream").await.to_ascii_lowercase();
    assert!(head.contains("transfer-encoding: chunked"), "hyper writes this one: {head}");
    assert!(app.post("/api/tickets", Some(&admin), json!({ "title": "Scanner", "description": "Offline.", "category": "technical" })).await.status.is_success());
    until(&mut tcp, "\"kind\":\"created\"").await;

    // A request whose first bytes come slowly, and one for a page: both still answered.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /api/ev").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    slow.write_all(b"ents/none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let answer = until(&mut slow, "\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
    let mut page = send(addr, "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
    assert!(until(&mut page, "\r\n\r\n").await.starts_with("HTTP/1.1 200 OK\r\n"));
}
