//! The super admin's work: users, system settings and the audit trail.

use crate::domain::{
    parse_page, AuditPage, Department, Email, NewPassword, PersonName, Phone, Profile, Role, SuperDashboard,
    SystemSettings, UserPage,
};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::security::hash_password;
use crate::server::services::audit::{self, action};
use crate::server::startup::Core;
use crate::server::store::{NewUser, UserChange};

fn superadmin(caller: &CurrentUser) -> Result<(), AppError> {
    caller.require(&[Role::Superadmin]).map_err(|_| AppError::forbidden("Super admin access required"))
}

fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw.trim()).ok_or_else(|| AppError::invalid("role", "Role must be one of user, agent, admin, superadmin."))
}

pub async fn dashboard(core: &Core, caller: &CurrentUser) -> Result<SuperDashboard, AppError> {
    superadmin(caller)?;
    Ok(core.store.super_overview(5, chrono::Utc::now()).await?)
}

pub const USERS_PER_PAGE: u32 = 20;

pub async fn users(core: &Core, caller: &CurrentUser, search: Option<&str>, role: Option<&str>, page: Option<&str>) -> Result<UserPage, AppError> {
    superadmin(caller)?;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::invalid("q", "Search text must be at most 100 characters."));
    }
    let role = role.map(str::trim).filter(|s| !s.is_empty()).map(parse_role).transpose()?;
    let page = parse_page(page)?;
    let (users, total) = core.store.list_users(search, role, page, USERS_PER_PAGE).await?;
    Ok(UserPage { users, total, page, per_page: USERS_PER_PAGE })
}

pub async fn user(core: &Core, caller: &CurrentUser, id: i64) -> Result<Profile, AppError> {
    superadmin(caller)?;
    core.store.user_by_id(id).await?.map(|u| u.profile).ok_or_else(|| AppError::not_found("User not found"))
}

pub struct NewAccount<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub role: &'a str,
    pub department: &'a str,
    pub phone: &'a str,
}

pub async fn create_user(core: &Core, caller: &CurrentUser, input: NewAccount<'_>) -> Result<Profile, AppError> {
    superadmin(caller)?;
    let name = PersonName::parse(input.name)?;
    let email = Email::parse(input.email)?;
    let password = NewPassword::parse("password", input.password, None)?;
    let role = parse_role(input.role)?;
    let department = Department::parse(input.department)?;
    let phone = Phone::parse(input.phone)?;
    let hash = hash_password(password.expose().to_string()).await?;
    let detail = format!("role {}", role.as_str());
    let entry = audit::entry(caller, action::USER_CREATED, email.as_str(), &detail);
    let user = NewUser {
        name: name.as_str(),
        email: email.as_str(),
        password_hash: &hash,
        role,
        department: department.as_str(),
        phone: phone.as_str(),
    };
    Ok(core.store.insert_user(user, Some(entry)).await?.profile)
}

pub struct AccountChange<'a> {
    pub name: &'a str,
    pub role: &'a str,
    pub is_active: bool,
    pub department: &'a str,
    pub phone: &'a str,
}

/// A super admin cannot demote, deactivate or delete themselves. (That another active super
/// admin remains is checked by the store inside the write itself.)
fn guard_self(caller: &CurrentUser, target: &Profile, stays_active_superadmin: bool, what: &str) -> Result<(), AppError> {
    let is_active_superadmin = target.role == Role::Superadmin && target.is_active;
    if is_active_superadmin && !stays_active_superadmin && target.id == caller.id {
        return Err(AppError::conflict(format!("You cannot {what} your own super admin account.")));
    }
    Ok(())
}

