//! Attempt limits, counted in the database (so every app instance counts the same) in fixed
//! windows. Each attempt is counted *before* the work it asks for, in one statement, so
//! simultaneous guesses cannot all slip under a limit.
//!
//! - Sign-in: failures per account *from one address*, and per address. A stranger guessing
//!   an account's password stops themselves, not the owner signing in from elsewhere; a
//!   successful sign-in clears its account's count and gives its address' attempt back.
//! - Registration, password reset and reset mail, which cost a hash or send mail: per address.
//!   Reset mail to one recipient is limited too, silently (the answer never changes, so it
//!   tells nothing about the account).
//! - Changing one's password: failures per account.

use crate::error::AppError;
use crate::server::startup::Core;

/// What an attempt is counted against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Budget<'a> {
    SignInAccount { email: &'a str, ip: &'a str },
    SignInAddress { ip: &'a str },
    /// Registrations, password resets and reset-mail requests from one address.
    Requests { ip: &'a str },
    /// Reset mails to one recipient.
    MailTo { email: &'a str },
    PasswordChange { user_id: i64 },
}

/// Reset mails one recipient gets per window, whoever asks.
const MAILS_PER_RECIPIENT: u32 = 3;

impl Budget<'_> {
    fn key(&self) -> String {
        match self {
            Budget::SignInAccount { email, ip } => format!("sign-in:{email}|{ip}"),
            Budget::SignInAddress { ip } => format!("sign-in-ip:{ip}"),
            Budget::Requests { ip } => format!("requests-ip:{ip}"),
            Budget::MailTo { email } => format!("mail-to:{email}"),
            Budget::PasswordChange { user_id } => format!("password:{user_id}"),
        }
    }

    fn limit(&self, core: &Core) -> u32 {
        let limits = &core.settings.rate_limit;
        match self {
            Budget::SignInAccount { .. } | Budget::PasswordChange { .. } => limits.failures_per_account,
            Budget::SignInAddress { .. } => limits.failures_per_ip,
            Budget::Requests { .. } => limits.requests_per_ip,
            Budget::MailTo { .. } => MAILS_PER_RECIPIENT,
        }
    }

    fn refusal(&self, retry_after: u64) -> AppError {
        match self {
            Budget::SignInAccount { .. } | Budget::SignInAddress { .. } | Budget::PasswordChange { .. } => {
                AppError::rate_limited(retry_after)
            }
            Budget::Requests { .. } | Budget::MailTo { .. } => AppError::too_many_requests(retry_after),
        }
    }
}

/// Counts one attempt; refuses with 429 (and when to retry) once the budget is spent.
pub async fn spend(core: &Core, budget: &Budget<'_>) -> Result<(), AppError> {
    let window = core.settings.rate_limit.window_secs as i64;
    let now = chrono::Utc::now().timestamp();
    let hits = core.store.throttle_hit(&budget.key(), window, now).await?;
    if hits.count > i64::from(budget.limit(core)) {
        let retry_after = (hits.window_start + window - now).max(1) as u64;
        return Err(budget.refusal(retry_after));
    }
    Ok(())
}

/// Gives one attempt back (it turned out legitimate).
pub async fn refund(core: &Core, budget: &Budget<'_>) -> Result<(), AppError> {
    Ok(core.store.throttle_refund(&budget.key()).await?)
}

/// Forgets every counted attempt.
pub async fn clear(core: &Core, budget: &Budget<'_>) -> Result<(), AppError> {
    Ok(core.store.throttle_clear(&budget.key()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_budget_has_its_own_key() {
        let budgets = [
            Budget::SignInAccount { email: "a@x.io", ip: "1.1.1.1" },
            Budget::SignInAccount { email: "a@x.io", ip: "2.2.2.2" },
            Budget::SignInAddress { ip: "1.1.1.1" },
            Budget::Requests { ip: "1.1.1.1" },
            Budget::MailTo { email: "a@x.io" },
            Budget::PasswordChange { user_id: 1 },
        ];
        let keys: std::collections::HashSet<String> = budgets.iter().map(Budget::key).collect();
        assert_eq!(keys.len(), budgets.len());
    }
}
