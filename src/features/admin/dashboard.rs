use super::load_admin_dashboard;
use crate::domain::{AdminDashboard, AgentPerformance, MailStatus};
use crate::features::home::counts;
use crate::features::tickets::TicketTable;
use crate::ui::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminHome() -> impl IntoView {
    let user = expect_context::<crate::domain::SessionUser>();
    // Ticket changes move its counts: fetched again, at most twice a second.
    let live = crate::ui::use_live();
    let changed = crate::ui::settled(move || {
        live.any();
    });
    let data = Resource::new(move || changed.get(), |_| load_admin_dashboard());
    view! {
        <Title text="Dashboard"/>
        <div class="page-head">
            <h1>{format!("Welcome, {}", user.name)}</h1>
            <a class="button primary" href="/admin/tickets?unassigned=true">"Assign tickets"</a>
        </div>
        <Loaded resource=data render=move |d| overview(d.dashboard, d.agents_total)/>
    }
}

// The parts of the page below are plain functions, not components: with erased components
// (`--cfg erase_components`) each component is a type-erased view of its own in the client,
// with its own hydration code, which a part drawn in one place does not need.

fn overview(d: AdminDashboard, agents_total: usize) -> impl IntoView {
    view! {
        <section aria-labelledby="counts-heading">
            <h2 id="counts-heading">"All tickets"</h2>
            {counts(d.counts)}
        </section>
        <section aria-labelledby="attention-heading">
            <h2 id="attention-heading">"Needs attention"</h2>
            <dl class="stats">
                <div class="stat"><dt>"Unassigned"</dt><dd><a href="/admin/tickets?unassigned=true">{d.unassigned}</a></dd></div>
                <div class="stat warn"><dt>"Overdue"</dt><dd><a href="/admin/tickets?overdue=true">{d.overdue}</a></dd></div>
            </dl>
        </section>
        {mail_health(d.mail)}
        {agent_table(d.agents, Some(agents_total))}
        <section aria-labelledby="recent-heading">
            <h2 id="recent-heading">"Recently updated"</h2>
            <TicketTable tickets=d.recent/>
        </section>
    }
}

/// How long something has waited, in words.
fn waited(secs: Option<i64>) -> String {
    match secs {
        None => "—".into(),
        Some(s) if s < 60 => "under a minute".into(),
        Some(s) if s < 7200 => format!("{} min", s / 60),
        Some(s) => format!("{} h", s / 3600),
    }
}

/// The outbox: mail waiting, its oldest, mail given up on and the last refusal.
fn mail_health(mail: MailStatus) -> impl IntoView {
    let count = |n: i64, capped: bool| if capped { format!("{n}+") } else { n.to_string() };
    let failed_class = if mail.failed > 0 { "stat warn" } else { "stat" };
    let stuck = mail.waiting > 0 || mail.failed > 0;
    view! {
        <section aria-labelledby="mail-heading">
            <h2 id="mail-heading">"Mail"</h2>
            <dl class="stats">
                <div class="stat"><dt>"Waiting to be sent"</dt><dd>{count(mail.waiting, mail.waiting_capped)}</dd></div>
                <div class="stat"><dt>"Oldest waiting"</dt><dd>{waited(mail.oldest_waiting_secs)}</dd></div>
                <div class=failed_class><dt>"Given up"</dt><dd>{count(mail.failed, mail.failed_capped)}</dd></div>
            </dl>
            {mail.last_error.map(|error| {
                let at = mail.last_error_at.map(|t| format!("{} UTC", crate::ui::minute_text(t))).unwrap_or_default();
                view! { <p class="hint">"Last refusal by the mail server (" {at} "): " {error}</p> }
            })}
            {stuck.then(|| view! {
                // A plain form: the server answers with the dashboard again, counted afresh.
                <form method="post" action="/rpc/admin/mail/retry">
                    <button type="submit" class="button">"Retry now"</button>
                </form>
            })}
        </section>
    }
}

/// The agents' numbers; `of`: how many agents there are, when the table shows only the busiest.
pub fn agent_table(agents: Vec<AgentPerformance>, of: Option<usize>) -> impl IntoView {
    let shown = agents.len();
    let note = of.filter(|all| *all > shown).map(|all| view! {
        <p class="hint" data-testid="agents-shown">
            {format!("The {shown} busiest of {all} agents, by open tickets. ")}
            <a href="/admin/reports">"Reports list them all."</a>
        </p>
    });
    view! {
        <section aria-labelledby="agents-heading">
            <h2 id="agents-heading">"Agent performance"</h2>
            {note}
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
                            <td>{crate::ui::hours(a.avg_resolution_hours)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
