//! Tests of `reports.rs` (the database ones run when `HELPDESK_TEST_POSTGRES_URL` is set, each
//! in its own schema).

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn store(schema: &str) -> Option<Store> {
    let url = std::env::var("HELPDESK_TEST_POSTGRES_URL").ok()?;
    Some(Store::connect_in_new_schema(&url, schema, 4).await.unwrap())
}

async fn exec(store: &Store, sql: &str) {
    sqlx::query(sql).execute(&store.pool).await.unwrap();
}

#[test]
fn a_range_is_cut_into_end_days_and_whole_months() {
    let none = ("", "");
    // (from, to) → (head days, tail days, whole months as their first days)
    let cases = [
        (("2026-01-15", "2026-04-10"), ("2026-01-15", "2026-01-31"), ("2026-04-01", "2026-04-10"), ("2026-02-01", "2026-03-01")),
        (("2026-02-01", "2026-02-28"), none, none, ("2026-02-01", "2026-02-01")),
        (("2024-02-01", "2024-02-29"), none, none, ("2024-02-01", "2024-02-01")),
        (("2026-12-01", "2026-12-31"), none, none, ("2026-12-01", "2026-12-01")),
        (("2025-12-02", "2026-12-01"), ("2025-12-02", "2025-12-31"), ("2026-12-01", "2026-12-01"), ("2026-01-01", "2026-11-01")),
        (("2026-03-02", "2026-04-30"), ("2026-03-02", "2026-03-31"), none, ("2026-04-01", "2026-04-01")),
        (("2026-01-10", "2026-01-20"), ("2026-01-10", "2026-01-20"), none, none),
        (("2026-01-31", "2026-02-01"), ("2026-01-31", "2026-02-01"), none, none),
        (("2026-02-01", "2026-02-27"), ("2026-02-01", "2026-02-27"), none, none),
    ];
    let span = |(a, b): (&str, &str)| (!a.is_empty()).then(|| (d(a), d(b)));
    for ((from, to), head, tail, months) in cases {
        let expected = Spans { head: span(head), tail: span(tail), months: span(months) };
        assert_eq!(Spans::of(d(from), d(to)), expected, "{from}..{to}");
    }
}

#[tokio::test]
async fn reports_read_the_rollups_by_key_never_scanning_them() {
    let Some(store) = store("t_reports_plans").await else { return };
    // With sequential scans priced out, a plan still holding one has no index to use instead.
    let mut tx = store.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.unwrap();
    for sql in [AGENT_SPANS_SQL.to_string(), created_by_sql("status")] {
        let rows: Vec<(String,)> =
            Spans::of(d("2025-12-02"), d("2026-12-01")).bind(sqlx::query_as(&format!("EXPLAIN {sql}"))).fetch_all(&mut *tx).await.unwrap();
        let plan = rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("\n");
        assert!(plan.contains("rollup_agent") || plan.contains("rollup_created"), "{plan}");
        assert!(!plan.contains("Seq Scan on rollup"), "{plan}");
    }
    let rows: Vec<(String,)> = sqlx::query_as(
        "EXPLAIN SELECT u.id FROM users u CROSS JOIN LATERAL (
            SELECT COALESCE(SUM(c.n), 0)::BIGINT AS open_n FROM ticket_counts c
            WHERE c.scope = 'assignee' AND c.scope_id = u.id AND c.status <> 'closed') AS l
         WHERE u.role = 'agent' AND u.is_active AND u.deleted_at IS NULL AND l.open_n < 10",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let plan = rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("\n");
    assert!(!plan.contains("Seq Scan on ticket_counts"), "{plan}");
}

