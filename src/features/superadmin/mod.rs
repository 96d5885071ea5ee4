//! The super admin's pages: dashboard, users, settings, audit log.

mod audit;
mod dashboard;
mod settings;
mod users;

pub use audit::AuditLogPage;
pub use dashboard::SuperHome;
pub use settings::SettingsPage;
pub use users::{UserEditPage, UsersPage};

use crate::domain::{AuditPage, Profile, SuperDashboard, SystemSettings, UserPage};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{rpc, services::superadmin as service};

#[server(prefix = "/rpc", endpoint = "super/dashboard", output = crate::codec::Json)]
pub async fn load_super_dashboard() -> Result<SuperDashboard, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        service::dashboard(&core, &rpc::caller(&core).await?).await
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "super/users", output = crate::codec::Json)]
pub async fn list_users(q: Option<String>, role: Option<String>, page: Option<String>) -> Result<UserPage, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        service::users(&core, &rpc::caller(&core).await?, q.as_deref(), role.as_deref(), page.as_deref()).await
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "super/users/get", output = crate::codec::Json)]
pub async fn get_user(id: i64) -> Result<Profile, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        service::user(&core, &rpc::caller(&core).await?, id).await
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "super/users/create", output = crate::codec::Json)]
pub async fn create_user(
    name: String,
    email: String,
    password: String,
    role: String,
    department: String,
    phone: String,
) -> Result<String, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let input = service::NewAccount { name: &name, email: &email, password: &password, role: &role, department: &department, phone: &phone };
        let user = service::create_user(&core, &caller, input).await?;
        Ok(format!("Created {} ({}) as {}.", user.name, user.email, user.role.label()))
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "super/users/update", output = crate::codec::Json)]
pub async fn update_user(
    id: i64,
    name: String,
    role: String,
    is_active: Option<String>,
    department: String,
    phone: String,
) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let change = service::AccountChange { name: &name, role: &role, is_active: is_active.is_some(), department: &department, phone: &phone };
        service::update_user(&core, &caller, id, change).await?;
        if rpc::is_plain_form_post() {
            leptos_axum::redirect(&format!("/superadmin/users/{id}?saved=1"));
        }
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "super/users/delete", output = crate::codec::Json)]
pub async fn delete_user(id: i64, confirm: Option<String>) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        if confirm.is_none() {
            return Err(AppError::invalid("confirm", "Tick the box to confirm that this user should be deleted."));
        }
        service::delete_user(&core, &caller, id).await?;
        leptos_axum::redirect("/superadmin/users?deleted=1");
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "super/settings", output = crate::codec::Json)]
pub async fn load_settings() -> Result<SystemSettings, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        service::settings(&core, &rpc::caller(&core).await?).await
    }
    .await)
}

/// Categories come one per line (or comma-separated); numbers as typed.
#[server(prefix = "/rpc", endpoint = "super/settings/save", output = crate::codec::Json)]
pub async fn save_settings(
    categories: String,
    sla_low: String,
    sla_medium: String,
    sla_high: String,
    sla_critical: String,
    max_tickets_per_agent: String,
) -> Result<(), AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        let caller = rpc::caller(&core).await?;
        let number = |field: &str, raw: &str| {
            raw.trim().parse::<i64>().map_err(|_| AppError::invalid(field, "Enter a whole number."))
        };
        let sla = [
            number("sla.low", &sla_low)?,
            number("sla.medium", &sla_medium)?,
            number("sla.high", &sla_high)?,
            number("sla.critical", &sla_critical)?,
        ];
        let max = number("maxTicketsPerAgent", &max_tickets_per_agent)?;
        let categories: Vec<String> = categories.split([',', '\n']).map(|c| c.trim().to_string()).collect();
        service::save_settings(&core, &caller, &categories, sla, max).await?;
        if rpc::is_plain_form_post() {
            leptos_axum::redirect("/superadmin/settings?saved=1");
        }
        Ok(())
    }
    .await)
}

#[server(prefix = "/rpc", endpoint = "super/audit", output = crate::codec::Json)]
pub async fn load_audit(action: Option<String>, q: Option<String>, page: Option<String>) -> Result<AuditPage, AppError> {
    rpc::finish(async {
        let core = rpc::core()?;
        service::audit_log(&core, &rpc::caller(&core).await?, action.as_deref(), q.as_deref(), page.as_deref()).await
    }
    .await)
}
