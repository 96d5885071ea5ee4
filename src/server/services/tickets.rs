//! Tickets: who may see and change what, and which changes are legal. The lifecycle itself
//! is `domain::transition`; this module applies it and records every change.

use crate::domain::{
    may_see, next_statuses, parse_category, parse_priority, parse_status, transition, EventKind, NoteText, RawTicketQuery,
    Role, Ticket, TicketDescription, TicketNote, TicketPage, TicketPermissions, TicketQuery, TicketStatus,
    TicketScope, TicketTitle, TicketView,
};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::Core;
use crate::server::store::{NewEvent, NewTicket, TicketUpdate};

pub const CONFLICT_MESSAGE: &str =
    "This ticket was changed meanwhile — reload to see the latest version, then try again.";

pub(super) fn not_found() -> AppError {
    AppError::not_found("Ticket not found")
}


/// Staff who work this ticket: its assigned agent, or any admin.
fn works_on(caller: &CurrentUser, ticket: &Ticket) -> bool {
    match caller.role {
        Role::User => false,
        Role::Agent => ticket.assigned_to == Some(caller.id),
        Role::Admin | Role::Superadmin => true,
    }
}

/// The ticket if it exists and the caller may see it; otherwise 404 (existence is not leaked).
pub async fn load_visible(core: &Core, caller: &CurrentUser, id: i64) -> Result<Ticket, AppError> {
    match core.store.ticket(id, chrono::Utc::now()).await? {
        Some(ticket) if may_see(caller.role, caller.id, ticket.user_id, ticket.assigned_to) => Ok(ticket),
        _ => Err(not_found()),
    }
}

pub fn permissions(caller: &CurrentUser, ticket: &Ticket) -> TicketPermissions {
    let open_for_work = ticket.status != TicketStatus::Closed;
    let staff = works_on(caller, ticket);
    TicketPermissions {
        edit_text: ticket.user_id == caller.id && ticket.status == TicketStatus::Open,
        edit_fields: staff && open_for_work,
        reply: open_for_work && (staff || ticket.user_id == caller.id),
        internal_note: staff && open_for_work,
        next_statuses: if staff {
            next_statuses(ticket.status, caller.role).into_iter().filter(|s| *s != TicketStatus::Closed).collect()
        } else {
            Vec::new()
        },
        close: staff && transition(ticket.status, TicketStatus::Closed, caller.role).is_ok(),
        assign: caller.role.is_admin() && open_for_work,
        delete: caller.role.is_admin(),
    }
}

pub struct NewTicketInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    /// Defaults to medium.
    pub priority: Option<&'a str>,
    /// Staff may raise a ticket on behalf of a user.
    pub requester: Option<i64>,
}

pub async fn create(core: &Core, caller: &CurrentUser, input: NewTicketInput<'_>) -> Result<Ticket, AppError> {
    let title = TicketTitle::parse(input.title)?;
    let description = TicketDescription::parse(input.description)?;
    let settings = core.store.system_settings().await?;
    let category = parse_category(input.category, &settings.categories)?;
    let priority = match input.priority.map(str::trim).filter(|p| !p.is_empty()) {
        Some(raw) => parse_priority(raw)?,
        None => crate::domain::Priority::Medium,
    };
    let requester = match input.requester {
        None => caller.id,
        Some(id) if id == caller.id => id,
        Some(_) if !caller.role.is_staff() => {
            return Err(AppError::forbidden("Only staff can raise a ticket on behalf of someone else."))
        }
        Some(id) => match core.store.user_by_id(id).await? {
            Some(user) if user.profile.is_active => id,
            _ => return Err(AppError::invalid("userId", "No active user has this id.")),
        },
    };
    let mut changes = core.store.changes().await?;
    let id = changes
        .create(NewTicket {
            requester,
            actor: caller.id,
            title: title.as_str(),
            description: description.as_str(),
            category: &category,
            priority,
            due_at: settings.sla.due(priority, chrono::Utc::now()).timestamp(),
        })
        .await?;
    super::commit(core, changes).await?;
    tracing::info!(ticket_id = id, user_id = caller.id, "ticket created");
    core.store.ticket(id, chrono::Utc::now()).await?.ok_or_else(AppError::internal)
}

