use crate::domain::{Role, SessionUser};
use crate::features::auth::current_user;
use crate::ui::encode_query;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Renders its children only for a signed-in user with one of `roles`. A signed-out visitor
/// is sent to `/login?next=…`; a wrong role gets the 403 page. The server functions the
/// page calls check again: this guard is for the visitor, not for security.
///
/// When the server looked the caller up before rendering (every page request with a live
/// session, `rpc::prefetch_caller`), the page is drawn at once, without a `Suspense`: under
/// one, leptos builds the whole page three times and writes its data into the HTML three
/// times (leptos#4688). That caller is sent along with the page, so hydration draws the same
/// tree. Otherwise (signed out, or a page reached by navigating in the browser) the guard waits
/// for `current_user`.
#[component]
pub fn RequireRole(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    if let Some(user) = SharedValue::new(known_caller).into_inner() {
        return if roles.contains(&user.role) {
            view! { <AppShell user=user>{children()}</AppShell> }.into_any()
        } else {
            view! { <AppShell user=user><AccessDenied/></AppShell> }.into_any()
        };
    }
    let me = Resource::new(|| (), |_| current_user());
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match me.await {
                        Ok(Some(user)) if roles.contains(&user.role) => {
                            view! { <AppShell user=user>{children()}</AppShell> }.into_any()
                        }
                        Ok(Some(user)) => view! { <AppShell user=user><AccessDenied/></AppShell> }.into_any(),
                        Ok(None) => {
                            let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                            let here = if here.starts_with('/') { here } else { format!("/{here}") };
                            view! { <Redirect path=format!("/login?next={}", encode_query(&here))/> }.into_any()
                        }
                        Err(e) => view! { <main class="page"><p class="form-error" role="alert">{e.message}</p></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// The caller the server looked up before this render, if it did.
fn known_caller() -> Option<SessionUser> {
    #[cfg(feature = "ssr")]
    return crate::server::rpc::known_caller();
    #[cfg(not(feature = "ssr"))]
    None
}

fn nav_links(role: Role) -> Vec<(&'static str, &'static str)> {
    let work: &[(&str, &str)] = match role {
        Role::User => &[("/user/tickets", "My tickets"), ("/tickets/new", "New ticket")],
        Role::Agent => &[("/agent/tickets", "Assigned tickets")],
        Role::Admin => &[("/admin/tickets", "All tickets"), ("/admin/reports", "Reports"), ("/admin/mail", "Mail")],
        Role::Superadmin => &[
            ("/superadmin/users", "Users"),
            ("/admin/tickets", "All tickets"),
            ("/admin/reports", "Reports"),
            ("/admin/mail", "Mail"),
            ("/superadmin/settings", "Settings"),
            ("/superadmin/audit", "Audit log"),
        ],
    };
    std::iter::once((role.home(), "Dashboard"))
        .chain(work.iter().copied())
        .chain(std::iter::once(("/profile", "Profile")))
        .collect()
}

/// The signed-in layout: the role's navigation, the user's name, sign out.
#[component]
fn AppShell(user: SessionUser, children: Children) -> impl IntoView {
    let role = user.role;
    let location = use_location();
    provide_context(user.clone());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href=role.home()>"Help Desk"</a>
            <nav aria-label="Main">
                <ul>
                    // Plain links (the router takes their clicks all the same), marked current
                    // from the location: the router's `A` component would bring its own erased view
                    // and attribute code into every signed-in page for this one mark.
                    {nav_links(role)
                        .into_iter()
                        .map(|(href, label)| {
                            let current = move || (location.pathname.get() == href).then_some("page");
                            view! { <li><a href=href aria-current=current>{label}</a></li> }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <div class="whoami">
                <span class="user-name" data-testid="user-name">{user.name.clone()}</span>
                <span class="role-badge">{role.label()}</span>
                // A plain form: signing out leaves the page for `/login` either way (the server
                // answers with that redirect), so it needs none of a hydrated form's code.
                <form method="post" action="/rpc/logout" class="inline">
                    <button type="submit" class="link-button">"Sign out"</button>
                </form>
            </div>
        </header>
        <main id="main" class="page">{children()}</main>
    }
}

/// The 403 page.
#[component]
pub fn AccessDenied() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::rpc::set_page_status(403);
    let home = use_context::<SessionUser>().map(|u| u.role.home()).unwrap_or("/");
    view! {
        <Title text="Access denied"/>
        <section class="card narrow">
            <h1>"Access denied"</h1>
            <p>"Your account does not have access to this page."</p>
            <p><a href=home>"Go to your dashboard"</a></p>
        </section>
    }
}

/// The 404 page.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::rpc::set_page_status(404);
    view! {
        <Title text="Page not found"/>
        <main class="page">
            <section class="card narrow">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <p><a href="/">"Go to the start page"</a></p>
            </section>
        </main>
    }
}
