-- Daily rollups for reports, kept by triggers in the transaction of every ticket write (like
-- the counters of 0004), so a report over a year reads a few rows per day instead of every
-- ticket. Days are the UTC date (the first ten characters of the stored timestamps).

-- Tickets created on a day, by their current status, priority and category.
CREATE TABLE rollup_created (
    day      TEXT    NOT NULL,
    status   TEXT    NOT NULL,
    priority TEXT    NOT NULL,
    category TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (day, status, priority, category)
) WITHOUT ROWID;

-- Tickets closed on a day: how many, their summed resolution time, how many met their deadline.
CREATE TABLE rollup_closed (
    day             TEXT    PRIMARY KEY,
    n               INTEGER NOT NULL,
    resolution_secs INTEGER NOT NULL,
    sla_met         INTEGER NOT NULL
) WITHOUT ROWID;

-- Tickets created on a day per assignee (0: unassigned) and current status; resolution time
-- summed over the closed ones.
CREATE TABLE rollup_agent (
    agent_id        INTEGER NOT NULL,
    day             TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    resolution_secs INTEGER NOT NULL,
    PRIMARY KEY (agent_id, day, status)
) WITHOUT ROWID;

INSERT INTO rollup_created (day, status, priority, category, n)
    SELECT substr(created_at, 1, 10), status, priority, category, COUNT(*) FROM tickets
    GROUP BY substr(created_at, 1, 10), status, priority, category;
INSERT INTO rollup_closed (day, n, resolution_secs, sla_met)
    SELECT substr(closed_at, 1, 10), COUNT(*),
           SUM(COALESCE(CAST(ROUND((julianday(closed_at) - julianday(created_at)) * 86400) AS INTEGER), 0)),
           SUM(COALESCE(CAST(strftime('%s', closed_at) AS INTEGER) <= due_at, 0))
    FROM tickets WHERE closed_at IS NOT NULL GROUP BY substr(closed_at, 1, 10);
INSERT INTO rollup_agent (agent_id, day, status, n, resolution_secs)
    SELECT COALESCE(assigned_to, 0), substr(created_at, 1, 10), status, COUNT(*),
           SUM(CASE WHEN status = 'closed'
                    THEN COALESCE(CAST(ROUND((julianday(closed_at) - julianday(created_at)) * 86400) AS INTEGER), 0)
                    ELSE 0 END)
    FROM tickets GROUP BY COALESCE(assigned_to, 0), substr(created_at, 1, 10), status;

CREATE TRIGGER rollups_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO rollup_created (day, status, priority, category, n)
        VALUES (substr(new.created_at, 1, 10), new.status, new.priority, new.category, 1)
        ON CONFLICT (day, status, priority, category) DO UPDATE SET n = n + 1;
    INSERT INTO rollup_closed (day, n, resolution_secs, sla_met)
        SELECT substr(new.closed_at, 1, 10), 1,
               COALESCE(CAST(ROUND((julianday(new.closed_at) - julianday(new.created_at)) * 86400) AS INTEGER), 0),
               COALESCE(CAST(strftime('%s', new.closed_at) AS INTEGER) <= new.due_at, 0)
        WHERE new.closed_at IS NOT NULL
        ON CONFLICT (day) DO UPDATE SET n = n + 1, resolution_secs = resolution_secs + excluded.resolution_secs,
                                        sla_met = sla_met + excluded.sla_met;
    INSERT INTO rollup_agent (agent_id, day, status, n, resolution_secs)
        VALUES (COALESCE(new.assigned_to, 0), substr(new.created_at, 1, 10), new.status, 1,
                CASE WHEN new.status = 'closed'
                     THEN COALESCE(CAST(ROUND((julianday(new.closed_at) - julianday(new.created_at)) * 86400) AS INTEGER), 0)
                     ELSE 0 END)
        ON CONFLICT (agent_id, day, status) DO UPDATE SET n = n + 1, resolution_secs = resolution_secs + excluded.resolution_secs;
END;

