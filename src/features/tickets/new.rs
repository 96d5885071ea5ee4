//! The new-ticket form. What is typed is kept as a draft in the browser's localStorage, so a
//! reload loses nothing; the draft is cleared once the ticket is created.

use super::{ticket_categories, CreateTicket};
use crate::domain::{Priority, TicketDescription};
use crate::ui::{Field, FormError, SelectField, SubmitButton, TextAreaField};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const DRAFT_KEY: &str = "helpdesk.ticketDraft";

/// What the draft keeps: the four fields as typed.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Draft {
    title: String,
    description: String,
    category: String,
    priority: String,
}

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let action = ServerAction::<CreateTicket>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let categories = Resource::new(|| (), |_| ticket_categories());
    let title = NodeRef::<leptos::html::Input>::new();
    let description = NodeRef::<leptos::html::Textarea>::new();
    let category = NodeRef::<leptos::html::Select>::new();
    let priority = NodeRef::<leptos::html::Select>::new();

    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage};
        // Restore a saved draft once the form is in the page.
        Effect::new(move |_| {
            let (Some(t), Some(d), Some(c), Some(p)) = (title.get(), description.get(), category.get(), priority.get()) else {
                return;
            };
            if let Ok(draft) = LocalStorage::get::<Draft>(DRAFT_KEY) {
                t.set_value(&draft.title);
                d.set_value(&draft.description);
                if !draft.category.is_empty() {
                    c.set_value(&draft.category);
                }
                if !draft.priority.is_empty() {
                    p.set_value(&draft.priority);
                }
            }
        });
        // Once created: forget the draft and open the ticket.
        let navigate = leptos_router::hooks::use_navigate();
        Effect::new(move |_| {
            if let Some(Ok(id)) = action.value().get() {
                LocalStorage::delete(DRAFT_KEY);
                navigate(&format!("/tickets/{id}"), Default::default());
            }
        });
    }
    let save_draft = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::{LocalStorage, Storage};
            let draft = Draft {
                title: title.get().map(|e| e.value()).unwrap_or_default(),
                description: description.get().map(|e| e.value()).unwrap_or_default(),
                category: category.get().map(|e| e.value()).unwrap_or_default(),
                priority: priority.get().map(|e| e.value()).unwrap_or_default(),
            };
            let _ = LocalStorage::set(DRAFT_KEY, draft);
        }
    };

    let priorities: Vec<(String, String)> =
        Priority::ALL.iter().map(|p| (p.as_str().to_string(), p.label().to_string())).collect();
    view! {
        <Title text="New ticket"/>
        <h1>"New ticket"</h1>
        <section class="card">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let priorities = priorities.clone();
                    Suspend::new(async move {
                        let categories: Vec<(String, String)> = categories
                            .await
                            .unwrap_or_default()
                            .into_iter()
                            .map(|c| (c.clone(), c))
                            .collect();
                        view! {
                            // On a wrapper: `on:` on the `ActionForm` component is not attached when hydrated.
                            <div on:input=save_draft on:change=save_draft>
                            <ActionForm action=action attr:novalidate=true>
                                <FormError error=error fields=&["title", "description", "category", "priority"]/>
                                <Field label="Title" name="title" required=true node_ref=title error=error
                                    hint="5 to 200 characters: what is wrong, in a line."/>
                                <TextAreaField label="Description" name="description" required=true rows=8
                                    maxlength=TicketDescription::MAX as u32 node_ref=description error=error
                                    hint="What happened, what you expected, and anything you already tried."/>
                                <div class="row">
                                    <SelectField label="Category" name="category" options=categories node_ref=category error=error/>
                                    <SelectField label="Priority" name="priority" options=priorities
                                        selected="medium".to_string() node_ref=priority error=error/>
                                </div>
                                <SubmitButton label="Create ticket" pending=action.pending()/>
                            </ActionForm>
                            </div>
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
