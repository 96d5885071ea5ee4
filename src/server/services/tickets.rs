//! Tickets: raising one, reading one and the lists, as the caller may see them. Who may do
//! what is `domain::access`; changing a ticket is `ticket_changes`.

use crate::domain::{
    may_see, parse_category, parse_priority, works_on, EventKind, RawTicketQuery, Ticket, TicketDescription, TicketNote,
    TicketPage, TicketPermissions, TicketQuery, TicketScope, TicketTitle, TicketView,
};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::startup::Core;
use crate::server::store::{ListedTickets, NewTicket};

pub use super::ticket_changes::{add_note, change_status, close, delete, edit, TicketEdit, CONFLICT_MESSAGE};

pub(super) fn not_found() -> AppError {
    AppError::not_found("Ticket not found")
}


/// The ticket if it exists and the caller may see it; otherwise 404 (existence is not leaked).
pub async fn load_visible(core: &Core, caller: &CurrentUser, id: i64) -> Result<Ticket, AppError> {
    match core.store.ticket(id, chrono::Utc::now()).await? {
        Some(ticket) if may_see(caller.role, caller.id, ticket.user_id, ticket.assigned_to) => Ok(ticket),
        _ => Err(not_found()),
    }
}

/// What the caller may do to the ticket (the one rule: `domain::permissions`).
pub fn permissions(caller: &CurrentUser, ticket: &Ticket) -> TicketPermissions {
    crate::domain::permissions(caller.role, caller.id, ticket.user_id, ticket.assigned_to, ticket.status)
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
    let id = super::holding_writer(async {
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
        super::commit(core, changes).await.map(|()| id)
    })
    .await?;
    tracing::info!(ticket_id = id, user_id = caller.id, "ticket created");
    core.store.ticket(id, chrono::Utc::now()).await?.ok_or_else(AppError::internal)
}

/// The newest mails a ticket page shows, and how much of each one's text.
const MAILS_SHOWN: i64 = 20;
const MAIL_TEXT_SHOWN: usize = 50_000;

/// A mail taken in, read whole from its raw message for the staff working its ticket.
fn mail_of(row: crate::server::store::TicketMailRow, domain: &str) -> crate::domain::TicketMail {
    let parsed = row.raw.as_deref().and_then(|raw| crate::server::inbound::parse::parse(raw, domain));
    crate::domain::TicketMail {
        id: row.id,
        received_at: chrono::DateTime::from_timestamp(row.received_at, 0).unwrap_or_default(),
        sender: row.sender,
        subject: row.subject,
        outcome: row.outcome,
        reason: row.reason,
        attachments: parsed.as_ref().map(|m| m.attachments.clone()).unwrap_or_default(),
        text: parsed.map(|m| m.text.chars().take(MAIL_TEXT_SHOWN).collect()),
    }
}

/// The ticket page: the ticket, its conversation and history, and (for the staff working it)
/// the mail taken in for it.
pub async fn view(core: &Core, caller: &CurrentUser, id: i64) -> Result<TicketView, AppError> {
    let ticket = load_visible(core, caller, id).await?;
    let staff_view = works_on(caller.role, caller.id, ticket.assigned_to);
    let mails = async {
        match staff_view {
            true => core.store.ticket_mails(id, MAILS_SHOWN).await,
            false => Ok(Vec::new()),
        }
    };
    let (history, categories, mails) = tokio::try_join!(core.store.ticket_events(id, staff_view), core.store.categories(), mails)?;
    Ok(TicketView {
        mails: mails.into_iter().map(|m| mail_of(m, &core.mail_identity.domain)).collect(),
        notes: notes_of(&history),
        can: permissions(caller, &ticket),
        ticket,
        history,
        categories,
    })
}

/// `ticket` as a change left it (read by the change's service after its commit), with the
/// conversation the caller may see: the answer to a change. Neither its mail nor the rest of
/// its history is read (a write should not pay for them, and a ticket's history grows with
/// every change). A caller the change took the ticket away from is told it is not found.
pub async fn after_change(core: &Core, caller: &CurrentUser, ticket: Ticket) -> Result<(Ticket, Vec<TicketNote>), AppError> {
    if !may_see(caller.role, caller.id, ticket.user_id, ticket.assigned_to) {
        return Err(not_found());
    }
    let staff_view = works_on(caller.role, caller.id, ticket.assigned_to);
    let conversation = core.store.ticket_conversation(ticket.id, staff_view).await?;
    Ok((ticket, notes_of(&conversation)))
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

/// A ticket's history, as the caller may see it (internal notes for the staff working it).
pub async fn history(core: &Core, caller: &CurrentUser, id: i64) -> Result<Vec<crate::domain::TicketEvent>, AppError> {
    let ticket = load_visible(core, caller, id).await?;
    Ok(core.store.ticket_events(id, works_on(caller.role, caller.id, ticket.assigned_to)).await?)
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
    let listed = if query.matches_nothing() {
        ListedTickets { rows: Vec::new(), next: None, total: 0, capped: false }
    } else {
        core.store.list_tickets(scope, &query, chrono::Utc::now()).await?
    };
    Ok(TicketPage {
        tickets: listed.rows,
        total: listed.total,
        total_capped: listed.capped,
        page: query.page,
        per_page: query.per_page,
        next: listed.next,
    })
}
