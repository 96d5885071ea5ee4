use super::load_super_dashboard;
use crate::domain::{Profile, SuperDashboard};
use crate::features::tickets::TicketTable;
use crate::ui::when;
use crate::ui::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SuperHome() -> impl IntoView {
    let user = expect_context::<crate::domain::SessionUser>();
    let data = Resource::new(|| (), |_| load_super_dashboard());
    view! {
        <Title text="Dashboard"/>
        <div class="page-head">
            <h1>{format!("Welcome, {}", user.name)}</h1>
            <a class="button primary" href="/superadmin/users">"Manage users"</a>
        </div>
        <Loaded resource=data render=|d| view! { <Overview d=d/> }/>
    }
}

#[component]
fn Overview(d: SuperDashboard) -> impl IntoView {
    let r = d.by_role.clone();
    view! {
        <dl class="stats">
            <div class="stat"><dt>"Total users"</dt><dd>{d.total_users}</dd></div>
            <div class="stat"><dt>"Staff members"</dt><dd>{d.staff_members}</dd></div>
            <div class="stat"><dt>"Total tickets"</dt><dd>{d.total_tickets}</dd></div>
            <div class="stat"><dt>"Open tickets"</dt><dd>{d.open_tickets}</dd></div>
        </dl>
        <section aria-labelledby="roles-heading">
            <h2 id="roles-heading">"Users by role"</h2>
            <dl class="stats">
                <div class="stat"><dt>"Users"</dt><dd>{r.users}</dd></div>
                <div class="stat"><dt>"Agents"</dt><dd>{r.agents}</dd></div>
                <div class="stat"><dt>"Admins"</dt><dd>{r.admins}</dd></div>
                <div class="stat"><dt>"Super admins"</dt><dd>{r.superadmins}</dd></div>
            </dl>
        </section>
        <section aria-labelledby="recent-users-heading">
            <h2 id="recent-users-heading">"Newest users"</h2>
            <UserTable users=d.recent_users/>
        </section>
        <section aria-labelledby="recent-heading">
            <h2 id="recent-heading">"Recently updated tickets"</h2>
            <TicketTable tickets=d.recent_tickets/>
        </section>
    }
}

#[component]
pub fn UserTable(users: Vec<Profile>) -> impl IntoView {
    view! {
        <table class="tickets">
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                <th scope="col">"Status"</th><th scope="col">"Department"</th><th scope="col">"Joined"</th>
            </tr></thead>
            <tbody>
                {users.into_iter().map(|u| view! {
                    <tr>
                        <td><a href=format!("/superadmin/users/{}", u.id)>{u.name}</a></td>
                        <td>{u.email}</td>
                        <td>{u.role.label()}</td>
                        <td>{if u.is_active { "Active" } else { "Deactivated" }}</td>
                        <td>{u.department}</td>
                        <td>{when(u.created_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
