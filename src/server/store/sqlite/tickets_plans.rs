use super::*;
use crate::domain::{Priority, TicketCursor, TicketQuery, TicketSort, TicketStatus};

/// The query plan of a list query, one line per step.
async fn plan(store: &Store, scope: TicketScope, query: &TicketQuery) -> String {
    let mut qb = QueryBuilder::<Sqlite>::new("EXPLAIN QUERY PLAN ");
    qb.push(ROW_COLUMNS);
    push_source(&mut qb, scope, query, None, Utc::now());
    qb.push(ROW_JOINS);
    push_filters(&mut qb, scope, query, Utc::now());
    push_after(&mut qb, query);
    push_order(&mut qb, query);
    qb.push(" LIMIT 20");
    let rows: Vec<(i64, i64, i64, String)> = qb.build_query_as().fetch_all(&store.read).await.unwrap();
    rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn overdue_counts_read_only_open_tickets_by_deadline() {
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    let explain = |sql: String| {
        let store = store.clone();
        async move {
            let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(&sql).bind(3).bind(0).fetch_all(&store.read).await.unwrap();
            rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
        }
    };
    for (scope, index) in [
        (TicketScope::AssignedTo(3), "tickets_open_by_assignee_due"),
        (TicketScope::RequestedBy(4), "tickets_open_by_requester_due"),
    ] {
        let (filter, _) = scope_filter(scope);
        let plan = explain(format!("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM tickets WHERE {filter} AND {OVERDUE}")).await;
        assert!(plan.contains(index), "{scope:?}:\n{plan}");
    }
    let plan = explain(format!("EXPLAIN QUERY PLAN {OVERDUE_ALL}")).await;
    assert!(plan.contains("SEARCH open_due_days") && plan.contains("tickets_open_by_due"), "all:\n{plan}");
    assert!(!plan.contains("SCAN tickets"), "all:\n{plan}");
}

/// Stepping over the assignee index's status and priority, SQLite seeks each of their values
/// and the category narrows each seek: the unassigned billing tickets' entries alone are read.
#[tokio::test]
async fn an_index_steps_over_the_columns_a_list_does_not_filter_by() {
    use super::super::list_plan::{choose_for_count, mix_of, term::*, Counted};
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    let query = TicketQuery { category: Some("billing".into()), unassigned: true, ..Default::default() };
    let sizes = Counted { all: 1e6, sets: vec![(UNASSIGNED, 37_000.0), (CATEGORY, 200_000.0)] };
    let plan = choose_for_count(&sizes, mix_of(TicketScope::All, &query, false), 10_001);
    let mut qb = QueryBuilder::<Sqlite>::new("EXPLAIN QUERY PLAN SELECT 1");
    push_source(&mut qb, TicketScope::All, &query, Some(plan), Utc::now());
    push_planned_filters(&mut qb, TicketScope::All, &query, Some(plan), Utc::now());
    let rows: Vec<(i64, i64, i64, String)> = qb.build_query_as().fetch_all(&store.read).await.unwrap();
    let seek = "tickets_by_assignee (assigned_to=? AND status=? AND priority_rank=? AND category=?)";
    assert!(rows.iter().any(|r| r.3.contains(seek)), "{plan:?}: {rows:?}");
}

#[tokio::test]
async fn the_overdue_count_of_all_tickets_agrees_with_counting_them() {
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    store.add_test_user().await;
    let now = Utc::now().timestamp();
    let today = now.div_euclid(86_400) * 86_400;
    // (deadline, status): days ago, earlier today, later today, tomorrow, none; open and closed.
    let tickets = [
        (Some(today - 3 * 86_400), "open"),
        (Some(today - 86_400 + 5), "in-progress"),
        (Some(today - 86_400 + 9), "closed"),
        (Some(today), "on-hold"),
        (Some(now - 1), "open"),
        (Some(now + 3_600), "open"),
        (Some(today + 2 * 86_400), "open"),
        (None, "open"),
    ];
    for (due, status) in tickets {
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, due_at)
             VALUES (1, 'T', 'x', 'technical', 'low', ?, '2026-01-01', '2026-01-01', ?)",
        )
        .bind(status)
        .bind(due)
        .execute(&store.write)
        .await
        .unwrap();
    }
    let counted = |store: Store| async move {
        let direct: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM tickets WHERE {OVERDUE}"))
            .bind(Utc::now().timestamp())
            .fetch_one(&store.read)
            .await
            .unwrap();
        (store.overdue_count(TicketScope::All, Utc::now()).await.unwrap(), direct)
    };
    assert_eq!(counted(store.clone()).await, (4, 4));
    // Closing, reopening, moving deadlines and deleting keep the per-day counters right.
    for change in [
        "UPDATE tickets SET status = 'closed' WHERE id = 1",
        "UPDATE tickets SET status = 'open' WHERE id = 3",
        "UPDATE tickets SET due_at = due_at + 10 * 86400 WHERE id = 2",
        "UPDATE tickets SET due_at = 1 WHERE id = 8",
        "DELETE FROM tickets WHERE id = 5",
    ] {
        sqlx::query(change).execute(&store.write).await.unwrap();
        let (kept, direct) = counted(store.clone()).await;
        assert_eq!(kept, direct, "after {change}");
    }
    assert_eq!(counted(store.clone()).await, (3, 3));
    assert!(store.counter_mismatches().await.unwrap().is_empty());
}

