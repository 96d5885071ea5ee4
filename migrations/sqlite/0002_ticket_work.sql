-- Conversation and history, text search, list indexes and system settings.

-- Every change to a ticket, and its replies and internal notes (kind 'reply' / 'note').
CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id   INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('created', 'edited', 'status', 'priority', 'category',
                                                'assigned', 'reassigned', 'reply', 'note', 'closed')),
    detail     TEXT    NOT NULL DEFAULT '',
    internal   INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    created_at TEXT    NOT NULL
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

INSERT INTO ticket_events (ticket_id, actor_id, kind, created_at)
SELECT id, user_id, 'created', created_at FROM tickets;

-- Full-text search over title and description (FTS5 index kept in step by triggers).
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    title, description, content = 'tickets', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO tickets_fts (rowid, title, description) SELECT id, title, description FROM tickets;
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title, description ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO tickets_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

-- Sorting by priority uses a rank (critical first) that an index can serve.
ALTER TABLE tickets ADD COLUMN priority_rank INTEGER
    GENERATED ALWAYS AS (CASE priority WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) VIRTUAL;

-- Lists filter by scope (requester / assignee / all) and one of status, priority, category,
-- and sort by creation time by default.
CREATE INDEX tickets_by_requester_created ON tickets (user_id, created_at);
CREATE INDEX tickets_by_assignee_created ON tickets (assigned_to, created_at);
CREATE INDEX tickets_by_created ON tickets (created_at);
CREATE INDEX tickets_by_status_created ON tickets (status, created_at);
CREATE INDEX tickets_by_priority_created ON tickets (priority, created_at);
CREATE INDEX tickets_by_category_created ON tickets (category, created_at);
CREATE INDEX tickets_by_rank ON tickets (priority_rank, created_at);
DROP INDEX tickets_by_status;

-- Editable system settings, as JSON values.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES
    ('categories', '["account","technical","security","billing","general"]'),
    ('maxTicketsPerAgent', '10'),
    ('sla', '{"low":72,"medium":48,"high":24,"critical":4}');
