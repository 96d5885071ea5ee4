use super::load_admin_dashboard;
use crate::domain::{AdminDashboard, AgentPerformance};
use crate::features::home::Counts;
use crate::features::tickets::TicketTable;
use crate::ui::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

pub fn hours(h: Option<f64>) -> String {
    h.map(|h| format!("{h:.1} h")).unwrap_or_else(|| "—".into())
}

#[component]
pub fn AdminHome() -> impl IntoView {
    let user = expect_context::<crate::domain::SessionUser>();
    let data = Resource::new(|| (), |_| load_admin_dashboard());
    view! {
        <Title text="Dashboard"/>
        <div class="page-head">
            <h1>{format!("Welcome, {}", user.name)}</h1>
            <a class="button primary" href="/admin/tickets?unassigned=true">"Assign tickets"</a>
        </div>
        <Loaded resource=data render=|d| view! { <Overview d=d/> }/>
    }
}

#[component]
fn Overview(d: AdminDashboard) -> impl IntoView {
    view! {
        <section aria-labelledby="counts-heading">
            <h2 id="counts-heading">"All tickets"</h2>
            <Counts counts=d.counts/>
        </section>
        <section aria-labelledby="attention-heading">
            <h2 id="attention-heading">"Needs attention"</h2>
            <dl class="stats">
                <div class="stat"><dt>"Unassigned"</dt><dd><a href="/admin/tickets?unassigned=true">{d.unassigned}</a></dd></div>
                <div class="stat warn"><dt>"Overdue"</dt><dd><a href="/admin/tickets?overdue=true">{d.overdue}</a></dd></div>
            </dl>
        </section>
        <AgentTable agents=d.agents/>
        <section aria-labelledby="recent-heading">
            <h2 id="recent-heading">"Recently updated"</h2>
            <TicketTable tickets=d.recent/>
        </section>
    }
}

#[component]
pub fn AgentTable(agents: Vec<AgentPerformance>) -> impl IntoView {
    view! {
        <section aria-labelledby="agents-heading">
            <h2 id="agents-heading">"Agent performance"</h2>
            <table class="tickets">
                <thead><tr>
                    <th scope="col">"Agent"</th><th scope="col">"Assigned"</th><th scope="col">"Resolved"</th>
                    <th scope="col">"Open load"</th><th scope="col">"Avg. resolution"</th>
                </tr></thead>
                <tbody>
                    {agents.into_iter().map(|a| view! {
                        <tr>
                            <td>{a.agent_name}{(!a.is_active).then_some(" (inactive)")}</td>
                            <td>{a.assigned}</td><td>{a.resolved}</td><td>{a.open}</td>
                            <td>{hours(a.avg_resolution_hours)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
