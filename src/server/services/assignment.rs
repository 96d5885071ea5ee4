//! Who works a ticket: assignment, explicit reassignment, the least-loaded choice, and
//! deletion. Admins only; every refusal says why (409).

use super::tickets::{load_visible, not_found};
use crate::domain::{EventKind, Profile, Role, Ticket, TicketStatus};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::services::audit;
use crate::server::startup::Core;
use crate::server::store::{NewEvent, TicketUpdate};

/// An active agent with room for one more open ticket (and the cap), or 409 saying why not.
async fn available_agent(core: &Core, agent_id: i64) -> Result<(Profile, i64), AppError> {
    let agent = match core.store.user_by_id(agent_id).await? {
        Some(a) if a.profile.role == Role::Agent && a.profile.is_active => a.profile,
        _ => return Err(AppError::conflict("Tickets can be assigned only to an active agent.")),
    };
    let (load, max) = tokio::try_join!(core.store.open_load(agent.id), core.store.max_tickets_per_agent())?;
    if load >= max {
        return Err(AppError::conflict(format!(
            "{} already has {load} open tickets, the most one agent may hold ({max}).",
            agent.name
        )));
    }
    Ok((agent, max))
}

/// Writes the assignment (with its audit entry, if any, in the same transaction); the cap is
/// checked again inside the write itself.
async fn write_assignment(
    core: &Core,
    caller: &CurrentUser,
    ticket: &Ticket,
    agent: &Profile,
    cap: i64,
    event: NewEvent,
    audit: Option<(&str, &str)>,
) -> Result<Ticket, AppError> {
    let update = TicketUpdate {
        assigned_to: Some(agent.id),
        max_open_for_assignee: Some(cap),
        bump_version: true,
        ..Default::default()
    };
    let mut changes = core.store.changes().await?;
    if changes.update(ticket.id, Some(ticket.version), caller.id, &update, &[event]).await? {
        if let Some((action, detail)) = audit {
            changes.audit(audit::entry(caller, action, &format!("ticket #{}", ticket.id), detail)).await?;
        }
        super::commit(core, changes).await?;
        return core.store.ticket(ticket.id).await?.ok_or_else(not_found);
    }
    drop(changes);
    // Refused: either the agent filled up meanwhile (say so) or the ticket changed.
    available_agent(core, agent.id).await?;
    Err(AppError::conflict(super::tickets::CONFLICT_MESSAGE))
}

/// Assigns an unassigned ticket to an active agent with room for it (admins only).
pub async fn assign(core: &Core, caller: &CurrentUser, id: i64, agent_id: i64) -> Result<Ticket, AppError> {
    caller.require(&[Role::Admin, Role::Superadmin])?;
    let ticket = load_visible(core, caller, id).await?;
    if ticket.status == TicketStatus::Closed {
        return Err(AppError::conflict("This ticket is closed; a closed ticket cannot be assigned."));
    }
    if let Some(name) = &ticket.agent_name {
        return Err(AppError::conflict(format!("This ticket is already assigned to {name}. Use reassign to change it.")));
    }
    let (agent, cap) = available_agent(core, agent_id).await?;
    let event = NewEvent { kind: EventKind::Assigned, detail: agent.name.clone(), internal: false };
    write_assignment(core, caller, &ticket, &agent, cap, event, None).await
}

/// Assigns an unassigned ticket to the active agent with the fewest open tickets.
pub async fn assign_least_loaded(core: &Core, caller: &CurrentUser, id: i64) -> Result<Ticket, AppError> {
    caller.require(&[Role::Admin, Role::Superadmin])?;
    let max = core.store.max_tickets_per_agent().await?;
    match core.store.least_loaded_agent(max).await? {
        Some(agent_id) => assign(core, caller, id, agent_id).await,
        None => Err(AppError::conflict("No active agent has room for another ticket.")),
    }
}

/// Moves an assigned ticket to another agent: a separate, explicit admin action.
pub async fn reassign(core: &Core, caller: &CurrentUser, id: i64, agent_id: i64) -> Result<Ticket, AppError> {
    caller.require(&[Role::Admin, Role::Superadmin])?;
    let ticket = load_visible(core, caller, id).await?;
    if ticket.status == TicketStatus::Closed {
        return Err(AppError::conflict("This ticket is closed; a closed ticket cannot be reassigned."));
    }
    let Some(from) = ticket.agent_name.clone() else {
        return Err(AppError::conflict("This ticket is not assigned yet; assign it instead."));
    };
    if ticket.assigned_to == Some(agent_id) {
        return Err(AppError::conflict(format!("This ticket is already assigned to {from}.")));
    }
    let (agent, cap) = available_agent(core, agent_id).await?;
    let detail = format!("{from} → {}", agent.name);
    let event = NewEvent { kind: EventKind::Reassigned, detail: detail.clone(), internal: false };
    write_assignment(core, caller, &ticket, &agent, cap, event, Some((audit::action::TICKET_REASSIGNED, &detail))).await
}

/// Deletes a ticket for good (admins only, after confirming); the audit log keeps a record.
pub async fn delete(core: &Core, caller: &CurrentUser, id: i64, confirmed: bool) -> Result<(), AppError> {
    caller.require(&[Role::Admin, Role::Superadmin])?;
    let ticket = load_visible(core, caller, id).await?;
    if !confirmed {
        return Err(AppError::invalid("confirm", "Tick the box to confirm that this ticket should be deleted."));
    }
    let detail = format!("\"{}\" requested by {}", ticket.title, ticket.user_name);
    let mut changes = core.store.changes().await?;
    if !changes.delete(id).await? {
        return Err(not_found());
    }
    changes.audit(audit::entry(caller, audit::action::TICKET_DELETED, &format!("ticket #{id}"), &detail)).await?;
    super::commit(core, changes).await
}
