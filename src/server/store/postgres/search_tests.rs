use super::*;
use crate::domain::TicketCursor;
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
    assert_eq!(few_bound(26, 1_000_000), 5_099);
    assert_eq!(few_bound(26, 9_000), 483, "at a few thousand tickets, walking wins sooner");
    assert_eq!(few_bound(26, 0), 0);
    assert!(few_bound(u32::MAX, i64::MAX) > 0, "no overflow");
}

#[tokio::test]
async fn sorting_the_matches_and_walking_the_newest_read_the_same_page() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let store = Store::connect_in_new_schema(&url, "t_search_window", 2).await.unwrap();
    tickets_with(&store, "printer jam", 40).await;
    tickets_with(&store, "printer", 5).await;
    let now = chrono::Utc::now();
    let mut conn = store.pool.acquire().await.unwrap();
    let mut tx = searching(&mut conn).await.unwrap();
    for (page, after) in [(1, None), (3, None), (1, Some(TicketCursor { rank: 0, at_nanos: 0, id: 30 }))] {
        let q = TicketQuery { q: Some("printer jam".into()), page, per_page: 7, after, ..Default::default() };
        let sorted = matches_window(&mut tx, &q, 8, now).await.unwrap();
        let walked = ticket_window(&mut tx, TicketScope::All, &q, 8, now).await.unwrap();
        let ids = |rows: &[TicketRow]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(sorted.len(), 8, "page {page} after {after:?}");
        assert_eq!(ids(&sorted), ids(&walked), "page {page} after {after:?}");
    }
}

