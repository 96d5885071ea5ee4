-- Every counter and rollup rebuilt from the tickets and accounts, by the definitions that
-- mismatches.sql recounts with: for a bulk copy, which runs with the counter triggers disabled
-- (a trigger per row would update the same few counter rows millions of times in one
-- transaction, and each update of a row the transaction already updated costs more).
TRUNCATE ticket_counts, agent_resolution, ticket_kind_counts, rollup_created, rollup_closed, rollup_agent,
         open_due_days, assignee_due_days, rollup_opened, rollup_created_month, rollup_agent_month, user_counts;

CREATE TEMP TABLE recount_tickets ON COMMIT DROP AS
    SELECT user_id, assigned_to, status, priority, category, due_at, closed_at,
           (created_at AT TIME ZONE 'UTC')::date AS day,
           date_trunc('month', created_at AT TIME ZONE 'UTC')::date AS month,
           (closed_at AT TIME ZONE 'UTC')::date AS closed_day,
           COALESCE(round(extract(epoch FROM closed_at - created_at))::bigint, 0) AS secs,
           COALESCE((floor(extract(epoch FROM closed_at)) <= due_at)::int, 0) AS sla
    FROM tickets;

INSERT INTO ticket_counts (scope, scope_id, status, n)
    SELECT 'all', 0, status, COUNT(*) FROM recount_tickets GROUP BY status
    UNION ALL SELECT 'requester', user_id, status, COUNT(*) FROM recount_tickets GROUP BY user_id, status
    UNION ALL SELECT 'assignee', COALESCE(assigned_to, 0), status, COUNT(*) FROM recount_tickets
        GROUP BY COALESCE(assigned_to, 0), status;
INSERT INTO agent_resolution (agent_id, resolved, resolution_secs)
    SELECT assigned_to, COUNT(*), SUM(secs) FROM recount_tickets
    WHERE assigned_to IS NOT NULL AND status = 'closed' GROUP BY assigned_to;
INSERT INTO ticket_kind_counts (status, priority, category, n)
    SELECT status, priority, category, COUNT(*) FROM recount_tickets GROUP BY 1, 2, 3;
INSERT INTO rollup_created (day, status, priority, category, n)
    SELECT day, status, priority, category, COUNT(*) FROM recount_tickets GROUP BY 1, 2, 3, 4;
INSERT INTO rollup_closed (day, n, resolution_secs, sla_met)
    SELECT closed_day, COUNT(*), SUM(secs), SUM(sla) FROM recount_tickets WHERE closed_at IS NOT NULL GROUP BY 1;
INSERT INTO rollup_agent (agent_id, day, status, n, resolution_secs)
    SELECT COALESCE(assigned_to, 0), day, status, COUNT(*), SUM(CASE WHEN status = 'closed' THEN secs ELSE 0 END)
    FROM recount_tickets GROUP BY 1, 2, 3;
INSERT INTO open_due_days (day, n)
    SELECT due_at / 86400, COUNT(*) FROM recount_tickets WHERE status <> 'closed' AND due_at IS NOT NULL GROUP BY 1;
INSERT INTO assignee_due_days (assigned_to, day, n)
    SELECT assigned_to, due_at / 86400, COUNT(*) FROM recount_tickets
    WHERE status <> 'closed' AND due_at IS NOT NULL AND assigned_to IS NOT NULL GROUP BY 1, 2;
INSERT INTO rollup_opened (day, n) SELECT day, COUNT(*) FROM recount_tickets GROUP BY 1;
INSERT INTO rollup_created_month (month, status, priority, category, n)
    SELECT month, status, priority, category, COUNT(*) FROM recount_tickets GROUP BY 1, 2, 3, 4;
INSERT INTO rollup_agent_month (agent_id, month, status, n, resolution_secs)
    SELECT COALESCE(assigned_to, 0), month, status, COUNT(*), SUM(CASE WHEN status = 'closed' THEN secs ELSE 0 END)
    FROM recount_tickets GROUP BY 1, 2, 3;
INSERT INTO user_counts (role, n) SELECT role, COUNT(*) FROM users WHERE deleted_at IS NULL GROUP BY role;
DROP TABLE recount_tickets;
