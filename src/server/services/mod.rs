//! The service layer: the one place that decides who may do what. Server functions and
//! REST handlers both call these functions.

pub mod account;
pub mod admin;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod inbound;
pub mod presence;
mod inbound_admin;
pub mod dashboard;
pub mod superadmin;
pub mod ticket_changes;
pub mod tickets;

use crate::error::AppError;
use crate::server::startup::Core;
use crate::server::store::Changes;

/// Runs `work`, the part of a change that holds the writer (from `Store::changes` to its
/// commit), on a thread of its own until it is done.
///
/// Every statement of a change is a round trip to the database's connection, whose answer
/// wakes the waiting task; under load that task would queue behind every ready request on the
/// runtime's few workers, and on SQLite everyone else's change waits meanwhile, as one writer
/// serves them all. `block_in_place` hands this worker's queue to another thread, and this
/// thread then polls `work` alone, woken by the connection directly. On a runtime of one thread
/// (tests), where it cannot, `work` is awaited as it is.
pub(crate) async fn holding_writer<T>(work: impl std::future::Future<Output = T>) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::current().runtime_flavor() {
        RuntimeFlavor::MultiThread => tokio::task::block_in_place(|| Handle::current().block_on(work)),
        _ => work.await,
    }
}

/// Commits a set of ticket changes with the notification mails they cause (written to the
/// outbox in the same transaction), then tells the listeners what changed and wakes the
/// outbox worker. Every service that changes tickets ends here.
pub(crate) async fn commit(core: &Core, changes: Changes) -> Result<(), AppError> {
    commit_telling(core, changes, true).await
}

/// `commit`, with the notification mails only when `tell` (a mail taken in from a sender who
/// set off too many this hour tells nobody).
pub(crate) async fn commit_telling(core: &Core, mut changes: Changes, tell: bool) -> Result<(), AppError> {
    let mails = if tell { crate::server::notify::enqueue(core, &mut changes).await? } else { 0 };
    for changed in changes.commit().await? {
        // No listener is not an error: nobody is watching right now.
        let _ = core.ticket_changes.send(changed);
    }
    // The live events this change wrote go out to this instance's streams (other instances
    // hear of them through the database).
    core.live.wake.notify_one();
    if mails > 0 {
        core.mail_wake.notify_one();
    }
    Ok(())
}
