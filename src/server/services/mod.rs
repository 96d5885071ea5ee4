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