/// A search among filters is not counted exactly where both the words (PostgreSQL's estimate)
/// and the filters (the counters) hold more tickets than can be read within the budget; then
/// it is sampled, or not even that where the matches are expected surely over the cap.
#[tokio::test]
async fn a_count_that_cannot_finish_in_its_budget_is_not_started() {
    use super::super::counters::{count_way, CountLimits, CountWay, MatchFacets};
    use crate::domain::{Priority, TicketStatus};
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let store = Store::connect_in_new_schema(&url, "t_countable", 2).await.unwrap();
    tickets_with(&store, "printer jam", 40).await;
    tickets_with(&store, "mail", 20).await;
    let now = chrono::Utc::now();
    let mut conn = store.pool.acquire().await.unwrap();
    let words = fts_query("printer").unwrap();
    let open = TicketQuery { status: Some(TicketStatus::Open), q: Some("printer".into()), ..Default::default() };
    let kinds = TicketQuery { priority: Some(Priority::Low), category: Some("technical".into()), ..open.clone() };
    let closed = TicketQuery { status: Some(TicketStatus::Closed), ..open.clone() };
    // Unassigned and low: not counted together by the counters, each alone by them.
    let unassigned_low = TicketQuery { unassigned: true, priority: Some(Priority::Low), q: open.q.clone(), ..Default::default() };
    let agent_low = TicketQuery { unassigned: false, assigned_to: Some(1), ..unassigned_low.clone() };
    // 60 open tickets, 40 of them with "printer".
    for (query, most, countable, why) in [
        (&open, 30, false, "both over 30"),
        (&open, 50, true, "the words are within 50"),
        (&open, 70, true, "the filters are within 70"),
        (&kinds, 30, false, "a mix the kind counters count"),
        (&closed, 30, true, "no closed ticket"),
        (&unassigned_low, 30, false, "each filter alone over 30"),
        (&agent_low, 30, true, "no ticket assigned to user 1"),
    ] {
        let limits = CountLimits { countable: most, surely_over: i64::MAX };
        let way = count_way(&mut conn, TicketScope::All, query, &words, now, &MatchFacets::none(), limits).await.unwrap();
        assert_eq!(way == CountWay::Count, countable, "{why}: {way:?}");
    }
    // The 40 open "printer" tickets expected (all 60 tickets open): said to be over a cap of
    // 30 unread, and sampled where the cap is further.
    for (surely_over, way) in [(30, CountWay::SurelyOverCap), (1_000, CountWay::Sample)] {
        let limits = CountLimits { countable: 30, surely_over };
        assert_eq!(count_way(&mut conn, TicketScope::All, &open, &words, now, &MatchFacets::none(), limits).await.unwrap(), way);
    }
    // The same for two filters the counters count each alone: 40 × 60/60 × 60/60.
    let limits = CountLimits { countable: 30, surely_over: 30 };
    assert_eq!(count_way(&mut conn, TicketScope::All, &unassigned_low, &words, now, &MatchFacets::none(), limits).await.unwrap(), CountWay::SurelyOverCap);
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

/// Every page of a search as `search_listed` reads it with `limits`, following the cursors:
/// the ids in order and the count each page gave.
async fn all_pages(store: &Store, text: &str, limits: SearchLimits) -> (Vec<i64>, Vec<(i64, bool)>) {
    let query = TicketQuery { q: Some(text.into()), page: 1, per_page: 7, ..Default::default() };
    let tsquery = fts_query(text).unwrap();
    let mut conn = store.pool.acquire().await.unwrap();
    let (mut ids, mut totals, mut after) = (Vec::new(), Vec::new(), None);
    loop {
        let q = TicketQuery { after, ..query.clone() };
        let listed = search_listed(&mut conn, &q, &tsquery, chrono::Utc::now(), limits).await.unwrap();
        ids.extend(listed.rows.iter().map(|r| r.id));
        totals.push((listed.total, listed.capped));
        match listed.next {
            Some(next) => after = Some(next),
            None => return (ids, totals),
        }
    }
}

#[tokio::test]
async fn each_way_of_reading_a_search_gives_the_same_pages_and_count() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let store = Store::connect_in_new_schema(&url, "t_search_ways", 2).await.unwrap();
    tickets_with(&store, "printer jam", 30).await;
    tickets_with(&store, "printer", 5).await;
    tickets_with(&store, "jam", 5).await;
    tickets_with(&store, "printer jam", 10).await;
    let expected: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets WHERE title = 'printer jam' ORDER BY id DESC")
        .fetch_all(&store.pool)
        .await
        .unwrap();
    assert_eq!(expected.len(), 40);
    let ways = [
        ("every match's id, then the page by id", SearchLimits { surely_over_cap: i64::MAX, few: Some(1_000) }),
        ("counted, then the newest walked", SearchLimits { surely_over_cap: i64::MAX, few: Some(0) }),
    ];
    // (Sorting the matches is the third way: see sorting_the_matches_and_walking_the_newest_read_the_same_page.)
    for (way, limits) in ways {
        let (ids, totals) = all_pages(&store, "printer jam", limits).await;
        assert_eq!(ids, expected, "{way}: every ticket holding both words, newest first, once");
        assert!(totals.iter().all(|t| *t == (40, false)), "{way}: the exact count on every page: {totals:?}");
    }
    // Words the statistics put far over the cap: the pages all the same, the count not taken.
    let (ids, totals) = all_pages(&store, "printer jam", SearchLimits { surely_over_cap: 1, few: None }).await;
    assert_eq!(ids, expected, "walking the newest tickets");
    assert!(totals.iter().all(|t| *t == (COUNT_CAP, true)), "shown as more than the cap: {totals:?}");
    // And with the limits in use, on this small table: the estimate says few, counted exactly.
    let (ids, totals) = all_pages(&store, "printer jam", SearchLimits::default()).await;
    assert_eq!((ids, totals[0]), (expected, (40, false)));
    let (ids, totals) = all_pages(&store, "scanner", SearchLimits::default()).await;
    assert_eq!((ids.len(), totals), (0, vec![(0, false)]), "no match, no page");
}

#[tokio::test]
async fn the_estimate_comes_from_the_statistics_of_the_words() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let store = Store::connect_in_new_schema(&url, "t_search_estimate", 2).await.unwrap();
    tickets_with(&store, "printer", 300).await;
    tickets_with(&store, "scanner", 20).await;
    // On a connection that plans statements once for any values: EXPLAIN plans with them.
    let mut conn = store.pool.acquire().await.unwrap();
    let printer = estimated_matches(&mut conn, "'printer'").await.unwrap().unwrap();
    let scanner = estimated_matches(&mut conn, "'scanner'").await.unwrap().unwrap();
    assert!((250..=350).contains(&printer), "about 300: {printer}");
    assert!(scanner < 60, "about 20: {scanner}");
}

