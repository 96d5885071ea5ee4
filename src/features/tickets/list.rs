//! A ticket list with filters, search, sort and server-side paging. The filters live in
//! the address (a GET form), so a list can be bookmarked and works without JavaScript.

use super::{list_tickets, ticket_categories};
use crate::domain::AgentChoice;
use crate::features::admin::{admin_agents, BulkAssign};
use crate::ui::{options_html, FormError, Notice, SelectField};
use leptos::form::ActionForm;
use crate::domain::{Priority, RawTicketQuery, TicketPage, TicketRow, TicketSort, TicketStatus};
use crate::ui::{when, Pager};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn TicketListPage(
    title: &'static str,
    /// Admins' list: assignee, unassigned and overdue filters, bulk assignment, CSV export.
    #[prop(optional)]
    admin: bool,
) -> impl IntoView {
    let params = use_query_map();
    let raw = Memo::new(move |_| {
        let p = params.read();
        RawTicketQuery {
            status: p.get("status"),
            priority: p.get("priority"),
            category: p.get("category"),
            q: p.get("q"),
            sort: p.get("sort"),
            page: p.get("page"),
            per_page: p.get("perPage"),
            assigned_to: p.get("assignedTo"),
            unassigned: p.get("unassigned"),
            overdue: p.get("overdue"),
            after: p.get("after"),
        }
    });
    let bulk = ServerAction::<BulkAssign>::new();
    // Live: a change to a row on the page fetches the page again (the row updates in place);
    // new tickets are counted in a bar, shown when asked, so rows never shift under the pointer.
    let (refresh, new_tickets) = (RwSignal::new(0u64), RwSignal::new(0u32));
    let page = Resource::new(move || (raw.get(), bulk.version().get(), refresh.get()), |(raw, _, _)| list_tickets(raw));
    let live = crate::ui::use_live();
    let missed = live.missed.clone();
    let me = use_context::<crate::domain::SessionUser>().map(|u| u.id);
    // The rows on the page (set as they render), and the last event this page had when it came.
    let shown = StoredValue::new(Vec::<i64>::new());
    let before = live.last.get_untracked().map(|e| e.id);
    Effect::new(move |_| {
        let Some(event) = live.last.get().filter(|e| Some(e.id) > before) else { return };
        let arrived = event.kind == crate::domain::LiveKind::Created
            || (event.kind == crate::domain::LiveKind::Assigned && event.assignee.is_some() && event.assignee == me);
        let on_page = shown.with_value(|ids| ids.contains(&event.ticket));
        if arrived && !on_page {
            new_tickets.update(|n| *n += 1);
        } else if on_page {
            refresh.update(|n| *n += 1);
        }
    });
    Effect::new(move |previous: Option<u64>| {
        let now = missed.get();
        if previous.is_some_and(|p| p != now) {
            refresh.update(|n| *n += 1);
        }
        now
    });
    let show_new = move |_| {
        new_tickets.set(0);
        refresh.update(|n| *n += 1);
    };
    let categories = Resource::new(|| (), |_| ticket_categories());
    let agents = Resource::new(move || admin, |admin| async move {
        if admin { admin_agents().await.unwrap_or_default() } else { Vec::new() }
    });
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let categories = categories.await.unwrap_or_default();
                let agents = agents.await;
                view! { <Filters current=raw.get_untracked() categories=categories admin=admin agents=agents/> }
            })}
        </Suspense>
        <div role="status" aria-live="polite">
            {move || (new_tickets.get() > 0).then(|| {
                let n = new_tickets.get();
                let text = if n == 1 { "1 new ticket: show it".to_string() } else { format!("{n} new tickets: show them") };
                view! { <button type="button" class="new-bar" data-testid="new-tickets" on:click=show_new>{text}</button> }
            })}
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let mut page = page.await;
                if let Ok(p) = &mut page {
                    // While new tickets wait in the bar, a row that changed is fetched again in
                    // place and the new ones stay out until asked for.
                    if new_tickets.get_untracked() > 0 {
                        let before = shown.get_value();
                        p.tickets.retain(|t| before.contains(&t.id));
                    }
                    shown.set_value(p.tickets.iter().map(|t| t.id).collect());
                }
                match page {
                    Ok(page) if admin => {
                        let agents = agents.await;
                        view! { <AdminResults page=page bulk=bulk agents=agents/> }.into_any()
                    }
                    Ok(page) => view! { <Results page=page/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn options<T: Copy>(all: &[T], value: fn(T) -> &'static str, label: fn(T) -> &'static str, any: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), any.to_string()))
        .chain(all.iter().map(|x| (value(*x).to_string(), label(*x).to_string())))
        .collect()
}

