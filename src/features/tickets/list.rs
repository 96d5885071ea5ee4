//! A ticket list with filters, search, sort and server-side paging. The filters live in
//! the address (a GET form), so a list can be bookmarked and works without JavaScript.

use super::{list_tickets, ticket_categories};
use crate::domain::{Priority, RawTicketQuery, TicketPage, TicketRow, TicketSort, TicketStatus};
use crate::ui::{encode_query, when};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn TicketListPage(title: &'static str) -> impl IntoView {
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
        }
    });
    let page = Resource::new(move || raw.get(), list_tickets);
    let categories = Resource::new(|| (), |_| ticket_categories());
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let categories = categories.await.unwrap_or_default();
                view! { <Filters current=raw.get_untracked() categories=categories/> }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
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
            <select id=id name=name>
                {options.into_iter().map(|(value, text)| {
                    let is_selected = selected.as_deref().unwrap_or("") == value;
                    view! { <option value=value selected=is_selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Filters(current: RawTicketQuery, categories: Vec<String>) -> impl IntoView {
    let category_options = std::iter::once((String::new(), "Any category".to_string()))
        .chain(categories.into_iter().map(|c| (c.clone(), c)))
        .collect();
    view! {
        <Form method="GET" action="" attr:class="filters" attr:aria-label="Filter tickets">
            <div class="field grow">
                <label for="filter-q">"Search"</label>
                <input id="filter-q" type="search" name="q" value=current.q.clone().unwrap_or_default()
                    placeholder="Words in the title or description"/>
            </div>
            <FilterSelect label="Status" name="status" selected=current.status.clone()
                options=options(&TicketStatus::ALL, TicketStatus::as_str, TicketStatus::label, "Any status")/>
            <FilterSelect label="Priority" name="priority" selected=current.priority.clone()
                options=options(&Priority::ALL, Priority::as_str, Priority::label, "Any priority")/>
            <FilterSelect label="Category" name="category" selected=current.category.clone() options=category_options/>
            <FilterSelect label="Sort" name="sort" selected=current.sort.clone()
                options=TicketSort::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect()/>
            <button type="submit" class="primary">"Apply"</button>
        </Form>
    }
}

#[component]
fn Results(page: TicketPage) -> impl IntoView {
    let first = (page.page as i64 - 1) * page.per_page as i64 + 1;
    let last = (first + page.tickets.len() as i64 - 1).max(0);
    let summary = if page.total == 0 {
        "No tickets match.".to_string()
    } else {
        format!("Showing {first}–{last} of {} tickets", page.total)
    };
    view! {
        <p class="result-count" role="status" data-testid="result-count">{summary}</p>
        {(!page.tickets.is_empty()).then(|| view! { <TicketTable tickets=page.tickets.clone()/> })}
        <Pager page=page.page total_pages=page.total_pages()/>
    }
}

/// Tickets as a table; the title links to the ticket page.
#[component]
pub fn TicketTable(tickets: Vec<TicketRow>) -> impl IntoView {
    view! {
        <table class="tickets">
            <thead>
                <tr>
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
                {tickets.into_iter().map(|t| view! {
                    <tr>
                        <td>{t.id}</td>
                        <td><a href=format!("/tickets/{}", t.id)>{t.title}</a></td>
                        <td><span class=format!("badge status-{}", t.status.as_str())>{t.status.label()}</span></td>
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

/// Previous / next links that keep the other filters.
#[component]
fn Pager(page: u32, total_pages: u32) -> impl IntoView {
    let location = use_location();
    let params = use_query_map();
    let href = move |to: u32| {
        let mut parts: Vec<String> = params
            .get_untracked()
            .into_iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", encode_query(&k), encode_query(&v)))
            .collect();
        parts.push(format!("page={to}"));
        format!("{}?{}", location.pathname.get_untracked(), parts.join("&"))
    };
    (total_pages > 1).then(|| view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| view! { <a href=href(page - 1) rel="prev">"← Previous"</a> })}
            <span>{format!("Page {page} of {total_pages}")}</span>
            {(page < total_pages).then(|| view! { <a href=href(page + 1) rel="next">"Next →"</a> })}
        </nav>
    })
}
