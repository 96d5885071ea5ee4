//! User management: list with search and paging, create, edit, deactivate, delete.

use super::dashboard::UserTable;
use super::{get_user, list_users, CreateUser, DeleteUser, UpdateUser};
use crate::domain::{Profile, Role};
use crate::ui::{Field, FormError, Notice, Pager, SelectField, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

fn role_options() -> Vec<(String, String)> {
    Role::ALL.iter().map(|r| (r.as_str().to_string(), r.label().to_string())).collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        (p.get("q"), p.get("role"), p.get("page"), p.get("deleted"))
    });
    let create = ServerAction::<CreateUser>::new();
    let users = Resource::new(
        move || (query.get(), create.version().get()),
        |((q, role, page, _), _)| list_users(q, role, page),
    );
    view! {
        <Title text="Users"/>
        <h1>"Users"</h1>
        {move || query.get().3.map(|_| view! { <Notice>"User deleted; their tickets are kept."</Notice> })}
        <Form method="GET" action="" attr:class="filters" attr:aria-label="Find users">
            <div class="field grow">
                <label for="user-q">"Search"</label>
                <input id="user-q" type="search" name="q" value=move || query.get().0.unwrap_or_default() placeholder="Name or email"/>
            </div>
            <div class="field">
                <label for="user-role">"Role"</label>
                <select id="user-role" name="role">
                    <option value="">"Any role"</option>
                    {Role::ALL.iter().map(|r| {
                        let value = r.as_str();
                        view! { <option value=value selected=move || query.get().1.as_deref() == Some(value)>{r.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="primary">"Search"</button>
        </Form>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(page) => {
                        let pages = ((page.total.max(0) as u32).div_ceil(page.per_page)).max(1);
                        let current = page.page;
                        view! {
                            <p class="result-count" role="status">{format!("{} users", page.total)}</p>
                            <UserTable users=page.users/>
                            <Pager page=current total_pages=pages/>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Suspense>
        <CreateUserForm action=create/>
    }
}

#[component]
fn CreateUserForm(action: ServerAction<CreateUser>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let created = move || action.value().get().and_then(Result::ok);
    view! {
        <section class="card" aria-labelledby="create-heading">
            <h2 id="create-heading">"Create a user"</h2>
            {move || created().map(|m| view! { <Notice>{m}</Notice> })}
            <ActionForm action=action attr:novalidate=true>
                <FormError error=error fields=&["name", "email", "password", "role", "department", "phone"]/>
                <div class="row">
                    <Field label="Full name" name="name" required=true error=error/>
                    <Field label="Email" name="email" kind="email" required=true error=error/>
                </div>
                <div class="row">
                    <Field label="Initial password" name="password" kind="password" autocomplete="new-password" required=true
                        hint="At least 8 characters; share it with the person safely." error=error/>
                    <SelectField label="Role" name="role" options=role_options() selected="user".to_string() error=error/>
                </div>
                <div class="row">
                    <Field label="Department" name="department" error=error/>
                    <Field label="Phone" name="phone" kind="tel" error=error/>
                </div>
                <SubmitButton label="Create user" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn UserEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|raw| raw.parse::<i64>().ok()).unwrap_or(0));
    let update = ServerAction::<UpdateUser>::new();
    let user = Resource::new(move || (id.get(), update.version().get()), |(id, _)| get_user(id));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(u) => view! { <EditUser user=u action=update/> }.into_any(),
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::server::rpc::set_page_status(e.status());
                        view! { <h1>"User not found"</h1><p class="form-error" role="alert">{e.message}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditUser(user: Profile, action: ServerAction<UpdateUser>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    let delete = ServerAction::<DeleteUser>::new();
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let heading = format!("{} ({})", user.name, user.email);
    view! {
        <Title text=user.name.clone()/>
        <p><a href="/superadmin/users">"← All users"</a></p>
        <h1>{heading}</h1>
        {move || saved().then(|| view! { <Notice>"Changes saved."</Notice> })}
        <section class="card" aria-labelledby="edit-heading">
            <h2 id="edit-heading">"Account"</h2>
            <ActionForm action=action attr:novalidate=true>
                <input type="hidden" name="id" value=user.id/>
                <FormError error=error fields=&["name", "role", "department", "phone"]/>
                <Field label="Full name" name="name" required=true value=user.name.clone() error=error/>
                <SelectField label="Role" name="role" options=role_options() selected=user.role.as_str().to_string() error=error/>
                <div class="check">
                    <input id="user-active" type="checkbox" name="is_active" value="on" checked=user.is_active/>
                    <label for="user-active">"Active (can sign in)"</label>
                </div>
                <div class="row">
                    <Field label="Department" name="department" value=user.department.clone() error=error/>
                    <Field label="Phone" name="phone" kind="tel" value=user.phone.clone() error=error/>
                </div>
                <SubmitButton label="Save changes" pending=action.pending()/>
            </ActionForm>
        </section>
        <section class="card danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete user"</h2>
            <p>"Their tickets stay and show their former name, marked (deleted)."</p>
            <ActionForm action=delete attr:novalidate=true>
                <input type="hidden" name="id" value=user.id/>
                <FormError error=delete_error fields=&["confirm"]/>
                <div class="check">
                    <input id="confirm-user-delete" type="checkbox" name="confirm" value="yes"/>
                    <label for="confirm-user-delete">"Yes, delete this user"</label>
                </div>
                {move || delete_error.get().and_then(|e| e.message_for("confirm")).map(|m| view! { <p class="field-error">{m}</p> })}
                <button type="submit" class="danger">"Delete user"</button>
            </ActionForm>
        </section>
    }
}
