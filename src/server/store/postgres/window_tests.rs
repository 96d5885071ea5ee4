//! The list's page where the newest tickets are unlike the others (a burst of new tickets of
//! one kind): picked from the filter's own index, not found by walking past the burst.

use super::*;
use crate::domain::Priority;
use super::super::own_database;
use sqlx::{Connection, Executor};

/// 8 000 tickets: the older 4 000 of every category, priority and status, the newest 4 000
/// a burst of open, medium, technical ones not yet due, then fresh statistics.
async fn a_burst_of_new_tickets(store: &Store) {
    super::tests::requester_and_two_agents(store).await;
    sqlx::raw_sql(
        "SET statement_timeout = 0;
         INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, due_at)
         SELECT 1, 'mail', 'x',
                CASE WHEN g > 4000 THEN 'technical' ELSE (ARRAY['account', 'billing', 'technical', 'general', 'security'])[g % 5 + 1] END,
                CASE WHEN g > 4000 THEN 'medium' ELSE (ARRAY['low', 'medium', 'high', 'critical'])[g % 4 + 1] END,
                CASE WHEN g > 4000 THEN 'open' WHEN g % 10 = 0 THEN 'in-progress' ELSE 'closed' END,
                CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 + 2 END,
                now() - (8000 - g) * interval '1 minute', now() - (8000 - g) * interval '1 minute',
                extract(epoch FROM now())::bigint + CASE WHEN g > 4000 THEN 86400 ELSE -3600 END
         FROM generate_series(1, 8000) g",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    sqlx::query("VACUUM ANALYZE tickets").execute(&store.pool).await.unwrap();
}

/// The statement a list runs, explained as run: planned once for any values, as the pool's
/// connections plan it (see `session_options`), or with its values for a mix.
async fn run_plan(store: &Store, query: &TicketQuery) -> String {
    let mut conn = store.pool.acquire().await.unwrap();
    let mut tx = if keep_prepared(TicketScope::All, query) { conn.begin().await.unwrap() } else { searching(&mut conn).await.unwrap() };
    let mut list = QueryBuilder::<Postgres>::new("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ");
    push_window(&mut list, TicketScope::All, query, Utc::now(), 21);
    let rows: Vec<String> = list.build_query_scalar().persistent(false).fetch_all(&mut *tx).await.unwrap();
    rows.join("\n")
}

/// The tickets a plan read and set aside (`Rows Removed by Filter`), all its nodes together.
fn removed(plan: &str) -> i64 {
    plan.lines()
        .filter_map(|line| line.trim().strip_prefix("Rows Removed by Filter: "))
        .map(|n| n.parse::<i64>().unwrap())
        .sum()
}

#[tokio::test]
async fn a_filters_page_is_read_from_its_own_index_past_a_burst_of_other_tickets() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let (store, admin) = own_database(&url, "helpdesk_unit_burst").await;
    a_burst_of_new_tickets(&store).await;
    let base = TicketQuery { page: 1, per_page: 20, ..Default::default() };
    let filters = [
        TicketQuery { category: Some("billing".into()), ..base.clone() },
        TicketQuery { priority: Some(Priority::Critical), ..base.clone() },
        TicketQuery { status: Some(crate::domain::TicketStatus::InProgress), ..base.clone() },
        TicketQuery { category: Some("billing".into()), priority: Some(Priority::Critical), ..base },
    ];
    for filter in filters {
        for sort in TicketSort::ALL {
            let query = TicketQuery { sort, ..filter.clone() };
            let plan = run_plan(&store, &query).await;
            // Walked through every ticket in the list's order, the burst's 4 000 are read and
            // set aside before the first match.
            assert!(removed(&plan) < 100, "{query:?} reads past the burst:\n{plan}");
            let rows = ticket_window(&mut store.pool.acquire().await.unwrap(), TicketScope::All, &query, 21, Utc::now()).await.unwrap();
            assert_eq!(rows.len(), 21, "{query:?}");
        }
    }
    store.pool.close().await;
    admin.execute("DROP DATABASE helpdesk_unit_burst WITH (FORCE)").await.unwrap();
}

/// 8 000 tickets: agent 2's 4 000 are the older ones, the oldest 300 in progress and the rest
/// closed; the newest 4 000 are agent 3's, all in progress. Then fresh statistics.
async fn an_agents_few_old_tickets_in_progress(store: &Store) {
    super::tests::requester_and_two_agents(store).await;
    sqlx::raw_sql(
        "SET statement_timeout = 0;
         INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, due_at)
         SELECT 1, 'mail', 'x', (ARRAY['account', 'billing', 'technical'])[g % 3 + 1], (ARRAY['low', 'medium', 'high', 'critical'])[g % 4 + 1],
                CASE WHEN g > 4000 OR g <= 300 THEN 'in-progress' ELSE 'closed' END,
                CASE WHEN g > 4000 THEN 3 ELSE 2 END,
                now() - (8000 - g) * interval '1 minute', now() - (8000 - g) * interval '1 minute',
                extract(epoch FROM now())::bigint + 86400
         FROM generate_series(1, 8000) g",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    sqlx::query("VACUUM ANALYZE tickets").execute(&store.pool).await.unwrap();
}

#[tokio::test]
async fn an_agents_own_tickets_with_a_filter_are_a_mix_read_from_their_index() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let (store, admin) = own_database(&url, "helpdesk_unit_agent_mix").await;
    an_agents_few_old_tickets_in_progress(&store).await;
    let base = TicketQuery { page: 1, per_page: 20, status: Some(crate::domain::TicketStatus::InProgress), ..Default::default() };
    for sort in TicketSort::ALL {
        let query = TicketQuery { sort, ..base.clone() };
        let mut conn = store.pool.acquire().await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        let listed = listed(&mut tx, TicketScope::AssignedTo(2), &query, Utc::now()).await.unwrap();
        // The tickets this transaction read from the table, by any index or scan. Walked in the
        // list's order, agent 2's 300 are found past agent 3's 4 000 (newest first) or past
        // agent 2's own 3 700 closed ones. 300 is past a quarter of the bound a mix of all
        // tickets is gathered up to (409 for a page of 20 among 8 000).
        let (fetched, scanned): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT idx_tup_fetch, seq_tup_read FROM pg_stat_xact_all_tables WHERE relname = 'tickets'",
        )
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        let read = fetched.unwrap_or(0) + scanned.unwrap_or(0);
        assert!(read < 200, "{sort:?}: {read} tickets read for a page of 20 among 300");
        assert_eq!((listed.rows.len(), listed.total, listed.capped), (20, 300, false), "{sort:?}");
        assert!(listed.rows.iter().all(|r| r.assigned_to == Some(2)), "{sort:?}");
        tx.rollback().await.unwrap();
    }
    store.pool.close().await;
    admin.execute("DROP DATABASE helpdesk_unit_agent_mix WITH (FORCE)").await.unwrap();
}
