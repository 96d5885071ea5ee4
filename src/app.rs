use crate::domain::Role;
use crate::features::auth::{ForgotPasswordPage, LoginPage, RegisterPage, ResetPasswordPage, RootPage};
use crate::features::admin::{AdminHome, ReportsPage};
use crate::features::home::HomePage;
use crate::features::superadmin::{AuditLogPage, SettingsPage, SuperHome, UserEditPage, UsersPage};
use crate::features::profile::ProfilePage;
use crate::features::tickets::{NewTicketPage, TicketDetailPage, TicketListPage};
use crate::ui::{NotFound, RequireRole};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <link rel="icon" type="image/png" href="/favicon.png"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the page as hydrated (tests wait for it).
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/helpdesk.css"/>
        <Title formatter=crate::ui::document_title/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=RootPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/register") view=RegisterPage/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage/>
                <Route path=path!("/reset-password") view=ResetPasswordPage/>
                <Route path=path!("/user") view=|| home(&[Role::User]) ssr=SsrMode::Async/>
                <Route path=path!("/agent") view=|| home(&[Role::Agent]) ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=|| view! { <RequireRole roles=ADMINS><AdminHome/></RequireRole> } ssr=SsrMode::Async/>
                <Route path=path!("/admin/tickets") view=|| view! { <RequireRole roles=ADMINS><TicketListPage title="All tickets" admin=true/></RequireRole> } ssr=SsrMode::Async/>
                <Route path=path!("/admin/reports") view=|| view! { <RequireRole roles=ADMINS><ReportsPage/></RequireRole> } ssr=SsrMode::Async/>
                <Route path=path!("/superadmin") view=|| superadmin(SuperHome) ssr=SsrMode::Async/>
                <Route path=path!("/superadmin/users") view=|| superadmin(UsersPage) ssr=SsrMode::Async/>
                <Route path=path!("/superadmin/users/:id") view=|| superadmin(UserEditPage) ssr=SsrMode::Async/>
                <Route path=path!("/superadmin/settings") view=|| superadmin(SettingsPage) ssr=SsrMode::Async/>
                <Route path=path!("/superadmin/audit") view=|| superadmin(AuditLogPage) ssr=SsrMode::Async/>
                <Route path=path!("/user/tickets") view=|| view! { <RequireRole roles=&[Role::User]><TicketListPage title="My tickets"/></RequireRole> } ssr=SsrMode::Async/>
                <Route path=path!("/agent/tickets") view=|| view! { <RequireRole roles=&[Role::Agent]><TicketListPage title="Assigned tickets"/></RequireRole> } ssr=SsrMode::Async/>
                <Route path=path!("/tickets/new") view=|| view! { <RequireRole roles=&Role::ALL><NewTicketPage/></RequireRole> } ssr=SsrMode::Async/>
                <Route path=path!("/tickets/:id") view=|| view! { <RequireRole roles=&Role::ALL><TicketDetailPage/></RequireRole> } ssr=SsrMode::Async/>
                <Route path=path!("/profile") view=|| view! { <RequireRole roles=&Role::ALL><ProfilePage/></RequireRole> } ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

fn superadmin<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    view! { <RequireRole roles=&[Role::Superadmin]>{page()}</RequireRole> }
}

const ADMINS: &[Role] = &[Role::Admin, Role::Superadmin];

fn home(roles: &'static [Role]) -> impl IntoView {
    view! { <RequireRole roles=roles><HomePage/></RequireRole> }
}