#[tokio::test]
async fn a_report_across_months_counts_what_a_recount_of_the_tickets_counts() {
    let Some(store) = store("t_reports_recount").await else { return };
    for (id, role) in [(1_i64, "user"), (2, "agent"), (3, "agent")] {
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES ($1, $2, $3, 'h', $4, '2025-01-01T00:00:00Z')")
            .bind(id)
            .bind(format!("P{id}"))
            .bind(format!("p{id}@x.io"))
            .bind(role)
            .execute(&store.pool)
            .await
            .unwrap();
    }
    // Days before, at and after both ends of the range, and inside its whole months; times
    // near midnight UTC, which are another day in most other time zones.
    let days = ["2025-12-31", "2026-01-01", "2026-01-14", "2026-01-15", "2026-01-31", "2026-02-01", "2026-02-28", "2026-03-15",
                "2026-04-01", "2026-04-10", "2026-04-11", "2026-05-01"];
    let now = chrono::Utc::now().timestamp();
    for (i, day) in days.iter().enumerate() {
        for (j, status) in ["open", "in-progress", "closed"].iter().enumerate() {
            let closed = (*status == "closed").then(|| format!("{day}T23:30:00+00:00"));
            sqlx::query(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, closed_at, assigned_to, due_at)
                 VALUES (1, 'T', 'x', $1, $2, $3, $4::timestamptz, $4::timestamptz, $5::timestamptz, $6, $7)",
            )
            .bind(["technical", "billing"][(i + j) % 2])
            .bind(["low", "high", "critical"][(i * j) % 3])
            .bind(status)
            .bind(format!("{day}T{:02}:30:00+00:00", [0, 9, 23][(i + j) % 3]))
            .bind(closed)
            .bind([None, Some(2_i64), Some(3)][(i + 2 * j) % 3])
            .bind([None, Some(0_i64), Some(now)][i % 3])
            .execute(&store.pool)
            .await
            .unwrap();
        }
    }
    // Changes after the fact move tickets between groups of the rollups.
    for change in [
        "UPDATE tickets SET status = 'on-hold', priority = 'medium' WHERE id % 4 = 0 AND status <> 'closed'",
        "UPDATE tickets SET assigned_to = 3 WHERE id % 5 = 0",
        "DELETE FROM tickets WHERE id % 7 = 0",
    ] {
        exec(&store, change).await;
    }
    assert!(store.counter_mismatches().await.unwrap().is_empty());

    let (from, to) = ("2026-01-15", "2026-04-10");
    let report = store.report(d(from), d(to)).await.unwrap();
    let recount = |sql: String| {
        let store = store.clone();
        async move { sqlx::query_as::<_, (String, i64)>(&sql).bind(from).bind(to).fetch_all(&store.pool).await.unwrap() }
    };
    let in_range = "utc_day(created_at) BETWEEN $1::date AND $2::date";
    let by_priority = recount(format!("SELECT priority, COUNT(*) FROM tickets WHERE {in_range} GROUP BY 1 ORDER BY 2 DESC, 1")).await;
    assert_eq!(report.by_priority, by_priority);
    let by_category = recount(format!("SELECT category, COUNT(*) FROM tickets WHERE {in_range} GROUP BY 1 ORDER BY 2 DESC, 1")).await;
    assert_eq!(report.by_category, by_category);
    let by_status = recount(format!("SELECT status, COUNT(*) FROM tickets WHERE {in_range} GROUP BY 1 ORDER BY status COLLATE \"C\"")).await;
    let reported: Vec<(String, i64)> = [("closed", report.by_status.closed), ("in-progress", report.by_status.in_progress),
        ("on-hold", report.by_status.on_hold), ("open", report.by_status.open)]
        .into_iter()
        .filter(|s| s.1 > 0)
        .map(|(s, n)| (s.to_string(), n))
        .collect();
    assert_eq!(reported, by_status);
    let total: i64 = by_priority.iter().map(|r| r.1).sum();
    assert_eq!(report.total, total);
    let agents = recount(format!(
        "SELECT assigned_to::text, COUNT(*) FROM tickets WHERE {in_range} AND assigned_to IS NOT NULL GROUP BY 1 ORDER BY 1"
    ))
    .await;
    let reported: Vec<(String, i64)> = report.agents.iter().map(|a| (a.agent_id.to_string(), a.assigned)).collect();
    assert_eq!(reported, agents);
    let resolved = recount(format!(
        "SELECT assigned_to::text, COUNT(*) FROM tickets WHERE {in_range} AND assigned_to IS NOT NULL AND status = 'closed' GROUP BY 1 ORDER BY 1"
    ))
    .await;
    let reported: Vec<(String, i64)> = report.agents.iter().map(|a| (a.agent_id.to_string(), a.resolved)).collect();
    assert_eq!(reported, resolved);
    let opened = recount(format!("SELECT utc_day(created_at)::text, COUNT(*) FROM tickets WHERE {in_range} GROUP BY 1 ORDER BY 1")).await;
    let per_day: Vec<(String, i64)> =
        report.per_day.iter().filter(|p| p.opened > 0).map(|p| (p.day.format("%Y-%m-%d").to_string(), p.opened)).collect();
    assert_eq!(per_day, opened);
    let closed_in = "closed_at IS NOT NULL AND utc_day(closed_at) BETWEEN $1::date AND $2::date";
    let closed = recount(format!("SELECT utc_day(closed_at)::text, COUNT(*) FROM tickets WHERE {closed_in} GROUP BY 1 ORDER BY 1")).await;
    let per_day: Vec<(String, i64)> =
        report.per_day.iter().filter(|p| p.closed > 0).map(|p| (p.day.format("%Y-%m-%d").to_string(), p.closed)).collect();
    assert_eq!(per_day, closed);
    let sla = recount(format!(
        "SELECT 'met', COUNT(*) FILTER (WHERE floor(extract(epoch FROM closed_at)) <= due_at) FROM tickets WHERE {closed_in}
         UNION ALL SELECT 'closed', COUNT(*) FROM tickets WHERE {closed_in}"
    ))
    .await;
    assert_eq!((report.sla_met, report.sla_closed), (sla[0].1, sla[1].1));
    assert!(report.sla_met > 0 && report.sla_met < report.sla_closed, "{sla:?}");
    assert_eq!(report.per_day.len(), 86);
}