#[component]
fn FilterSelect(label: &'static str, name: &'static str, options: Vec<(String, String)>, selected: Option<String>) -> impl IntoView {
    let id = format!("filter-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name inner_html=options_html(&options, Some(selected.as_deref().unwrap_or("")))></select>
        </div>
    }
}

#[component]
fn Filters(current: RawTicketQuery, categories: Vec<String>, admin: bool, agents: Vec<AgentChoice>) -> impl IntoView {
    let category_options = std::iter::once((String::new(), "Any category".to_string()))
        .chain(categories.into_iter().map(|c| (c.clone(), c)))
        .collect();
    view! {
        <Form method="GET" action="" attr:class="filters" attr:aria-label="Filter tickets">
            <div class="field grow">
                <label for="filter-q">"Search"</label>
                <input id="filter-q" type="search" name="q" value=current.q.clone().unwrap_or_default()
                    placeholder="Whole words, or the start of one with * (print*)"/>
            </div>
            <FilterSelect label="Status" name="status" selected=current.status.clone()
                options=options(&TicketStatus::ALL, TicketStatus::as_str, TicketStatus::label, "Any status")/>
            <FilterSelect label="Priority" name="priority" selected=current.priority.clone()
                options=options(&Priority::ALL, Priority::as_str, Priority::label, "Any priority")/>
            <FilterSelect label="Category" name="category" selected=current.category.clone() options=category_options/>
            <FilterSelect label="Sort" name="sort" selected=current.sort.clone()
                options=TicketSort::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect()/>
            {admin.then(|| {
                let assignees = std::iter::once((String::new(), "Anyone".to_string()))
                    .chain(agents.iter().map(|a| (a.agent_id.to_string(), a.agent_name.clone())))
                    .collect();
                let checked = |v: &Option<String>| v.as_deref().is_some_and(|v| v == "true" || v == "on");
                view! {
                    <FilterSelect label="Assignee" name="assignedTo" selected=current.assigned_to.clone() options=assignees/>
                    <div class="check">
                        <input id="filter-unassigned" type="checkbox" name="unassigned" value="true" checked=checked(&current.unassigned)/>
                        <label for="filter-unassigned">"Unassigned only"</label>
                    </div>
                    <div class="check">
                        <input id="filter-overdue" type="checkbox" name="overdue" value="true" checked=checked(&current.overdue)/>
                        <label for="filter-overdue">"Overdue only"</label>
                    </div>
                }
            })}
            <button type="submit" class="primary">"Apply"</button>
        </Form>
    }
}

fn summary(page: &TicketPage) -> String {
    let first = (page.page as i64 - 1) * page.per_page as i64 + 1;
    let last = (first + page.tickets.len() as i64 - 1).max(0);
    if page.total == 0 {
        "No tickets match.".to_string()
    } else {
        format!("Showing {first}–{last} of {} tickets", page.total_label())
    }
}

#[component]
fn Results(page: TicketPage) -> impl IntoView {
    view! {
        <p class="result-count" role="status" data-testid="result-count">{summary(&page)}</p>
        {(!page.tickets.is_empty()).then(|| view! { <TicketTable tickets=page.tickets.clone()/> })}
        <Pager page=page.page total_pages=page.total_pages() next=page.next.map(|c| c.to_string()) more=page.total_capped/>
    }
}

