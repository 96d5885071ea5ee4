//! The WAL's checkpoints, off the writer's path.
//!
//! Every write appends the pages it changed to the WAL; a checkpoint copies them into the
//! database file and syncs both (the only syncs with `synchronous = NORMAL`). SQLite runs one
//! by itself in the commit that takes the WAL past `wal_autocheckpoint` pages (1 000 by
//! default), so every twentieth ticket write, whose 25 indexes change about 50 pages, waited
//! for a checkpoint and two syncs while holding the one writer. Here a task checkpoints from a
//! reader connection twice a second, beside the writer (`PASSIVE` takes no lock a write needs);
//! a page changed by many writes in between is copied once. The writer's own checkpoint stays
//! as a backstop, at `WRITER_BACKSTOP_PAGES`, should this task fall behind.

use sqlx::SqlitePool;
use std::time::Duration;

/// How often the WAL is checkpointed.
const EVERY: Duration = Duration::from_millis(500);

/// The WAL size, in pages, at which the writer checkpoints by itself (64 MiB of 4 KiB pages).
pub(super) const WRITER_BACKSTOP_PAGES: u32 = 16_384;

/// Stops the checkpoints when the last handle of the store goes.
#[derive(Debug)]
pub(super) struct Checkpoints(tokio::task::JoinHandle<()>);

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts checkpointing the database of `pool` every `EVERY`, until the pool is closed.
pub(super) fn start(pool: SqlitePool) -> Checkpoints {
    Checkpoints(tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            // (busy, pages in the WAL, pages copied); busy only if another checkpoint runs.
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(%error, "the WAL checkpoint failed; the writer checkpoints by itself past its backstop");
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn what_the_writer_appends_to_the_wal_reaches_the_database_file_without_it() {
        let dir = std::env::temp_dir().join(format!("helpdesk-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("live.db");
        let store = Store::connect(&format!("sqlite://{}", file.display()), 2).await.unwrap();
        let settled = tokio::time::timeout(Duration::from_secs(5), async {
            // The migrations' pages are checkpointed first, so the file's size stops moving.
            let mut last = 0;
            loop {
                tokio::time::sleep(super::EVERY * 2).await;
                let size = std::fs::metadata(&file).unwrap().len();
                if size == last {
                    return size;
                }
                last = size;
            }
        });
        let before = settled.await.expect("the file settles");
        // 2 MiB in 64 statements, 512 pages: far below the writer's own checkpoint.
        sqlx::query("CREATE TABLE filler (data BLOB)").execute(&store.write).await.unwrap();
        for _ in 0..64 {
            sqlx::query("INSERT INTO filler VALUES (randomblob(32768))").execute(&store.write).await.unwrap();
        }
        let written = Instant::now();
        let grown = loop {
            let size = std::fs::metadata(&file).unwrap().len();
            if size >= before + 2 * 1024 * 1024 || written.elapsed() > Duration::from_secs(5) {
                break size;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let took = written.elapsed();
        let (temp_store, backstop): (i64, i64) = (
            sqlx::query_scalar("PRAGMA temp_store").fetch_one(&store.write).await.unwrap(),
            sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&store.write).await.unwrap(),
        );
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(grown >= before + 2 * 1024 * 1024, "the file is {grown} bytes, {before} before 2 MiB were written");
        assert!(took < Duration::from_secs(3), "checkpointed after {took:?}");
        // 2 = MEMORY: a write's statement journal stays off the disk.
        assert_eq!((temp_store, backstop), (2, i64::from(super::WRITER_BACKSTOP_PAGES)));
    }
}
