use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn a_range_is_cut_into_end_days_and_whole_months() {
    let none = ("1", "0");
    // (from, to) → (head days, tail days, whole months)
    let cases = [
        (("2026-01-15", "2026-04-10"), ("2026-01-15", "2026-01-31"), ("2026-04-01", "2026-04-10"), ("2026-02", "2026-03")),
        (("2026-02-01", "2026-02-28"), none, none, ("2026-02", "2026-02")),
        (("2024-02-01", "2024-02-29"), none, none, ("2024-02", "2024-02")),
        (("2026-12-01", "2026-12-31"), none, none, ("2026-12", "2026-12")),
        (("2025-12-02", "2026-12-01"), ("2025-12-02", "2025-12-31"), ("2026-12-01", "2026-12-01"), ("2026-01", "2026-11")),
        (("2026-03-02", "2026-04-30"), ("2026-03-02", "2026-03-31"), none, ("2026-04", "2026-04")),
        (("2026-01-10", "2026-01-20"), ("2026-01-10", "2026-01-20"), none, none),
        (("2026-01-31", "2026-02-01"), ("2026-01-31", "2026-02-01"), none, none),
        (("2026-02-01", "2026-02-27"), ("2026-02-01", "2026-02-27"), none, none),
    ];
    let own = |(a, b): (&str, &str)| (a.to_string(), b.to_string());
    for ((from, to), head, tail, months) in cases {
        let expected = Spans { head: own(head), tail: own(tail), months: own(months) };
        assert_eq!(Spans::of(d(from), d(to)), expected, "{from}..{to}");
    }
}

#[tokio::test]
async fn reports_read_the_rollups_by_key_never_scanning_them() {
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    for sql in [AGENT_SPANS_SQL.to_string(), created_by_sql("status")] {
        let rows: Vec<(i64, i64, i64, String)> = Spans::of(d("2025-12-02"), d("2026-12-01"))
            .bind(sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}")))
            .fetch_all(&store.read)
            .await
            .unwrap();
        let plan = rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n");
        assert!(!plan.contains("SCAN r") && !plan.contains("SCAN m") && !plan.contains("SCAN rollup"), "{plan}");
    }
}

#[tokio::test]
async fn a_report_across_months_counts_what_a_recount_of_the_tickets_counts() {
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    for (id, role) in [(1, "user"), (2, "agent"), (3, "agent")] {
        sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (?, ?, ?, 'h', ?, '2025-01-01')")
            .bind(id)
            .bind(format!("P{id}"))
            .bind(format!("p{id}@x.io"))
            .bind(role)
            .execute(&store.write)
            .await
            .unwrap();
    }
    // Days before, at and after both ends of the range, and inside its whole months.
    let days = ["2025-12-31", "2026-01-01", "2026-01-14", "2026-01-15", "2026-01-31", "2026-02-01", "2026-02-28", "2026-03-15",
                "2026-04-01", "2026-04-10", "2026-04-11", "2026-05-01"];
    for (i, day) in days.iter().enumerate() {
        for (j, status) in ["open", "in-progress", "closed"].iter().enumerate() {
            let closed = (*status == "closed").then(|| format!("{day}T18:00:00+00:00"));
            sqlx::query(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, closed_at, assigned_to)
                 VALUES (1, 'T', 'x', ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(["technical", "billing"][(i + j) % 2])
            .bind(["low", "high", "critical"][(i * j) % 3])
            .bind(status)
            .bind(format!("{day}T09:00:00+00:00"))
            .bind(format!("{day}T09:00:00+00:00"))
            .bind(closed)
            .bind([None, Some(2), Some(3)][(i + 2 * j) % 3])
            .execute(&store.write)
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
        sqlx::query(change).execute(&store.write).await.unwrap();
    }
    assert!(store.counter_mismatches().await.unwrap().is_empty());

    let (from, to) = ("2026-01-15", "2026-04-10");
    let report = store.report(d(from), d(to)).await.unwrap();
    let recount = |sql: &str| {
        let (store, sql) = (store.clone(), sql.to_string());
        async move {
            sqlx::query_as::<_, (String, i64)>(&sql).bind(from).bind(to).fetch_all(&store.read).await.unwrap()
        }
    };
    let in_range = "substr(created_at, 1, 10) BETWEEN ? AND ?";
    let by_priority = recount(&format!("SELECT priority, COUNT(*) FROM tickets WHERE {in_range} GROUP BY 1 ORDER BY 2 DESC, 1")).await;
    assert_eq!(report.by_priority, by_priority);
    let total: i64 = by_priority.iter().map(|r| r.1).sum();
    assert_eq!(report.total, total);
    let agents = recount(&format!(
        "SELECT CAST(assigned_to AS TEXT), COUNT(*) FROM tickets WHERE {in_range} AND assigned_to IS NOT NULL GROUP BY 1 ORDER BY 1"
    ))
    .await;
    let reported: Vec<(String, i64)> = report.agents.iter().map(|a| (a.agent_id.to_string(), a.assigned)).collect();
    assert_eq!(reported, agents);
    let resolved = recount(&format!(
        "SELECT CAST(assigned_to AS TEXT), COUNT(*) FROM tickets WHERE {in_range} AND status = 'closed' AND assigned_to IS NOT NULL GROUP BY 1 ORDER BY 1"
    ))
    .await;
    let reported: Vec<(String, i64)> =
        report.agents.iter().filter(|a| a.resolved > 0).map(|a| (a.agent_id.to_string(), a.resolved)).collect();
    assert_eq!(reported, resolved);
    assert!(!resolved.is_empty());
    let opened = recount(&format!("SELECT substr(created_at, 1, 10), COUNT(*) FROM tickets WHERE {in_range} GROUP BY 1 ORDER BY 1")).await;
    let per_day: Vec<(String, i64)> =
        report.per_day.iter().filter(|p| p.opened > 0).map(|p| (p.day.format("%Y-%m-%d").to_string(), p.opened)).collect();
    assert_eq!(per_day, opened);
}
