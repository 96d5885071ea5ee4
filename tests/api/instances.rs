//! Three app instances (the real binary) on one PostgreSQL database behind nginx, as the
//! README's "Several instances" recipe runs them: they act as one help desk.

use crate::common;

use common::nginx::{self, Nginx};
use common::process::{call, open_stream, read_until, Scratch, Server};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The three instances on a fresh schema of the run's PostgreSQL database, the first started
/// alone (it migrates and seeds the demo accounts), then the other two.
async fn three_instances(url: &str, schema: &str, outbox: &Scratch) -> Vec<Server> {
    helpdesk::server::store::postgres_admin::prepare_schema(url, schema).await.expect("a fresh schema");
    let url = helpdesk::server::store::postgres_admin::url_in_schema(url, schema);
    let env = [("HELPDESK_DATABASE_MAX_CONNECTIONS", "4"), ("HELPDESK_TRUSTED_PROXIES", "127.0.0.1/32")];
    let mut servers = vec![Server::start_on(&url, &outbox.0, &env).await];
    for _ in 0..2 {
        servers.push(Server::start_on(&url, &outbox.0, &env).await);
    }
    servers
}

fn setup() -> Option<String> {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else {
        eprintln!("skipped: HELPDESK_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)");
        return None;
    };
    if nginx::binary().is_none() {
        eprintln!("skipped: nginx is not installed (scripts/setup.sh --e2e installs it)");
        return None;
    }
    Some(url)
}

async fn login_at(addr: SocketAddr, email: &str, password: &str) -> (u16, Value) {
    call(addr, "POST", "/api/auth/login", None, Some(&json!({ "email": email, "password": password }))).await.expect("an answer")
}

