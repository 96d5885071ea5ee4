//! Attempt limits, counted in the database (so every app instance counts the same) in fixed
//! windows. Addresses are counted by network: an IPv4 address, or an IPv6 /64 (one
//! customer's allocation: a guesser can change the last 64 bits at will).
//!
//! - Sign-in: a failure is counted when the hash says the password was wrong, never before
//!   and never for a right one, so an office signing in at once behind one address is never
//!   held for it. Failures are limited per account *from one address*, per address, and per
//!   account from all addresses together; that last ceiling does not hold a browser that has
//!   signed in to the account before (its device cookie, as OWASP recommends), so a guesser
//!   spreading over many addresses does not lock the owner out. Attempts being checked at
//!   once from one address are bounded apart from that (a short "retry in a second", never a
//!   failure), so parallel guesses reach at most the limit plus that bound. Successful
//!   sign-ins are limited per account too: each costs a hash.
//! - Registration, password reset and reset mail, which cost a hash or send mail: per address.
//!   Reset mail to one recipient is limited too, silently (the answer never changes, so it
//!   tells nothing about the account).
//! - Changing one's password: failures per account.

use crate::error::AppError;
use crate::server::startup::Core;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// What an attempt is counted against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Budget<'a> {
    /// Failed sign-ins to one account from one network.
    SignInAccount { email: &'a str, ip: &'a str },
    /// Failed sign-ins from one network, whatever the account.
    SignInAddress { ip: &'a str },
    /// Failed sign-ins to one account from anywhere (not checked for a known device).
    SignInAccountTotal { email: &'a str },
    /// Successful sign-ins to one account.
    SignedIn { email: &'a str },
    /// Registrations, password resets and reset-mail requests from one network.
    Requests { ip: &'a str },
    /// Reset mails to one recipient.
    MailTo { email: &'a str },
    PasswordChange { user_id: i64 },
}

/// Reset mails one recipient gets per window, whoever asks.
const MAILS_PER_RECIPIENT: u32 = 3;

/// The network an address is counted by: an IPv4 address itself, an IPv6 address' /64.
pub fn network(ip: &str) -> String {
    match ip.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

impl Budget<'_> {
    fn key(&self) -> String {
        match self {
            Budget::SignInAccount { email, ip } => format!("sign-in:{email}|{}", network(ip)),
            Budget::SignInAddress { ip } => format!("sign-in-ip:{}", network(ip)),
            Budget::SignInAccountTotal { email } => format!("sign-in-all:{email}"),
            Budget::SignedIn { email } => format!("signed-in:{email}"),
            Budget::Requests { ip } => format!("requests-ip:{}", network(ip)),
            Budget::MailTo { email } => format!("mail-to:{email}"),
            Budget::PasswordChange { user_id } => format!("password:{user_id}"),
        }
    }

    fn limit(&self, core: &Core) -> u32 {
        let limits = &core.config.rate_limit;
        match self {
            Budget::SignInAccount { .. } | Budget::PasswordChange { .. } => limits.failures_per_account,
            Budget::SignInAddress { .. } => limits.failures_per_ip,
            Budget::SignInAccountTotal { .. } => limits.failures_per_account_total,
            Budget::SignedIn { .. } => limits.sign_ins_per_account,
            Budget::Requests { .. } => limits.requests_per_ip,
            Budget::MailTo { .. } => MAILS_PER_RECIPIENT,
        }
    }

    fn refusal(&self, retry_after: u64) -> AppError {
        match self {
            Budget::SignInAccount { .. }
            | Budget::SignInAddress { .. }
            | Budget::SignInAccountTotal { .. }
            | Budget::PasswordChange { .. } => AppError::rate_limited(retry_after),
            Budget::SignedIn { .. } | Budget::Requests { .. } | Budget::MailTo { .. } => AppError::too_many_requests(retry_after),
        }
    }
}

/// Counts one attempt, before the work it asks for; refuses with 429 (and when to retry) once
/// the budget is spent.
pub async fn spend(core: &Core, budget: &Budget<'_>) -> Result<(), AppError> {
    let window = core.config.rate_limit.window_secs as i64;
    let now = chrono::Utc::now().timestamp();
    let hits = core.store.throttle_hit(&budget.key(), window, now).await?;
    if hits.count > i64::from(budget.limit(core)) {
        let retry_after = (hits.window_start + window - now).max(1) as u64;
        return Err(budget.refusal(retry_after));
    }
    Ok(())
}

/// Refuses with 429 when the budget is already spent, counting nothing (the attempt is
/// counted afterwards, by [`count`], only if it turns out to be a failure).
pub async fn check(core: &Core, budget: &Budget<'_>) -> Result<(), AppError> {
    let window = core.config.rate_limit.window_secs as i64;
    let now = chrono::Utc::now().timestamp();
    if let Some(hits) = core.store.throttle_peek(&budget.key(), window, now).await? {
        if hits.count >= i64::from(budget.limit(core)) {
            return Err(budget.refusal((hits.window_start + window - now).max(1) as u64));
        }
    }
    Ok(())
}

/// Counts one attempt that has happened (a failure the hash showed, a sign-in made).
pub async fn count(core: &Core, budget: &Budget<'_>) -> Result<(), AppError> {
    let window = core.config.rate_limit.window_secs as i64;
    core.store.throttle_hit(&budget.key(), window, chrono::Utc::now().timestamp()).await?;
    Ok(())
}

/// Forgets every counted attempt.
pub async fn clear(core: &Core, budget: &Budget<'_>) -> Result<(), AppError> {
    Ok(core.store.throttle_clear(&budget.key()).await?)
}

/// Sign-ins being checked right now, per network, in one process.
pub type InFlightMap = std::sync::Arc<Mutex<HashMap<String, u32>>>;

/// One sign-in being checked; while it lives it counts against its network's bound.
#[derive(Debug)]
pub struct InFlight {
    map: InFlightMap,
    network: String,
}

impl InFlight {
    /// Enters a sign-in from `ip`, or refuses it (429, retry in a second) when `bound` are
    /// already being checked from its network.
    pub fn enter(map: &InFlightMap, ip: &str, bound: u32) -> Result<InFlight, AppError> {
        let network = network(ip);
        let mut counts = map.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(network.clone()).or_insert(0);
        if *n >= bound {
            return Err(AppError::too_many_at_once());
        }
        *n += 1;
        Ok(InFlight { map: map.clone(), network })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut counts = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = counts.get_mut(&self.network) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.network);
            }
        }
    }
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
            Budget::SignInAccountTotal { email: "a@x.io" },
            Budget::SignedIn { email: "a@x.io" },
            Budget::Requests { ip: "1.1.1.1" },
            Budget::MailTo { email: "a@x.io" },
            Budget::PasswordChange { user_id: 1 },
        ];
        let keys: std::collections::HashSet<String> = budgets.iter().map(Budget::key).collect();
        assert_eq!(keys.len(), budgets.len());
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_and_ipv4_by_the_address() {
        let cases = [
            ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
            ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
            ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
            ("::ffff:192.0.2.7", "192.0.2.7"),
            ("192.0.2.7", "192.0.2.7"),
            ("unknown", "unknown"),
        ];
        for (ip, expected) in cases {
            assert_eq!(network(ip), expected, "{ip}");
        }
    }

    #[test]
    fn sign_ins_in_flight_are_bounded_per_network_and_released_when_done() {
        let map = InFlightMap::default();
        let first = InFlight::enter(&map, "2001:db8:9:9::1", 2).unwrap();
        let second = InFlight::enter(&map, "2001:db8:9:9::2", 2).unwrap();
        let refused = InFlight::enter(&map, "2001:db8:9:9::3", 2).unwrap_err();
        assert_eq!((refused.status(), refused.retry_after), (429, Some(1)));
        assert!(InFlight::enter(&map, "2001:db8:9:a::1", 2).is_ok(), "another network has its own bound");
        drop(first);
        let third = InFlight::enter(&map, "2001:db8:9:9::3", 2).expect("a finished sign-in frees its place");
        drop((second, third));
        assert!(map.lock().unwrap().is_empty(), "nothing is kept for an idle network");
    }
}