CREATE TRIGGER rollups_delete AFTER DELETE ON tickets BEGIN
    UPDATE rollup_created SET n = n - 1
        WHERE day = substr(old.created_at, 1, 10) AND status = old.status AND priority = old.priority AND category = old.category;
    UPDATE rollup_closed
        SET n = n - 1,
            resolution_secs = resolution_secs
                - COALESCE(CAST(ROUND((julianday(old.closed_at) - julianday(old.created_at)) * 86400) AS INTEGER), 0),
            sla_met = sla_met - COALESCE(CAST(strftime('%s', old.closed_at) AS INTEGER) <= old.due_at, 0)
        WHERE old.closed_at IS NOT NULL AND day = substr(old.closed_at, 1, 10);
    UPDATE rollup_agent
        SET n = n - 1,
            resolution_secs = resolution_secs - CASE WHEN old.status = 'closed'
                THEN COALESCE(CAST(ROUND((julianday(old.closed_at) - julianday(old.created_at)) * 86400) AS INTEGER), 0)
                ELSE 0 END
        WHERE agent_id = COALESCE(old.assigned_to, 0) AND day = substr(old.created_at, 1, 10) AND status = old.status;
END;

-- An update that touches what the rollups group or sum by takes the old row out and puts the
-- new one in.
CREATE TRIGGER rollups_update AFTER UPDATE OF status, priority, category, assigned_to, closed_at, created_at, due_at ON tickets
WHEN old.status IS NOT new.status OR old.priority IS NOT new.priority OR old.category IS NOT new.category
  OR old.assigned_to IS NOT new.assigned_to OR old.closed_at IS NOT new.closed_at
  OR old.created_at IS NOT new.created_at OR (new.closed_at IS NOT NULL AND old.due_at IS NOT new.due_at)
BEGIN
    UPDATE rollup_created SET n = n - 1
        WHERE day = substr(old.created_at, 1, 10) AND status = old.status AND priority = old.priority AND category = old.category;
    INSERT INTO rollup_created (day, status, priority, category, n)
        VALUES (substr(new.created_at, 1, 10), new.status, new.priority, new.category, 1)
        ON CONFLICT (day, status, priority, category) DO UPDATE SET n = n + 1;
    UPDATE rollup_closed
        SET n = n - 1,
            resolution_secs = resolution_secs
                - COALESCE(CAST(ROUND((julianday(old.closed_at) - julianday(old.created_at)) * 86400) AS INTEGER), 0),
            sla_met = sla_met - COALESCE(CAST(strftime('%s', old.closed_at) AS INTEGER) <= old.due_at, 0)
        WHERE old.closed_at IS NOT NULL AND day = substr(old.closed_at, 1, 10);
    INSERT INTO rollup_closed (day, n, resolution_secs, sla_met)
        SELECT substr(new.closed_at, 1, 10), 1,
               COALESCE(CAST(ROUND((julianday(new.closed_at) - julianday(new.created_at)) * 86400) AS INTEGER), 0),
               COALESCE(CAST(strftime('%s', new.closed_at) AS INTEGER) <= new.due_at, 0)
        WHERE new.closed_at IS NOT NULL
        ON CONFLICT (day) DO UPDATE SET n = n + 1, resolution_secs = resolution_secs + excluded.resolution_secs,
                                        sla_met = sla_met + excluded.sla_met;
    UPDATE rollup_agent
        SET n = n - 1,
            resolution_secs = resolution_secs - CASE WHEN old.status = 'closed'
                THEN COALESCE(CAST(ROUND((julianday(old.closed_at) - julianday(old.created_at)) * 86400) AS INTEGER), 0)
                ELSE 0 END
        WHERE agent_id = COALESCE(old.assigned_to, 0) AND day = substr(old.created_at, 1, 10) AND status = old.status;
    INSERT INTO rollup_agent (agent_id, day, status, n, resolution_secs)
        VALUES (COALESCE(new.assigned_to, 0), substr(new.created_at, 1, 10), new.status, 1,
                CASE WHEN new.status = 'closed'
                     THEN COALESCE(CAST(ROUND((julianday(new.closed_at) - julianday(new.created_at)) * 86400) AS INTEGER), 0)
                     ELSE 0 END)
        ON CONFLICT (agent_id, day, status) DO UPDATE SET n = n + 1, resolution_secs = resolution_secs + excluded.resolution_secs;
END;