pub async fn view(core: &Core, caller: &CurrentUser, id: i64) -> Result<TicketView, AppError> {
    let ticket = load_visible(core, caller, id).await?;
    let staff_view = caller.role.is_staff() && works_on(caller, &ticket);
    let (history, categories) = tokio::try_join!(core.store.ticket_events(id, staff_view), core.store.categories())?;
    Ok(TicketView {
        notes: notes_of(&history),
        can: permissions(caller, &ticket),
        ticket,
        history,
        categories,
    })
}

/// The conversation: replies and internal notes out of the history.
pub fn notes_of(history: &[crate::domain::TicketEvent]) -> Vec<TicketNote> {
    history
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Reply | EventKind::Note))
        .map(|e| TicketNote {
            id: e.id,
            author_id: e.actor_id,
            author: e.actor.clone(),
            text: e.detail.clone(),
            internal: e.internal,
            timestamp: e.at,
        })
        .collect()
}

/// The categories a ticket may be filed under (any signed-in caller may read them).
pub async fn categories(core: &Core, _caller: &CurrentUser) -> Result<Vec<String>, AppError> {
    Ok(core.store.categories().await?)
}

/// The caller's work queue: a user's requests, an agent's assigned tickets, all for admins.
pub async fn list(core: &Core, caller: &CurrentUser, raw: &RawTicketQuery) -> Result<TicketPage, AppError> {
    list_scope(core, TicketScope::queue_of(caller.role, caller.id), raw).await
}

/// The tickets the caller raised, whatever their role.
pub async fn list_own_requests(core: &Core, caller: &CurrentUser, raw: &RawTicketQuery) -> Result<TicketPage, AppError> {
    list_scope(core, TicketScope::RequestedBy(caller.id), raw).await
}

async fn list_scope(core: &Core, scope: TicketScope, raw: &RawTicketQuery) -> Result<TicketPage, AppError> {
    let query = TicketQuery::parse(raw)?;
    let listed = core.store.list_tickets(scope, &query, chrono::Utc::now()).await?;
    Ok(TicketPage {
        tickets: listed.rows,
        total: listed.total,
        total_capped: listed.capped,
        page: query.page,
        per_page: query.per_page,
        next: listed.next,
    })
}

/// A requested edit: the fields given change; `version` is what the editor last saw.
#[derive(Debug, Default)]
pub struct TicketEdit<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub status: Option<&'a str>,
    pub priority: Option<&'a str>,
    pub category: Option<&'a str>,
    pub resolution_notes: Option<&'a str>,
    pub version: Option<i64>,
}

fn given(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.trim().is_empty())
}

/// Every edit says which version of the ticket it changes: without it, an edit made from a
/// stale copy would silently overwrite someone else's (409, naming the field).
fn check_version(ticket: &Ticket, version: Option<i64>) -> Result<i64, AppError> {
    match version {
        None => Err(AppError::conflict_on(
            "version",
            "Send the ticket's current version (from GET /api/tickets/{id}) so that no one else's change is overwritten.",
        )),
        Some(v) if v != ticket.version => Err(AppError::conflict(CONFLICT_MESSAGE)),
        Some(v) => Ok(v),
    }
}

fn lifecycle_error(from: TicketStatus, to: TicketStatus, e: crate::domain::TransitionError) -> AppError {
    use crate::domain::TransitionError::*;
    match e {
        NotAllowed => AppError::forbidden(e.message(from, to)),
        Final | Illegal => AppError::conflict(e.message(from, to)),
        Unchanged => AppError::invalid("status", e.message(from, to)),
    }
}

