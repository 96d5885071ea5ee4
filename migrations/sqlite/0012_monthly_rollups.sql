-- Monthly sums of the daily rollups of 0005, and tickets opened per day, kept by triggers on
-- the daily tables (so they follow every ticket write in its transaction). A report over a
-- long range reads whole months from here and only the days at its two ends from the daily
-- tables: a year is about 12 rows per group instead of 365.
CREATE TABLE rollup_created_month (
    month    TEXT    NOT NULL,
    status   TEXT    NOT NULL,
    priority TEXT    NOT NULL,
    category TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (month, status, priority, category)
) WITHOUT ROWID;

CREATE TABLE rollup_agent_month (
    agent_id        INTEGER NOT NULL,
    month           TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    resolution_secs INTEGER NOT NULL,
    PRIMARY KEY (agent_id, month, status)
) WITHOUT ROWID;

-- Tickets created per day, whatever their status, priority and category.
CREATE TABLE rollup_opened (
    day TEXT    PRIMARY KEY,
    n   INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO rollup_created_month (month, status, priority, category, n)
    SELECT substr(day, 1, 7), status, priority, category, SUM(n) FROM rollup_created GROUP BY 1, 2, 3, 4;
INSERT INTO rollup_agent_month (agent_id, month, status, n, resolution_secs)
    SELECT agent_id, substr(day, 1, 7), status, SUM(n), SUM(resolution_secs) FROM rollup_agent GROUP BY 1, 2, 3;
INSERT INTO rollup_opened (day, n) SELECT day, SUM(n) FROM rollup_created GROUP BY day;

CREATE TRIGGER rollup_created_sums_insert AFTER INSERT ON rollup_created BEGIN
    INSERT INTO rollup_created_month (month, status, priority, category, n)
        VALUES (substr(new.day, 1, 7), new.status, new.priority, new.category, new.n)
        ON CONFLICT (month, status, priority, category) DO UPDATE SET n = n + excluded.n;
    INSERT INTO rollup_opened (day, n) VALUES (new.day, new.n)
        ON CONFLICT (day) DO UPDATE SET n = n + excluded.n;
END;
-- A daily row never changes its key (the ticket triggers only add to or take from its sums),
-- so an update moves the same difference into its month and day.
CREATE TRIGGER rollup_created_sums_update AFTER UPDATE OF n ON rollup_created BEGIN
    UPDATE rollup_created_month SET n = n + new.n - old.n
        WHERE month = substr(new.day, 1, 7) AND status = new.status AND priority = new.priority AND category = new.category;
    UPDATE rollup_opened SET n = n + new.n - old.n WHERE day = new.day;
END;
CREATE TRIGGER rollup_created_sums_delete AFTER DELETE ON rollup_created BEGIN
    UPDATE rollup_created_month SET n = n - old.n
        WHERE month = substr(old.day, 1, 7) AND status = old.status AND priority = old.priority AND category = old.category;
    UPDATE rollup_opened SET n = n - old.n WHERE day = old.day;
END;

CREATE TRIGGER rollup_agent_sums_insert AFTER INSERT ON rollup_agent BEGIN
    INSERT INTO rollup_agent_month (agent_id, month, status, n, resolution_secs)
        VALUES (new.agent_id, substr(new.day, 1, 7), new.status, new.n, new.resolution_secs)
        ON CONFLICT (agent_id, month, status) DO UPDATE
            SET n = n + excluded.n, resolution_secs = resolution_secs + excluded.resolution_secs;
END;
CREATE TRIGGER rollup_agent_sums_update AFTER UPDATE OF n, resolution_secs ON rollup_agent BEGIN
    UPDATE rollup_agent_month SET n = n + new.n - old.n, resolution_secs = resolution_secs + new.resolution_secs - old.resolution_secs
        WHERE agent_id = new.agent_id AND month = substr(new.day, 1, 7) AND status = new.status;
END;
CREATE TRIGGER rollup_agent_sums_delete AFTER DELETE ON rollup_agent BEGIN
    UPDATE rollup_agent_month SET n = n - old.n, resolution_secs = resolution_secs - old.resolution_secs
        WHERE agent_id = old.agent_id AND month = substr(old.day, 1, 7) AND status = old.status;
END;
