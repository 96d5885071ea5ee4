//! Crash safety: the real server is killed with SIGKILL while 8 clients create tickets and add
//! replies, then restarted on the same database file; every write it acknowledged is there,
//! once. `CRASH_ROUNDS` (default 2) and `CRASH_MILLIS` (default 800, the load before each
//! kill) make the long version: `CRASH_ROUNDS=20 cargo test --features ssr --test crash`.

use crate::common;

use common::process::{Scratch, Server};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What the server said it had written: tickets (id, title) and replies (ticket id, text).
#[derive(Default)]
struct Acknowledged {
    tickets: Vec<(i64, String)>,
    replies: Vec<(i64, String)>,
}

async fn create_tickets(server: &Server, token: &str, label: String, acked: Arc<Mutex<Acknowledged>>) {
    for n in 0.. {
        let title = format!("Crash {label} ticket {n}");
        let body = json!({ "title": title, "description": "Written while the server may die.", "category": "technical", "priority": "low" });
        match server.call("POST", "/api/tickets", Some(token), Some(&body)).await {
            Ok((201, reply)) => {
                let id = reply["ticket"]["id"].as_i64().expect("an id");
                acked.lock().unwrap().tickets.push((id, title));
            }
            Ok((status, reply)) => panic!("create answered {status}: {reply}"),
            Err(_) => return, // the server is gone
        }
    }
}

async fn add_replies(server: &Server, token: &str, ticket: i64, label: String, acked: Arc<Mutex<Acknowledged>>) {
    for n in 0.. {
        let text = format!("Crash {label} reply {n}");
        let body = json!({ "note": text, "internal": false });
        match server.call("POST", &format!("/api/agents/ticket/{ticket}/note"), Some(token), Some(&body)).await {
            Ok((200, _)) => acked.lock().unwrap().replies.push((ticket, text)),
            Ok((status, reply)) => panic!("reply answered {status}: {reply}"),
            Err(_) => return,
        }
    }
}

/// Eight clients write until the server is killed under them.
async fn write_until_killed(server: &Server, tokens: &Tokens, round: u64, acked: &Arc<Mutex<Acknowledged>>) {
    let server_ref = server;
    let mut clients = Vec::new();
    for w in 0..4 {
        clients.push(futures_util::future::Either::Left(create_tickets(server_ref, &tokens.user, format!("r{round}w{w}"), acked.clone())));
    }
    for (w, ticket) in tokens.agent_tickets.iter().enumerate() {
        clients.push(futures_util::future::Either::Right(add_replies(server_ref, &tokens.agent, *ticket, format!("r{round}w{w}"), acked.clone())));
    }
    let load = futures_util::future::join_all(clients);
    let millis = setting("CRASH_MILLIS", 800);
    tokio::pin!(load);
    tokio::select! {
        _ = &mut load => panic!("the clients stopped before the kill"),
        _ = tokio::time::sleep(Duration::from_millis(millis)) => {}
    }
    // Kill while requests are in flight, then let the clients see their connections die.
    let pid = server_ref.child.id();
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    load.await;
}

struct Tokens {
    user: String,
    agent: String,
    agent_tickets: Vec<i64>,
}

async fn prepare(server: &Server) -> Tokens {
    let (superadmin, admin) = (server.login("superadmin@gmail.com", "superadmin123").await, server.login("admin@gmail.com", "admin123").await);
    let cap = json!({ "maxTicketsPerAgent": 1000 });
    assert_eq!(server.call("PUT", "/api/superadmin/settings", Some(&superadmin), Some(&cap)).await.unwrap().0, 200);
    let user = server.login("user@gmail.com", "user123").await;
    let mut agent_tickets = Vec::new();
    for w in 0..4 {
        let body = json!({ "title": format!("Crash conversation {w}"), "description": "Replies pile up here.", "category": "technical" });
        let (status, reply) = server.call("POST", "/api/tickets", Some(&user), Some(&body)).await.unwrap();
        assert_eq!(status, 201, "{reply}");
        let id = reply["ticket"]["id"].as_i64().unwrap();
        let (status, reply) = server.call("PUT", &format!("/api/admin/ticket/{id}/assign"), Some(&admin), Some(&json!({ "agentId": 3 }))).await.unwrap();
        assert_eq!(status, 200, "{reply}");
        agent_tickets.push(id);
    }
    Tokens { user, agent: server.login("agent@gmail.com", "agent123").await, agent_tickets }
}

async fn ticket(server: &Server, token: &str, id: i64) -> Value {
    let (status, reply) = server.call("GET", &format!("/api/tickets/{id}"), Some(token), None).await.unwrap();
    assert_eq!(status, 200, "ticket {id} after the crash: {reply}");
    reply["ticket"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_sigkill() {
    let scratch = Scratch::new("crash");
    let (database, outbox) = (scratch.0.join("crash.db"), scratch.0.join("outbox"));
    let mut server = Server::start(&database, &outbox, &[]).await;
    let tokens = prepare(&server).await;
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    for round in 0..setting("CRASH_ROUNDS", 2) {
        write_until_killed(&server, &tokens, round, &acked).await;
        server.kill(); // reaps the killed process
        server = Server::start(&database, &outbox, &[]).await;
    }
    let acked = acked.lock().unwrap();
    assert!(acked.tickets.len() >= 4 && acked.replies.len() >= 4, "the clients wrote before each kill");

    // Sessions live in the database too: the tokens from before the crashes still work.
    for (id, title) in &acked.tickets {
        assert_eq!(ticket(&server, &tokens.user, *id).await["title"], title.as_str(), "ticket {id}");
    }
    for id in &tokens.agent_tickets {
        let notes = ticket(&server, &tokens.agent, *id).await["notes"].clone();
        let texts: Vec<&str> = notes.as_array().unwrap().iter().filter_map(|n| n["text"].as_str()).collect();
        for (_, text) in acked.replies.iter().filter(|(t, _)| t == id) {
            assert_eq!(texts.iter().filter(|t| **t == text).count(), 1, "{text} on ticket {id}: present once");
        }
    }
    eprintln!("crash test: {} tickets and {} replies acknowledged, all present after the kills", acked.tickets.len(), acked.replies.len());
}
