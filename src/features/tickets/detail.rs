//! The ticket page: details, conversation, history, and the actions the caller may take.

use super::side::{error_of, kept, AssignForm, CloseForm, DeleteForm, EditForm, FieldsForm, Kept, StatusForm};
use super::{get_ticket, AddTicketNote, ChangeTicketStatus, CloseTicket, EditTicket, EditTicketFields};
use crate::domain::{EventKind, PresenceState, Ticket, TicketEvent, TicketNote, TicketView, Viewer};
use crate::features::admin::AssignTicket;
use crate::error::AppError;
use crate::ui::{when, FormError, SubmitButton, TextAreaField};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// What is being written in the reply and note boxes: kept while the ticket is fetched again
/// under them (someone else changed it), emptied once sent.
#[derive(Clone, Copy)]
pub(super) struct Drafts {
    pub reply: RwSignal<String>,
    pub note: RwSignal<String>,
    /// Which box was sent last (`true`: the note): only it shows the answer's error, also once
    /// the page is drawn again.
    sent: RwSignal<Option<bool>>,
    /// Which box's answer is awaited: its draft goes once it is sent, and only then.
    awaiting: StoredValue<Option<bool>>,
}

/// Every action of the page; the ticket reloads after any of them.
#[derive(Clone, Copy)]
struct Actions {
    edit: ServerAction<EditTicket>,
    fields: ServerAction<EditTicketFields>,
    status: ServerAction<ChangeTicketStatus>,
    close: ServerAction<CloseTicket>,
    note: ServerAction<AddTicketNote>,
    assign: ServerAction<AssignTicket>,
}

impl Actions {
    fn versions(&self) -> [usize; 6] {
        [
            self.edit.version().get(),
            self.fields.version().get(),
            self.status.version().get(),
            self.close.version().get(),
            self.note.version().get(),
            self.assign.version().get(),
        ]
    }
}


