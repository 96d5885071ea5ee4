//! System settings: categories, SLA hours per priority, open tickets per agent.

use super::{load_settings, SaveSettings};
use crate::domain::SystemSettings;
use crate::ui::{Field, FormError, Notice, SubmitButton, TextAreaField};
use leptos::form::ActionForm;
use crate::ui::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let action = ServerAction::<SaveSettings>::new();
    let settings = Resource::new(move || action.version().get(), |_| load_settings());
    let params = use_query_map();
    let saved = move || matches!(action.value().get(), Some(Ok(()))) || params.read().get("saved").is_some();
    view! {
        <Title text="Settings"/>
        <h1>"Settings"</h1>
        {move || saved().then(|| view! { <Notice>"Settings saved. They apply at once."</Notice> })}
        <Loaded resource=settings render=move |s| view! { <SettingsForm settings=s action=action/> }/>
    }
}

#[component]
fn SettingsForm(settings: SystemSettings, action: ServerAction<SaveSettings>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let fields = &["categories", "sla.low", "sla.medium", "sla.high", "sla.critical", "maxTicketsPerAgent"];
    view! {
        <section class="card">
            <ActionForm action=action attr:novalidate=true>
                <FormError error=error fields=fields/>
                <TextAreaField label="Ticket categories" name="categories" rows=6 required=true
                    value=settings.categories.join("\n") hint="One per line: letters, digits and dashes." error=error/>
                <fieldset>
                    <legend>"SLA: hours to resolve, by priority"</legend>
                    <p class="hint">"The clock runs from creation to closing, on hold included."</p>
                    <div class="row">
                        <Field label="Low" name="sla_low" error_key="sla.low" kind="number" value=settings.sla.low.to_string() error=error/>
                        <Field label="Medium" name="sla_medium" error_key="sla.medium" kind="number" value=settings.sla.medium.to_string() error=error/>
                        <Field label="High" name="sla_high" error_key="sla.high" kind="number" value=settings.sla.high.to_string() error=error/>
                        <Field label="Critical" name="sla_critical" error_key="sla.critical" kind="number" value=settings.sla.critical.to_string() error=error/>
                    </div>
                </fieldset>
                <Field label="Max open tickets per agent" name="max_tickets_per_agent" error_key="maxTicketsPerAgent" kind="number"
                    value=settings.max_tickets_per_agent.to_string() error=error/>
                <SubmitButton label="Save settings" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}
