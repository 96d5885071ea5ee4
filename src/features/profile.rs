//! Every role's profile page: details, edit name/phone/department, change password, and which
//! notification mails to get.

use crate::domain::{NoticeKind, NotificationSetting, Profile};
use crate::error::AppError;
use crate::ui::{Field, FormError, Loaded, Notice, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[cfg(feature = "ssr")]
use crate::server::{guard, rpc, services::account};

#[server(prefix = "/rpc", endpoint = "profile", output = crate::codec::Json)]
pub async fn get_profile() -> Result<Profile, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        account::profile(&core, &caller).await
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "profile/update", output = crate::codec::Json)]
pub async fn update_profile(name: String, phone: String, department: String) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let changes = account::ProfileChanges { name: &name, phone: &phone, department: &department };
        account::update_profile(&core, &caller, changes).await?;
        leptos_axum::redirect("/profile?saved=profile");
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "profile/password", output = crate::codec::Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let token = account::change_password(&core, &caller, &current_password, &new_password, &confirm_password).await?;
        // Other sessions end; this browser gets a fresh token.
        rpc::set_cookie(&guard::session_cookie(&core, &token));
        leptos_axum::redirect("/profile?saved=password");
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "profile/notifications", output = crate::codec::Json)]
pub async fn get_notifications() -> Result<Vec<NotificationSetting>, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        account::notifications(&core, &caller).await
    }
    .await)
}

/// The form's field for a kind of notification (a checkbox, sent only when ticked).
fn field_of(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Reply => "reply",
        NoticeKind::Status => "status",
        NoticeKind::Closed => "closed",
        NoticeKind::Assigned => "assigned",
        NoticeKind::RequesterReply => "requester_reply",
        NoticeKind::NewTicket => "new_ticket",
    }
}

/// Saves the notification form: every kind the caller receives is on when its box was ticked.
#[server(prefix = "/rpc", endpoint = "profile/notifications/save", output = crate::codec::Json)]
pub async fn save_notifications(
    reply: Option<String>,
    status: Option<String>,
    closed: Option<String>,
    assigned: Option<String>,
    requester_reply: Option<String>,
    new_ticket: Option<String>,
) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let ticked = |kind: NoticeKind| match kind {
            NoticeKind::Reply => reply.is_some(),
            NoticeKind::Status => status.is_some(),
            NoticeKind::Closed => closed.is_some(),
            NoticeKind::Assigned => assigned.is_some(),
            NoticeKind::RequesterReply => requester_reply.is_some(),
            NoticeKind::NewTicket => new_ticket.is_some(),
        };
        let changes: Vec<(String, bool)> =
            NoticeKind::for_role(caller.role).into_iter().map(|k| (k.as_str().to_string(), ticked(k))).collect();
        account::set_notifications(&core, &caller, &changes).await?;
        leptos_axum::redirect("/profile?saved=notifications");
        Ok(())
    }
    .await)
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let update = ServerAction::<UpdateProfile>::new();
    let password = ServerAction::<ChangePassword>::new();
    let notify = ServerAction::<SaveNotifications>::new();
    let profile = Resource::new(move || update.version().get(), |_| get_profile());
    let notifications = Resource::new(move || notify.version().get(), |_| get_notifications());
    let saved = Memo::new({
        let params = use_query_map();
        move |_| params.read().get("saved")
    });
    view! {
        <Title text="Profile"/>
        <h1>"Your profile"</h1>
        {move || match saved.get().as_deref() {
            Some("profile") => Some(view! { <Notice>"Profile saved."</Notice> }.into_any()),
            Some("password") => Some(view! { <Notice>"Password changed."</Notice> }.into_any()),
            Some("notifications") => Some(view! { <Notice>"Notification settings saved."</Notice> }.into_any()),
            _ => None,
        }}
        <Loaded resource=profile render=move |p: Profile| view! {
            <ProfileDetails profile=p.clone()/>
            <ProfileForm profile=p action=update/>
        }/>
        <Loaded resource=notifications render={move |n: Vec<NotificationSetting>| view! {
            <NotificationsForm settings=n action=notify/>
        }}/>
        <PasswordForm action=password/>
    }
}

#[component]
fn NotificationsForm(settings: Vec<NotificationSetting>, action: ServerAction<SaveNotifications>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="notifications-heading">
            <h2 id="notifications-heading">"Notification mails"</h2>
            <p class="hint">"Mail me when:"</p>
            <ActionForm action=action>
                <FormError error=error fields=&[]/>
                {settings.into_iter().map(|s| {
                    let id = format!("notify-{}", s.kind.as_str());
                    view! {
                        <div class="check">
                            <input type="checkbox" id=id.clone() name=field_of(s.kind) value="on" checked=s.enabled/>
                            <label for=id>{s.label}</label>
                        </div>
                    }
                }).collect_view()}
                <SubmitButton label="Save notification settings" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
fn ProfileDetails(profile: Profile) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="account-heading">
            <h2 id="account-heading">"Account"</h2>
            <dl class="details">
                <dt>"Email"</dt><dd>{profile.email}</dd>
                <dt>"Role"</dt><dd>{profile.role.label()}</dd>
                <dt>"Member since"</dt><dd>{crate::ui::day_text(profile.created_at)}</dd>
            </dl>
        </section>
    }
}

#[component]
fn ProfileForm(profile: Profile, action: ServerAction<UpdateProfile>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="details-heading">
            <h2 id="details-heading">"Contact details"</h2>
            <ActionForm action=action attr:novalidate=true>
                <FormError error=error fields=&["name", "phone", "department"]/>
                <Field label="Name" name="name" autocomplete="name" required=true value=profile.name error=error/>
                <Field label="Phone" name="phone" kind="tel" autocomplete="tel" value=profile.phone error=error/>
                <Field label="Department" name="department" autocomplete="organization-title" value=profile.department error=error/>
                <SubmitButton label="Save profile" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordForm(action: ServerAction<ChangePassword>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <ActionForm action=action attr:novalidate=true>
                <FormError error=error fields=&["currentPassword", "newPassword", "confirmPassword"]/>
                <Field label="Current password" name="current_password" error_key="currentPassword" kind="password"
                    autocomplete="current-password" required=true error=error/>
                <Field label="New password" name="new_password" error_key="newPassword" kind="password"
                    autocomplete="new-password" required=true hint="At least 8 characters." error=error/>
                <Field label="Confirm new password" name="confirm_password" error_key="confirmPassword" kind="password"
                    autocomplete="new-password" required=true error=error/>
                <SubmitButton label="Change password" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}
