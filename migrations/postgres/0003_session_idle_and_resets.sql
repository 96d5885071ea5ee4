-- When a session last served a request (unix seconds, refreshed at most once a minute): a
-- session idle longer than the idle timeout ends.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;

-- A reset row may belong to nobody: asking for an unknown address writes the same row as
-- asking for a known one (the answer and the work tell nothing), and it can never be redeemed.
ALTER TABLE password_resets ALTER COLUMN user_id DROP NOT NULL;
CREATE INDEX password_resets_by_expiry ON password_resets (expires_at);
