use crate::domain::Role;
use crate::features::auth::{ForgotPasswordPage, LoginPage, RegisterPage, ResetPasswordPage, RootPage};
use crate::features::admin::{AdminHome, InboundMailPage, ReportsPage};
use crate::features::home::HomePage;
use crate::features::superadmin::{AuditLogPage, SettingsPage, SuperHome, UserEditPage, UsersPage};
use crate::features::profile::ProfilePage;
use crate::features::tickets::{NewTicketPage, TicketDetailPage, TicketListPage};
use crate::ui::{NotFound, RequireRole};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <link rel="icon" type="image/png" href="/favicon.png"/>
                <crate::ui::LiveCursor/>
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

    view! {
        <Title formatter=crate::ui::document_title/>
        <Router>
            <Routes fallback=|| view! { <Hydrated/><NotFound/> }>
                <Route path=path!("/") view=|| view! { <Hydrated/><RootPage/> } ssr=SsrMode::Async/>
                <Route path=path!("/login") view=|| view! { <Hydrated/><LoginPage/> }/>
                <Route path=path!("/register") view={Lazy::<Register>::new()}/>
                <Route path=path!("/forgot-password") view={Lazy::<ForgotPassword>::new()}/>
                <Route path=path!("/reset-password") view={Lazy::<ResetPassword>::new()}/>
                <Route path=path!("/user") view={Lazy::<UserHome>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/agent") view={Lazy::<AgentHome>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin") view={Lazy::<AdminHomePage>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/tickets") view={Lazy::<AllTickets>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/reports") view={Lazy::<Reports>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/mail") view={Lazy::<MailIn>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/superadmin") view={Lazy::<SuperHomePage>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/superadmin/users") view={Lazy::<Users>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/superadmin/users/:id") view={Lazy::<UserEdit>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/superadmin/settings") view={Lazy::<Settings>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/superadmin/audit") view={Lazy::<AuditLog>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/user/tickets") view={Lazy::<MyTickets>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/agent/tickets") view={Lazy::<AssignedTickets>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/tickets/new") view={Lazy::<NewTicket>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/tickets/:id") view={Lazy::<TicketDetail>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/profile") view={Lazy::<Profile>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// A page whose code the browser loads only when it is first visited: each route is its own
/// piece of the split WASM (`cargo leptos build --split`), so signing in does not load every
/// role's pages. The sign-in page itself is not one: it is the page a visitor loads first, and
/// what it needs (forms, server calls, errors) nearly every page needs too, so in the main
/// module it costs the others little (242 KB of brotli in all for sign-in, against 284 as a
/// piece of its own; the homes 2–7 KB more, the lists and the ticket page 17–27 KB less).
macro_rules! lazy_page {
    ($($name:ident => $view:expr;)*) => {$(
        struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }
            fn view(_this: Self) -> AnyView {
                view! { <Hydrated/>{$view} }.into_any()
            }
        }
    )*};
}

lazy_page! {
    Register => view! { <RegisterPage/> };
    ForgotPassword => view! { <ForgotPasswordPage/> };
    ResetPassword => view! { <ResetPasswordPage/> };
    UserHome => home(&[Role::User]);
    AgentHome => home(&[Role::Agent]);
    AdminHomePage => view! { <RequireRole roles=ADMINS><AdminHome/></RequireRole> };
    AllTickets => view! { <RequireRole roles=ADMINS><TicketListPage title="All tickets" admin=true/></RequireRole> };
    Reports => view! { <RequireRole roles=ADMINS><ReportsPage/></RequireRole> };
    MailIn => view! { <RequireRole roles=ADMINS><InboundMailPage/></RequireRole> };
    SuperHomePage => superadmin(SuperHome);
    Users => superadmin(UsersPage);
    UserEdit => superadmin(UserEditPage);
    Settings => superadmin(SettingsPage);
    AuditLog => superadmin(AuditLogPage);
    MyTickets => view! { <RequireRole roles=&[Role::User]><TicketListPage title="My tickets"/></RequireRole> };
    AssignedTickets => view! { <RequireRole roles=&[Role::Agent]><TicketListPage title="Assigned tickets"/></RequireRole> };
    NewTicket => view! { <RequireRole roles=&Role::ALL><NewTicketPage/></RequireRole> };
    TicketDetail => view! { <RequireRole roles=&Role::ALL><TicketDetailPage/></RequireRole> };
    Profile => view! { <RequireRole roles=&Role::ALL><ProfilePage/></RequireRole> };
}

/// Marks the page as hydrated once the page's own code (a lazily loaded piece of the WASM) has
/// taken over the server's HTML: effects run only in the browser. Before that, a form would be
/// posted the way it is without JavaScript; tests wait for this mark.
#[component]
fn Hydrated() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

fn superadmin<V: IntoView + 'static>(page: fn() -> V) -> impl IntoView {
    view! { <RequireRole roles=&[Role::Superadmin]>{page()}</RequireRole> }
}

const ADMINS: &[Role] = &[Role::Admin, Role::Superadmin];

fn home(roles: &'static [Role]) -> impl IntoView {
    view! { <RequireRole roles=roles><HomePage/></RequireRole> }
}