/// The admin's results: select tickets and assign them in one go; export the filtered list.
#[component]
fn AdminResults(page: TicketPage, bulk: ServerAction<BulkAssign>, agents: Vec<AgentChoice>) -> impl IntoView {
    let error = Signal::derive(move || bulk.value().get().and_then(Result::err));
    let done = move || bulk.value().get().and_then(Result::ok);
    let location = use_location();
    // The export takes the same filters as the list (the page number does not matter there).
    let search = location.search.get_untracked();
    let search = search.trim_start_matches('?');
    let export = if search.is_empty() {
        "/api/admin/tickets/export.csv".to_string()
    } else {
        format!("/api/admin/tickets/export.csv?{search}")
    };
    let choices = std::iter::once(("least-loaded".to_string(), "The least-loaded agent".to_string()))
        .chain(agents.into_iter().filter(|a| a.is_active).map(|a| (a.agent_id.to_string(), format!("{} ({} open)", a.agent_name, a.open))))
        .collect::<Vec<_>>();
    let (current, total_pages, count) = (page.page, page.total_pages(), summary(&page));
    let (next, more) = (page.next.map(|c| c.to_string()), page.total_capped);
    let tickets = page.tickets;
    view! {
        <div class="page-head">
            <p class="result-count" role="status" data-testid="result-count">{count}</p>
            <a class="button" href=export download="tickets.csv">"Download CSV"</a>
        </div>
        {move || done().map(|m| view! { <Notice>{m}</Notice> })}
        <ActionForm action=bulk attr:class="bulk" attr:novalidate=true>
            <FormError error=error fields=&[]/>
            {(!tickets.is_empty()).then(|| view! { <TicketTable tickets=tickets selectable=true/> })}
            <div class="row bulk-bar">
                <SelectField label="Assign selected tickets to" name="agent_id" options=choices error=error/>
                <button type="submit" class="primary">"Assign selected"</button>
            </div>
        </ActionForm>
        <Pager page=current total_pages=total_pages next=next more=more/>
    }
}

/// Tickets as a table; the title links to the ticket page.
#[component]
pub fn TicketTable(
    tickets: Vec<TicketRow>,
    /// Adds a checkbox per row (named `ids[n]`) for bulk actions.
    #[prop(optional)]
    selectable: bool,
) -> impl IntoView {
    view! {
        <table class="tickets">
            <thead>
                <tr>
                    {selectable.then(|| view! { <th scope="col"><span class="visually-hidden">"Select"</span></th> })}
                    <th scope="col">"#"</th>
                    <th scope="col">"Title"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Priority"</th>
                    <th scope="col">"Category"</th>
                    <th scope="col">"Requester"</th>
                    <th scope="col">"Assignee"</th>
                    <th scope="col">"Updated"</th>
                </tr>
            </thead>
            <tbody>
                {tickets.into_iter().enumerate().map(|(n, t)| view! {
                    <tr class:overdue=t.overdue>
                        {selectable.then(|| view! {
                            <td><input type="checkbox" name=format!("ids[{n}]") value=t.id
                                aria-label=format!("Select ticket #{}", t.id)/></td>
                        })}
                        <td>{t.id}</td>
                        <td><a href=format!("/tickets/{}", t.id)>{t.title}</a></td>
                        <td>
                            <span class=format!("badge status-{}", t.status.as_str())>{t.status.label()}</span>
                            {t.overdue.then(|| view! { <span class="badge overdue-badge">"Overdue"</span> })}
                        </td>
                        <td><span class=format!("badge priority-{}", t.priority.as_str())>{t.priority.label()}</span></td>
                        <td>{t.category}</td>
                        <td>{t.user_name}</td>
                        <td>{t.agent_name.unwrap_or_else(|| "Unassigned".into())}</td>
                        <td>{when(t.updated_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
