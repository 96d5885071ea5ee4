//! The service layer: the one place that decides who may do what. Server functions and
//! REST handlers both call these functions.

pub mod account;
pub mod admin;
pub mod assignment;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod superadmin;
pub mod ticket_changes;
pub mod tickets;

use crate::error::AppError;
use crate::server::startup::Core;
use crate::server::store::Changes;

/// Commits a set of ticket changes, then tells the listeners what changed. Every service
/// that changes tickets ends here.
pub(crate) async fn commit(core: &Core, changes: Changes) -> Result<(), AppError> {
    for changed in changes.commit().await? {
        // No listener is not an error: nobody is watching right now.
        let _ = core.ticket_changes.send(changed);
    }
    Ok(())
}
