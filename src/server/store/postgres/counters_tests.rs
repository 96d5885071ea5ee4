//! Tests of `counters.rs` (run when `HELPDESK_TEST_POSTGRES_URL` is set, each in its own schema).

use super::*;
use crate::domain::TicketStatus;

async fn store(schema: &str) -> Option<Store> {
    let url = std::env::var("HELPDESK_TEST_POSTGRES_URL").ok()?;
    Some(Store::connect_in_new_schema(&url, schema, 4).await.unwrap())
}

async fn exec(store: &Store, sql: &str) {
    sqlx::query(sql).execute(&store.pool).await.unwrap();
}

const USER_AND_AGENT: &str = "INSERT INTO users (id, name, email, password_hash, role, created_at)
    VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01T00:00:00Z'), (2, 'A', 'a@x.io', 'h', 'agent', '2026-01-01T00:00:00Z')";

#[tokio::test]
async fn the_recount_reports_a_counter_that_drifted() {
    let Some(store) = store("t_counters_drift").await else { return };
    exec(&store, "INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01T00:00:00Z')").await;
    exec(
        &store,
        "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
         VALUES (1, 'Printer', 'x', 'technical', 'low', 'open', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')",
    )
    .await;
    assert_eq!(store.ticket_counts(TicketScope::RequestedBy(1)).await.unwrap().open, 1);
    assert!(store.counter_mismatches().await.unwrap().is_empty());
    exec(&store, "UPDATE ticket_counts SET n = n + 1 WHERE scope = 'all'").await;
    assert_eq!(store.counter_mismatches().await.unwrap(), vec!["ticket_counts all 0 open: n 1 kept 2".to_string()]);
    exec(&store, "UPDATE ticket_counts SET n = n - 1 WHERE scope = 'all'").await;
    exec(&store, "UPDATE rollup_agent SET n = 5").await;
    assert_eq!(
        store.counter_mismatches().await.unwrap(),
        vec![
            "rollup_agent 0 2026-01-01 open: n 1 kept 5, resolution_secs 0 kept 0".to_string(),
            // The monthly sums follow the daily rows by trigger, drift included.
            "rollup_agent_month 0 2026-01-01 open: n 1 kept 5, resolution_secs 0 kept 0".to_string(),
        ]
    );
}

#[tokio::test]
async fn counts_and_agent_figures_come_from_the_counters() {
    let Some(store) = store("t_counters_figures").await else { return };
    exec(
        &store,
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
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at)
             VALUES (1, 'T', 'x', 'technical', 'low', $1, $2, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', $3::timestamptz)",
        )
        .bind(status)
        .bind(agent)
        .bind(closed)
        .execute(&store.pool)
        .await
        .unwrap();
    }
    exec(&store, "UPDATE tickets SET status = 'open' WHERE status = 'on-hold'").await;
    assert!(store.counter_mismatches().await.unwrap().is_empty());

    let all = store.ticket_counts(TicketScope::All).await.unwrap();
    assert_eq!(all, StatusCounts { total: 7, open: 3, in_progress: 1, on_hold: 0, closed: 3 });
    assert_eq!(store.ticket_counts(TicketScope::RequestedBy(1)).await.unwrap(), all);
    assert_eq!(store.ticket_counts(TicketScope::RequestedBy(9)).await.unwrap(), StatusCounts::default());
    assert_eq!(store.unassigned_open().await.unwrap(), 2);
    assert_eq!((store.open_load(2).await.unwrap(), store.open_load(3).await.unwrap(), store.open_load(9).await.unwrap()), (1, 1, 0));
    let stats = store.agent_stats(2).await.unwrap();
    assert_eq!((stats.assigned, stats.resolved, stats.pending, stats.avg_resolution_hours), (3, 2, 1, Some(2.0)));
    assert_eq!(store.agent_stats(3).await.unwrap().avg_resolution_hours, None);

    // Live agents by name, inactive ones included; deleted ones left out.
    let totals = store.agent_totals().await.unwrap();
    let shown: Vec<_> = totals.iter().map(|a| (a.agent_id, a.agent_name.as_str(), a.is_active, a.assigned, a.resolved, a.open)).collect();
    assert_eq!(shown, vec![(3, "Al", false, 1, 0, 1), (2, "Bea", true, 3, 2, 1)]);
    assert_eq!((totals[0].avg_resolution_hours, totals[1].avg_resolution_hours), (None, Some(2.0)));
}

