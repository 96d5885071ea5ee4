-- Accounts, sign-in support, and the ticket tables the dashboards read.
-- Timestamps are RFC 3339 UTC text (they sort correctly as text).

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT    NOT NULL,
    email              TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    password_hash      TEXT    NOT NULL,
    role               TEXT    NOT NULL CHECK (role IN ('user', 'agent', 'admin', 'superadmin')),
    is_active          INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    department         TEXT    NOT NULL DEFAULT '',
    phone              TEXT    NOT NULL DEFAULT '',
    created_at         TEXT    NOT NULL,
    -- Tokens issued (iat, unix seconds) before this moment are refused: set on password changes.
    tokens_valid_after INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_by_role ON users (role, is_active);
CREATE INDEX users_by_created ON users (created_at);

CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,          -- SHA-256 of the token mailed to the user
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,             -- unix seconds
    used_at    INTEGER
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- Secrets generated once per installation (e.g. the token signing key).
CREATE TABLE app_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tickets (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    priority         TEXT    NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    status           TEXT    NOT NULL CHECK (status IN ('open', 'in-progress', 'on-hold', 'closed')),
    assigned_to      INTEGER REFERENCES users (id),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    closed_at        TEXT,
    resolution_notes TEXT,
    version          INTEGER NOT NULL DEFAULT 1
);
-- Dashboards count by status within a scope and list the most recently updated.
CREATE INDEX tickets_by_requester ON tickets (user_id, status);
CREATE INDEX tickets_by_requester_updated ON tickets (user_id, updated_at);
CREATE INDEX tickets_by_assignee ON tickets (assigned_to, status);
CREATE INDEX tickets_by_assignee_updated ON tickets (assigned_to, updated_at);
CREATE INDEX tickets_by_status ON tickets (status);
CREATE INDEX tickets_by_updated ON tickets (updated_at);