#[tokio::test]
async fn every_list_filter_and_sort_is_served_by_an_index_without_sorting() {
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    let base = TicketQuery { page: 1, per_page: 20, sort: TicketSort::Newest, ..Default::default() };
    let filters = [
        (TicketScope::RequestedBy(4), base.clone()),
        (TicketScope::AssignedTo(3), base.clone()),
        (TicketScope::All, base.clone()),
        (TicketScope::All, TicketQuery { status: Some(TicketStatus::Open), ..base.clone() }),
        (TicketScope::All, TicketQuery { priority: Some(Priority::High), ..base.clone() }),
        (TicketScope::All, TicketQuery { category: Some("billing".into()), ..base.clone() }),
        (TicketScope::All, TicketQuery { assigned_to: Some(3), ..base.clone() }),
        (TicketScope::All, TicketQuery { unassigned: true, ..base.clone() }),
        (TicketScope::All, TicketQuery { q: Some("printer".into()), ..base.clone() }),
    ];
    let cursor = TicketCursor { rank: 3, at_nanos: 1_700_000_000_000_000_000, id: 500 };
    let mut failures = Vec::new();
    for (scope, query) in filters {
        for sort in TicketSort::ALL {
            for after in [None, Some(cursor)] {
                let query = TicketQuery { sort, after, ..query.clone() };
                let plan = plan(&store, scope, &query).await;
                let tickets_step = plan
                    .lines()
                    .find(|l| (l.contains(" t ") || l.ends_with(" t") || l.contains("tickets_fts")) && (l.starts_with("SCAN") || l.starts_with("SEARCH")))
                    .unwrap_or("");
                let indexed = tickets_step.contains("INDEX") || tickets_step.contains("PRIMARY KEY") || tickets_step.contains("VIRTUAL TABLE");
                if !indexed || plan.contains("TEMP B-TREE") {
                    failures.push(format!("{scope:?} {:?} sort {sort:?} after {}:\n{plan}", (query.status, query.priority, &query.category, query.assigned_to, query.unassigned, &query.q), after.is_some()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} list queries scan or sort without an index:\n{}", failures.len(), failures.join("\n\n"));
}

/// Every mix of conditions, sorted every way, read through every index the planner could
/// name for it (`INDEXED BY`), gives the list SQLite gives when it plans alone: a forced index
/// changes the cost, never the answer, and never fails to serve.
#[tokio::test]
async fn every_index_the_list_planner_may_name_gives_the_same_list() {
    use super::super::list_plan::{candidates, mix_of, Ways};
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    for (id, role) in [(1, "user"), (2, "user"), (3, "agent"), (4, "agent")] {
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (?, 'P', ?, 'h', ?, '2026-01-01')")
            .bind(id)
            .bind(format!("p{id}@x.io"))
            .bind(role)
            .execute(&store.write)
            .await
            .unwrap();
    }
    let now = Utc::now().timestamp();
    let statuses = ["open", "in-progress", "on-hold", "closed"];
    let priorities = ["low", "medium", "high", "critical"];
    let categories = ["technical", "billing", "account"];
    for n in 0..120i64 {
        let assignee = [None, Some(3), Some(4)][(n % 3) as usize];
        let words = if n % 4 == 0 { "printer jammed" } else { "mail bounced" };
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, due_at)
             VALUES (?, ?, 'x', ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(1 + n % 2)
        .bind(words)
        .bind(categories[(n % 5 % 3) as usize])
        .bind(priorities[(n % 7 % 4) as usize])
        .bind(statuses[(n % 11 % 4) as usize])
        .bind(assignee)
        .bind(format!("2026-01-{:02}T00:00:{:02}Z", 1 + n % 28, n % 60))
        .bind(format!("2026-02-{:02}T00:00:{:02}Z", 1 + (n * 7) % 28, n % 60))
        .bind(now + (n % 9 - 4) * 3600)
        .execute(&store.write)
        .await
        .unwrap();
    }
    // Changes after the fact, as agents make them: the search index's words for the filters
    // (migration 0021) follow each change of status, assignee, priority and category.
    for (change, every) in [
        ("status = 'open', assigned_to = 4", 5),
        ("category = 'billing', priority = 'high'", 7),
        ("assigned_to = NULL, status = 'in-progress'", 6),
        ("status = 'closed'", 8),
    ] {
        sqlx::query(&format!("UPDATE tickets SET {change} WHERE id % {every} = 0")).execute(&store.write).await.unwrap();
    }
    let ids = |rows: Vec<crate::domain::TicketRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let (mut checked, mut bounded, mut gave_way_after_walking) = (0, 0, 0);
    for bits in 0..(1u32 << 7) {
        let on = |b: u32| bits & (1 << b) != 0;
        if on(3) && on(4) {
            continue; // an assignee or "unassigned", not both
        }
        let query = TicketQuery {
            status: on(0).then_some(TicketStatus::Open),
            priority: on(1).then_some(Priority::High),
            category: on(2).then(|| "billing".to_string()),
            assigned_to: on(3).then_some(3),
            unassigned: on(4),
            overdue: on(5),
            q: on(6).then(|| "printer".to_string()),
            page: 1,
            per_page: 200,
            ..Default::default()
        };
        for scope in [TicketScope::All, TicketScope::RequestedBy(1), TicketScope::AssignedTo(4)] {
            for sort in [TicketSort::Newest, TicketSort::Oldest, TicketSort::Updated, TicketSort::Priority] {
                let query = TicketQuery { sort, ..query.clone() };
                let alone = ids(store.ticket_window(scope, &query, 200, Utc::now(), None).await.unwrap());
                let ways = candidates(mix_of(scope, &query, query.q.is_some()), sort);
                for &(plan, ordered) in &ways {
                    let forced = store.ticket_window(scope, &query, 200, Utc::now(), Some(plan)).await;
                    assert_eq!(ids(forced.unwrap()), alone, "{scope:?} {query:?} through {plan:?}");
                    checked += 1;
                    if ordered {
                        // A walk in order cut off after a few rows holds the list's first rows; a
                        // page of them it cannot fill gives way to another index.
                        for budget in [3, 1_000] {
                            let cut = ids(store.walk_window(scope, &query, 200, Utc::now(), plan, budget).await.unwrap());
                            assert_eq!(cut[..], alone[..cut.len()], "{scope:?} {query:?} walking {plan:?} for {budget} rows");
                            let fallback = ways[0].0;
                            let window = Some(Ways { first: plan, fallback: Some((budget, fallback)) });
                            let limit = (alone.len() as u32).clamp(1, 4);
                            let (rows, gave_way) = store.planned_window(scope, &query, limit, Utc::now(), window).await.unwrap();
                            assert_eq!(ids(rows)[..], alone[..alone.len().min(4)], "{scope:?} {query:?} {plan:?} then {fallback:?}");
                            gave_way_after_walking += usize::from(gave_way && budget == 3);
                        }
                    }
                    if sort != TicketSort::Newest {
                        continue; // a count has no order
                    }
                    // Its count, read whole, and read only 5 rows in: at least what those hold.
                    let whole = store.bounded_count(scope, &query, plan, 1_000_000, Utc::now()).await.unwrap();
                    assert_eq!(whole, (alone.len() as i64, false), "{scope:?} {query:?} through {plan:?}");
                    let (n, capped) = store.bounded_count(scope, &query, plan, 5, Utc::now()).await.unwrap();
                    assert!(n <= alone.len() as i64 && (capped || n == alone.len() as i64), "{scope:?} {query:?} {plan:?}: {n}");
                    bounded += usize::from(capped);
                }
            }
        }
    }
    assert!(checked > 1000 && bounded > 100, "{checked} plans checked, {bounded} counts stopped early");
    assert!(gave_way_after_walking > 100, "{gave_way_after_walking} walks gave way");
}

#[tokio::test]
async fn an_overdue_search_finds_every_deadline_passed_however_long_ago_and_none_ahead() {
    // The search index holds an open ticket's deadline day at five widths (migration 0023),
    // and an overdue search asks for the blocks of days before today: a ticket due any time
    // before now is found, whatever block holds its day, and none due later, closed or
    // without a deadline. Fixed at 13:00, so that today holds deadlines on either side of now.
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    store.add_test_user().await;
    let now = DateTime::from_timestamp(20_429 * 86_400 + 13 * 3_600, 0).unwrap();
    let (day, hour) = (86_400i64, 3_600i64);
    let mut late = Vec::new();
    let deadlines = [
        Some(-20_000 * day), Some(-5_000 * day), Some(-4_097 * day), Some(-600 * day), Some(-70 * day), Some(-9 * day),
        Some(-8 * day), Some(-day), Some(-12 * hour), Some(-hour), Some(-1), Some(0), Some(hour), Some(10 * hour),
        Some(day), Some(100 * day), None,
    ];
    for (n, due) in deadlines.iter().enumerate() {
        for status in ["open", "closed"] {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, due_at)
                 VALUES (1, 'Printer jammed', 'x', 'technical', 'low', ?, '2026-01-01T09:00:00Z', ?, ?) RETURNING id",
            )
            .bind(status)
            .bind(format!("2026-02-01T00:00:{n:02}Z"))
            .bind(due.map(|d| now.timestamp() + d))
            .fetch_one(&store.write)
            .await
            .unwrap();
            if status == "open" && due.is_some_and(|d| d < 0) {
                late.push(id);
            }
        }
    }
    late.reverse();
    for sort in [TicketSort::Newest, TicketSort::Updated] {
        let query = TicketQuery { overdue: true, q: Some("printer".into()), sort, page: 1, per_page: 50, ..Default::default() };
        let listed = store.list_tickets(TicketScope::All, &query, now).await.unwrap();
        let mut ids: Vec<i64> = listed.rows.iter().map(|r| r.id).collect();
        ids.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!((ids, listed.total, listed.capped), (late.clone(), late.len() as i64, false), "{sort:?}");
        // The search index alone, its deadline words with each ticket's hour checked.
        let alone: Vec<i64> = store.ticket_window(TicketScope::All, &query, 50, now, None).await.unwrap().iter().map(|r| r.id).collect();
        assert_eq!(alone, late, "{sort:?}");
    }
    // A deadline moved past now leaves the overdue search; one moved back joins it.
    sqlx::query("UPDATE tickets SET due_at = ? WHERE id = ?").bind(now.timestamp() + hour).bind(late[0]).execute(&store.write).await.unwrap();
    let query = TicketQuery { overdue: true, q: Some("printer".into()), page: 1, per_page: 50, ..Default::default() };
    let listed = store.list_tickets(TicketScope::All, &query, now).await.unwrap();
    assert_eq!((listed.rows.len(), listed.total), (late.len() - 1, late.len() as i64 - 1));
    assert!(listed.rows.iter().all(|r| r.id != late[0]));
}
