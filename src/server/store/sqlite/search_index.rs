//! Keeping the search index merged. FTS5 writes each transaction's words as a new segment and
//! merges segments of like size as they pile up (automerge), so an index grown one ticket at a
//! time holds a few segments on each of many levels: the million-ticket seed left 16. Reading
//! a word's list walks every segment, and a list that probes tickets for a word one by one pays
//! that at each probe: 61 µs a probe over 16 segments, 11 µs over one (sqlite3, 5 000 probes
//! for a word a third of the tickets hold). The bulk seed optimizes at its end; afterwards the
//! server merges the segments together a few pages at a time (`tidy_search_step`), in short
//! write transactions with pauses between, so writers wait milliseconds, not the seconds a
//! whole `optimize` holds the database (7 s at a million tickets).

use super::Store;
use crate::server::store::StoreError;

/// More segments than this start a merge of all of them into one (the big one and a newer one
/// are left to automerge). At most once each `upkeep::TIDY_EVERY`: at a million tickets a whole
/// merge rewrites about 7 s of index, some 1 % of a core at ten minutes.
const MERGE_ABOVE: i64 = 2;

impl Store {
    /// How many segments the search index holds.
    pub async fn search_segments(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(DISTINCT segid) FROM tickets_fts_idx").fetch_one(&self.read).await?)
    }

    /// One step of merging the search index, writing about `pages` pages: a merge already
    /// under way goes on (a positive 'merge' only continues one, or merges a level that has
    /// piled up); else, past `MERGE_ABOVE` segments, one of all of them starts (a negative
    /// 'merge' first puts every segment on one level). Whether there is more to do.
    #[tracing::instrument(skip_all, name = "store.tidy_search_step")]
    pub async fn tidy_search_step(&self, pages: i64) -> Result<bool, StoreError> {
        let mut conn = self.write.acquire().await?;
        let changes = "SELECT total_changes()";
        let merge = "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('merge', ?)";
        let before: i64 = sqlx::query_scalar(changes).fetch_one(&mut *conn).await?;
        sqlx::query(merge).bind(pages.max(1)).execute(&mut *conn).await?;
        let after: i64 = sqlx::query_scalar(changes).fetch_one(&mut *conn).await?;
        // FTS5 documents a difference of two or more as work done.
        if after - before >= 2 {
            return Ok(true);
        }
        drop(conn);
        if self.search_segments().await? <= MERGE_ABOVE {
            return Ok(false);
        }
        let mut conn = self.write.acquire().await?;
        sqlx::query(merge).bind(-pages.max(1)).execute(&mut *conn).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{TicketQuery, TicketScope};

    #[tokio::test]
    async fn the_search_index_is_merged_step_by_step_and_finds_the_same_tickets() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        store.add_test_user().await;
        // One transaction a ticket, as tickets arrive: a segment each, some merged by FTS5.
        for n in 0..150 {
            let title = if n % 3 == 0 { format!("Printer {n} jammed") } else { format!("Mail {n} bounced") };
            // Words of their own, so the merged index spans many pages.
            let words: Vec<String> = (0..40).map(|k| format!("w{n}x{k}")).collect();
            sqlx::query(
                "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
                 VALUES (1, ?, ?, 'technical', 'low', 'open', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z')",
            )
            .bind(title)
            .bind(words.join(" "))
            .execute(&store.write)
            .await
            .unwrap();
        }
        let found = |store: Store| async move {
            let query = TicketQuery { q: Some("printer".into()), page: 1, per_page: 100, ..Default::default() };
            let listed = store.list_tickets(TicketScope::All, &query, chrono::Utc::now()).await.unwrap();
            listed.rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
        };
        let before = found(store.clone()).await;
        assert_eq!(before.len(), 50);
        let segments = store.search_segments().await.unwrap();
        assert!(segments > MERGE_ABOVE, "{segments} segments");
        let mut steps = 0;
        while store.tidy_search_step(2).await.unwrap() {
            steps += 1;
            assert!(steps < 1000, "the merge does not end");
        }
        assert!(steps > 1, "merged in {steps} steps");
        assert_eq!(store.search_segments().await.unwrap(), 1);
        assert_eq!(found(store.clone()).await, before);
        // Merged, nothing is left to do.
        assert!(!store.tidy_search_step(2).await.unwrap());
    }
}
