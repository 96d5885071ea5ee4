-- Every counter or rollup row that differs from a recount of the base tables, as
-- (counter, key, detail); no rows when all agree. Mirrors counter_mismatches in
-- src/server/store/recount.rs (with assignee_due_days, which only PostgreSQL keeps): full outer joins, so rows missing on either side show, and a
-- kept row of zeros with nothing recounted agrees (values compared through COALESCE(…, 0)).
-- The recounts are written out here rather than through the schema's helper functions, so a
-- mistake in those shows up too. Scans every ticket: for tests and consistency checks.
WITH
-- The ticket columns the recounts group and sum by, in the SQLite definitions: UTC date and
-- month, resolution seconds rounded (0 if never closed), deadline met in whole seconds.
t AS (
    SELECT user_id, assigned_to, status, priority, category, due_at, closed_at,
           (created_at AT TIME ZONE 'UTC')::date AS day,
           date_trunc('month', created_at AT TIME ZONE 'UTC')::date AS month,
           (closed_at AT TIME ZONE 'UTC')::date AS closed_day,
           COALESCE(round(extract(epoch FROM closed_at - created_at))::bigint, 0) AS secs,
           COALESCE((floor(extract(epoch FROM closed_at)) <= due_at)::int, 0) AS sla
    FROM tickets
),
ticket_counts_r AS (
    SELECT 'all' AS scope, 0::bigint AS scope_id, status, COUNT(*) AS n FROM t GROUP BY status
    UNION ALL SELECT 'requester', user_id, status, COUNT(*) FROM t GROUP BY user_id, status
    UNION ALL SELECT 'assignee', COALESCE(assigned_to, 0), status, COUNT(*) FROM t GROUP BY COALESCE(assigned_to, 0), status
),
agent_resolution_r AS (
    SELECT assigned_to AS agent_id, COUNT(*) AS resolved, SUM(secs) AS resolution_secs
    FROM t WHERE assigned_to IS NOT NULL AND status = 'closed' GROUP BY assigned_to
),
ticket_kind_counts_r AS (
    SELECT status, priority, category, COUNT(*) AS n FROM t GROUP BY 1, 2, 3
),
rollup_created_r AS (
    SELECT day, status, priority, category, COUNT(*) AS n FROM t GROUP BY 1, 2, 3, 4
),
rollup_closed_r AS (
    SELECT closed_day AS day, COUNT(*) AS n, SUM(secs) AS resolution_secs, SUM(sla) AS sla_met
    FROM t WHERE closed_at IS NOT NULL GROUP BY 1
),
rollup_agent_r AS (
    SELECT COALESCE(assigned_to, 0) AS agent_id, day, status, COUNT(*) AS n,
           SUM(CASE WHEN status = 'closed' THEN secs ELSE 0 END) AS resolution_secs
    FROM t GROUP BY 1, 2, 3
),
open_due_days_r AS (
    SELECT due_at / 86400 AS day, COUNT(*) AS n FROM t WHERE status <> 'closed' AND due_at IS NOT NULL GROUP BY 1
),
assignee_due_days_r AS (
    SELECT assigned_to, due_at / 86400 AS day, COUNT(*) AS n FROM t
    WHERE status <> 'closed' AND due_at IS NOT NULL AND assigned_to IS NOT NULL GROUP BY 1, 2
),
rollup_opened_r AS (
    SELECT day, COUNT(*) AS n FROM t GROUP BY 1
),
rollup_created_month_r AS (
    SELECT month, status, priority, category, COUNT(*) AS n FROM t GROUP BY 1, 2, 3, 4
),
rollup_agent_month_r AS (
    SELECT COALESCE(assigned_to, 0) AS agent_id, month, status, COUNT(*) AS n,
           SUM(CASE WHEN status = 'closed' THEN secs ELSE 0 END) AS resolution_secs
    FROM t GROUP BY 1, 2, 3
),
user_counts_r AS (
    SELECT role, COUNT(*) AS n FROM users WHERE deleted_at IS NULL GROUP BY role
)
SELECT 'ticket_counts' AS counter, concat_ws(' ', scope, scope_id, status) AS key,
       format('n %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0)) AS detail
FROM ticket_counts_r r FULL JOIN ticket_counts k USING (scope, scope_id, status)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0)
UNION ALL
SELECT 'agent_resolution', agent_id::text,
       format('resolved %s kept %s, resolution_secs %s kept %s', COALESCE(r.resolved, 0), COALESCE(k.resolved, 0),
              COALESCE(r.resolution_secs, 0), COALESCE(k.resolution_secs, 0))
