//! Ticket writes on PostgreSQL take their turn before their counters (migration 0014): two
//! status changes in opposite directions at once do not deadlock.

use super::own_database;
use sqlx::{Connection, Executor};
use std::time::Duration;

#[tokio::test]
async fn status_changes_in_opposite_directions_at_once_wait_for_each_other_and_do_not_deadlock() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let (store, admin) = own_database(&url, "helpdesk_unit_turns").await;
    // A on day 1 in progress; B and D on day 2, on hold and in progress: one agent's, one
    // requester's, one priority and category, so the changes below share counter rows.
    sqlx::raw_sql(
        "INSERT INTO users (id, name, email, password_hash, role, created_at)
         VALUES (1, 'U', 'u@x.io', 'h', 'user', now()), (2, 'A', 'a@x.io', 'h', 'agent', now());
         INSERT INTO tickets (id, user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, due_at)
         VALUES (1, 1, 'A', 'x', 'billing', 'low', 'in-progress', 2, '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z', NULL),
                (2, 1, 'B', 'x', 'billing', 'low', 'on-hold', 2, '2026-03-02T10:00:00Z', '2026-03-02T10:00:00Z', NULL),
                (3, 1, 'D', 'x', 'billing', 'low', 'in-progress', 2, '2026-03-02T11:00:00Z', '2026-03-02T11:00:00Z', NULL)",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    let change = |id: i64, to: &'static str| format!("UPDATE tickets SET status = '{to}', updated_at = now() WHERE id = {id}");

    // The first transaction moves A to on hold and stays open.
    let mut first = store.pool.acquire().await.unwrap();
    let mut first = first.begin().await.unwrap();
    first.execute(change(1, "on-hold").as_str()).await.unwrap();
    // The second moves B back to in progress. Without the turn it locks day 2's "on hold" rows,
    // then waits for this month's "on hold" rows, which the first holds.
    let pool = store.pool.clone();
    let second = tokio::spawn(async move {
        let mut tx = pool.begin().await?;
        tx.execute(change(2, "in-progress").as_str()).await?;
        tx.commit().await
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!second.is_finished(), "the second change waits for the first to commit");
    // The first then moves D, also of day 2, to on hold: it needs day 2's "on hold" rows. Without
    // the turn the second holds them, each waits for the other, and PostgreSQL fails one after
    // deadlock_timeout (40P01).
    let moved = tokio::time::timeout(Duration::from_secs(5), first.execute(change(3, "on-hold").as_str())).await;
    let moved = moved.expect("the first transaction's second change is not held up");
    assert!(moved.is_ok(), "the first transaction's second change: {moved:?}");
    first.commit().await.unwrap();
    let second = tokio::time::timeout(Duration::from_secs(5), second).await.expect("the second change goes on").unwrap();
    assert!(second.is_ok(), "the second change: {second:?}");

    let statuses: Vec<(i64, String)> = sqlx::query_as("SELECT id, status FROM tickets ORDER BY id").fetch_all(&store.pool).await.unwrap();
    let statuses: Vec<(i64, &str)> = statuses.iter().map(|(id, s)| (*id, s.as_str())).collect();
    assert_eq!(statuses, [(1, "on-hold"), (2, "in-progress"), (3, "on-hold")]);
    assert_eq!(super::counter_mismatches(&store.pool).await.unwrap(), Vec::<String>::new());
    store.pool.close().await;
    admin.execute("DROP DATABASE helpdesk_unit_turns WITH (FORCE)").await.unwrap();
}
