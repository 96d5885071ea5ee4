//! Sign-in, registration and password reset.

use crate::domain::{Email, NewPassword, PersonName, Role, SessionUser};
use crate::error::AppError;
use crate::server::security::{hash_password, random_token, token_digest, verify_password};
use crate::server::services::audit::{self, action};
use crate::server::startup::Core;
use crate::server::store::{NewUser, UserRecord};
use std::sync::Arc;

/// A successful sign-in: the token and who it is for.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user: SessionUser,
}

const RESET_LINK_VALID_SECS: i64 = 3600;

fn session_user(record: &UserRecord) -> SessionUser {
    let p = &record.profile;
    SessionUser { id: p.id, name: p.name.clone(), email: p.email.clone(), role: p.role }
}

fn open_session(core: &Core, record: &UserRecord) -> Result<Session, AppError> {
    let user = session_user(record);
    Ok(Session { token: core.keys.issue(&user)?, user })
}

pub async fn login(core: &Core, email: &str, password: &str, ip: &str) -> Result<Session, AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid("email", "Email is required."));
    }
    if password.is_empty() {
        return Err(AppError::invalid("password", "Password is required."));
    }
    core.limiter.check(&email, ip)?;
    let record = core.store.user_by_email(&email).await?;
    let matches = verify_password(password.to_string(), record.as_ref().map(|r| r.password_hash.clone())).await?;
    let record = match record {
        Some(record) if matches => record,
        _ => {
            core.limiter.record_failure(&email, ip);
            tracing::info!(ip, "failed sign-in");
            let known = record.as_ref().map(|r| r.profile.id);
            audit::record(core, known, &email, action::SIGN_IN_FAILED, &email, "wrong email or password", ip).await;
            return Err(AppError::unauthorized("Invalid email or password."));
        }
    };
    if !record.profile.is_active {
        audit::record(core, Some(record.profile.id), &email, action::SIGN_IN_FAILED, &email, "account deactivated", ip).await;
        // Only said to someone who knows the password, so it reveals nothing new.
        return Err(AppError::unauthorized("This account has been deactivated. Contact your administrator."));
    }
    core.limiter.record_success(&email);
    tracing::info!(user_id = record.profile.id, ip, "signed in");
    audit::record(core, Some(record.profile.id), &email, action::SIGN_IN, &email, "", ip).await;
    open_session(core, &record)
}

pub struct Registration<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub confirm_password: &'a str,
}

/// Self-registration always creates role `user` and signs the new account in.
pub async fn register(core: &Core, input: Registration<'_>, ip: &str) -> Result<Session, AppError> {
    let name = PersonName::parse(input.name)?;
    let email = Email::parse(input.email)?;
    let password = NewPassword::parse("password", input.password, Some(input.confirm_password))?;
    let hash = hash_password(password.expose().to_string()).await?;
    let record = core
        .store
        .insert_user(NewUser {
            name: name.as_str(),
            email: email.as_str(),
            password_hash: &hash,
            role: Role::User,
            department: "",
            phone: "",
        })
        .await?;
    tracing::info!(user_id = record.profile.id, "registered");
    let email = &record.profile.email;
    audit::record(core, Some(record.profile.id), email, action::REGISTERED, email, "", ip).await;
    open_session(core, &record)
}

/// The answer is the same whether or not the account exists; the mail goes out in the
/// background so the response time does not tell either.
pub async fn forgot_password(core: Arc<Core>, email: &str) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    let Some(record) = core.store.user_by_email(email.as_str()).await? else {
        return Ok(());
    };
    if !record.profile.is_active {
        return Ok(());
    }
    let token = random_token(32);
    let expires = chrono::Utc::now().timestamp() + RESET_LINK_VALID_SECS;
    core.store.insert_password_reset(record.profile.id, &token_digest(&token), expires).await?;
    let link = format!("{}/reset-password?token={token}", core.settings.public_url);
    let body = format!(
        "Hello {},\r\n\r\nSomeone asked to reset the password of your help desk account.\r\n\
         To choose a new password, open this link within one hour:\r\n\r\n{link}\r\n\r\n\
         The link works once. If you did not ask for this, ignore this message.\r\n",
        record.profile.name
    );
    tokio::spawn(async move {
        if let Err(e) = core.mailer.send(&record.profile.email, "Reset your help desk password", body).await {
            tracing::error!(error = %e, "password reset mail not sent");
        }
    });
    Ok(())
}

pub async fn reset_password(core: &Core, token: &str, password: &str, confirm: Option<&str>, ip: &str) -> Result<(), AppError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(AppError::invalid("token", "The reset link is missing its token."));
    }
    let password = NewPassword::parse("password", password, confirm)?;
    let hash = hash_password(password.expose().to_string()).await?;
    let now = chrono::Utc::now().timestamp();
    match core.store.redeem_password_reset(&token_digest(token), &hash, now).await? {
        Some(user_id) => {
            tracing::info!(user_id, "password reset");
            let email = core.store.user_by_id(user_id).await?.map(|u| u.profile.email).unwrap_or_default();
            audit::record(core, Some(user_id), &email, action::PASSWORD_RESET, &email, "with a mailed link", ip).await;
            Ok(())
        }
        None => Err(AppError::invalid("token", "This reset link is invalid, used or expired. Ask for a new one.")),
    }
}
