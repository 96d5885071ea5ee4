//! What each role's home page shows: ticket counts and recent tickets in the caller's scope.

use crate::domain::{HomeSummary, Role};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::Core;
use crate::server::store::TicketScope;

/// Users see their own tickets, agents those assigned to them, admins everything.
pub fn scope_for(caller: &CurrentUser) -> TicketScope {
    match caller.role {
        Role::User => TicketScope::RequestedBy(caller.id),
        Role::Agent => TicketScope::AssignedTo(caller.id),
        Role::Admin | Role::Superadmin => TicketScope::All,
    }
}

pub async fn home(core: &Core, caller: &CurrentUser) -> Result<HomeSummary, AppError> {
    let scope = scope_for(caller);
    let agent = async {
        match caller.role {
            Role::Agent => core.store.agent_stats(caller.id).await.map(Some),
            _ => Ok(None),
        }
    };
    let (counts, overdue, recent, agent) = tokio::try_join!(
        core.store.ticket_counts(scope),
        core.store.overdue_count(scope),
        core.store.recent_tickets(scope, 5),
        agent
    )?;
    Ok(HomeSummary { counts, overdue, recent, agent })
}
