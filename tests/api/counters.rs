//! The counters that dashboards, the agent cap and least-loaded assignment read must always
//! equal a full recount of the tickets, whatever sequence of changes led there.

use crate::common;

use axum::http::Method;
use common::TestApp;
use serde_json::json;

/// A small deterministic generator (xorshift), so a failure replays the same way.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const STATUSES: [&str; 4] = ["open", "in-progress", "on-hold", "closed"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];

#[tokio::test]
async fn counters_match_a_full_recount_after_thousands_of_random_changes() {
    let app = TestApp::spawn().await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let put = |path: String, token: &str, body: serde_json::Value| {
        let (app, token) = (app.clone(), token.to_string());
        async move { app.request(Method::PUT, &path, Some(&token), Some(body)).await }
    };

    // Agents to assign to (some deleted along the way) and requesters.
    let mut agents: Vec<i64> = vec![3];
    for i in 0..4 {
        let body = json!({ "name": format!("Agent {i}"), "email": format!("counter-agent{i}@example.com"), "password": "password123", "role": "agent", "department": "", "phone": "" });
        agents.push(app.post("/api/superadmin/users", Some(&superadmin), body).await.body["user"]["id"].as_i64().unwrap());
    }
    let requesters = [4_i64, 5];
    let mut tickets: Vec<i64> = vec![1, 2, 3];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut applied = 0;

    for step in 0..2500 {
        let ok = match rng.below(100) {
            0..=29 => {
                let body = json!({ "title": format!("Counter ticket {step}"), "description": "x", "category": "technical",
                                   "priority": rng.pick(&PRIORITIES), "userId": rng.pick(&requesters) });
                let reply = app.post("/api/tickets", Some(&admin), body).await;
                if let Some(id) = reply.body["ticket"]["id"].as_i64() {
                    tickets.push(id);
                }
                reply.status.is_success()
            }
            30..=59 => {
                // Every status change, legal or not: the illegal ones must change nothing.
                let id = *rng.pick(&tickets);
                let version = app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"]["version"].as_i64();
                let body = json!({ "status": rng.pick(&STATUSES), "version": version, "resolutionNotes": "done" });
                put(format!("/api/tickets/{id}"), &admin, body).await.status.is_success()
            }
            60..=74 => {
                let (id, agent) = (*rng.pick(&tickets), *rng.pick(&agents));
                let how = if rng.below(2) == 0 { "assign" } else { "reassign" };
                put(format!("/api/admin/ticket/{id}/{how}"), &admin, json!({ "agentId": agent })).await.status.is_success()
            }
            75..=79 => {
                let id = *rng.pick(&tickets);
                put(format!("/api/admin/ticket/{id}/assign-least-loaded"), &admin, json!({})).await.status.is_success()
            }
            80..=86 => {
                let id = *rng.pick(&tickets);
                let version = app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"]["version"].as_i64();
                let body = json!({ "resolutionNotes": "closed in a replay", "version": version });
                put(format!("/api/tickets/{id}/close"), &admin, body).await.status.is_success()
            }
            87..=91 => {
                let id = *rng.pick(&tickets);
                let priority = rng.pick(&PRIORITIES);
                let version = app.get(&format!("/api/tickets/{id}"), Some(&admin)).await.body["ticket"]["version"].as_i64();
                put(format!("/api/tickets/{id}"), &admin, json!({ "priority": priority, "version": version })).await.status.is_success()
            }
            92..=95 => {
                let id = *rng.pick(&tickets);
                app.request(Method::DELETE, &format!("/api/tickets/{id}"), Some(&admin), None).await.status.is_success()
            }
            96 if agents.len() > 1 => {
                // An account changes role (the per-role user counters follow).
                let id = agents[1 + rng.below(agents.len() - 1)];
                let role = if rng.below(2) == 0 { "user" } else { "agent" };
                put(format!("/api/superadmin/users/{id}"), &superadmin, json!({ "role": role })).await.status.is_success()
            }
            96..=98 => {
                let sla = json!({ "low": 1 + rng.below(100), "medium": 1 + rng.below(50), "high": 1 + rng.below(24), "critical": 1 + rng.below(8) });
                let body = json!({ "sla": sla, "maxTicketsPerAgent": 5 + rng.below(20) });
                put("/api/superadmin/settings".into(), &superadmin, body).await.status.is_success()
            }
            _ => {
                // Deleting an agent unassigns their tickets.
                if agents.len() > 2 {
                    let agent = agents.remove(1 + rng.below(agents.len() - 1));
                    app.request(Method::DELETE, &format!("/api/superadmin/users/{agent}"), Some(&superadmin), None).await.status.is_success()
                } else {
                    false
                }
            }
        };
        applied += usize::from(ok);
        if step % 250 == 249 {
            let mismatches = app.core.store.counter_mismatches().await.unwrap();
            assert!(mismatches.is_empty(), "after step {step}: {mismatches:#?}");
        }
    }
    let mismatches = app.core.store.counter_mismatches().await.unwrap();
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert!(applied > 1000, "the replay changed tickets ({applied} of 2500 operations applied)");

    // The dashboards read the counters: they agree with the lists.
    let dashboard = app.get("/api/admin/dashboard", Some(&admin)).await.body;
    let listed = app.get("/api/tickets?perPage=1", Some(&admin)).await.body["total"].as_i64().unwrap();
    assert_eq!(dashboard["dashboard"]["stats"]["totalTickets"].as_i64(), Some(listed), "{dashboard}");
}
