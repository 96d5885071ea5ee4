//! Sign-in, registration and password reset.

use crate::domain::{Email, NewPassword, PersonName, Role, SessionUser};
use crate::error::AppError;
use crate::server::guard::CurrentUser;
use crate::server::rate_limit::{self, Budget};
use crate::server::security::{hash_password, random_token, token_digest, verify_password};
use crate::server::services::audit::{self, action};
use crate::server::startup::Core;
use crate::server::store::{AuditRecord, NewMail, NewUser, UserRecord};
use std::sync::Arc;

/// A successful sign-in: the token, who it is for, and the browser's new device cookie (it
/// has now signed in to this account: see `rate_limit`).
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user: SessionUser,
    pub device: String,
}

const RESET_LINK_VALID_SECS: i64 = 3600;

fn session_user(record: &UserRecord) -> SessionUser {
    let p = &record.profile;
    SessionUser { id: p.id, name: p.name.clone(), email: p.email.clone(), role: p.role }
}

/// Opens a session for `record` (with its audit entry, if any, in the same transaction) and
/// signs a token for it. The session is opened only if the account is still active and its
/// password is still the one `record` holds: a sign-in checked against a password that was
/// changed or reset meanwhile, or an account deactivated meanwhile, gets no session (401).
pub async fn open_session(core: &Core, record: &UserRecord, audit: Option<AuditRecord<'_>>) -> Result<Session, AppError> {
    let user = session_user(record);
    let sid = random_token(16);
    let now = chrono::Utc::now().timestamp();
    let expires = now + core.keys.ttl_secs();
    if !core.store.open_session(&sid, user.id, &record.password_hash, now, expires, audit).await? {
        return Err(AppError::unauthorized("Your password or account changed meanwhile. Sign in again."));
    }
    Ok(Session { token: core.keys.issue(&user, &sid, now)?, device: core.keys.device_token(&user.email, now)?, user })
}

/// Signs in. `device` is the browser's device cookie, if it sent one.
pub async fn login(core: &Core, email: &str, password: &str, ip: &str, device: Option<&str>) -> Result<Session, AppError> {
    // Parsed before any throttle, audit row or hash: nothing unbounded is counted or stored.
    let email = Email::parse(email)?;
    let email = email.as_str();
    if password.is_empty() {
        return Err(AppError::invalid("password", "Password is required."));
    }
    let limits = &core.config.rate_limit;
    let _in_flight = rate_limit::InFlight::enter(&core.sign_ins_in_flight, ip, limits.sign_ins_in_flight_per_ip)?;
    let known_device = device.and_then(|d| core.keys.device_of(d)).is_some_and(|of| of.eq_ignore_ascii_case(email));
    let address = Budget::SignInAddress { ip };
    let account = Budget::SignInAccount { email, ip };
    let everywhere = Budget::SignInAccountTotal { email };
    let signed_in = Budget::SignedIn { email };
    // Checked before the hash, counted after it: only a wrong password is a failure.
    rate_limit::check(core, &address).await?;
    rate_limit::check(core, &account).await?;
    if !known_device {
        rate_limit::check(core, &everywhere).await?;
    }
    rate_limit::check(core, &signed_in).await?;
    let record = core.store.user_by_email(email).await?;
    let matches = verify_password(password.to_string(), record.as_ref().map(|r| r.password_hash.clone())).await?;
    let record = match record {
        Some(record) if matches => record,
        _ => {
            tracing::info!(ip, "failed sign-in");
            crate::server::metrics::sign_in_failed();
            rate_limit::count(core, &address).await?;
            rate_limit::count(core, &account).await?;
            if !known_device {
                rate_limit::count(core, &everywhere).await?;
            }
            let known = record.as_ref().map(|r| r.profile.id);
            audit::record(core, known, email, action::SIGN_IN_FAILED, email, "wrong email or password", ip).await;
            return Err(AppError::unauthorized("Invalid email or password."));
        }
    };
    rate_limit::clear(core, &account).await?;
    rate_limit::count(core, &signed_in).await?;
    if !record.profile.is_active {
        audit::record(core, Some(record.profile.id), email, action::SIGN_IN_FAILED, email, "account deactivated", ip).await;
        // Only said to someone who knows the password, so it reveals nothing new.
        return Err(AppError::unauthorized("This account has been deactivated. Contact your administrator."));
    }
    tracing::info!(user_id = record.profile.id, ip, "signed in");
    let entry = AuditRecord { actor_id: Some(record.profile.id), actor_email: email, action: action::SIGN_IN, target: email, detail: "", ip };
    open_session(core, &record, Some(entry)).await
}

