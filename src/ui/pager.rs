use crate::ui::encode_query;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// Previous / next links that keep the other filters.
#[component]
pub fn Pager(page: u32, total_pages: u32) -> impl IntoView {
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