FROM agent_resolution_r r FULL JOIN agent_resolution k USING (agent_id)
WHERE COALESCE(r.resolved, 0) <> COALESCE(k.resolved, 0) OR COALESCE(r.resolution_secs, 0) <> COALESCE(k.resolution_secs, 0)
UNION ALL
SELECT 'ticket_kind_counts', concat_ws(' ', status, priority, category),
       format('n %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0))
FROM ticket_kind_counts_r r FULL JOIN ticket_kind_counts k USING (status, priority, category)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0)
UNION ALL
SELECT 'rollup_created', concat_ws(' ', day, status, priority, category),
       format('n %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0))
FROM rollup_created_r r FULL JOIN rollup_created k USING (day, status, priority, category)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0)
UNION ALL
SELECT 'rollup_closed', day::text,
       format('n %s kept %s, resolution_secs %s kept %s, sla_met %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0),
              COALESCE(r.resolution_secs, 0), COALESCE(k.resolution_secs, 0), COALESCE(r.sla_met, 0), COALESCE(k.sla_met, 0))
FROM rollup_closed_r r FULL JOIN rollup_closed k USING (day)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0) OR COALESCE(r.resolution_secs, 0) <> COALESCE(k.resolution_secs, 0)
   OR COALESCE(r.sla_met, 0) <> COALESCE(k.sla_met, 0)
UNION ALL
SELECT 'rollup_agent', concat_ws(' ', agent_id, day, status),
       format('n %s kept %s, resolution_secs %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0),
              COALESCE(r.resolution_secs, 0), COALESCE(k.resolution_secs, 0))
FROM rollup_agent_r r FULL JOIN rollup_agent k USING (agent_id, day, status)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0) OR COALESCE(r.resolution_secs, 0) <> COALESCE(k.resolution_secs, 0)
UNION ALL
SELECT 'open_due_days', day::text, format('n %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0))
FROM open_due_days_r r FULL JOIN open_due_days k USING (day)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0)
UNION ALL
SELECT 'assignee_due_days', concat_ws(' ', assigned_to, day), format('n %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0))
FROM assignee_due_days_r r FULL JOIN assignee_due_days k USING (assigned_to, day)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0)
UNION ALL
SELECT 'rollup_opened', day::text, format('n %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0))
FROM rollup_opened_r r FULL JOIN rollup_opened k USING (day)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0)
UNION ALL
SELECT 'rollup_created_month', concat_ws(' ', month, status, priority, category),
       format('n %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0))
FROM rollup_created_month_r r FULL JOIN rollup_created_month k USING (month, status, priority, category)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0)
UNION ALL
SELECT 'rollup_agent_month', concat_ws(' ', agent_id, month, status),
       format('n %s kept %s, resolution_secs %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0),
              COALESCE(r.resolution_secs, 0), COALESCE(k.resolution_secs, 0))
FROM rollup_agent_month_r r FULL JOIN rollup_agent_month k USING (agent_id, month, status)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0) OR COALESCE(r.resolution_secs, 0) <> COALESCE(k.resolution_secs, 0)
UNION ALL
SELECT 'user_counts', role, format('n %s kept %s', COALESCE(r.n, 0), COALESCE(k.n, 0))
FROM user_counts_r r FULL JOIN user_counts k USING (role)
WHERE COALESCE(r.n, 0) <> COALESCE(k.n, 0)
ORDER BY 1, 2;
