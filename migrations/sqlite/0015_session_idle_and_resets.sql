-- When a session last served a request (unix seconds, refreshed at most once a minute): a
-- session idle longer than the idle timeout ends.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;

-- A reset row may belong to nobody: asking for an unknown address writes the same row as
-- asking for a known one (the answer and the work tell nothing), and it can never be
-- redeemed. SQLite cannot drop NOT NULL in place: the table is rebuilt.
CREATE TABLE password_resets_new (
    token_hash TEXT    PRIMARY KEY,          -- SHA-256 of the token mailed to the user
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,             -- unix seconds
    used_at    INTEGER
);
INSERT INTO password_resets_new (token_hash, user_id, expires_at, used_at)
    SELECT token_hash, user_id, expires_at, used_at FROM password_resets;
DROP TABLE password_resets;
ALTER TABLE password_resets_new RENAME TO password_resets;
CREATE INDEX password_resets_by_user ON password_resets (user_id);
CREATE INDEX password_resets_by_expiry ON password_resets (expires_at);