/// Applies an edit: text by the requester while the ticket is open; status, priority and
/// category by the staff working it. All changes land together, or none.
pub async fn edit(core: &Core, caller: &CurrentUser, id: i64, edit: TicketEdit<'_>) -> Result<Ticket, AppError> {
    let ticket = load_visible(core, caller, id).await?;
    let version = check_version(&ticket, edit.version)?;
    if ticket.status == TicketStatus::Closed {
        return Err(AppError::conflict("This ticket is closed; a closed ticket cannot be changed."));
    }
    let mut update = TicketUpdate { bump_version: true, ..Default::default() };
    let mut events = Vec::new();
    let mut event = |kind, detail: String| events.push(NewEvent { kind, detail, internal: false });

    let title = given(edit.title).map(TicketTitle::parse).transpose()?.filter(|t| t.as_str() != ticket.title);
    let description =
        given(edit.description).map(TicketDescription::parse).transpose()?.filter(|d| d.as_str() != ticket.description);
    if title.is_some() || description.is_some() {
        if ticket.user_id != caller.id {
            return Err(AppError::forbidden("Only the requester can edit a ticket's title and description."));
        }
        if ticket.status != TicketStatus::Open {
            return Err(AppError::conflict("Title and description can be edited only while the ticket is open."));
        }
        let changed: Vec<&str> = [title.as_ref().map(|_| "title"), description.as_ref().map(|_| "description")]
            .into_iter()
            .flatten()
            .collect();
        event(EventKind::Edited, changed.join(" and "));
        update.title = title.map(|t| t.as_str().to_string());
        update.description = description.map(|d| d.as_str().to_string());
    }

    let priority = given(edit.priority).map(parse_priority).transpose()?.filter(|p| *p != ticket.priority);
    let category = match given(edit.category) {
        Some(raw) => Some(parse_category(raw, &core.store.categories().await?)?).filter(|c| *c != ticket.category),
        None => None,
    };
    let status = given(edit.status).map(|s| parse_status("status", s)).transpose()?;
    if (priority.is_some() || category.is_some() || status.is_some()) && !works_on(caller, &ticket) {
        return Err(AppError::forbidden("Only the agent working this ticket or an admin can change its status, priority or category."));
    }
    if let Some(p) = priority {
        event(EventKind::Priority, format!("{} → {}", ticket.priority.as_str(), p.as_str()));
        update.priority = Some(p);
        // The SLA deadline follows the priority.
        let sla = core.store.system_settings().await?.sla;
        update.due_at = Some(sla.due(p, ticket.created_at).timestamp());
    }
    if let Some(c) = category {
        event(EventKind::Category, format!("{} → {}", ticket.category, c));
        update.category = Some(c);
    }
    if let Some(to) = status.filter(|s| *s != ticket.status) {
        transition(ticket.status, to, caller.role).map_err(|e| lifecycle_error(ticket.status, to, e))?;
        if to == TicketStatus::Closed {
            let notes = NoteText::parse("resolutionNotes", "Resolution notes", edit.resolution_notes.unwrap_or(""))?;
            event(EventKind::Closed, notes.as_str().to_string());
            update.closed = Some((chrono::Utc::now(), notes.as_str().to_string()));
        } else {
            event(EventKind::Status, format!("{} → {}", ticket.status.as_str(), to.as_str()));
        }
        update.status = Some(to);
    }
    if events.is_empty() {
        return Ok(ticket);
    }
    commit(core, caller, &ticket, Some(version), update, events).await
}

pub(super) async fn commit(
    core: &Core,
    caller: &CurrentUser,
    ticket: &Ticket,
    version: Option<i64>,
    update: TicketUpdate,
    events: Vec<NewEvent>,
) -> Result<Ticket, AppError> {
    let mut changes = core.store.changes().await?;
    if !changes.update(ticket.id, version, caller.id, &update, &events).await? {
        return Err(AppError::conflict(CONFLICT_MESSAGE));
    }
    super::commit(core, changes).await?;
    core.store.ticket(ticket.id, chrono::Utc::now()).await?.ok_or_else(not_found)
}

