//! A signed-in user's own account: profile, password and notification mails.

use crate::domain::{Department, NewPassword, NoticeKind, NotificationSetting, PersonName, Phone, Profile};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::rate_limit::{self, Budget};
use crate::server::security::{hash_password, verify_password};
use crate::server::services::audit::{self, action};
use crate::server::services::auth::open_session;
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

/// Needs the current password; ends every session of the account and closes its open reset
/// links, in the same transaction as the change. Returns a fresh session
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
    // Guessing the current password through a stolen session costs a hash per try: limited.
    let budget = Budget::PasswordChange { user_id: caller.id };
    rate_limit::spend(core, &budget).await?;
    let record = core.store.user_by_id(caller.id).await?.ok_or_else(|| AppError::not_found("User not found"))?;
    if !verify_password(current.to_string(), Some(record.password_hash.clone())).await? {
        return Err(AppError::invalid("currentPassword", "Current password is not correct."));
    }
    rate_limit::clear(core, &budget).await?;
    let hash = hash_password(new.expose().to_string()).await?;
    let now = chrono::Utc::now().timestamp();
    let entry = audit::entry(caller, action::PASSWORD_CHANGED, &caller.email, "");
    core.store.set_password(caller.id, &hash, now, entry).await?;
    crate::server::live::account_changed(core, caller.id).await;
    // The new session is opened against the password just set.
    let record = crate::server::store::UserRecord { password_hash: hash, ..record };
    Ok(open_session(core, &record, None).await?.token)
}

/// The notification mails the caller's role can receive, each on or off.
pub async fn notifications(core: &Core, caller: &CurrentUser) -> Result<Vec<NotificationSetting>, AppError> {
    let off = core.store.mail_opt_outs(caller.id).await?;
    Ok(NoticeKind::for_role(caller.role)
        .into_iter()
        .map(|kind| NotificationSetting { kind, label: kind.label().into(), enabled: !off.iter().any(|o| o == kind.as_str()) })
        .collect())
}

/// Switches kinds of notification mail on or off (`(kind, on)`); kinds not named stay as they
/// are. A kind the caller's role cannot receive is refused, naming it.
pub async fn set_notifications(core: &Core, caller: &CurrentUser, changes: &[(String, bool)]) -> Result<Vec<NotificationSetting>, AppError> {
    let offered = NoticeKind::for_role(caller.role);
    let mut off: std::collections::BTreeSet<String> = core.store.mail_opt_outs(caller.id).await?.into_iter().collect();
    for (name, on) in changes {
        let kind = NoticeKind::parse(name).filter(|k| offered.contains(k)).ok_or_else(|| {
            let names: Vec<&str> = offered.iter().map(|k| k.as_str()).collect();
            AppError::invalid(name, format!("Not a notification your account receives; these are: {}.", names.join(", ")))
        })?;
        if *on {
            off.remove(kind.as_str());
        } else {
            off.insert(kind.as_str().to_string());
        }
    }
    core.store.set_mail_opt_outs(caller.id, &off.into_iter().collect::<Vec<_>>()).await?;
    notifications(core, caller).await
}
