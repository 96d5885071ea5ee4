//! The store contract for counters: every count a page shows comes from counters kept by
//! triggers, and agrees with counting the rows, on both databases (see `contract_tests`).

use super::contract_tests::stores;
use crate::domain::{Priority, StatusCounts, TicketQuery, TicketScope, TicketStatus};

const USER_AND_AGENT: &str = "INSERT INTO users (id, name, email, password_hash, role, created_at)
    VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01T00:00:00Z'), (2, 'A', 'a@x.io', 'h', 'agent', '2026-01-01T00:00:00Z')";

/// A ticket row as written beneath the store (timestamps as literals both databases read).
fn ticket_sql(title: &str, priority: &str, category: &str, status: &str, agent: Option<i64>, due: i64) -> String {
    let agent = agent.map_or("NULL".to_string(), |a| a.to_string());
    let closed = if status == "closed" { "'2026-01-02T09:00:00Z'" } else { "NULL" };
    format!(
        "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at, due_at)
         VALUES (1, '{title}', 'x', '{category}', '{priority}', '{status}', {agent}, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', {closed}, {due})"
    )
}

/// Whether the recount names exactly these counters (each line starts with one of them; the
/// figures after the colon are worded by each database's recount).
fn names_exactly(mismatches: &[String], expected: &[&str]) -> bool {
    mismatches.len() == expected.len() && expected.iter().all(|e| mismatches.iter().any(|m| m.starts_with(e)))
}

#[tokio::test]
async fn the_recount_reports_a_counter_that_drifted() {
    for store in stores("counters_drift").await {
        let kind = store.kind();
        store.execute_raw("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01T00:00:00Z')").await;
        store.execute_raw(&ticket_sql("Printer", "low", "technical", "open", None, 0)).await;
        assert_eq!(store.ticket_counts(TicketScope::RequestedBy(1)).await.unwrap().open, 1, "{kind:?}");
        assert!(store.counter_mismatches().await.unwrap().is_empty(), "{kind:?}");
        store.execute_raw("UPDATE ticket_counts SET n = n + 1 WHERE scope = 'all'").await;
        let drifted = store.counter_mismatches().await.unwrap();
        assert!(names_exactly(&drifted, &["ticket_counts all 0 open:"]) && drifted[0].ends_with("kept 2"), "{kind:?} {drifted:?}");
        store.execute_raw("UPDATE ticket_counts SET n = n - 1 WHERE scope = 'all'").await;
        store.execute_raw("UPDATE rollup_agent SET n = 5").await;
        // The monthly sums follow the daily rows by trigger, drift included.
        let drifted = store.counter_mismatches().await.unwrap();
        assert!(names_exactly(&drifted, &["rollup_agent 0 2026-01-01 open:", "rollup_agent_month 0 2026-01"]), "{kind:?} {drifted:?}");
    }
}

#[tokio::test]
async fn counts_and_agent_figures_come_from_the_counters() {
    for store in stores("counters_figures").await {
        let kind = store.kind();
        store
            .execute_raw(
                "INSERT INTO users (id, name, email, password_hash, role, is_active, created_at, deleted_at) VALUES
                    (1, 'U', 'u@x.io', 'h', 'user', TRUE, '2026-01-01T00:00:00Z', NULL),
                    (2, 'Bea', 'b@x.io', 'h', 'agent', TRUE, '2026-01-01T00:00:00Z', NULL),
                    (3, 'Al', 'a@x.io', 'h', 'agent', FALSE, '2026-01-01T00:00:00Z', NULL),
                    (4, 'Gone', 'g@x.io', 'h', 'agent', TRUE, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')",
            )
            .await;
        for (status, agent, closed) in [
            ("open", None, None),
            ("on-hold", None, None),
            ("closed", None, Some("2026-01-01T10:00:00Z")),
            ("in-progress", Some(2), None),
            ("closed", Some(2), Some("2026-01-01T10:00:00Z")),
            ("closed", Some(2), Some("2026-01-01T12:00:00Z")),
            ("open", Some(3), None),
        ] {
            let agent = agent.map_or("NULL".to_string(), |a: i64| a.to_string());
            let closed = closed.map_or("NULL".to_string(), |c| format!("'{c}'"));
            store
                .execute_raw(&format!(
                    "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at)
                     VALUES (1, 'T', 'x', 'technical', 'low', '{status}', {agent}, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', {closed})"
                ))
                .await;
        }
        store.execute_raw("UPDATE tickets SET status = 'open' WHERE status = 'on-hold'").await;
        assert!(store.counter_mismatches().await.unwrap().is_empty(), "{kind:?}");
        let all = store.ticket_counts(TicketScope::All).await.unwrap();
        assert_eq!(all, StatusCounts { total: 7, open: 3, in_progress: 1, on_hold: 0, closed: 3 }, "{kind:?}");
        assert_eq!(store.ticket_counts(TicketScope::RequestedBy(1)).await.unwrap(), all, "{kind:?}");
        assert_eq!(store.ticket_counts(TicketScope::RequestedBy(9)).await.unwrap(), StatusCounts::default(), "{kind:?}");
        assert_eq!(store.unassigned_open().await.unwrap(), 2, "{kind:?}");
        assert_eq!((store.open_load(2).await.unwrap(), store.open_load(3).await.unwrap(), store.open_load(9).await.unwrap()), (1, 1, 0));
        let stats = store.agent_stats(2).await.unwrap();
        assert_eq!((stats.assigned, stats.resolved, stats.pending, stats.avg_resolution_hours), (3, 2, 1, Some(2.0)), "{kind:?}");
        assert_eq!(store.agent_stats(3).await.unwrap().avg_resolution_hours, None, "{kind:?}");
        // Live agents by name, inactive ones included; deleted ones left out.
        let totals = store.agent_totals().await.unwrap();
        let shown: Vec<_> = totals.iter().map(|a| (a.agent_id, a.agent_name.as_str(), a.is_active, a.assigned, a.resolved, a.open)).collect();
        assert_eq!(shown, vec![(3, "Al", false, 1, 0, 1), (2, "Bea", true, 3, 2, 1)], "{kind:?}");
        assert_eq!((totals[0].avg_resolution_hours, totals[1].avg_resolution_hours), (None, Some(2.0)), "{kind:?}");
    }
}

#[tokio::test]
async fn lists_filtered_by_status_priority_and_category_are_counted_exactly_from_counters() {
    for store in stores("counters_kinds").await {
        let kind = store.kind();
        store.execute_raw("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01T00:00:00Z')").await;
        for (priority, category, status) in [("high", "billing", "open"), ("high", "billing", "closed"), ("high", "technical", "open"), ("low", "billing", "open")] {
            store.execute_raw(&ticket_sql("Printer", priority, category, status, None, 0)).await;
        }
        let base = TicketQuery { page: 1, per_page: 20, ..Default::default() };
        let high_billing = TicketQuery { priority: Some(Priority::High), category: Some("billing".into()), ..base.clone() };
        let open_high_billing = TicketQuery { status: Some(TicketStatus::Open), ..high_billing.clone() };
        let total = |query: TicketQuery| {
            let store = store.clone();
            async move { store.list_tickets(TicketScope::All, &query, chrono::Utc::now()).await.unwrap() }
        };
        assert_eq!((total(high_billing.clone()).await.total, total(open_high_billing.clone()).await.total), (2, 1), "{kind:?}");
        assert_eq!(total(TicketQuery { category: Some("billing".into()), ..base.clone() }).await.total, 3, "{kind:?}");
        assert!(store.counter_mismatches().await.unwrap().is_empty(), "{kind:?}");
        // The totals are the counters' (exact past the cap, never walked up to it): a drifted
        // counter shows through, and the recount names it.
        store.execute_raw("UPDATE ticket_kind_counts SET n = n + 20000 WHERE status = 'open' AND priority = 'high' AND category = 'billing'").await;
        let listed = total(open_high_billing).await;
        assert_eq!((listed.total, listed.capped, listed.rows.len()), (20_001, false, 1), "{kind:?}");
        let drifted = store.counter_mismatches().await.unwrap();
        assert!(names_exactly(&drifted, &["ticket_kind_counts open high billing:"]), "{kind:?} {drifted:?}");
        // A requester's list with a priority filter counts its own matches instead.
        let mine = store.list_tickets(TicketScope::RequestedBy(1), &high_billing, chrono::Utc::now()).await.unwrap();
        assert_eq!((mine.total, mine.capped), (2, false), "{kind:?}");
    }
}

#[tokio::test]
async fn every_list_total_agrees_with_counting_the_tickets() {
    for store in stores("counters_totals").await {
        let kind = store.kind();
        store.execute_raw(USER_AND_AGENT).await;
        let now = chrono::Utc::now().timestamp();
        let rows = [
            ("printer jam", "high", "billing", "open", None, now - 60),
            ("printer toner", "high", "billing", "in-progress", Some(2), now + 3600),
            ("mail bounce", "low", "technical", "open", Some(2), now - 7200),
            ("printer", "critical", "technical", "closed", Some(2), now - 7200),
            ("vpn", "medium", "billing", "on-hold", None, now - 30),
        ];
        for (title, priority, category, status, agent, due) in rows {
            store.execute_raw(&ticket_sql(title, priority, category, status, agent, due)).await;
        }
        assert!(store.counter_mismatches().await.unwrap().is_empty(), "{kind:?}");
        let base = TicketQuery { page: 1, per_page: 100, ..Default::default() };
        let mut wrong = Vec::new();
        for status in [None, Some(TicketStatus::Open), Some(TicketStatus::Closed)] {
            for priority in [None, Some(Priority::High)] {
                for category in [None, Some("billing".to_string())] {
                    for (assigned_to, unassigned) in [(None, false), (Some(2), false), (None, true)] {
                        for overdue in [false, true] {
                            for q in [None, Some("printer".to_string())] {
                                let query = TicketQuery { status, priority, category: category.clone(), assigned_to, unassigned, overdue, q, ..base.clone() };
                                for scope in [TicketScope::All, TicketScope::AssignedTo(2), TicketScope::RequestedBy(1)] {
                                    let listed = store.list_tickets(scope, &query, chrono::Utc::now()).await.unwrap();
                                    if (listed.total, listed.capped) != (listed.rows.len() as i64, false) {
                                        wrong.push(format!("{scope:?} {query:?}: total {} capped {}, rows {}", listed.total, listed.capped, listed.rows.len()));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{kind:?}: {} list totals disagree with the rows listed:\n{}", wrong.len(), wrong.join("\n"));
    }
}

#[tokio::test]
async fn moving_a_closed_tickets_creation_time_moves_its_agents_resolution_sum() {
    for store in stores("counters_moved").await {
        store.execute_raw(USER_AND_AGENT).await;
        store
            .execute_raw(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at)
                 VALUES (1, 'Printer', 'x', 'technical', 'low', 'closed', 2, '2026-01-01T09:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z')",
            )
            .await;
        store.execute_raw("UPDATE tickets SET created_at = '2026-01-01T08:00:00Z'").await;
        assert_eq!(store.counter_mismatches().await.unwrap(), Vec::<String>::new(), "{:?}", store.kind());
        assert_eq!(store.agent_stats(2).await.unwrap().avg_resolution_hours, Some(2.0), "{:?}", store.kind());
    }
}
