//! The mail taken in: every mail with what became of it and why, its raw message to
//! download, and a way to process again a mail that was left alone (after its sender got an
//! account, say).

use crate::domain::InboundPage;
use crate::error::AppError;
use crate::ui::{Loaded, Notice};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[cfg(feature = "ssr")]
use crate::server::{rpc, services::inbound};

#[server(prefix = "/rpc", endpoint = "admin/mail/inbound", output = crate::codec::Json)]
pub async fn load_inbound(before: Option<i64>) -> Result<InboundPage, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        inbound::list(&core, &rpc::caller(&core).await?, before).await
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "admin/mail/inbound/process", output = crate::codec::Json)]
pub async fn process_inbound(id: i64) -> Result<String, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let taken = inbound::process_again(&core, &rpc::caller(&core).await?, id).await?;
        let said = format!("{}: {}", taken.outcome, taken.reason);
        leptos_axum::redirect(&format!("/admin/mail?processed={}", crate::ui::encode_query(&said)));
        Ok(said)
    }
    .await)
}

#[component]
pub fn InboundMailPage() -> impl IntoView {
    let params = use_query_map();
    let before = Memo::new(move |_| params.read().get("before").and_then(|b| b.parse::<i64>().ok()));
    let processed = Memo::new(move |_| params.read().get("processed"));
    let process = ServerAction::<ProcessInbound>::new();
    let page = Resource::new(move || (before.get(), process.version().get()), |(before, _)| load_inbound(before));
    let said = move || match process.value().get() {
        Some(Ok(said)) => Some(view! { <Notice>{format!("Processed again — {said}")}</Notice> }.into_any()),
        Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{e.message}</p> }.into_any()),
        None => processed.get().map(|said| view! { <Notice>{format!("Processed again — {said}")}</Notice> }.into_any()),
    };
    view! {
        <Title text="Mail taken in"/>
        <h1>"Mail taken in"</h1>
        <p class="hint">"Every mail the help desk received, newest first: what became of it and why."</p>
        {said}
        <Loaded resource=page render={move |p: InboundPage| view! { <InboundTable page=p process=process/> }}/>
    }
}

#[component]
fn InboundTable(page: InboundPage, process: ServerAction<ProcessInbound>) -> impl IntoView {
    if page.mails.is_empty() {
        return view! { <p>"No mail has come in yet."</p> }.into_any();
    }
    view! {
        <table class="tickets">
            <thead><tr>
                <th scope="col">"Received"</th><th scope="col">"From"</th><th scope="col">"Subject"</th>
                <th scope="col">"Outcome"</th><th scope="col">"Ticket"</th><th scope="col">"Why"</th>
                <th scope="col">"Raw mail"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {page.mails.into_iter().map(|m| {
                    let id = m.id;
                    let again = m.raw_kept && !matches!(m.outcome.as_str(), "created" | "replied" | "duplicate");
                    view! {
                        <tr>
                            <td>{crate::ui::minute_text(m.received_at)}</td>
                            <td>{m.sender}</td>
                            <td>{m.subject}</td>
                            <td>{m.outcome}</td>
                            <td>{m.ticket.map(|t| view! { <a href=format!("/tickets/{t}")>{format!("#{t}")}</a> })}</td>
                            <td>{m.reason}</td>
                            <td>{m.raw_kept.then(|| view! {
                                <a href=format!("/api/admin/mail/inbound/{id}/raw") download=format!("mail-{id}.eml")>
                                    {format!("Download ({} KB)", (m.raw_size + 1023) / 1024)}
                                </a>
                            })}</td>
                            <td>{again.then(|| view! {
                                <ActionForm action=process>
                                    <input type="hidden" name="id" value=id.to_string()/>
                                    <button type="submit" class="button">"Process again"</button>
                                </ActionForm>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {page.next.map(|n| view! { <p class="pager"><a href=format!("/admin/mail?before={n}")>"Older mail"</a></p> })}
    }
    .into_any()
}