#[component]
pub fn TicketDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|raw| raw.parse::<i64>().ok()));
    let actions = Actions {
        edit: ServerAction::new(),
        fields: ServerAction::new(),
        status: ServerAction::new(),
        close: ServerAction::new(),
        note: ServerAction::new(),
        assign: ServerAction::new(),
    };
    // Another person's change to this ticket fetches it again (the reply and note drafts stay:
    // see `NoteForm`); while one of the other forms is being filled in, a bar offers the
    // changes instead, so nothing typed is lost under the pointer.
    let live = crate::ui::use_live();
    let drafts = Drafts {
        reply: RwSignal::new(String::new()),
        note: RwSignal::new(String::new()),
        sent: RwSignal::new(None),
        awaiting: StoredValue::new(None),
    };
    let kept = Kept { status: kept(actions.status), close: kept(actions.close), fields: kept(actions.fields), edit: kept(actions.edit) };
    let (follow, stale, dirty) = (RwSignal::new(0u64), RwSignal::new(false), RwSignal::new(false));
    let before = live.last.get_untracked().map(|e| e.id);
    // Who else is here: said and heard while the reader works the ticket.
    let works = RwSignal::new(false);
    let viewers = super::presence::use_presence(id, works, drafts);
    Effect::new(move |previous: Option<u64>| {
        let here = id.get();
        let moved = live.last.get().filter(|e| Some(e.id) > before && Some(e.ticket) == here).is_some();
        let missed_now = live.missed.get();
        if moved || previous.is_some_and(|p| p != missed_now) {
            if dirty.get_untracked() {
                stale.set(true);
            } else {
                follow.update(|n| *n += 1);
            }
        }
        missed_now
    });
    let view_resource = Resource::new(
        move || (id.get(), actions.versions(), follow.get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_ticket(id).await,
                None => Err(AppError::not_found("Ticket not found")),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view_resource.await {
                    Ok(v) => {
                        // What is on the page is the ticket as it is now.
                        dirty.set(false);
                        stale.set(false);
                        works.set(v.can.internal_note);
                        view! {
                            <super::presence::OthersHere viewers=viewers/>
                            {move || stale.get().then(|| view! {
                                <button type="button" class="new-bar" data-testid="ticket-changed" on:click=move |_| follow.update(|n| *n += 1)>
                                    "This ticket was changed meanwhile: show the changes"
                                </button>
                            })}
                            <div on:input=move |_| dirty.set(true)>
                                <TicketBody view=v actions=actions drafts=drafts viewers=viewers kept=kept/>
                            </div>
                        }.into_any()
                    }
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::server::rpc::set_page_status(e.status());
                        view! {
                            <Title text="Ticket not found"/>
                            <h1>"Ticket not found"</h1>
                            <p class="form-error" role="alert">{e.message}</p>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn TicketBody(view: TicketView, actions: Actions, drafts: Drafts, viewers: RwSignal<Vec<Viewer>>, kept: Kept) -> impl IntoView {
    let TicketView { ticket, notes, history, can, categories, mails } = view;
    // The newest entry this page shows: a reply sent from it is held back if others moved on.
    let seen = history.iter().map(|e| e.id).max().unwrap_or(0);
    let heading = format!("#{} {}", ticket.id, ticket.title);
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <div class="ticket-layout">
            <div class="ticket-main">
                <TicketFacts ticket=ticket.clone()/>
                <section class="card" aria-labelledby="description-heading">
                    <h2 id="description-heading">"Description"</h2>
                    <p class="prose">{ticket.description.clone()}</p>
                </section>
                {ticket.resolution_notes.clone().map(|notes| view! {
                    <section class="card resolution" aria-labelledby="resolution-heading">
                        <h2 id="resolution-heading">"Resolution"</h2>
                        <p class="prose">{notes}</p>
                    </section>
                })}
                <Conversation notes=notes/>
                {can.reply.then(|| view! { <NoteForm ticket_id=ticket.id internal=false action=actions.note drafts seen viewers/> })}
                {can.internal_note.then(|| view! { <NoteForm ticket_id=ticket.id internal=true action=actions.note drafts seen viewers/> })}
                {(!mails.is_empty()).then(|| view! { <super::mails::TicketMails mails=mails/> })}
                <Timeline history=history/>
            </div>
            <aside class="ticket-side" aria-label="Ticket actions">
                {(!can.next_statuses.is_empty()).then(|| view! {
                    <StatusForm ticket=ticket.clone() seen next=can.next_statuses.clone() action=actions.status kept/>
                })}
                {can.close.then(|| view! { <CloseForm ticket=ticket.clone() seen action=actions.close kept/> })}
                {can.edit_fields.then(|| view! { <FieldsForm ticket=ticket.clone() seen categories=categories action=actions.fields kept/> })}
                {can.edit_text.then(|| view! { <EditForm ticket=ticket.clone() seen action=actions.edit kept/> })}
                {can.assign.then(|| view! { <AssignForm ticket=ticket.clone() action=actions.assign/> })}
                {can.delete.then(|| view! { <DeleteForm ticket=ticket.clone()/> })}
            </aside>
        </div>
    }
}

#[component]
fn TicketFacts(ticket: Ticket) -> impl IntoView {
    view! {
        <section class="card" aria-label="Ticket details">
            <dl class="details" data-testid="ticket-facts">
                <dt>"Status"</dt>
                <dd><span class=format!("badge status-{}", ticket.status.as_str()) data-testid="ticket-status">{ticket.status.label()}</span></dd>
                <dt>"Priority"</dt>
                <dd><span class=format!("badge priority-{}", ticket.priority.as_str())>{ticket.priority.label()}</span></dd>
                <dt>"Category"</dt><dd>{ticket.category.clone()}</dd>
                <dt>"Requester"</dt><dd>{ticket.user_name.clone()}</dd>
                <dt>"Assignee"</dt><dd>{ticket.agent_name.clone().unwrap_or_else(|| "Unassigned".into())}</dd>
                <dt>"Created"</dt><dd>{when(ticket.created_at)}</dd>
                <dt>"Updated"</dt><dd>{when(ticket.updated_at)}</dd>
                {ticket.closed_at.map(|at| view! { <dt>"Closed"</dt><dd>{when(at)}</dd> })}
            </dl>
        </section>
    }
}

#[component]
fn Conversation(notes: Vec<TicketNote>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="conversation-heading">
            <h2 id="conversation-heading">"Conversation"</h2>
            {if notes.is_empty() {
                view! { <p class="empty">"No replies yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="thread">
                        {notes.into_iter().map(|n| view! {
                            <li class="message" class:internal=n.internal>
                                <p class="meta">
                                    <strong>{n.author}</strong>
                                    {n.internal.then(|| view! { <span class="badge internal-badge">"Internal note"</span> })}
                                    " · " {when(n.timestamp)}
                                </p>
                                <p class="prose">{n.text}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

fn describe(event: &TicketEvent) -> String {
    match event.kind {
        EventKind::Reply | EventKind::Note | EventKind::Created => event.kind.verb().to_string(),
        EventKind::Closed => format!("{}: {}", event.kind.verb(), event.detail),
        _ => format!("{} {}", event.kind.verb(), event.detail),
    }
}

#[component]
fn Timeline(history: Vec<TicketEvent>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <ol class="timeline" data-testid="timeline">
                {history.into_iter().map(|e| {
                    let text = describe(&e);
                    view! { <li>{when(e.at)} " " <strong>{e.actor}</strong> " " {text}</li> }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn NoteForm(
    ticket_id: i64,
    internal: bool,
    action: ServerAction<AddTicketNote>,
    drafts: Drafts,
    seen: i64,
    viewers: RwSignal<Vec<Viewer>>,
) -> impl IntoView {
    let error = error_of(action.value());
    let (heading, label, button, suffix, writing) = if internal {
        ("Internal note", "Note for staff (the requester never sees it)", "Add internal note", "-internal", PresenceState::Noting)
    } else {
        ("Reply", "Your reply", "Send reply", "-reply", PresenceState::Replying)
    };
    let draft = if internal { drafts.note } else { drafts.reply };
    // Only the form that was submitted shows its error.
    let mine = Signal::derive(move || error.get().filter(|_| drafts.sent.get().is_none_or(|x| x == internal)));
    // The draft goes once it is sent; held back (others wrote meanwhile), it stays to send again.
    // (The page may have been drawn again with it before this runs: the box is emptied too.)
    let text = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(done) = action.value().get() {
            if drafts.awaiting.get_value() == Some(internal) {
                drafts.awaiting.set_value(None);
                if done.is_ok() {
                    draft.set(String::new());
                    if let Some(text) = text.get_untracked() {
                        text.set_value("");
                    }
                }
            }
        }
    });
    view! {
        <section class="card" class:internal=internal>
            <h2>{heading}</h2>
            <super::presence::AlsoWriting viewers=viewers state=writing/>
            // The handlers sit on a wrapper: `on:` on the `ActionForm` component is not attached
            // to a form drawn on the server and hydrated.
            <div on:input=move |ev| {
                // Kept across a fetch of the ticket: not an unsaved form (see `TicketDetailPage`).
                ev.stop_propagation();
                draft.set(event_target_value(&ev));
            } on:submit=move |_| {
                drafts.sent.set(Some(internal));
                drafts.awaiting.set_value(Some(internal));
            }>
                <ActionForm action=action attr:novalidate=true>
                    <input type="hidden" name="id" value=ticket_id/>
                    <input type="hidden" name="internal" value=internal.to_string()/>
                    <input type="hidden" name="seen" value=seen/>
                    <FormError error=mine fields=&["note"]/>
                    <TextAreaField label=label name="text" id_suffix=suffix error_key="note" required=true rows=4 error=mine value=draft.get_untracked() node_ref=text/>
                    <SubmitButton label=button pending=action.pending()/>
                </ActionForm>
            </div>
        </section>
    }
}
