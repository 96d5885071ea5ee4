use super::*;
use crate::server::store::postgres::Store;

#[test]
fn the_estimate_is_read_from_the_plans_top_line() {
    let plan = ["Seq Scan on tickets  (cost=0.00..114573.43 rows=333318 width=4)".to_string(), "  Filter: (x)".to_string()];
    assert_eq!(estimated_rows(&plan), Some(333_318));
    assert_eq!(estimated_rows(&["Result  (cost=0.00..0.01 rows=1 width=4)".to_string()]), Some(1));
    assert_eq!(estimated_rows(&[]), None);
    assert_eq!(estimated_rows(&["no estimate here".to_string()]), None);
}

#[test]
fn sorting_the_matches_wins_while_they_are_few_against_the_tickets() {
    assert!(sorting_wins(987, 26, 1_000_000));
    assert!(sorting_wins(5_000, 26, 1_000_000));
    assert!(!sorting_wins(5_200, 26, 1_000_000));
    assert!(!sorting_wins(333_140, 26, 1_000_000));
    assert!(!sorting_wins(500, 26, 9_000), "at a few thousand tickets, walking wins sooner");
    assert!(!sorting_wins(i64::MAX, 26, 1_000_000), "no overflow");
}

/// Tickets whose search text is `word`, `n` of them, with fresh statistics.
async fn tickets_with(store: &Store, word: &str, n: i64) {
    sqlx::query("INSERT INTO users (id, name, email, password_hash, role, created_at) VALUES (1, 'U', 'u@x.io', 'h', 'user', now()) ON CONFLICT DO NOTHING")
        .execute(&store.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
         SELECT 1, $1, 'x', 'technical', 'low', 'open', now(), now() FROM generate_series(1, $2)",
    )
    .bind(word)
    .bind(n)
    .execute(&store.pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE tickets").execute(&store.pool).await.unwrap();
}

#[tokio::test]
async fn words_the_statistics_put_far_over_the_cap_are_not_counted_and_others_are() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let store = Store::connect_in_new_schema(&url, "t_search_count", 2).await.unwrap();
    tickets_with(&store, "printer", 300).await;
    tickets_with(&store, "scanner", 20).await;
    let mut conn = store.pool.acquire().await.unwrap();
    let mut tx = searching(&mut conn).await.unwrap();
    // With "far over" at 200 rows: the estimate (about 300) answers for the common word.
    assert_eq!(count_matches(&mut tx, "'printer'", 200).await.unwrap(), (COUNT_CAP, true));
    // The rare word is counted exactly, and so is the common one below its threshold.
    assert_eq!(count_matches(&mut tx, "'scanner'", 200).await.unwrap(), (20, false));
    assert_eq!(count_matches(&mut tx, "'printer'", 10 * COUNT_CAP).await.unwrap(), (300, false));
    assert_eq!(search_count(&mut tx, "'printer' & 'scanner'").await.unwrap(), (0, false));
}

#[tokio::test]
async fn a_search_page_is_the_same_read_either_way() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let store = Store::connect_in_new_schema(&url, "t_search_window", 2).await.unwrap();
    tickets_with(&store, "printer jam", 40).await;
    tickets_with(&store, "printer", 5).await;
    tickets_with(&store, "jam", 5).await;
    let now = chrono::Utc::now();
    let query = TicketQuery { q: Some("printer jam".into()), page: 1, per_page: 7, ..Default::default() };
    let mut conn = store.pool.acquire().await.unwrap();
    let mut tx = searching(&mut conn).await.unwrap();
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let q = TicketQuery { after, ..query.clone() };
        let sorted = matches_window(&mut tx, &q, 8, now).await.unwrap();
        let walked = super::super::tickets::ticket_window(&mut tx, TicketScope::All, &q, 8, now).await.unwrap();
        let ids = |rows: &[TicketRow]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(&sorted), ids(&walked), "both reads give the same page");
        pages.extend(ids(&sorted).into_iter().take(7));
        if sorted.len() < 8 {
            break;
        }
        after = Some(q.cursor_after(&sorted[6]));
    }
    assert_eq!(pages.len(), 40, "every ticket holding both words, once");
    assert!(pages.windows(2).all(|w| w[0] > w[1]), "newest first: {pages:?}");
}
