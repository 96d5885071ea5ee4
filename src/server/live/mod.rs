//! Live updates: every committed ticket change becomes a row of `live_events` (in the change's
//! transaction), and each instance's pump reads the rows after the last one it has seen and
//! hands them to its open streams (`stream`). The pump is woken in process after a commit and,
//! on PostgreSQL, by `LISTEN live_events` (every instance's commits); it also looks every
//! `POLL` in case a notification was lost (NOTIFY is not kept for a listener whose connection
//! dropped). Events older than `events.keep_minutes` are pruned.

mod connection;
pub mod direct;
mod registry;
pub mod stream;

use crate::domain::LiveRecord;
use crate::server::startup::Core;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// How often the pump looks for new events when nothing woke it.
const POLL: Duration = Duration::from_secs(2);
/// Events read at once.
const BATCH: i64 = 500;
/// How often old events are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// An event as the pump hands it to the streams: its JSON is written once, not once a stream.
pub struct Published {
    pub record: LiveRecord,
    pub data: String,
}

impl Published {
    pub fn of(record: LiveRecord) -> Published {
        let data = serde_json::to_string(&record.event()).unwrap_or_default();
        Published { record, data }
    }
}

/// What the pump shares with the streams of its instance.
pub struct Live {
    /// The open streams, by who may hear what; a stream that falls behind is told to reload.
    pub registry: Arc<registry::Registry>,
    /// Wakes the pump (a commit in this process).
    pub wake: Arc<Notify>,
    /// The newest event id handed to the streams.
    pub cursor: AtomicI64,
    /// Becomes `true` when the server shuts down: streams end.
    pub closing: watch::Sender<bool>,
}

/// Tells the streams of `user`, on every instance, to look at their session at once: they
/// were signed out, their password changed or was reset, they were deactivated, given another
/// role or deleted. It is a row of `live_events` that nobody receives as an event (kind
/// `account`), so it travels as the ticket changes do. Written after the change it follows:
/// should the row fail, the streams still look within `stream::RECHECK`.
pub async fn account_changed(core: &Core, user: i64) {
    if let Err(e) = core.store.live_account(user, chrono::Utc::now().timestamp()).await {
        tracing::warn!(error = %e, user, "live: telling streams of an account change failed");
    }
    core.live.wake.notify_one();
}

impl Default for Live {
    fn default() -> Self {
        Live {
            registry: Arc::default(),
            wake: Arc::default(),
            cursor: AtomicI64::new(0),
            closing: watch::channel(false).0,
        }
    }
}

/// Starts the pump, the pruner and (on PostgreSQL) the listener; they run while the core lives.
pub fn spawn(core: &Arc<Core>) {
    let weak = Arc::downgrade(core);
    tokio::spawn(pump(weak.clone()));
    tokio::spawn(listen(weak.clone()));
    tokio::spawn(prune(weak.clone()));
    tokio::spawn(expire_presence(weak));
}

async fn pump(weak: Weak<Core>) {
    let wake = match weak.upgrade() {
        Some(core) => core.live.wake.clone(),
        None => return,
    };
    // Streams get what comes after the pump started; a reconnecting stream reads the table.
    let mut cursor = loop {
        let Some(core) = weak.upgrade() else { return };
        match core.store.live_bounds().await {
            Ok((_, newest)) => {
                core.live.registry.start_at(newest, &core.live.cursor);
                break newest;
            }
            Err(e) => tracing::warn!(error = %e, "live: reading the newest event failed"),
        }
        drop(core);
        tokio::time::sleep(POLL).await;
    };
    loop {
        let woken = wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let Some(core) = weak.upgrade() else { return };
        let more = match core.store.live_since(cursor, BATCH).await {
            Ok(rows) => {
                let full = rows.len() as i64 == BATCH;
                if let Some(last) = rows.last() {
                    cursor = last.id;
                }
                // Handed out before the cursor moves past them (see `registry`).
                core.live.registry.dispatch(rows.into_iter().map(Published::of).collect(), &core.live.cursor);
                full
            }
            Err(e) => {
                tracing::warn!(error = %e, "live: reading new events failed");
                false
            }
        };
        drop(core);
        if !more {
            let _ = tokio::time::timeout(POLL, woken).await;
        }
    }
}

/// Whether a stream is open in this instance (`None`: the core is gone).
fn streams_open(weak: &Weak<Core>) -> Option<bool> {
    weak.upgrade().map(|core| core.live.registry.open() > 0)
}

/// On PostgreSQL: wakes the pump on each notification of new events, from any instance. The
/// listening connection is held only while a stream is open here.
async fn listen(weak: Weak<Core>) {
    loop {
        loop {
            match streams_open(&weak) {
                None => return,
                Some(true) => break,
                Some(false) => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        }
        let Some(core) = weak.upgrade() else { return };
        let (listener, wake) = (core.store.live_listener().await, core.live.wake.clone());
        drop(core);
        match listener {
            Ok(None) => return,
            Ok(Some(mut listener)) => loop {
                match tokio::time::timeout(Duration::from_secs(5), listener.recv()).await {
                    Ok(Ok(_)) => wake.notify_one(),
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "live: the listening connection failed");
                        break;
                    }
                    // Looks whether the core is still there (a test's app that is dropped), and
                    // lets the connection go when no stream is open any more.
                    Err(_) => match streams_open(&weak) {
                        None => return,
                        Some(false) => break,
                        Some(true) => {}
                    },
                }
            },
            Err(e) => tracing::warn!(error = %e, "live: cannot listen for new events"),
        }
        // What was notified meanwhile is in the table: the pump catches up.
        wake.notify_one();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn prune(weak: Weak<Core>) {
    loop {
        tokio::time::sleep(PRUNE_EVERY).await;
        let Some(core) = weak.upgrade() else { return };
        let before = chrono::Utc::now().timestamp() - core.config.events_keep_secs;
        if let Err(e) = core.store.prune_live(before).await {
            tracing::warn!(error = %e, "live: pruning old events failed");
        }
    }
}

/// How often lapsed presence is looked for: a page that closed without a word vanishes from
/// the others within `PRESENCE_SECS` and this.
const EXPIRE_EVERY: Duration = Duration::from_secs(5);

async fn expire_presence(weak: Weak<Core>) {
    loop {
        tokio::time::sleep(EXPIRE_EVERY).await;
        let Some(core) = weak.upgrade() else { return };
        if let Err(e) = crate::server::services::presence::expire(&core).await {
            tracing::warn!(error = %e.message, "live: removing lapsed presence failed");
        }
    }
}
