//! The PostgreSQL schema (`migrations/postgres/`), the first piece of the PostgreSQL backend:
//! applied to a schema of its own in the throwaway database that the README's test command
//! creates (`scripts/postgres.sh`, URL in `HELPDESK_TEST_POSTGRES_URL`), its triggers keep
//! every counter and rollup equal to a recount through every kind of ticket and account
//! change, its unique rules carry the names the store maps conflicts by, and search is served
//! by the GIN index.

use helpdesk::server::store::postgres_admin::{connect_in_new_schema, MISMATCHES_SQL};
use sqlx::postgres::PgPool;
use sqlx::Executor;

/// A pool whose connections all use a fresh schema named `name`, migrated; `None` (with a
/// note) when no test database is configured.
async fn migrated(name: &str) -> Option<PgPool> {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else {
        eprintln!("HELPDESK_TEST_POSTGRES_URL is not set: the PostgreSQL schema is not tested (scripts/test.sh sets it)");
        return None;
    };
    let schema = format!("{name}_{}", std::process::id());
    Some(connect_in_new_schema(&url, &schema).await.expect("the test database answers and the migrations apply"))
}

async fn mismatches(pool: &PgPool) -> Vec<(String, String, String)> {
    sqlx::query_as(MISMATCHES_SQL).fetch_all(pool).await.expect("the recount runs")
}

#[tokio::test]
async fn every_counter_and_rollup_equals_a_recount_after_every_kind_of_change() {
    let Some(pool) = migrated("counters").await else { return };
    assert_eq!(mismatches(&pool).await, vec![], "an empty database");
    sqlx::raw_sql(include_str!("../postgres/exercise.sql")).execute(&pool).await.expect("the exercise runs");
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(&pool).await.unwrap();
    assert!(tickets > 0);
    assert_eq!(mismatches(&pool).await, vec![], "after the exercise");

    // The recount sees a drifted counter and a drifted rollup, and names them.
    sqlx::query("UPDATE ticket_counts SET n = n + 1 WHERE scope = 'all' AND status = 'open'").execute(&pool).await.unwrap();
    sqlx::query("UPDATE agent_resolution SET resolved = resolved + 2").execute(&pool).await.unwrap();
    let found: Vec<String> = mismatches(&pool).await.into_iter().map(|(counter, _, _)| counter).collect();
    assert!(found.contains(&"ticket_counts".to_string()) && found.contains(&"agent_resolution".to_string()), "{found:?}");
    pool.close().await;
}

#[tokio::test]
async fn unique_rules_are_named_and_search_uses_the_gin_index() {
    let Some(pool) = migrated("rules").await else { return };
    sqlx::raw_sql(include_str!("../postgres/exercise.sql")).execute(&pool).await.expect("the exercise runs");
    let email: String = sqlx::query_scalar("SELECT email FROM users ORDER BY id LIMIT 1").fetch_one(&pool).await.unwrap();
    let err = sqlx::query(
        "INSERT INTO users (name, email, password_hash, role, created_at) VALUES ('Twin', $1, 'h', 'user', now())",
    )
    .bind(&email)
    .execute(&pool)
    .await
    .unwrap_err();
    let db = err.as_database_error().expect("a database error");
    assert!(db.is_unique_violation());
    assert_eq!(db.constraint(), Some("users_email_key"));

    let mut conn = pool.acquire().await.unwrap();
    // Neither a scan of the table nor a walk of the primary key, which a handful of rows
    // would make cheapest: the words are found through the search index (migration 0010).
    conn.execute("SET enable_seqscan = off").await.unwrap();
    conn.execute("SET enable_indexscan = off").await.unwrap();
    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN SELECT id FROM tickets WHERE search @@ to_tsquery('simple', 'printer') ORDER BY id DESC LIMIT 20",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(plan.join("\n").contains("Bitmap Index Scan on tickets_search_facets"), "{}", plan.join("\n"));
    drop(conn);
    pool.close().await;
}
