//! Changing a ticket: one path for every edit, status change and closing. A change is planned
//! against the ticket as read (who may do it, which lifecycle step it is, what the history
//! records), then written only if the ticket is still at that version.
//!
//! `version` is optional, as Zendesk's `safe_update` is: sent, it must be the ticket's current
//! one (409 otherwise); absent, the change is planned against the current state (the lifecycle
//! still decides), an edit records in the history the values it replaced, and a change that
//! lands between the read and the write makes it read and plan again.

use super::tickets::load_visible;
use crate::domain::{
    parse_category, parse_priority, parse_status, transition, works_on, EventKind, NoteText, Role, SystemSettings, Ticket,
    TicketDescription, TicketStatus, TicketTitle,
};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::Core;
use crate::server::store::{NewEvent, TicketUpdate};

pub const CONFLICT_MESSAGE: &str =
    "This ticket was changed meanwhile — reload to see the latest version, then try again.";

/// How often a change sent without a version is read and planned again when other changes
/// keep landing between its read and its write.
const UNVERSIONED_ATTEMPTS: usize = 3;

/// A requested change: the fields given change; `version` is what the editor last saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct TicketEdit<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub status: Option<&'a str>,
    pub priority: Option<&'a str>,
    pub category: Option<&'a str>,
    /// Required when the status becomes closed.
    pub resolution_notes: Option<&'a str>,
    /// A public reply sent with a status change.
    pub reply: Option<&'a str>,
    pub version: Option<i64>,
    /// The newest history entry the editor's page showed: a stale `version` is then answered
    /// with what others did since, not a bare "changed meanwhile".
    pub seen: Option<i64>,
}

fn given(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.trim().is_empty())
}

fn lifecycle_error(from: TicketStatus, to: TicketStatus, e: crate::domain::TransitionError) -> AppError {
    use crate::domain::TransitionError::*;
    match e {
        NotAllowed => AppError::forbidden(e.message(from, to)),
        Final | Illegal => AppError::conflict(e.message(from, to)),
        Unchanged => AppError::invalid("status", e.message(from, to)),
    }
}

/// Applies a change: text by the requester while the ticket is open; status, priority and
/// category by the staff working it. All of it lands together, or none.
pub async fn edit(core: &Core, caller: &CurrentUser, id: i64, edit: TicketEdit<'_>) -> Result<Ticket, AppError> {
    let settings = core.store.system_settings().await?;
    for _ in 0..UNVERSIONED_ATTEMPTS {
        let ticket = load_visible(core, caller, id).await?;
        let to = status_asked(caller, &ticket, &edit)?;
        if edit.version.is_some_and(|v| v != ticket.version) {
            return Err(moved_on(core, caller, &ticket, edit.seen).await);
        }
        let Some((update, events)) = plan(caller, &ticket, &settings, &edit, to)? else {
            return Ok(ticket);
        };
        let mut changes = core.store.changes().await?;
        let written = super::holding_writer(async {
            match changes.update(ticket.id, Some(ticket.version), caller.id, &update, &events).await? {
                true => super::commit(core, changes).await.map(|()| true),
                false => Ok::<_, AppError>(false),
            }
        })
        .await?;
        if written {
            return core.store.ticket(ticket.id, chrono::Utc::now()).await?.ok_or_else(super::tickets::not_found);
        }
        if edit.version.is_some() {
            break;
        }
    }
    Err(AppError::conflict(CONFLICT_MESSAGE))
}

/// The 409 for a change based on a version that has moved on: with `seen`, it says what others
/// did after that history entry ("Not saved: meanwhile, Admin replied; …").
async fn moved_on(core: &Core, caller: &CurrentUser, ticket: &Ticket, seen: Option<i64>) -> AppError {
    match others_since(core, caller, ticket, seen).await {
        Ok(Some(what)) => AppError::conflict(format!("Not saved: meanwhile, {what}. Look at the ticket as it is now, then try again.")),
        _ => AppError::conflict(CONFLICT_MESSAGE),
    }
}

/// What others did to `ticket` after the history entry `seen`, in words, as the caller may
/// see its history; `None` without `seen` or when nothing.
async fn others_since(core: &Core, caller: &CurrentUser, ticket: &Ticket, seen: Option<i64>) -> Result<Option<String>, AppError> {
    let Some(seen) = seen else { return Ok(None) };
    let history = core.store.ticket_events(ticket.id, works_on(caller.role, caller.id, ticket.assigned_to)).await?;
    Ok(crate::domain::changed_meanwhile(&history, seen, caller.id))
}

/// Changes the status (the agent's and admin's action), with an optional public reply; to
/// closed, the reply is the resolution.
pub async fn change_status(
    core: &Core,
    caller: &CurrentUser,
    id: i64,
    status: &str,
    note: Option<&str>,
    version: Option<i64>,
    seen: Option<i64>,
) -> Result<Ticket, AppError> {
    let closing = parse_status("status", status)? == TicketStatus::Closed;
    let (reply, resolution_notes) = if closing { (None, Some(note.unwrap_or(""))) } else { (note, None) };
    edit(core, caller, id, TicketEdit { status: Some(status), reply, resolution_notes, version, seen, ..Default::default() }).await
}

/// Closes the ticket with resolution notes: the assigned agent or an admin, from a state the
/// lifecycle allows.
pub async fn close(core: &Core, caller: &CurrentUser, id: i64, resolution: &str, version: Option<i64>, seen: Option<i64>) -> Result<Ticket, AppError> {
    let edit_ = TicketEdit { status: Some("closed"), resolution_notes: Some(resolution), version, seen, ..Default::default() };
    edit(core, caller, id, edit_).await
}

