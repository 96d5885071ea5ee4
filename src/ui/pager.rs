use crate::ui::encode_query;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// The most pages a list reaches by `page` numbers; further on, only `next` cursors lead.
const MAX_NUMBERED_PAGE: u32 = 500;

/// Previous / next links that keep the other filters. With `next` (a keyset cursor), "Next"
/// continues after the last row shown instead of counting pages, so it costs the same on page
/// 2 and page 20 000; `page` then only numbers the page for the reader.
#[component]
pub fn Pager(
    page: u32,
    total_pages: u32,
    #[prop(default = None)] next: Option<String>,
    /// The total is a lower bound ("10 000+"): more pages may follow than `total_pages`.
    #[prop(optional)]
    more: bool,
) -> impl IntoView {
    let location = use_location();
    let params = use_query_map();
    let href = move |to: u32, after: Option<&str>| {
        let mut parts: Vec<String> = params
            .get_untracked()
            .into_iter()
            .filter(|(k, _)| k != "page" && k != "after")
            .map(|(k, v)| format!("{}={}", encode_query(&k), encode_query(&v)))
            .collect();
        if let Some(after) = after {
            parts.push(format!("after={}", encode_query(after)));
        }
        parts.push(format!("page={to}"));
        format!("{}?{}", location.pathname.get_untracked(), parts.join("&"))
    };
    let has_next = next.is_some() || page < total_pages;
    let next_href = href(page + 1, next.as_deref());
    let of = if more { format!("Page {page} of {total_pages}+") } else { format!("Page {page} of {}", total_pages.max(page)) };
    (page > 1 || has_next).then(|| view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1 && page - 1 <= MAX_NUMBERED_PAGE).then(|| view! { <a href=href(page - 1, None) rel="prev">"← Previous"</a> })}
            {(page > MAX_NUMBERED_PAGE + 1).then(|| view! { <a href=href(1, None)>"← First page"</a> })}
            <span>{of}</span>
            {has_next.then(|| view! { <a href=next_href rel="next">"Next →"</a> })}
        </nav>
    })
}
