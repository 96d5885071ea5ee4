//! Upkeep the database needs while the server runs: the search index merged a few pages at a
//! time (see `store::sqlite::search_index`; nothing on PostgreSQL). Each instance does it; the
//! steps are FTS5's own and safe to interleave, and one that finds nothing to do costs a read.

use crate::server::startup::Core;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// How often the search index is looked at.
const TIDY_EVERY: Duration = Duration::from_secs(600);
/// Pages written a step (4 KiB each): a few milliseconds of the writer.
const TIDY_PAGES: i64 = 64;
/// The pause between steps, in which other writes go ahead.
const TIDY_PAUSE: Duration = Duration::from_millis(50);

pub fn spawn(core: &Arc<Core>) {
    tokio::spawn(tidy_search(Arc::downgrade(core)));
}

async fn tidy_search(weak: Weak<Core>) {
    loop {
        tokio::time::sleep(TIDY_EVERY).await;
        loop {
            let Some(core) = weak.upgrade() else { return };
            match core.store.tidy_search_step(TIDY_PAGES).await {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "upkeep: merging the search index failed");
                    break;
                }
            }
            drop(core);
            tokio::time::sleep(TIDY_PAUSE).await;
        }
    }
}
