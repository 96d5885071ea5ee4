//! Who works a ticket: assignment, explicit reassignment and the least-loaded choice. Admins
//! only; every refusal says why (409).

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
    let written = super::holding_writer(async {
        if !changes.update(ticket.id, Some(ticket.version), caller.id, &update, &[event]).await? {
            return Ok::<_, AppError>(false);
        }
        if let Some((action, detail)) = audit {
            changes.audit(audit::entry(caller, action, &format!("ticket #{}", ticket.id), detail)).await?;
        }
        super::commit(core, changes).await.map(|()| true)
    })
    .await?;
    if written {
        return core.store.ticket(ticket.id, chrono::Utc::now()).await?.ok_or_else(not_found);
    }
    // Refused: either the agent filled up meanwhile (say so) or the ticket changed.
    available_agent(core, agent.id).await?;
    Err(AppError::conflict(super::tickets::CONFLICT_MESSAGE))
}

/// A ticket can be assigned while it is neither closed nor assigned already.
fn assignable(ticket: &Ticket) -> Result<(), AppError> {
    if ticket.status == TicketStatus::Closed {
        return Err(AppError::conflict("This ticket is closed; a closed ticket cannot be assigned."));
    }
    if let Some(name) = &ticket.agent_name {
        return Err(AppError::conflict(format!("This ticket is already assigned to {name}. Use reassign to change it.")));
    }
    Ok(())
}

/// Assigns an unassigned ticket to an active agent with room for it (admins only).
pub async fn assign(core: &Core, caller: &CurrentUser, id: i64, agent_id: i64) -> Result<Ticket, AppError> {
    caller.require(&[Role::Admin, Role::Superadmin])?;
    let ticket = load_visible(core, caller, id).await?;
    assignable(&ticket)?;
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

/// The most tickets one bulk assignment takes (one transaction holds the writer meanwhile).
pub const MAX_BULK: usize = 100;

/// What a bulk assignment did: the tickets assigned and, for the others, why not.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    pub assigned: Vec<i64>,
    pub refused: Vec<BulkRefusal>,
}

#[derive(Debug, serde::Serialize)]
pub struct BulkRefusal {
    pub id: i64,
    pub reason: String,
}

/// Assigns up to `MAX_BULK` unassigned tickets to one agent, or each to the least-loaded agent
/// with room (`agent_id` none), in one transaction. Tickets that cannot be assigned are left
/// as they are, each with its reason; the rest land together.
pub async fn bulk_assign(core: &Core, caller: &CurrentUser, ids: &[i64], agent_id: Option<i64>) -> Result<BulkOutcome, AppError> {
    caller.require(&[Role::Admin, Role::Superadmin])?;
    let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    if unique.is_empty() {
        return Err(AppError::invalid("ids", "Select at least one ticket."));
    }
    if unique.len() > MAX_BULK {
        return Err(AppError::invalid("ids", format!("Select at most {MAX_BULK} tickets at a time.")));
    }
    let chosen = match agent_id {
        Some(id) => Some(available_agent(core, id).await?.0),
        None => None,
    };
    let max = core.store.max_tickets_per_agent().await?;
    let mut outcome = BulkOutcome::default();
    let mut candidates = Vec::new();
    for id in unique {
        match core.store.ticket(id, chrono::Utc::now()).await? {
            None => outcome.refused.push(BulkRefusal { id, reason: "Ticket not found.".into() }),
            Some(t) => match assignable(&t) {
                Ok(()) => candidates.push(t),
                Err(e) => outcome.refused.push(BulkRefusal { id, reason: e.message }),
            },
        }
    }
    let names = agent_names(core).await?;
    let mut changes = core.store.changes().await?;
    super::holding_writer(async {
        for ticket in candidates {
            let agent = match chosen.as_ref().map(|a| a.id) {
                Some(id) => Some(id),
                None => changes.least_loaded_agent(max).await?,
            };
            let Some(agent) = agent else {
                outcome.refused.push(BulkRefusal { id: ticket.id, reason: "No active agent has room for another ticket.".into() });
                continue;
            };
            let name = names.iter().find(|(id, _)| *id == agent).map(|(_, n)| n.clone()).unwrap_or_default();
            let update = TicketUpdate { assigned_to: Some(agent), max_open_for_assignee: Some(max), bump_version: true, ..Default::default() };
            let event = NewEvent { kind: EventKind::Assigned, detail: name.clone(), internal: false };
            if changes.update(ticket.id, Some(ticket.version), caller.id, &update, &[event]).await? {
                outcome.assigned.push(ticket.id);
            } else {
                let reason = format!("{name} has no room for another ticket (at most {max} open), or the ticket changed meanwhile.");
                outcome.refused.push(BulkRefusal { id: ticket.id, reason });
            }
        }
        super::commit(core, changes).await
    })
    .await?;
    outcome.refused.sort_by_key(|r| r.id);
    Ok(outcome)
}

/// Every active agent's id and name (read before the write transaction opens).
async fn agent_names(core: &Core) -> Result<Vec<(i64, String)>, AppError> {
    Ok(core.store.agent_totals().await?.into_iter().filter(|a| a.is_active).map(|a| (a.agent_id, a.agent_name)).collect())
}
