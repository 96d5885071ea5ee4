//! Failed sign-ins are counted per account and per client address in fixed windows.
//! Once either count reaches its limit, sign-in answers 429 until the window ends.
//! Successful sign-ins are never slowed and clear the account's count.

use crate::error::AppError;
use crate::server::settings::RateLimitSettings;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    per_account: u32,
    per_ip: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Window>>,
}

struct Window {
    started: Instant,
    count: u32,
}

/// Entries kept before expired ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

impl LoginLimiter {
    pub fn new(settings: &RateLimitSettings) -> Self {
        Self {
            per_account: settings.failures_per_account,
            per_ip: settings.failures_per_ip,
            window: Duration::from_secs(settings.window_secs),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(account: &str, ip: &str) -> [(String, bool); 2] {
        [(format!("account:{account}"), true), (format!("ip:{ip}"), false)]
    }

    /// Refuses with 429 (and the seconds to wait) when either count is at its limit.
    pub fn check(&self, account: &str, ip: &str) -> Result<(), AppError> {
        let now = Instant::now();
        let failures = self.failures.lock().expect("limiter lock");
        for (key, is_account) in Self::keys(account, ip) {
            let limit = if is_account { self.per_account } else { self.per_ip };
            if let Some(w) = failures.get(&key) {
                let elapsed = now.duration_since(w.started);
                if elapsed < self.window && w.count >= limit {
                    return Err(AppError::rate_limited((self.window - elapsed).as_secs()));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, account: &str, ip: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("limiter lock");
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, w| now.duration_since(w.started) < self.window);
        }
        for (key, _) in Self::keys(account, ip) {
            let w = failures.entry(key).or_insert(Window { started: now, count: 0 });
            if now.duration_since(w.started) >= self.window {
                *w = Window { started: now, count: 0 };
            }
            w.count += 1;
        }
    }

    pub fn record_success(&self, account: &str) {
        self.failures.lock().expect("limiter lock").remove(&format!("account:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_account: u32, per_ip: u32) -> LoginLimiter {
        LoginLimiter::new(&RateLimitSettings { failures_per_account: per_account, failures_per_ip: per_ip, window_secs: 60 })
    }

    #[test]
    fn an_account_is_blocked_after_its_failure_limit() {
        let l = limiter(3, 100);
        for _ in 0..3 {
            assert!(l.check("a@x.io", "1.1.1.1").is_ok());
            l.record_failure("a@x.io", "1.1.1.1");
        }
        let err = l.check("a@x.io", "2.2.2.2").unwrap_err();
        assert_eq!(err.status(), 429);
        assert!(err.retry_after.unwrap() > 0);
        assert!(l.check("b@x.io", "1.1.1.1").is_ok(), "other accounts are unaffected");
    }

    #[test]
    fn an_address_is_blocked_after_failures_across_accounts() {
        let l = limiter(100, 2);
        l.record_failure("a@x.io", "1.1.1.1");
        l.record_failure("b@x.io", "1.1.1.1");
        assert!(l.check("c@x.io", "1.1.1.1").is_err());
        assert!(l.check("c@x.io", "9.9.9.9").is_ok());
    }

    #[test]
    fn success_clears_the_account_count() {
        let l = limiter(2, 100);
        l.record_failure("a@x.io", "1.1.1.1");
        l.record_success("a@x.io");
        l.record_failure("a@x.io", "1.1.1.1");
        assert!(l.check("a@x.io", "1.1.1.1").is_ok());
    }
}
