//! The ticket page's side: the actions the caller may take on the ticket (status, closing,
//! priority and category, the text, assignment, deletion), each a form that works without
//! JavaScript too.

use super::{CloseTicket, ChangeTicketStatus, EditTicket, EditTicketFields};
use crate::domain::{Priority, Ticket};
use crate::error::AppError;
use crate::features::admin::{admin_agents, AssignTicket, DeleteTicket};
use crate::ui::{Field, FormError, SelectField, SubmitButton, TextAreaField};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// What each side form sent last, kept while its answer is an error: the form, drawn again
/// with the ticket as it is now (after a 409, say), still holds what was typed.
#[derive(Clone, Copy)]
pub(super) struct Kept {
    pub status: Signal<Option<ChangeTicketStatus>>,
    pub close: Signal<Option<CloseTicket>>,
    pub fields: Signal<Option<EditTicketFields>>,
    pub edit: Signal<Option<EditTicket>>,
}

/// The input `action` last sent, while its answer is an error. Made with the page, so it
/// outlives the forms drawn again.
pub(super) fn kept<S>(action: ServerAction<S>) -> Signal<Option<S>>
where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    let sent = RwSignal::new(None::<S>);
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            sent.set(Some(input));
        }
    });
    Signal::derive(move || match action.value().get() {
        Some(Err(_)) => sent.get(),
        _ => None,
    })
}

