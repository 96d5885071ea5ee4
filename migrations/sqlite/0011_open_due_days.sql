-- Open tickets per deadline day (whole UTC days since 1970), kept by triggers in the
-- transaction of every ticket write like the counters of 0004. The all-tickets overdue count
-- (admin dashboard and page) sums the days before today from here and counts only today's
-- open tickets past their deadline through tickets_open_by_due: a few hundred rows a year
-- instead of every open ticket.
CREATE TABLE open_due_days (
    day INTEGER PRIMARY KEY,
    n   INTEGER NOT NULL
);
INSERT INTO open_due_days (day, n)
    SELECT due_at / 86400, COUNT(*) FROM tickets
    WHERE status <> 'closed' AND due_at IS NOT NULL GROUP BY due_at / 86400;

CREATE TRIGGER open_due_days_insert AFTER INSERT ON tickets
WHEN new.status <> 'closed' AND new.due_at IS NOT NULL BEGIN
    INSERT INTO open_due_days (day, n) VALUES (new.due_at / 86400, 1) ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER open_due_days_delete AFTER DELETE ON tickets
WHEN old.status <> 'closed' AND old.due_at IS NOT NULL BEGIN
    UPDATE open_due_days SET n = n - 1 WHERE day = old.due_at / 86400;
END;
CREATE TRIGGER open_due_days_update AFTER UPDATE OF status, due_at ON tickets
WHEN (old.status <> 'closed' AND old.due_at IS NOT NULL) IS NOT (new.status <> 'closed' AND new.due_at IS NOT NULL)
  OR old.due_at / 86400 IS NOT new.due_at / 86400
BEGIN
    UPDATE open_due_days SET n = n - 1
        WHERE day = old.due_at / 86400 AND old.status <> 'closed' AND old.due_at IS NOT NULL;
    INSERT INTO open_due_days (day, n) SELECT new.due_at / 86400, 1
        WHERE new.status <> 'closed' AND new.due_at IS NOT NULL
        ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;
