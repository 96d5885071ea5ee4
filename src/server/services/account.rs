//! A signed-in user's own account: profile and password.

use crate::domain::{Department, NewPassword, PersonName, Phone, Profile};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::security::{hash_password, verify_password};
use crate::server::startup::Core;

pub async fn profile(core: &Core, caller: &CurrentUser) -> Result<Profile, AppError> {
    core.store
        .user_by_id(caller.id)
        .await?
        .map(|r| r.profile)
        .ok_or_else(|| AppError::not_found("User not found"))
}

pub struct ProfileChanges<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub department: &'a str,
}

pub async fn update_profile(core: &Core, caller: &CurrentUser, changes: ProfileChanges<'_>) -> Result<Profile, AppError> {
    let name = PersonName::parse(changes.name)?;
    let phone = Phone::parse(changes.phone)?;
    let department = Department::parse(changes.department)?;
    core.store
        .update_profile(caller.id, name.as_str(), phone.as_str(), department.as_str())
        .await?
        .map(|r| r.profile)
        .ok_or_else(|| AppError::not_found("User not found"))
}

/// Needs the current password; ends the caller's other sessions. Returns a fresh session
/// token for the caller so this browser stays signed in.
pub async fn change_password(
    core: &Core,
    caller: &CurrentUser,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<String, AppError> {
    if current.is_empty() {
        return Err(AppError::invalid("currentPassword", "Current password is required."));
    }
    let new = NewPassword::parse("newPassword", new, Some(confirm))?;
    let record = core.store.user_by_id(caller.id).await?.ok_or_else(|| AppError::not_found("User not found"))?;
    if !verify_password(current.to_string(), Some(record.password_hash)).await? {
        return Err(AppError::invalid("currentPassword", "Current password is not correct."));
    }
    let hash = hash_password(new.expose().to_string()).await?;
    let now = chrono::Utc::now().timestamp();
    core.store.set_password(caller.id, &hash, now).await?;
    crate::server::services::audit::by(core, caller, crate::server::services::audit::action::PASSWORD_CHANGED, &caller.email, "").await;
    core.keys.issue(&caller.user)
}