pub(super) fn error_of(value: impl Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

#[component]
pub(super) fn StatusForm(ticket: Ticket, seen: i64, next: Vec<crate::domain::TicketStatus>, action: ServerAction<ChangeTicketStatus>, kept: Kept) -> impl IntoView {
    let error = error_of(action.value());
    let sent = kept.status.get_untracked();
    let options = next.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect();
    view! {
        <section class="card">
            <h2>"Change status"</h2>
            <ActionForm action=action attr:novalidate=true>
                <input type="hidden" name="id" value=ticket.id/>
                <input type="hidden" name="version" value=ticket.version/>
                <input type="hidden" name="seen" value=seen/>
                <FormError error=error fields=&["status", "notes"]/>
                <SelectField label="New status" name="status" options=options selected=sent.as_ref().map(|s| s.status.clone()).unwrap_or_default() error=error/>
                <TextAreaField label="Public reply (optional)" name="reply" error_key="notes" rows=3 error=error value=sent.map(|s| s.reply).unwrap_or_default()/>
                <SubmitButton label="Update status" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
pub(super) fn CloseForm(ticket: Ticket, seen: i64, action: ServerAction<CloseTicket>, kept: Kept) -> impl IntoView {
    let error = error_of(action.value());
    let sent = kept.close.get_untracked().map(|s| s.resolution_notes);
    view! {
        <section class="card">
            <h2>"Close ticket"</h2>
            <ActionForm action=action attr:novalidate=true>
                <input type="hidden" name="id" value=ticket.id/>
                <input type="hidden" name="version" value=ticket.version/>
                <input type="hidden" name="seen" value=seen/>
                <FormError error=error fields=&["resolutionNotes"]/>
                <TextAreaField label="Resolution notes" name="resolution_notes" error_key="resolutionNotes"
                    required=true rows=4 error=error hint="What fixed it; the requester sees this." value=sent.unwrap_or_default()/>
                <SubmitButton label="Close ticket" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
pub(super) fn FieldsForm(ticket: Ticket, seen: i64, categories: Vec<String>, action: ServerAction<EditTicketFields>, kept: Kept) -> impl IntoView {
    let error = error_of(action.value());
    let (priority, category) = match kept.fields.get_untracked() {
        Some(sent) => (sent.priority, sent.category),
        None => (ticket.priority.as_str().to_string(), ticket.category.clone()),
    };
    let priorities = Priority::ALL.iter().map(|p| (p.as_str().to_string(), p.label().to_string())).collect();
    let categories = categories.into_iter().map(|c| (c.clone(), c)).collect();
    view! {
        <section class="card">
            <h2>"Priority and category"</h2>
            <ActionForm action=action attr:novalidate=true>
                <input type="hidden" name="id" value=ticket.id/>
                <input type="hidden" name="version" value=ticket.version/>
                <input type="hidden" name="seen" value=seen/>
                <FormError error=error fields=&["priority", "category"]/>
                <SelectField label="Priority" name="priority" options=priorities selected=priority error=error/>
                <SelectField label="Category" name="category" options=categories selected=category error=error/>
                <SubmitButton label="Save" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
pub(super) fn EditForm(ticket: Ticket, seen: i64, action: ServerAction<EditTicket>, kept: Kept) -> impl IntoView {
    let error = error_of(action.value());
    let (title, description) = match kept.edit.get_untracked() {
        Some(sent) => (sent.title, sent.description),
        None => (ticket.title.clone(), ticket.description.clone()),
    };
    view! {
        <section class="card">
            <h2>"Edit ticket"</h2>
            <p class="hint">"You can edit the title and description while the ticket is open."</p>
            <ActionForm action=action attr:novalidate=true>
                <input type="hidden" name="id" value=ticket.id/>
                <input type="hidden" name="version" value=ticket.version/>
                <input type="hidden" name="seen" value=seen/>
                <FormError error=error fields=&["title", "description"]/>
                <Field label="Title" name="title" required=true value=title error=error/>
                <TextAreaField label="Description" name="description" id_suffix="-edit" required=true rows=6
                    value=description error=error/>
                <SubmitButton label="Save changes" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

/// Admins assign an unassigned ticket (to a chosen or the least-loaded agent) or, as a
/// separate explicit action, reassign an assigned one.
#[component]
pub(super) fn AssignForm(ticket: Ticket, action: ServerAction<AssignTicket>) -> impl IntoView {
    let error = error_of(action.value());
    let agents = Resource::new(|| (), |_| admin_agents());
    let reassign = ticket.assigned_to.is_some();
    let (heading, button) = if reassign { ("Reassign", "Reassign") } else { ("Assign", "Assign") };
    view! {
        <section class="card">
            <h2>{heading}</h2>
            <FormError error=error fields=&["agent_id"]/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices: Vec<(String, String)> = agents
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|a| a.is_active && Some(a.agent_id) != ticket.assigned_to)
                        .map(|a| (a.agent_id.to_string(), format!("{} ({} open)", a.agent_name, a.open)))
                        .collect();
                    view! {
                        <ActionForm action=action attr:novalidate=true>
                            <input type="hidden" name="id" value=ticket.id/>
                            {reassign.then(|| view! { <input type="hidden" name="reassign" value="true"/> })}
                            <SelectField label="Agent" name="agent_id" options=choices error=error/>
                            <SubmitButton label=button pending=action.pending()/>
                        </ActionForm>
                    }
                })}
            </Suspense>
            {(!reassign).then(|| view! {
                <ActionForm action=action attr:class="secondary-action">
                    <input type="hidden" name="id" value=ticket.id/>
                    <button type="submit" class="secondary">"Assign to the least-loaded agent"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// Deleting needs a confirmation step: the box must be ticked (checked on the server too).
#[component]
pub(super) fn DeleteForm(ticket: Ticket) -> impl IntoView {
    let action = ServerAction::<DeleteTicket>::new();
    let error = error_of(action.value());
    view! {
        <section class="card danger-zone">
            <h2>"Delete ticket"</h2>
            <ActionForm action=action attr:novalidate=true>
                <input type="hidden" name="id" value=ticket.id/>
                <FormError error=error fields=&["confirm"]/>
                <div class="check">
                    <input id="confirm-delete" type="checkbox" name="confirm" value="yes"/>
                    <label for="confirm-delete">"Yes, delete this ticket and its history for good"</label>
                </div>
                {move || error.get().and_then(|e| e.message_for("confirm")).map(|m| view! { <p class="field-error">{m}</p> })}
                <button type="submit" class="danger">"Delete ticket"</button>
            </ActionForm>
        </section>
    }
}
