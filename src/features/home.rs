//! Each role's home page: ticket counts and recent tickets in the caller's scope.

use crate::domain::{HomeSummary, SessionUser, StatusCounts};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[cfg(feature = "ssr")]
use crate::server::{rpc, services::dashboard};

#[server(prefix = "/rpc", endpoint = "home")]
pub async fn load_home() -> Result<HomeSummary, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        dashboard::home(&core, &caller).await
    }
    .await)
}

#[component]
pub fn HomePage() -> impl IntoView {
    let user = expect_context::<SessionUser>();
    let summary = Resource::new(|| (), |_| load_home());
    let scope = match user.role {
        crate::domain::Role::User => "Your tickets",
        crate::domain::Role::Agent => "Tickets assigned to you",
        _ => "All tickets",
    };
    view! {
        <Title text="Dashboard"/>
        <h1>{format!("Welcome, {}", user.name)}</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => view! {
                        <section aria-labelledby="counts-heading">
                            <h2 id="counts-heading">{scope}</h2>
                            <Counts counts=s.counts/>
                        </section>
                        <RecentTickets summary=s.recent/>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Counts(counts: StatusCounts) -> impl IntoView {
    let cards = [
        ("Total", counts.total),
        ("Open", counts.open),
        ("In progress", counts.in_progress),
        ("On hold", counts.on_hold),
        ("Closed", counts.closed),
    ];
    view! {
        <dl class="stats">
            {cards.into_iter().map(|(label, n)| view! {
                <div class="stat"><dt>{label}</dt><dd>{n}</dd></div>
            }).collect_view()}
        </dl>
    }
}

#[component]
fn RecentTickets(summary: Vec<crate::domain::TicketRow>) -> impl IntoView {
    if summary.is_empty() {
        return view! { <p class="empty">"No tickets yet."</p> }.into_any();
    }
    view! {
        <section aria-labelledby="recent-heading">
            <h2 id="recent-heading">"Recently updated"</h2>
            <table class="tickets">
                <thead><tr><th scope="col">"#"</th><th scope="col">"Title"</th><th scope="col">"Status"</th><th scope="col">"Priority"</th><th scope="col">"Updated"</th></tr></thead>
                <tbody>
                    {summary.into_iter().map(|t| view! {
                        <tr>
                            <td>{t.id}</td>
                            <td>{t.title}</td>
                            <td><span class=format!("badge status-{}", t.status.as_str())>{t.status.label()}</span></td>
                            <td><span class=format!("badge priority-{}", t.priority.as_str())>{t.priority.label()}</span></td>
                            <td><time datetime=t.updated_at.to_rfc3339()>{t.updated_at.format("%Y-%m-%d %H:%M").to_string()}</time></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
