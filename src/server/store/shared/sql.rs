//! Statements both databases accept, written once (`$N` placeholders: sqlx's SQLite driver
//! binds them by number too). Each backend runs them on its own pools.

/// Opens a session only while the account is live, active and still has the password the
/// sign-in was checked against: a sign-in that checked a password changed or reset meanwhile,
/// or an account deactivated meanwhile, inserts nothing. Binds: id, user id, created (= last
/// seen), expires, the password hash checked.
pub const OPEN_SESSION: &str = "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at)
     SELECT $1, u.id, $3, $3, $4 FROM users u
     WHERE u.id = $2 AND u.password_hash = $5 AND u.is_active AND u.deleted_at IS NULL";

/// Rows past their use, swept at each sign-in: sessions and throttles a day after their end,
/// reset links a day after they expired.
pub const SWEEP: [&str; 3] = [
    "DELETE FROM sessions WHERE expires_at < $1",
    "DELETE FROM throttles WHERE window_start < $1",
    "DELETE FROM password_resets WHERE expires_at < $1",
];

/// Marks a session used now (never back in time). Binds: now, id.
pub const TOUCH_SESSION: &str = "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1";

/// How stale a session's `last_seen_at` may get before a request refreshes it: the idle
/// timeout is coarse, so a busy session costs a write a minute, not one a request.
pub const TOUCH_EVERY_SECS: i64 = 60;

/// A counter's hits in its current window, without counting one. Binds: key, now - window.
pub const THROTTLE_PEEK: &str = "SELECT count, window_start FROM throttles WHERE key = $1 AND window_start > $2";

/// A reset link, or (with no user) a row that can never be redeemed: an unknown address
/// costs the same write as a known one.
pub const INSERT_PASSWORD_RESET: &str = "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)";

/// Whether a reset link can still be redeemed: unused, unexpired, and its account live and
/// active. Binds: token hash, now.
pub const RESET_LINK_OPEN: &str = "SELECT COUNT(*) FROM password_resets r JOIN users u ON u.id = r.user_id
     WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND u.is_active AND u.deleted_at IS NULL";

/// Uses a reset link, only for a live, active account. Binds: now, token hash.
pub const USE_RESET_LINK: &str = "UPDATE password_resets SET used_at = $1
     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
       AND user_id IN (SELECT id FROM users WHERE is_active AND deleted_at IS NULL)
     RETURNING user_id";

/// Every open reset link of an account stops working. Binds: now, user id.
pub const CLOSE_RESET_LINKS: &str = "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL";

/// Tables whose rows may be counted whole (for operators and tests: each is a scan).
const COUNTABLE: &[&str] = &["sessions", "throttles", "password_resets", "audit_log", "users"];

/// `SELECT COUNT(*)` of a countable table; `None` for any other name.
pub fn count_rows(table: &str) -> Option<String> {
    COUNTABLE.contains(&table).then(|| format!("SELECT COUNT(*) FROM {table}"))
}

/// Longest text kept in an audit column: sign-in failures store what a stranger typed.
pub const AUDIT_TEXT_MAX: usize = 320;

/// `text` cut to `AUDIT_TEXT_MAX` characters.
pub fn audit_text(text: &str) -> &str {
    match text.char_indices().nth(AUDIT_TEXT_MAX) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn audit_text_is_cut_at_a_character_boundary() {
        assert_eq!(super::audit_text("short"), "short");
        let long = "é".repeat(1000);
        assert_eq!(super::audit_text(&long).chars().count(), super::AUDIT_TEXT_MAX);
    }
}