#[tokio::test]
async fn the_few_matches_are_read_through_the_index_by_a_plan_made_once() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let store = Store::connect_in_new_schema(&url, "t_search_few_plan", 2).await.unwrap();
    tickets_with(&store, "printer", 5).await;
    let mut conn = store.pool.acquire().await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    // Sequential scans priced out, as a few rows would make them cheapest; the plan the
    // connection uses is the generic one (prepared without values, explained with NULLs).
    sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await.unwrap();
    let prepare = format!("PREPARE few(text, bigint, bigint, bigint, bigint) AS {}", few_matches_sql());
    sqlx::raw_sql(&prepare).execute(&mut *tx).await.unwrap();
    let plan: Vec<String> = sqlx::query_scalar("EXPLAIN EXECUTE few(NULL, NULL, NULL, NULL, NULL)").fetch_all(&mut *tx).await.unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("Bitmap Index Scan on tickets_search_facets"), "{plan}");
    assert!(plan.contains("Index Scan using tickets_pkey on tickets t"), "the page's rows by id: {plan}");
    tx.rollback().await.unwrap();
}

/// A search among filters is counted, and its few matches gathered, in one scan of the search
/// index, which holds the filters as words beside the searched ones (migrations 0010, 0012); both
/// give what the columns' conditions give.
#[tokio::test]
async fn a_search_among_filters_reads_its_words_and_filters_from_one_index() {
    use super::super::counters::{count_way, match_facets, match_facets_from, matches_within, CountLimits, CountWay, MatchFacets};
    use super::super::tickets::{gathered_window, push_match_filters, push_source};
    use crate::domain::{Priority, TicketStatus};
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let store = Store::connect_in_new_schema(&url, "t_search_facets", 2).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO users (id, name, email, password_hash, role, created_at)
         VALUES (1, 'U', 'u@x.io', 'h', 'user', now()), (2, 'A', 'a@x.io', 'h', 'agent', now()), (3, 'B', 'b@x.io', 'h', 'agent', now());
         INSERT INTO tickets (user_id, title, description, category, priority, status, assigned_to, created_at, updated_at, due_at)
         SELECT 1, CASE WHEN g % 11 < 2 THEN 'printer jam' ELSE 'mail' END, 'x', (ARRAY['account', 'billing', 'technical'])[g / 3 % 3 + 1],
                (ARRAY['low', 'medium', 'high', 'critical'])[g % 4 + 1], (ARRAY['open', 'in-progress', 'on-hold', 'closed'])[g % 7 % 4 + 1],
                CASE g % 5 WHEN 0 THEN NULL WHEN 1 THEN 3 ELSE 2 END, now() - g * interval '1 minute', now(),
                extract(epoch FROM now())::bigint + (g % 13 - 6) * 3600
         FROM generate_series(1, 3000) g;
         ANALYZE tickets;",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    let printer = TicketQuery { q: Some("printer".into()), page: 1, per_page: 25, ..Default::default() };
    let all = TicketScope::All;
    let mixes = [
        (all, TicketQuery { status: Some(TicketStatus::OnHold), category: Some("account".into()), ..printer.clone() }),
        (all, TicketQuery { priority: Some(Priority::Critical), assigned_to: Some(2), ..printer.clone() }),
        (all, TicketQuery { unassigned: true, category: Some("billing".into()), ..printer.clone() }),
        // Overdue: the open tickets' facet (migration 0012), the deadline checked on those.
        (all, TicketQuery { overdue: true, ..printer.clone() }),
        // An agent's own tickets: the agent's facet, alone or beside a filter's.
        (TicketScope::AssignedTo(2), printer.clone()),
        (TicketScope::AssignedTo(2), TicketQuery { status: Some(TicketStatus::OnHold), ..printer.clone() }),
    ];
    let now = chrono::Utc::now();
    let mut conn = store.pool.acquire().await.unwrap();
    for (scope, query) in mixes {
        // Every filter offered as a facet, however few the tickets (`match_facets_from`).
        let facets = match_facets_from(&mut conn, scope, &query, now, 0.0).await.unwrap().words;
        let mut tx = searching(&mut conn).await.unwrap();
        // Each row read priced as if each filter held tens of thousands, as at a million
        // tickets: the way that reads the fewest rows wins, as it does there.
        sqlx::raw_sql("SET LOCAL enable_seqscan = off; SET LOCAL cpu_tuple_cost = 100").execute(&mut *tx).await.unwrap();
        let mut explain = QueryBuilder::<Postgres>::new("EXPLAIN SELECT COUNT(*) FROM (SELECT 1");
        push_source(&mut explain, &query);
        push_match_filters(&mut explain, scope, &query, now, &facets);
        explain.push(") AS matches");
        let plan: Vec<String> = explain.build_query_scalar().persistent(false).fetch_all(&mut *tx).await.unwrap();
        let plan = plan.join("\n");
        assert!(plan.contains("Bitmap Index Scan on tickets_search_facets"), "{scope:?} {query:?}:\n{plan}");
        assert!(plan.lines().any(|l| l.contains("Index Cond") && l.contains("search @@") && l.contains("@>")), "{scope:?} {query:?}:\n{plan}");
        tx.rollback().await.unwrap();

        let mut columns = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM tickets t");
        push_filters(&mut columns, scope, &query, now);
        let expected: i64 = columns.build_query_scalar().persistent(false).fetch_one(&mut *conn).await.unwrap();
        assert!(expected > 10, "{query:?}: the mix holds tickets ({expected})");
        let counted = matches_within(&mut conn, scope, &query, now, 10_000, &facets).await.unwrap();
        assert_eq!(counted, Some(expected), "{query:?}");
        let ids = |rows: Vec<TicketRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
        let gathered = ids(gathered_window(&mut conn, scope, &query, 26, now).await.unwrap());
        let walked = ids(ticket_window(&mut conn, scope, &query, 26, now).await.unwrap());
        assert_eq!(gathered, walked, "{query:?}");

        // The list: counted and its page picked in one statement (`counted_page_within`),
        // then the next page from its cursor, and a page past the end (the count read alone).
        let listed = store.list_tickets(scope, &query, now).await.unwrap();
        assert_eq!((listed.total, listed.capped), (expected, false), "{query:?}");
        assert_eq!(ids(listed.rows), walked[..walked.len().min(25)].to_vec(), "{query:?}");
        let next = TicketQuery { after: listed.next, ..query.clone() };
        let second = store.list_tickets(scope, &next, now).await.unwrap();
        let walked = ids(ticket_window(&mut conn, scope, &next, 25, now).await.unwrap());
        assert_eq!((ids(second.rows), second.total), (walked, expected), "{next:?}");
        let past = store.list_tickets(scope, &TicketQuery { page: 99, ..query.clone() }, now).await.unwrap();
        assert_eq!((past.rows.len(), past.total, past.capped), (0, expected, false), "{query:?}");
    }
    // Counted where the words' share of the filters' tickets is few (`count_way`): the
    // words (545 tickets) and the on-hold account tickets (286) each over 250, 52 expected.
    let few = TicketQuery { status: Some(TicketStatus::OnHold), category: Some("account".into()), ..printer.clone() };
    let words = fts_query("printer").unwrap();
    let facets = match_facets_from(&mut conn, TicketScope::All, &few, now, 0.0).await.unwrap();
    for (countable, way) in [(250, CountWay::Count), (150, CountWay::Sample)] {
        let limits = CountLimits { countable, ..CountLimits::default() };
        assert_eq!(count_way(&mut conn, TicketScope::All, &few, &words, now, &facets, limits).await.unwrap(), way);
    }
    // Filters that leave few tickets (286, at most 1 000) are found through their own indexes.
    assert!(match_facets(&mut conn, TicketScope::All, &few, now).await.unwrap().words.is_empty());
    assert!(!match_facets_from(&mut conn, TicketScope::All, &few, now, 200.0).await.unwrap().words.is_empty());
    // A status most tickets hold is left to its column.
    let closed = TicketQuery { status: Some(TicketStatus::Closed), ..printer.clone() };
    let facets_of = |f: MatchFacets| f.words;
    assert_eq!(facets_of(match_facets_from(&mut conn, TicketScope::All, &closed, now, 0.0).await.unwrap()), vec!["sclosed".to_string()], "a seventh closed");
    sqlx::query("UPDATE tickets SET status = 'closed' WHERE id % 10 <> 0").execute(&mut *conn).await.unwrap();
    assert!(facets_of(match_facets_from(&mut conn, TicketScope::All, &closed, now, 0.0).await.unwrap()).is_empty(), "nine in ten closed");
    let no_words = TicketQuery { q: None, ..closed };
    assert!(facets_of(match_facets_from(&mut conn, TicketScope::All, &no_words, now, 0.0).await.unwrap()).is_empty(), "no words, no facets");
}
