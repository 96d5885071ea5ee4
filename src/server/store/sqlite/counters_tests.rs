use super::*;
use crate::domain::TicketStatus;

#[tokio::test]
async fn the_recount_reports_a_counter_that_drifted() {
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01')")
        .execute(&store.write)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
         VALUES (1, 'Printer', 'x', 'technical', 'low', 'open', '2026-01-01', '2026-01-01')",
    )
    .execute(&store.write)
    .await
    .unwrap();
    assert_eq!(store.ticket_counts(TicketScope::RequestedBy(1)).await.unwrap().open, 1);
    assert!(store.counter_mismatches().await.unwrap().is_empty());
    sqlx::query("UPDATE ticket_counts SET n = n + 1 WHERE scope = 'all'").execute(&store.write).await.unwrap();
    assert_eq!(store.counter_mismatches().await.unwrap(), vec!["ticket_counts all 0 open: counted n 1 kept 2".to_string()]);
    sqlx::query("UPDATE ticket_counts SET n = n - 1 WHERE scope = 'all'").execute(&store.write).await.unwrap();
    sqlx::query("UPDATE rollup_agent SET n = 5").execute(&store.write).await.unwrap();
    assert_eq!(
        store.counter_mismatches().await.unwrap(),
        vec![
            "rollup_agent 0 2026-01-01 open: counted n 1 kept 5, resolution_secs 0 kept 0".to_string(),
            // The monthly sums follow the daily rows by trigger, drift included.
            "rollup_agent_month 0 2026-01 open: counted n 1 kept 5, resolution_secs 0 kept 0".to_string(),
        ]
    );
}

#[tokio::test]
async fn lists_filtered_by_status_priority_and_category_are_counted_exactly_from_counters() {
    use crate::domain::Priority;
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01')")
        .execute(&store.write)
        .await
        .unwrap();
    for (priority, category, status) in
        [("high", "billing", "open"), ("high", "billing", "closed"), ("high", "technical", "open"), ("low", "billing", "open")]
    {
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
             VALUES (1, 'Printer', 'x', ?, ?, ?, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')",
        )
        .bind(category)
        .bind(priority)
        .bind(status)
        .execute(&store.write)
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
    sqlx::query("UPDATE ticket_kind_counts SET n = n + 20000 WHERE status = 'open' AND priority = 'high' AND category = 'billing'")
        .execute(&store.write)
        .await
        .unwrap();
    let listed = total(open_high_billing).await;
    assert_eq!((listed.total, listed.capped, listed.rows.len()), (20_001, false, 1));
    assert_eq!(
        store.counter_mismatches().await.unwrap(),
        vec!["ticket_kind_counts open high billing: counted n 1 kept 20001".to_string()]
    );
    // A requester's list with a priority filter counts its own matches instead.
    let mine = store.list_tickets(TicketScope::RequestedBy(1), &high_billing, chrono::Utc::now()).await.unwrap();
    assert_eq!((mine.total, mine.capped), (2, false));
}

#[tokio::test]
async fn every_list_total_agrees_with_counting_the_tickets() {
    use crate::domain::Priority;
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01'), (2, 'A', 'a@x.io', 'h', 'agent', '2026-01-01')")
        .execute(&store.write)
        .await
        .unwrap();
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
             VALUES (1, ?, 'x', ?, ?, ?, ?, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', CASE WHEN ? = 'closed' THEN '2026-01-02T09:00:00Z' END, ?)",
        )
        .bind(title).bind(category).bind(priority).bind(status).bind(agent).bind(status).bind(due)
        .execute(&store.write)
        .await
        .unwrap();
    }
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
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01'), (2, 'A', 'a@x.io', 'h', 'agent', '2026-01-01')")
        .execute(&store.write)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at)
         VALUES (1, 'Printer', 'x', 'technical', 'low', 'closed', 2, '2026-01-01T09:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z')",
    )
    .execute(&store.write)
    .await
    .unwrap();
    sqlx::query("UPDATE tickets SET created_at = '2026-01-01T08:00:00Z'").execute(&store.write).await.unwrap();
    assert_eq!(store.counter_mismatches().await.unwrap(), Vec::<String>::new());
    let hours = store.agent_stats(2).await.unwrap().avg_resolution_hours;
    assert_eq!(hours, Some(2.0));
}
