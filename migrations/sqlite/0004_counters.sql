-- Counters that dashboards, the per-agent cap and least-loaded assignment read instead of
-- counting tickets. Triggers keep them in step with `tickets` inside the transaction of every
-- write (insert, status or assignee change, deletion), so no write path can forget them, the
-- same way the FTS index is kept. Overdue is not counted: it depends on the clock, and stays a
-- query on the partial index `tickets_open_by_due`.

-- Tickets per status within a scope: everything ('all', 0), a requester's, an assignee's
-- (scope_id 0 of 'assignee' holds the unassigned ones).
CREATE TABLE ticket_counts (
    scope    TEXT    NOT NULL CHECK (scope IN ('all', 'requester', 'assignee')),
    scope_id INTEGER NOT NULL,
    status   TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id, status)
) WITHOUT ROWID;

-- Closed tickets per assignee and the sum of their resolution times (closed - created, seconds).
CREATE TABLE agent_resolution (
    agent_id        INTEGER PRIMARY KEY,
    resolved        INTEGER NOT NULL,
    resolution_secs INTEGER NOT NULL
);

INSERT INTO ticket_counts (scope, scope_id, status, n)
    SELECT 'all', 0, status, COUNT(*) FROM tickets GROUP BY status;
INSERT INTO ticket_counts (scope, scope_id, status, n)
    SELECT 'requester', user_id, status, COUNT(*) FROM tickets GROUP BY user_id, status;
INSERT INTO ticket_counts (scope, scope_id, status, n)
    SELECT 'assignee', COALESCE(assigned_to, 0), status, COUNT(*) FROM tickets GROUP BY COALESCE(assigned_to, 0), status;
INSERT INTO agent_resolution (agent_id, resolved, resolution_secs)
    SELECT assigned_to, COUNT(*),
           SUM(COALESCE(CAST(ROUND((julianday(closed_at) - julianday(created_at)) * 86400) AS INTEGER), 0))
    FROM tickets WHERE assigned_to IS NOT NULL AND status = 'closed' GROUP BY assigned_to;

CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_counts (scope, scope_id, status, n) VALUES ('all', 0, new.status, 1)
        ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = n + 1;
    INSERT INTO ticket_counts (scope, scope_id, status, n) VALUES ('requester', new.user_id, new.status, 1)
        ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = n + 1;
    INSERT INTO ticket_counts (scope, scope_id, status, n) VALUES ('assignee', COALESCE(new.assigned_to, 0), new.status, 1)
        ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = n + 1;
    INSERT INTO agent_resolution (agent_id, resolved, resolution_secs)
        SELECT new.assigned_to, 1,
               COALESCE(CAST(ROUND((julianday(new.closed_at) - julianday(new.created_at)) * 86400) AS INTEGER), 0)
        WHERE new.assigned_to IS NOT NULL AND new.status = 'closed'
        ON CONFLICT (agent_id) DO UPDATE SET resolved = resolved + 1, resolution_secs = resolution_secs + excluded.resolution_secs;
END;

CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_counts SET n = n - 1 WHERE scope = 'all' AND scope_id = 0 AND status = old.status;
    UPDATE ticket_counts SET n = n - 1 WHERE scope = 'requester' AND scope_id = old.user_id AND status = old.status;
    UPDATE ticket_counts SET n = n - 1 WHERE scope = 'assignee' AND scope_id = COALESCE(old.assigned_to, 0) AND status = old.status;
    UPDATE agent_resolution
        SET resolved = resolved - 1,
            resolution_secs = resolution_secs
                - COALESCE(CAST(ROUND((julianday(old.closed_at) - julianday(old.created_at)) * 86400) AS INTEGER), 0)
        WHERE agent_id = old.assigned_to AND old.status = 'closed';
END;

CREATE TRIGGER ticket_counts_update AFTER UPDATE OF status, user_id, assigned_to, closed_at ON tickets
WHEN old.status IS NOT new.status OR old.user_id IS NOT new.user_id
  OR old.assigned_to IS NOT new.assigned_to OR old.closed_at IS NOT new.closed_at
BEGIN
    UPDATE ticket_counts SET n = n - 1 WHERE scope = 'all' AND scope_id = 0 AND status = old.status;
    UPDATE ticket_counts SET n = n - 1 WHERE scope = 'requester' AND scope_id = old.user_id AND status = old.status;
    UPDATE ticket_counts SET n = n - 1 WHERE scope = 'assignee' AND scope_id = COALESCE(old.assigned_to, 0) AND status = old.status;
    INSERT INTO ticket_counts (scope, scope_id, status, n) VALUES ('all', 0, new.status, 1)
        ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = n + 1;
    INSERT INTO ticket_counts (scope, scope_id, status, n) VALUES ('requester', new.user_id, new.status, 1)
        ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = n + 1;
    INSERT INTO ticket_counts (scope, scope_id, status, n) VALUES ('assignee', COALESCE(new.assigned_to, 0), new.status, 1)
        ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = n + 1;
    UPDATE agent_resolution
        SET resolved = resolved - 1,
            resolution_secs = resolution_secs
                - COALESCE(CAST(ROUND((julianday(old.closed_at) - julianday(old.created_at)) * 86400) AS INTEGER), 0)
        WHERE agent_id = old.assigned_to AND old.status = 'closed';
    INSERT INTO agent_resolution (agent_id, resolved, resolution_secs)
        SELECT new.assigned_to, 1,
               COALESCE(CAST(ROUND((julianday(new.closed_at) - julianday(new.created_at)) * 86400) AS INTEGER), 0)
        WHERE new.assigned_to IS NOT NULL AND new.status = 'closed'
        ON CONFLICT (agent_id) DO UPDATE SET resolved = resolved + 1, resolution_secs = resolution_secs + excluded.resolution_secs;
END;