pub async fn update_user(core: &Core, caller: &CurrentUser, id: i64, change: AccountChange<'_>) -> Result<Profile, AppError> {
    let before = user(core, caller, id).await?;
    let name = PersonName::parse(change.name)?;
    let role = parse_role(change.role)?;
    let department = Department::parse(change.department)?;
    let phone = Phone::parse(change.phone)?;
    let verb = if role != Role::Superadmin { "demote" } else { "deactivate" };
    guard_self(caller, &before, role == Role::Superadmin && change.is_active, verb)?;
    let change = UserChange { name: name.as_str(), role, is_active: change.is_active, department: department.as_str(), phone: phone.as_str() };
    let email = before.email.as_str();
    let role_detail = format!("{} → {}", before.role.as_str(), role.as_str());
    let mut audits = Vec::new();
    if before.role != role {
        audits.push(audit::entry(caller, action::ROLE_CHANGED, email, &role_detail));
    }
    if before.is_active != change.is_active {
        let what = if change.is_active { action::ACTIVATED } else { action::DEACTIVATED };
        audits.push(audit::entry(caller, what, email, ""));
    }
    if (before.name.as_str(), before.department.as_str(), before.phone.as_str()) != (change.name, change.department, change.phone) {
        audits.push(audit::entry(caller, action::USER_UPDATED, email, "name, department or phone"));
    }
    let updated = core.store.update_user(&before, &change, &audits).await?;
    crate::server::live::account_changed(core, before.id).await;
    Ok(updated)
}

pub async fn delete_user(core: &Core, caller: &CurrentUser, id: i64) -> Result<(), AppError> {
    let target = user(core, caller, id).await?;
    if target.id == caller.id {
        return Err(AppError::conflict("You cannot delete your own account."));
    }
    guard_self(caller, &target, false, "delete")?;
    let detail = format!("{} ({})", target.name, target.role.as_str());
    let mut changes = core.store.changes().await?;
    super::holding_writer(async {
        if !changes.delete_user(id, caller.id).await? {
            return Err(AppError::not_found("User not found"));
        }
        changes.audit(audit::entry(caller, action::USER_DELETED, &target.email, &detail)).await?;
        super::commit(core, changes).await
    })
    .await?;
    crate::server::live::account_changed(core, id).await;
    Ok(())
}

pub async fn settings(core: &Core, caller: &CurrentUser) -> Result<SystemSettings, AppError> {
    superadmin(caller)?;
    Ok(core.store.system_settings().await?)
}

pub async fn save_settings(core: &Core, caller: &CurrentUser, categories: &[String], sla: [i64; 4], max_per_agent: i64) -> Result<SystemSettings, AppError> {
    superadmin(caller)?;
    let settings = SystemSettings::parse(categories, sla, max_per_agent)?;
    let s = &settings;
    let detail = format!(
        "categories: {}; SLA hours low {} / medium {} / high {} / critical {}; max tickets per agent {}",
        s.categories.join(", "), s.sla.low, s.sla.medium, s.sla.high, s.sla.critical, s.max_tickets_per_agent
    );
    let entry = audit::entry(caller, action::SETTINGS_CHANGED, "system settings", &detail);
    core.store.save_system_settings(&settings, Some(entry)).await?;
    Ok(settings)
}

pub const AUDIT_PER_PAGE: u32 = 25;
/// Pages are counted by skipping rows, so they stop here.
const MAX_AUDIT_PAGE: u32 = 500;
use crate::server::store::MIN_AUDIT_SEARCH;

pub async fn audit_log(core: &Core, caller: &CurrentUser, action_filter: Option<&str>, search: Option<&str>, page: Option<&str>) -> Result<AuditPage, AppError> {
    superadmin(caller)?;
    let action_filter = action_filter.map(str::trim).filter(|s| !s.is_empty());
    if let Some(a) = action_filter {
        if !action::ALL.contains(&a) {
            return Err(AppError::invalid("action", format!("Unknown action; use one of {}.", action::ALL.join(", "))));
        }
    }
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() < MIN_AUDIT_SEARCH) {
        return Err(AppError::invalid("q", format!("Search for at least {MIN_AUDIT_SEARCH} characters.")));
    }
    let page = parse_page(page)?;
    if page > MAX_AUDIT_PAGE {
        return Err(AppError::invalid("page", format!("page must be at most {MAX_AUDIT_PAGE}; narrow the search to go further back.")));
    }
    Ok(core.store.audit_page(action_filter, search, page, AUDIT_PER_PAGE).await?)
}
