-- Service levels, soft-deleted users and the audit trail.

-- A deleted user keeps their row (tickets and history still name them, "Name (deleted)").
ALTER TABLE users ADD COLUMN deleted_at TEXT;

-- The SLA deadline (unix seconds) of each ticket: created + the SLA hours of its priority.
-- The clock keeps running while a ticket is on hold.
ALTER TABLE tickets ADD COLUMN due_at INTEGER;
UPDATE tickets SET due_at = CAST(strftime('%s', created_at) AS INTEGER)
    + 3600 * (CASE priority WHEN 'critical' THEN 4 WHEN 'high' THEN 24 WHEN 'medium' THEN 48 ELSE 72 END);
CREATE INDEX tickets_open_by_due ON tickets (due_at) WHERE status <> 'closed';
CREATE INDEX tickets_by_closed ON tickets (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX tickets_unassigned ON tickets (created_at) WHERE assigned_to IS NULL;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),
    actor_email TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '',
    ip          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_at ON audit_log (at);
CREATE INDEX audit_by_action ON audit_log (action, at);
