-- An agent's resolution sum is closed_at - created_at of their closed tickets, so a change of a
-- closed ticket's creation time must move it too; the trigger of 0004 did not watch created_at
-- (no write path changes it today; the PostgreSQL schema's trigger watches it).
DROP TRIGGER ticket_counts_update;

CREATE TRIGGER ticket_counts_update AFTER UPDATE OF status, user_id, assigned_to, closed_at, created_at ON tickets
WHEN old.status IS NOT new.status OR old.user_id IS NOT new.user_id
  OR old.assigned_to IS NOT new.assigned_to OR old.closed_at IS NOT new.closed_at
  OR old.created_at IS NOT new.created_at
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