/// Ends the caller's session: their token stops working at once, on every instance.
pub async fn logout(core: &Core, caller: &CurrentUser) -> Result<(), AppError> {
    core.store.end_session(&caller.session).await?;
    crate::server::live::account_changed(core, caller.id).await;
    Ok(())
}

pub struct Registration<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub confirm_password: &'a str,
}

/// Self-registration always creates role `user` and signs the new account in. The address'
/// budget is spent before anything is looked up, and the hash is paid only for a free email.
pub async fn register(core: &Core, input: Registration<'_>, ip: &str) -> Result<Session, AppError> {
    let name = PersonName::parse(input.name)?;
    let email = Email::parse(input.email)?;
    let password = NewPassword::parse("password", input.password, Some(input.confirm_password))?;
    rate_limit::spend(core, &Budget::Requests { ip }).await?;
    if core.store.email_taken(email.as_str()).await? {
        return Err(AppError::conflict_on("email", "An account with this email already exists."));
    }
    let hash = hash_password(password.expose().to_string()).await?;
    let new_user = NewUser { name: name.as_str(), email: email.as_str(), password_hash: &hash, role: Role::User, department: "", phone: "" };
    let entry = AuditRecord { actor_id: None, actor_email: email.as_str(), action: action::REGISTERED, target: email.as_str(), detail: "", ip };
    let record = core.store.insert_user(new_user, Some(entry)).await?;
    tracing::info!(user_id = record.profile.id, "registered");
    open_session(core, &record, None).await
}

/// The answer is the same whether or not the account exists, and so is the work: the same
/// throttle rows and one reset row either way (for an unknown, inactive or already mailed-out
/// address the row belongs to nobody and can never be redeemed); the mail goes out in the
/// background so the response time does not tell either. Requests are limited per address
/// (429) and mails per recipient (silently: the answer stays the same).
pub async fn forgot_password(core: Arc<Core>, email: &str, ip: &str) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    rate_limit::spend(&core, &Budget::Requests { ip }).await?;
    let record = core.store.user_by_email(email.as_str()).await?;
    let may_mail = rate_limit::spend(&core, &Budget::MailTo { email: email.as_str() }).await.is_ok();
    let recipient = record.filter(|r| r.profile.is_active && may_mail);
    let token = random_token(32);
    let expires = chrono::Utc::now().timestamp() + RESET_LINK_VALID_SECS;
    let mail = recipient.as_ref().map(|record| {
        let link = format!("{}/reset-password?token={token}", core.config.public_url.trim_end_matches('/'));
        let text = format!(
            "Hello {},\r\n\r\nSomeone asked to reset the password of your help desk account.\r\n\
             To choose a new password, open this link within one hour:\r\n\r\n{link}\r\n\r\n\
             The link works once. If you did not ask for this, ignore this message.\r\n",
            record.profile.name
        );
        NewMail {
            kind: "password-reset".into(),
            ticket_id: None,
            recipient_id: Some(record.profile.id),
            to: record.profile.email.clone(),
            subject: "Reset your help desk password".into(),
            text,
            html: None,
            message_id: core.mail_identity.message_id(None),
            thread_id: None,
            reply_to: None,
        }
    });
    // The reset row and its mail land together; the outbox worker sends the mail, so the
    // answer takes the same time whether or not there is one.
    let digest = token_digest(&token);
    core.store.insert_password_reset(recipient.as_ref().map(|r| r.profile.id), &digest, expires, mail.as_ref()).await?;
    if mail.is_some() {
        core.mail_wake.notify_one();
    }
    Ok(())
}

pub async fn reset_password(core: &Core, token: &str, password: &str, confirm: Option<&str>, ip: &str) -> Result<(), AppError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(AppError::invalid("token", "The reset link is missing its token."));
    }
    let password = NewPassword::parse("password", password, confirm)?;
    rate_limit::spend(core, &Budget::Requests { ip }).await?;
    let digest = token_digest(token);
    let now = chrono::Utc::now().timestamp();
    let closed = || AppError::invalid("token", "This reset link is invalid, used or expired. Ask for a new one.");
    // Checked before the hash: a made-up token costs a lookup, not 19 MiB and a core.
    if !core.store.reset_link_open(&digest, now).await? {
        return Err(closed());
    }
    let hash = hash_password(password.expose().to_string()).await?;
    let audit = (action::PASSWORD_RESET, "with a mailed link", ip);
    let user_id = core.store.redeem_password_reset(&digest, &hash, now, audit).await?.ok_or_else(closed)?;
    tracing::info!(user_id, "password reset");
    crate::server::live::account_changed(core, user_id).await;
    Ok(())
}
