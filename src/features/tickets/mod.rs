//! Tickets: server functions, the list, the new-ticket form and the ticket page.

mod detail;
mod list;
mod mails;
mod new;
mod presence;
mod side;

pub use detail::TicketDetailPage;
pub use list::{TicketListPage, TicketTable};
pub use new::NewTicketPage;

use detail::Drafts;

use crate::domain::{RawTicketQuery, TicketPage, TicketView};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{rpc, services::tickets as service};

// JSON input: a query whose filters are all empty must still arrive as a query.
#[server(prefix = "/rpc", endpoint = "tickets/list", input = leptos::server_fn::codec::Json, output = crate::codec::Json)]
pub async fn list_tickets(query: RawTicketQuery) -> Result<TicketPage, AppError> {
    rpc::finish(rpc::once_per_render(format!("tickets/list {query:?}"), || async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        service::list(&core, &caller, &query).await
    })
    .await)
}

#[server(prefix = "/rpc", endpoint = "tickets/categories", output = crate::codec::Json)]
pub async fn ticket_categories() -> Result<Vec<String>, AppError> {
    rpc::finish(rpc::once_per_render("tickets/categories".to_string(), || async {
        let core = rpc::core()?;
        service::categories(&core, &rpc::caller(&core).await?).await
    })
    .await)
}

/// Returns the new ticket's id. A plain form post (no JavaScript) is redirected to the
/// ticket; the hydrated page navigates itself after clearing the saved draft.
#[server(prefix = "/rpc", endpoint = "tickets/create", output = crate::codec::Json)]
pub async fn create_ticket(title: String, description: String, category: String, priority: String) -> Result<i64, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let input = service::NewTicketInput {
            title: &title,
            description: &description,
            category: &category,
            priority: Some(&priority),
            requester: None,
        };
        let ticket = service::create(&core, &caller, input).await?;
        if rpc::is_plain_form_post() {
            leptos_axum::redirect(&format!("/tickets/{}", ticket.id));
        }
        Ok(ticket.id)
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "tickets/get", output = crate::codec::Json)]
pub async fn get_ticket(id: i64) -> Result<TicketView, AppError> {
    rpc::finish(rpc::once_per_render(format!("tickets/get {id}"), || async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        service::view(&core, &caller, id).await
    })
    .await)
}

#[server(prefix = "/rpc", endpoint = "tickets/edit", output = crate::codec::Json)]
pub async fn edit_ticket(id: i64, version: i64, seen: Option<i64>, title: String, description: String) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let edit = service::TicketEdit {
            title: Some(&title),
            description: Some(&description),
            version: Some(version),
            seen,
            ..Default::default()
        };
        service::edit(&core, &caller, id, edit).await.map(|_| ())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "tickets/fields", output = crate::codec::Json)]
pub async fn edit_ticket_fields(id: i64, version: i64, seen: Option<i64>, priority: String, category: String) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let edit = service::TicketEdit {
            priority: Some(&priority),
            category: Some(&category),
            version: Some(version),
            seen,
            ..Default::default()
        };
        service::edit(&core, &caller, id, edit).await.map(|_| ())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "tickets/status", output = crate::codec::Json)]
pub async fn change_ticket_status(id: i64, version: i64, seen: Option<i64>, status: String, reply: String) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        service::change_status(&core, &caller, id, &status, Some(&reply), Some(version), seen).await.map(|_| ())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "tickets/close", output = crate::codec::Json)]
pub async fn close_ticket(id: i64, version: i64, seen: Option<i64>, resolution_notes: String) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        service::close(&core, &caller, id, &resolution_notes, Some(version), seen).await.map(|_| ())
    }
    .await)
}

/// A public reply (`internal` false) or an internal note; `seen` is the newest history entry
/// the page showed (the text is held back if others changed the ticket since).
#[server(prefix = "/rpc", endpoint = "tickets/note", output = crate::codec::Json)]
pub async fn add_ticket_note(id: i64, text: String, internal: bool, seen: Option<i64>) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        service::add_note(&core, &caller, id, &text, internal, seen).await.map(|_| ())
    }
    .await)
}

/// The ticket page says what it is doing on the ticket (`viewing`, `replying`, `noting`, or
/// `gone` as it closes) and hears who else is on it. Staff working the ticket only.
#[server(prefix = "/rpc", endpoint = "tickets/presence", output = crate::codec::Json)]
pub async fn ticket_presence(id: i64, tab: String, state: String) -> Result<Vec<crate::domain::Viewer>, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        crate::server::services::presence::announce(&core, &caller, id, &tab, &state).await
    }
    .await)
}

/// Who else has the ticket open now.
#[server(prefix = "/rpc", endpoint = "tickets/viewers", output = crate::codec::Json)]
pub async fn ticket_viewers(id: i64) -> Result<Vec<crate::domain::Viewer>, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        crate::server::services::presence::viewers(&core, &caller, id).await
    }
    .await)
}
