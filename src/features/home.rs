//! Each role's home page: ticket counts and recent tickets in the caller's scope.

use crate::domain::{AgentStats, HomeSummary, SessionUser, StatusCounts, TicketRow};
use crate::features::tickets::TicketTable;
use crate::error::AppError;
use crate::ui::Loaded;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

#[cfg(feature = "ssr")]
use crate::server::{rpc, services::dashboard};

#[server(prefix = "/rpc", endpoint = "home", output = crate::codec::Json)]
pub async fn load_home() -> Result<HomeSummary, AppError> {
    rpc::finish(rpc::once_per_render("home".to_string(), || async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        dashboard::home(&core, &caller).await
    })
    .await)
}

#[component]
pub fn HomePage() -> impl IntoView {
    let user = expect_context::<SessionUser>();
    // Any change the person may see moves the counts: fetched again (at most twice a second).
    let live = crate::ui::use_live();
    let changed = crate::ui::settled(move || {
        live.any();
    });
    let summary = Resource::new(move || changed.get(), |_| load_home());
    let scope = match user.role {
        crate::domain::Role::User => "Your tickets",
        crate::domain::Role::Agent => "Tickets assigned to you",
        _ => "All tickets",
    };
    view! {
        <Title text="Dashboard"/>
        <div class="page-head">
            <h1>{format!("Welcome, {}", user.name)}</h1>
            <a class="button primary" href="/tickets/new">"New ticket"</a>
        </div>
        <Loaded resource=summary render=move |s: HomeSummary| view! {
            {s.agent.map(agent_numbers)}
            <section aria-labelledby="counts-heading">
                <h2 id="counts-heading">{scope}</h2>
                {counts(s.counts)}
                {(s.overdue > 0).then(|| view! {
                    <p class="overdue-note" role="status">
                        <span class="badge overdue-badge">"Overdue"</span>
                        {format!(" {} of these tickets are past their service deadline.", s.overdue)}
                    </p>
                })}
            </section>
            {recent_tickets(s.recent)}
        }/>
    }
}

// The parts below are plain functions, not components: with erased components each component
// is a type-erased view of its own in the client, with its own hydration code.

/// The tickets by status.
pub fn counts(counts: StatusCounts) -> impl IntoView {
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

fn agent_numbers(stats: AgentStats) -> impl IntoView {
    let avg = crate::ui::hours(stats.avg_resolution_hours);
    view! {
        <section aria-labelledby="work-heading">
            <h2 id="work-heading">"Your work"</h2>
            <dl class="stats">
                <div class="stat"><dt>"Assigned"</dt><dd>{stats.assigned}</dd></div>
                <div class="stat"><dt>"Resolved"</dt><dd>{stats.resolved}</dd></div>
                <div class="stat"><dt>"Pending"</dt><dd>{stats.pending}</dd></div>
                <div class="stat"><dt>"Avg. resolution"</dt><dd>{avg}</dd></div>
            </dl>
        </section>
    }
}

fn recent_tickets(summary: Vec<TicketRow>) -> impl IntoView {
    if summary.is_empty() {
        return Either::Left(view! { <p class="empty">"No tickets yet."</p> });
    }
    Either::Right(view! {
        <section aria-labelledby="recent-heading">
            <h2 id="recent-heading">"Recently updated"</h2>
            <TicketTable tickets=summary/>
        </section>
    })
}
