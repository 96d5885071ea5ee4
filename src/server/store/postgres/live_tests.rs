//! Live events on PostgreSQL: each write takes its turn until its commit, so ids commit in
//! order, and the commit wakes every listener (the triggers of migration 0013).

use super::own_database;
use sqlx::postgres::PgListener;
use sqlx::Executor;
use std::time::Duration;

const WRITE: &str = "INSERT INTO live_events (at, ticket_id, kind, requester_id, staff_only)
     VALUES (1, 1, 'updated', 1, false) RETURNING id";

#[tokio::test]
async fn a_live_event_write_waits_for_the_one_before_to_commit_and_the_commit_wakes_the_listeners() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    // A database of its own: a NOTIFY reaches every listener of its database.
    let (store, admin) = own_database(&url, "helpdesk_unit_live").await;
    let mut listener = PgListener::connect_with(&store.pool).await.unwrap();
    listener.listen("live_events").await.unwrap();

    let mut first = store.pool.begin().await.unwrap();
    let first_id: i64 = sqlx::query_scalar(WRITE).fetch_one(&mut *first).await.unwrap();
    let pool = store.pool.clone();
    let second = tokio::spawn(async move {
        let mut tx = pool.begin().await.unwrap();
        let id: i64 = sqlx::query_scalar(WRITE).fetch_one(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        id
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!second.is_finished(), "the second write waits for the first to commit");
    assert!(tokio::time::timeout(Duration::from_millis(200), listener.recv()).await.is_err(), "nothing is told before a commit");

    first.commit().await.unwrap();
    let woken = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await.expect("the commit wakes the listener").unwrap();
    assert_eq!(woken.channel(), "live_events");
    let second_id = tokio::time::timeout(Duration::from_secs(5), second).await.expect("the second write goes on").unwrap();
    assert!(second_id > first_id, "the later write's id is the larger: {first_id}, {second_id}");

    listener.unlisten_all().await.unwrap();
    drop(listener);
    store.pool.close().await;
    admin.execute("DROP DATABASE helpdesk_unit_live WITH (FORCE)").await.unwrap();
}