async fn create_ticket(addr: SocketAddr, token: &str, title: &str) -> std::io::Result<(u16, Value)> {
    let body = json!({ "title": title, "description": "Filed through one instance", "category": "technical", "priority": "low" });
    call(addr, "POST", "/api/tickets", Some(token), Some(&body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_on_one_postgres_behind_nginx_act_as_one_help_desk() {
    let Some(url) = setup() else { return };
    let outbox = Scratch::new("instances");
    let mut servers = three_instances(&url, &format!("instances_{}", std::process::id()), &outbox).await;
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let balancer = Nginx::start(&addrs).await;

    // A session made through one instance (the key that signs it is shared through the
    // database) works through each of the others and through the balancer.
    let (status, reply) = login_at(addrs[0], "user@gmail.com", "user123").await;
    assert_eq!(status, 200, "{reply}");
    let user = reply["token"].as_str().unwrap().to_string();
    for addr in addrs.iter().chain([&balancer.addr]) {
        let (status, reply) = call(*addr, "GET", "/api/auth/verify", Some(&user), None).await.unwrap();
        assert_eq!(status, 200, "the session on {addr}: {reply}");
    }

    // A ticket created on one instance is listed at once by the others, and reaches the event
    // streams open on another instance and through the balancer (not buffered by nginx).
    let mut streams = Vec::new();
    for addr in [addrs[2], balancer.addr] {
        let mut stream = open_stream(addr, "/api/events", &user).await;
        let head = read_until(&mut stream, "\r\n\r\n", Duration::from_secs(5)).await.expect("the stream's head");
        assert!(head.starts_with("HTTP/1.1 200") && head.contains("text/event-stream"), "{addr}: {head}");
        streams.push((addr, stream));
    }
    // Each instance listens for notifications once a stream is open on it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, created) = create_ticket(addrs[1], &user, "Made on the second instance").await.unwrap();
    assert_eq!(status, 201, "{created}");
    let id = created["ticket"]["id"].as_i64().expect("the new ticket's id");
    for (addr, stream) in &mut streams {
        let needle = format!("\"ticket\":{id},\"kind\":\"created\"");
        let got = read_until(stream, &needle, Duration::from_secs(3)).await;
        assert!(got.is_some(), "the event of #{id} reached the stream on {addr}");
    }
    for addr in [addrs[0], addrs[2]] {
        let (status, list) = call(addr, "GET", "/api/tickets?sort=newest", Some(&user), None).await.unwrap();
        assert_eq!(status, 200);
        assert_eq!(list["tickets"][0]["id"].as_i64(), Some(id), "the newest ticket listed on {addr}: {list}");
    }

    // Sign-in failures count across instances: five wrong passwords spread over the three use
    // up the account's budget for this address, wherever the sixth attempt lands.
    for n in 0..5 {
        let (status, _) = login_at(addrs[n % 3], "jane@gmail.com", "wrong password").await;
        assert_eq!(status, 401, "failure {n}");
    }
    for addr in &addrs {
        let (status, reply) = login_at(*addr, "jane@gmail.com", "wrong password").await;
        assert_eq!(status, 429, "the sixth failure on {addr}: {reply}");
    }

    // Two instances assigning to one agent at the same moment never exceed the cap: the agent
    // holds 2 open tickets (the demo data), the cap is 4, eight assignments race for 2 places.
    let (_, reply) = login_at(addrs[0], "superadmin@gmail.com", "superadmin123").await;
    let superadmin = reply["token"].as_str().unwrap().to_string();
    let (status, reply) =
        call(addrs[0], "PUT", "/api/superadmin/settings", Some(&superadmin), Some(&json!({ "maxTicketsPerAgent": 4 }))).await.unwrap();
    assert_eq!(status, 200, "{reply}");
    let (_, reply) = login_at(addrs[2], "admin@gmail.com", "admin123").await;
    let admin = Arc::new(reply["token"].as_str().unwrap().to_string());

    // Who is on a ticket is one answer from every instance: the agent's page says so through
    // one, the admin asks another, and an admin's stream on the third hears of it.
    let (_, reply) = login_at(addrs[1], "agent@gmail.com", "agent123").await;
    let agent = reply["token"].as_str().unwrap().to_string();
    let mut watching = open_stream(addrs[0], "/api/events", &admin).await;
    read_until(&mut watching, "\r\n\r\n", Duration::from_secs(5)).await.expect("the stream's head");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let said = json!({ "tab": "tab-instances-1", "state": "replying" });
    let (status, reply) = call(addrs[1], "POST", "/api/tickets/1/presence", Some(&agent), Some(&said)).await.unwrap();
    assert_eq!(status, 200, "{reply}");
    let heard = read_until(&mut watching, "\"ticket\":1,\"kind\":\"presence\"", Duration::from_secs(3)).await;
    assert!(heard.is_some(), "the presence event reached the stream on another instance");
    let (status, here) = call(addrs[2], "GET", "/api/tickets/1/presence", Some(&admin), None).await.unwrap();
    assert_eq!((status, &here["viewers"][0]["name"], &here["viewers"][0]["state"]), (200, &json!("Agent John"), &json!("replying")), "{here}");

    // Signed out through one instance, a session's stream on another ends at once (not at its
    // next look at the session, a minute away): the news travels as the ticket changes do.
    let (_, reply) = login_at(addrs[1], "agent@gmail.com", "agent123").await;
    let second = reply["token"].as_str().unwrap().to_string();
    let mut leaving = open_stream(addrs[2], "/api/events", &second).await;
    read_until(&mut leaving, "\r\n\r\n", Duration::from_secs(5)).await.expect("the stream's head");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, _) = call(addrs[0], "POST", "/api/auth/logout", Some(&second), None).await.unwrap();
    assert_eq!(status, 200);
    assert!(read_until(&mut leaving, "event: end", Duration::from_secs(3)).await.is_some(), "the stream on another instance ended");

    let mut waiting = Vec::new();
    for n in 0..8 {
        let (status, reply) = create_ticket(addrs[n % 3], &user, &format!("To assign {n}")).await.unwrap();
        assert_eq!(status, 201, "{reply}");
        waiting.push(reply["ticket"]["id"].as_i64().unwrap());
    }
    // Settings are read again once a second old: let the other instances see the new cap.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let tasks: Vec<_> = waiting
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let (addr, admin, path) = (addrs[n % 3], admin.clone(), format!("/api/admin/ticket/{id}/assign"));
            tokio::spawn(async move { call(addr, "PUT", &path, Some(&admin), Some(&json!({ "agentId": 3 }))).await.unwrap().0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 2, "two places, two assignments: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "the rest are refused as full: {statuses:?}");
    let (_, agents) = call(addrs[1], "GET", "/api/admin/agents", Some(&admin), None).await.unwrap();
    let agent = agents["agents"].as_array().unwrap().iter().find(|a| a["agentId"] == 3).expect("agent 3").clone();
    assert_eq!(agent["open"], 4, "{agent}");

    // SIGKILL of one instance while tickets are being written through the balancer: every
    // write that was acknowledged is there, and the others keep serving.
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<(i64, Instant)>::new()));
    let stop_at = Instant::now() + Duration::from_millis(2500);
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (acknowledged, user, to) = (acknowledged.clone(), user.clone(), balancer.addr);
            tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < stop_at {
                    n += 1;
                    if let Ok((201, reply)) = create_ticket(to, &user, &format!("Writer {w} ticket {n}")).await {
                        acknowledged.lock().unwrap().push((reply["ticket"]["id"].as_i64().unwrap(), Instant::now()));
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(800)).await;
    servers[1].kill();
    let killed_at = Instant::now();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let after_kill = acknowledged.iter().filter(|(_, at)| *at > killed_at).count();
    assert!(after_kill >= 5, "the other instances kept taking writes after the kill: {after_kill}");
    for (id, _) in &acknowledged {
        let (status, _) = call(addrs[0], "GET", &format!("/api/tickets/{id}"), Some(&user), None).await.unwrap();
        assert_eq!(status, 200, "acknowledged ticket {id} is there");
    }
    let (status, _) = call(addrs[2], "GET", "/readyz", None, None).await.unwrap();
    assert_eq!(status, 200, "a surviving instance is still ready");
}
