//! What each role's home page shows: ticket counts and recent tickets in the caller's scope.

use crate::domain::{AgentStats, HomeSummary, Role};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::Core;
use crate::server::store::TicketScope;

/// An agent's own figures: tickets assigned to them and tickets they resolved.
pub async fn agent_stats(core: &Core, caller: &CurrentUser) -> Result<AgentStats, AppError> {
    caller.require(&[Role::Agent]).map_err(|_| AppError::forbidden("Agent access required"))?;
    Ok(core.store.agent_stats(caller.id).await?)
}

/// The caller's home: their work queue (`TicketScope::queue_of`).
pub async fn home(core: &Core, caller: &CurrentUser) -> Result<HomeSummary, AppError> {
    summary(core, caller, TicketScope::queue_of(caller.role, caller.id)).await
}

/// The tickets the caller raised, whatever their role (staff raise tickets too).
pub async fn own_requests(core: &Core, caller: &CurrentUser) -> Result<HomeSummary, AppError> {
    summary(core, caller, TicketScope::RequestedBy(caller.id)).await
}

async fn summary(core: &Core, caller: &CurrentUser, scope: TicketScope) -> Result<HomeSummary, AppError> {
    // An agent's own figures come with their work queue.
    let agent_stats = caller.role == Role::Agent && matches!(scope, TicketScope::AssignedTo(_));
    Ok(core.store.home_summary(scope, agent_stats, 5, chrono::Utc::now()).await?)
}