#[tokio::test]
async fn the_least_loaded_active_agent_with_room_is_chosen() {
    let Some(store) = store("t_reports_least_loaded").await else { return };
    exec(
        &store,
        "INSERT INTO users (id, name, email, password_hash, role, is_active, created_at, deleted_at) VALUES
            (1, 'U', 'u@x.io', 'h', 'user', TRUE, '2026-01-01T00:00:00Z', NULL),
            (2, 'A2', 'a2@x.io', 'h', 'agent', TRUE, '2026-01-01T00:00:00Z', NULL),
            (3, 'A3', 'a3@x.io', 'h', 'agent', TRUE, '2026-01-01T00:00:00Z', NULL),
            (4, 'Off', 'a4@x.io', 'h', 'agent', FALSE, '2026-01-01T00:00:00Z', NULL),
            (5, 'Gone', 'a5@x.io', 'h', 'agent', TRUE, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'),
            (6, 'Admin', 'a6@x.io', 'h', 'admin', TRUE, '2026-01-01T00:00:00Z', NULL)",
    )
    .await;
    let add = |agent: i64, status: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at)
                 VALUES (1, 'T', 'x', 'technical', 'low', $1, $2, now(), now(), CASE WHEN $1 = 'closed' THEN now() END)",
            )
            .bind(status)
            .bind(agent)
            .execute(&store.pool)
            .await
            .unwrap();
        }
    };
    // Nobody has work: the lowest id wins the tie; inactive, deleted agents and admins never.
    assert_eq!(store.least_loaded_agent(10).await.unwrap(), Some(2));
    assert_eq!(store.least_loaded_agent(0).await.unwrap(), None);
    add(2, "open").await;
    add(3, "closed").await;
    add(3, "closed").await;
    // Closed tickets are no load.
    assert_eq!(store.least_loaded_agent(10).await.unwrap(), Some(3));
    add(3, "on-hold").await;
    add(3, "in-progress").await;
    assert_eq!(store.least_loaded_agent(10).await.unwrap(), Some(2));
    assert_eq!(store.least_loaded_agent(1).await.unwrap(), None);
    assert_eq!(store.least_loaded_agent(2).await.unwrap(), Some(2));

    // Inside a transaction, its own uncommitted assignments count; others do not see them.
    let mut tx = store.pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at)
         VALUES (1, 'T', 'x', 'technical', 'low', 'open', 2, now(), now()), (1, 'T', 'x', 'technical', 'low', 'open', 2, now(), now())",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    assert_eq!(least_loaded(&mut *tx, 10).await.unwrap(), Some(3));
    assert_eq!(store.least_loaded_agent(10).await.unwrap(), Some(2));
    tx.commit().await.unwrap();
    assert_eq!(store.least_loaded_agent(10).await.unwrap(), Some(3));
    assert!(store.counter_mismatches().await.unwrap().is_empty());
}

#[tokio::test]
async fn unassigned_and_overdue_come_from_the_counters_and_the_deadline_index() {
    let Some(store) = store("t_reports_unassigned").await else { return };
    exec(
        &store,
        "INSERT INTO users (id, name, email, password_hash, role, created_at)
         VALUES (1, 'U', 'u@x.io', 'h', 'user', '2026-01-01T00:00:00Z'), (2, 'A', 'a@x.io', 'h', 'agent', '2026-01-01T00:00:00Z')",
    )
    .await;
    let now = chrono::Utc::now().timestamp();
    for (status, agent, due) in [
        ("open", None, Some(now - 3 * 86_400)),
        ("on-hold", None, Some(now + 3600)),
        ("closed", None, Some(now - 60)),
        ("in-progress", Some(2_i64), Some(now - 60)),
        ("open", Some(2), None),
    ] {
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, closed_at, due_at)
             VALUES (1, 'T', 'x', 'technical', 'low', $1, $2, now(), now(), CASE WHEN $1 = 'closed' THEN now() END, $3)",
        )
        .bind(status)
        .bind(agent)
        .bind(due)
        .execute(&store.pool)
        .await
        .unwrap();
    }
    assert_eq!(store.unassigned_and_overdue(chrono::Utc::now()).await.unwrap(), (2, 2));
    assert!(store.counter_mismatches().await.unwrap().is_empty());
}