#[tokio::test]
async fn lists_filtered_by_status_priority_and_category_are_counted_exactly_from_counters() {
    use crate::domain::Priority;
    let Some(store) = store("t_counters_kinds").await else { return };
    exec(&store, "INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01T00:00:00Z')").await;
    for (priority, category, status) in
        [("high", "billing", "open"), ("high", "billing", "closed"), ("high", "technical", "open"), ("low", "billing", "open")]
    {
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
             VALUES (1, 'Printer', 'x', $1, $2, $3, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')",
        )
        .bind(category)
        .bind(priority)
        .bind(status)
        .execute(&store.pool)
        .await
        .unwrap();
    }
    let base = TicketQuery { page: 1, per_page: 20, ..Default::default() };
    let high_billing = TicketQuery { priority: Some(Priority::High), category: Some("billing".into()), ..base.clone() };
    let open_high_billing = TicketQuery { status: Some(TicketStatus::Open), ..high_billing.clone() };
    let total = |query: TicketQuery| {
        let store = store.clone();
        async move { store.list_tickets(TicketScope::All, &query, chrono::Utc::now()).await.unwrap() }
    };
    assert_eq!((total(high_billing.clone()).await.total, total(open_high_billing.clone()).await.total), (2, 1));
    assert_eq!(total(TicketQuery { category: Some("billing".into()), ..base.clone() }).await.total, 3);
    assert!(store.counter_mismatches().await.unwrap().is_empty());

    // The totals are the counters' (exact past the cap, never walked up to it): a drifted
    // counter shows through, and the recount names it.
    exec(&store, "UPDATE ticket_kind_counts SET n = n + 20000 WHERE status = 'open' AND priority = 'high' AND category = 'billing'").await;
    let listed = total(open_high_billing).await;
    assert_eq!((listed.total, listed.capped, listed.rows.len()), (20_001, false, 1));
    assert_eq!(store.counter_mismatches().await.unwrap(), vec!["ticket_kind_counts open high billing: n 1 kept 20001".to_string()]);
    // A requester's list with a priority filter counts its own matches instead.
    let mine = store.list_tickets(TicketScope::RequestedBy(1), &high_billing, chrono::Utc::now()).await.unwrap();
    assert_eq!((mine.total, mine.capped), (2, false));
}

#[tokio::test]
async fn every_list_total_agrees_with_counting_the_tickets() {
    use crate::domain::Priority;
    let Some(store) = store("t_counters_totals").await else { return };
    exec(&store, USER_AND_AGENT).await;
    let now = chrono::Utc::now().timestamp();
    let rows = [
        ("printer jam", "high", "billing", "open", None, now - 60),
        ("printer toner", "high", "billing", "in-progress", Some(2), now + 3600),
        ("mail bounce", "low", "technical", "open", Some(2), now - 7200),
        ("printer", "critical", "technical", "closed", Some(2), now - 7200),
        ("vpn", "medium", "billing", "on-hold", None, now - 30),
    ];
    for (title, priority, category, status, agent, due) in rows {
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at, due_at)
             VALUES (1, $1, 'x', $2, $3, $4, $5, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z',
                     CASE WHEN $4 = 'closed' THEN '2026-01-02T09:00:00Z'::timestamptz END, $6)",
        )
        .bind(title)
        .bind(category)
        .bind(priority)
        .bind(status)
        .bind(agent)
        .bind(due)
        .execute(&store.pool)
        .await
        .unwrap();
    }
    assert!(store.counter_mismatches().await.unwrap().is_empty());
    let base = TicketQuery { page: 1, per_page: 20, ..Default::default() };
    let mut queries = Vec::new();
    for status in [None, Some(TicketStatus::Open), Some(TicketStatus::Closed)] {
        for priority in [None, Some(Priority::High)] {
            for category in [None, Some("billing".to_string())] {
                for (assigned_to, unassigned) in [(None, false), (Some(2), false), (None, true)] {
                    for overdue in [false, true] {
                        for q in [None, Some("printer".to_string())] {
                            let query = TicketQuery { status, priority, category: category.clone(), assigned_to, unassigned, overdue, q, ..base.clone() };
                            for scope in [TicketScope::All, TicketScope::AssignedTo(2), TicketScope::RequestedBy(1)] {
                                queries.push((scope, query.clone()));
                            }
                        }
                    }
                }
            }
        }
    }
    let mut wrong = Vec::new();
    for (scope, query) in queries {
        let listed = store.list_tickets(scope, &TicketQuery { per_page: 100, ..query.clone() }, chrono::Utc::now()).await.unwrap();
        if (listed.total, listed.capped) != (listed.rows.len() as i64, false) {
            wrong.push(format!("{scope:?} {query:?}: total {} capped {}, rows {}", listed.total, listed.capped, listed.rows.len()));
        }
    }
    assert!(wrong.is_empty(), "{} list totals disagree with the rows listed:\n{}", wrong.len(), wrong.join("\n"));
}

#[tokio::test]
async fn moving_a_closed_tickets_creation_time_moves_its_agents_resolution_sum() {
    let Some(store) = store("t_counters_moved").await else { return };
    exec(&store, USER_AND_AGENT).await;
    exec(
        &store,
        "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at)
         VALUES (1, 'Printer', 'x', 'technical', 'low', 'closed', 2, '2026-01-01T09:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z')",
    )
    .await;
    exec(&store, "UPDATE tickets SET created_at = '2026-01-01T08:00:00Z'").await;
    assert_eq!(store.counter_mismatches().await.unwrap(), Vec::<String>::new());
    let hours = store.agent_stats(2).await.unwrap().avg_resolution_hours;
    assert_eq!(hours, Some(2.0));
}