type Plan = Option<(TicketUpdate, Vec<NewEvent>)>;

/// The status the change asks for, if any; refused (403) unless the caller works the ticket.
/// Asked before the version is compared: who may not change a status is told so, whatever
/// version they sent.
fn status_asked(caller: &CurrentUser, ticket: &Ticket, edit: &TicketEdit<'_>) -> Result<Option<TicketStatus>, AppError> {
    let to = given(edit.status).map(|s| parse_status("status", s)).transpose()?;
    if to.is_some() && !works_on(caller.role, caller.id, ticket.assigned_to) {
        return Err(AppError::forbidden(if to == Some(TicketStatus::Closed) {
            "Only the assigned agent or an admin can close a ticket."
        } else {
            "Only the agent working this ticket or an admin can change its status."
        }));
    }
    Ok(to)
}

/// What `edit` asks of `ticket` as it is now: the update and its history, or `None` when it
/// changes nothing. `to` is the status asked for, already allowed by `status_asked`. Refuses
/// what the caller may not do or the lifecycle does not allow.
fn plan(
    caller: &CurrentUser,
    ticket: &Ticket,
    settings: &SystemSettings,
    edit: &TicketEdit<'_>,
    to: Option<TicketStatus>,
) -> Result<Plan, AppError> {
    let staff = works_on(caller.role, caller.id, ticket.assigned_to);
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
        let mut changed: Vec<String> = Vec::new();
        if title.is_some() {
            changed.push(replaced("title", &ticket.title, edit.version));
        }
        if description.is_some() {
            changed.push(replaced("description", &ticket.description, edit.version));
        }
        event(EventKind::Edited, changed.join(" and "));
        update.title = title.map(|t| t.as_str().to_string());
        update.description = description.map(|d| d.as_str().to_string());
    }

    let priority = given(edit.priority).map(parse_priority).transpose()?.filter(|p| *p != ticket.priority);
    let category = given(edit.category)
        .map(|raw| parse_category(raw, &settings.categories))
        .transpose()?
        .filter(|c| *c != ticket.category);
    if (priority.is_some() || category.is_some()) && !staff {
        return Err(AppError::forbidden("Only the agent working this ticket or an admin can change its status, priority or category."));
    }
    if let Some(p) = priority {
        event(EventKind::Priority, format!("{} → {}", ticket.priority.as_str(), p.as_str()));
        update.priority = Some(p);
        // The SLA deadline follows the priority.
        update.due_at = Some(settings.sla.due(p, ticket.created_at).timestamp());
    }
    if let Some(c) = category {
        event(EventKind::Category, format!("{} → {}", ticket.category, c));
        update.category = Some(c);
    }
    if let Some(to) = to.filter(|s| *s != ticket.status) {
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
    if let Some(text) = given(edit.reply) {
        let text = NoteText::parse("notes", "Reply", text)?;
        events.push(NewEvent { kind: EventKind::Reply, detail: text.as_str().to_string(), internal: false });
    }
    if events.is_empty() {
        // Asking for the status the ticket already has, and nothing else, is a mistake worth
        // saying; an edit form sent back unchanged is not.
        if let Some(to) = to.filter(|_| [edit.title, edit.description, edit.priority, edit.category].iter().all(Option::is_none)) {
            return Err(lifecycle_error(ticket.status, to, crate::domain::TransitionError::Unchanged));
        }
        return Ok(None);
    }
    Ok(Some((update, events)))
}

/// The history's word for a text field that changed: with the value it replaced when the
/// change was sent without a version, so nothing is lost unseen.
fn replaced(field: &str, before: &str, version: Option<i64>) -> String {
    match version {
        Some(_) => field.to_string(),
        None => format!("{field} (was: {before})"),
    }
}

/// Adds a public reply (requester or staff) or an internal note (staff only). Replies do not
/// conflict with edits, so they carry no version; `seen`, the newest history entry the writer's
/// page showed, holds the text back (409, naming what others did meanwhile) when the ticket has
/// moved on since, so nobody answers a conversation they have not read.
pub async fn add_note(core: &Core, caller: &CurrentUser, id: i64, text: &str, internal: bool, seen: Option<i64>) -> Result<Ticket, AppError> {
    let ticket = load_visible(core, caller, id).await?;
    let can = crate::domain::permissions(caller.role, caller.id, ticket.user_id, ticket.assigned_to, ticket.status);
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
    let label = if internal { "Internal note" } else { "Reply" };
    let text = NoteText::parse("note", label, text)?;
    if let Some(what) = others_since(core, caller, &ticket, seen).await? {
        let what_kind = if internal { "note" } else { "reply" };
        return Err(AppError::conflict(format!(
            "Not sent: while you were writing, {what}. Your {what_kind} is kept: read the changes above, then send it again."
        )));
    }
    let kind = if internal { EventKind::Note } else { EventKind::Reply };
    let events = vec![NewEvent { kind, detail: text.as_str().to_string(), internal }];
    let mut changes = core.store.changes().await?;
    super::holding_writer(async {
        if !changes.update(ticket.id, None, caller.id, &TicketUpdate::default(), &events).await? {
            return Err(super::tickets::not_found());
        }
        super::commit(core, changes).await
    })
    .await?;
    core.store.ticket(ticket.id, chrono::Utc::now()).await?.ok_or_else(super::tickets::not_found)
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
    super::holding_writer(async {
        if !changes.delete(id).await? {
            return Err(super::tickets::not_found());
        }
        changes.audit(super::audit::entry(caller, super::audit::action::TICKET_DELETED, &format!("ticket #{id}"), &detail)).await?;
        super::commit(core, changes).await
    })
    .await
}