/// Changes the status (the agent's and admin's action), with an optional public reply.
pub async fn change_status(
    core: &Core,
    caller: &CurrentUser,
    id: i64,
    status: &str,
    note: Option<&str>,
    version: Option<i64>,
) -> Result<Ticket, AppError> {
    let to = parse_status("status", status)?;
    if to == TicketStatus::Closed {
        return close(core, caller, id, note.unwrap_or(""), version).await;
    }
    let ticket = load_visible(core, caller, id).await?;
    if !works_on(caller, &ticket) {
        return Err(AppError::forbidden("Only the agent working this ticket or an admin can change its status."));
    }
    let version = check_version(&ticket, version)?;
    transition(ticket.status, to, caller.role).map_err(|e| lifecycle_error(ticket.status, to, e))?;
    let mut events = vec![NewEvent {
        kind: EventKind::Status,
        detail: format!("{} → {}", ticket.status.as_str(), to.as_str()),
        internal: false,
    }];
    if let Some(text) = given(note) {
        let text = NoteText::parse("notes", "Reply", text)?;
        events.push(NewEvent { kind: EventKind::Reply, detail: text.as_str().to_string(), internal: false });
    }
    let update = TicketUpdate { status: Some(to), bump_version: true, ..Default::default() };
    commit(core, caller, &ticket, Some(version), update, events).await
}

/// Closes the ticket with resolution notes: the assigned agent or an admin, from a state
/// the lifecycle allows.
pub async fn close(
    core: &Core,
    caller: &CurrentUser,
    id: i64,
    resolution: &str,
    version: Option<i64>,
) -> Result<Ticket, AppError> {
    let ticket = load_visible(core, caller, id).await?;
    if !works_on(caller, &ticket) {
        return Err(AppError::forbidden("Only the assigned agent or an admin can close a ticket."));
    }
    let version = check_version(&ticket, version)?;
    transition(ticket.status, TicketStatus::Closed, caller.role)
        .map_err(|e| lifecycle_error(ticket.status, TicketStatus::Closed, e))?;
    let notes = NoteText::parse("resolutionNotes", "Resolution notes", resolution)?;
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        closed: Some((chrono::Utc::now(), notes.as_str().to_string())),
        bump_version: true,
        ..Default::default()
    };
    let events = vec![NewEvent { kind: EventKind::Closed, detail: notes.as_str().to_string(), internal: false }];
    commit(core, caller, &ticket, Some(version), update, events).await
}

/// Adds a public reply (requester or staff) or an internal note (staff only). Replies do not
/// conflict with edits, so they carry no version.
pub async fn add_note(core: &Core, caller: &CurrentUser, id: i64, text: &str, internal: bool) -> Result<Ticket, AppError> {
    let ticket = load_visible(core, caller, id).await?;
    let can = permissions(caller, &ticket);
    let allowed = if internal { can.internal_note } else { can.reply };
    if !allowed {
        return Err(if ticket.status == TicketStatus::Closed {
            AppError::conflict("This ticket is closed; it takes no more replies or notes.")
        } else if internal {
            AppError::forbidden("Only the agent working this ticket or an admin can add internal notes.")
        } else {
            AppError::forbidden("Access denied")
        });
    }
    let (field, label) = if internal { ("note", "Internal note") } else { ("note", "Reply") };
    let text = NoteText::parse(field, label, text)?;
    let kind = if internal { EventKind::Note } else { EventKind::Reply };
    let events = vec![NewEvent { kind, detail: text.as_str().to_string(), internal }];
    commit(core, caller, &ticket, None, TicketUpdate::default(), events).await
}
