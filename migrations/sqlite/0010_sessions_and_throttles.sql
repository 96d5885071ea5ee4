-- Sign-in sessions. A token is honoured only while its session row exists, so signing out,
-- changing or resetting a password, deactivating and deleting an account end sessions
-- exactly (no comparison of whole-second issue times), across every app instance.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,          -- random, carried in the token's `sid` claim
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,             -- unix seconds
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Attempt counters in fixed windows (sign-in failures per account and address, hashing and
-- mail endpoints per address), kept in the database so every app instance counts the same.
CREATE TABLE throttles (
    key          TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,           -- unix seconds
    count        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX throttles_by_window ON throttles (window_start);

-- Replaced by sessions.
ALTER TABLE users DROP COLUMN tokens_valid_after;
