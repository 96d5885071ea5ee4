//! The audit log: who did what, when, from where; filterable and paged.

use super::load_audit;
use crate::ui::{when, Pager};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;


#[component]
pub fn AuditLogPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        (p.get("action"), p.get("q"), p.get("page"))
    });
    let entries = Resource::new(move || query.get(), |(action, q, page)| load_audit(action, q, page));
    view! {
        <Title text="Audit log"/>
        <h1>"Audit log"</h1>
        <Form method="GET" action="" attr:class="filters" attr:aria-label="Filter the audit log">
            <div class="field">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" name="action">
                    <option value="">"Any action"</option>
                    {crate::domain::AUDIT_ACTIONS.iter().map(|a| view! {
                        <option value=*a selected=move || query.get().0.as_deref() == Some(*a)>{*a}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field grow">
                <label for="audit-q">"Who or what"</label>
                <input id="audit-q" type="search" name="q" value=move || query.get().1.unwrap_or_default() placeholder="Email or target"/>
            </div>
            <button type="submit" class="primary">"Filter"</button>
        </Form>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(page) => {
                        let pages = ((page.total.max(0) as u32).div_ceil(page.per_page)).max(1);
                        let current = page.page;
                        view! {
                            <p class="result-count" role="status">{format!("{}{} entries", page.total, if page.total_capped { "+" } else { "" })}</p>
                            <table class="tickets" data-testid="audit-table">
                                <thead><tr>
                                    <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th>
                                    <th scope="col">"Target"</th><th scope="col">"Detail"</th><th scope="col">"IP"</th>
                                </tr></thead>
                                <tbody>
                                    {page.entries.into_iter().map(|e| view! {
                                        <tr>
                                            <td>{when(e.at)}</td><td>{e.actor_email}</td><td>{e.action}</td>
                                            <td>{e.target}</td><td>{e.detail}</td><td>{e.ip}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Pager page=current total_pages=pages more=page.total_capped/>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
