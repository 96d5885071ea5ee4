//! Sign in, register, sign out, forgot and reset password.

use crate::domain::SessionUser;
use crate::error::AppError;
use crate::ui::{Field, FormError, Notice, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[cfg(feature = "ssr")]
use crate::server::{guard, rpc, services::auth as service};

/// The signed-in user, or `None` for a visitor.
#[server(prefix = "/rpc", endpoint = "me", output = crate::codec::Json)]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        Ok(rpc::optional_caller(&core).await?.map(|u| u.user))
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "login", output = crate::codec::Json)]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let device = rpc::cookie(guard::DEVICE_COOKIE);
        let session = service::login(&core, &email, &password, &rpc::client_ip(), device.as_deref()).await?;
        rpc::set_cookie(&guard::session_cookie(&core, &session.token));
        rpc::set_cookie(&guard::device_cookie(&core, &session.device));
        leptos_axum::redirect(&crate::ui::landing(next.as_deref(), session.user.role));
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "register", output = crate::codec::Json)]
pub async fn register(name: String, email: String, password: String, confirm_password: String) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let input = service::Registration { name: &name, email: &email, password: &password, confirm_password: &confirm_password };
        let session = service::register(&core, input, &rpc::client_ip()).await?;
        rpc::set_cookie(&guard::session_cookie(&core, &session.token));
        leptos_axum::redirect(session.user.role.home());
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "logout", output = crate::codec::Json)]
pub async fn logout() -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        if let Some(caller) = rpc::optional_caller(&core).await? {
            service::logout(&core, &caller).await?;
        }
        rpc::set_cookie(&guard::cleared_cookie(&core));
        leptos_axum::redirect("/login");
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "forgot-password", output = crate::codec::Json)]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    rpc::finish(async {
        service::forgot_password(rpc::core()?, &email, &rpc::client_ip()).await?;
        leptos_axum::redirect("/forgot-password?sent=1");
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "reset-password", output = crate::codec::Json)]
pub async fn reset_password(token: String, password: String, confirm_password: String) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        service::reset_password(&core, &token, &password, Some(&confirm_password), &rpc::client_ip()).await?;
        leptos_axum::redirect("/login?reset=1");
        Ok(())
    }
    .await)
}

fn query(name: &'static str) -> Memo<Option<String>> {
    let params = use_query_map();
    Memo::new(move |_| params.read().get(name))
}

/// `/`: the signed-in user's home, else the sign-in page.
#[component]
pub fn RootPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let path = match me.await {
                    Ok(Some(user)) => user.role.home(),
                    _ => "/login",
                };
                view! { <Redirect path=path/> }
            })}
        </Suspense>
    }
}

/// The page frame for signed-out pages.
#[component]
fn PublicCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <main id="main" class="page public">
            <p class="brand-large">"Help Desk"</p>
            <section class="card narrow">
                <h1>{title}</h1>
                {children()}
            </section>
        </main>
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const REMEMBERED_EMAIL: &str = "helpdesk.rememberedEmail";

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let next = query("next");
    let reset_done = query("reset");
    let email_ref = NodeRef::<leptos::html::Input>::new();

    // Only the email is remembered in the browser, never a token or password.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::Storage;
            if let (Some(input), Ok(saved)) = (email_ref.get(), gloo_storage::LocalStorage::get::<String>(REMEMBERED_EMAIL)) {
                if input.value().is_empty() {
                    input.set_value(&saved);
                }
            }
        }
    });
    let remember = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(input) = email_ref.get() {
            use gloo_storage::Storage;
            let _ = gloo_storage::LocalStorage::set(REMEMBERED_EMAIL, input.value());
        }
    };

    view! {
        <PublicCard title="Sign in">
            {move || reset_done.get().map(|_| view! { <Notice>"Password changed. Sign in with your new password."</Notice> })}
            // On a wrapper: `on:` on the `ActionForm` component is not attached when hydrated.
            <div on:submit=remember>
                <ActionForm action=action attr:novalidate=true>
                    <FormError error=error fields=&["email", "password"]/>
                    <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
                    <Field label="Email" name="email" kind="email" autocomplete="username" required=true error=error node_ref=email_ref/>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true error=error/>
                    <SubmitButton label="Sign in" pending=action.pending()/>
                </ActionForm>
            </div>
            <p class="aside">
                <a href="/forgot-password">"Forgot your password?"</a>
                " · "
                <a href="/register">"Create an account"</a>
            </p>
        </PublicCard>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <PublicCard title="Create an account">
            <ActionForm action=action attr:novalidate=true>
                <FormError error=error fields=&["name", "email", "password", "confirmPassword"]/>
                <Field label="Full name" name="name" autocomplete="name" required=true error=error/>
                <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=error/>
                <Field label="Password" name="password" kind="password" autocomplete="new-password" required=true
                    hint="At least 8 characters." error=error/>
                <Field label="Confirm password" name="confirm_password" error_key="confirmPassword" kind="password"
                    autocomplete="new-password" required=true error=error/>
                <SubmitButton label="Create account" pending=action.pending()/>
            </ActionForm>
            <p class="aside">"Already have an account? " <a href="/login">"Sign in"</a></p>
        </PublicCard>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sent = query("sent");
    view! {
        <PublicCard title="Reset your password">
            {move || match sent.get() {
                Some(_) => view! {
                    <Notice>"If an account exists for that email, a reset link is on its way. It is valid for one hour."</Notice>
                }.into_any(),
                None => view! { <p>"Enter your email and we will send you a link to choose a new password."</p> }.into_any(),
            }}
            <ActionForm action=action attr:novalidate=true>
                <FormError error=error fields=&["email"]/>
                <Field label="Email" name="email" kind="email" autocomplete="email" required=true error=error/>
                <SubmitButton label="Send reset link" pending=action.pending()/>
            </ActionForm>
            <p class="aside"><a href="/login">"Back to sign in"</a></p>
        </PublicCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let token = query("token");
    view! {
        <PublicCard title="Choose a new password">
            <ActionForm action=action attr:novalidate=true>
                <FormError error=error fields=&["password", "confirmPassword"]/>
                <input type="hidden" name="token" value=move || token.get().unwrap_or_default()/>
                <Field label="New password" name="password" kind="password" autocomplete="new-password" required=true
                    hint="At least 8 characters." error=error/>
                <Field label="Confirm new password" name="confirm_password" error_key="confirmPassword" kind="password"
                    autocomplete="new-password" required=true error=error/>
                <SubmitButton label="Change password" pending=action.pending()/>
            </ActionForm>
            <p class="aside"><a href="/forgot-password">"Ask for a new link"</a></p>
        </PublicCard>
    }
}
