-- Tickets per status, priority and category, over every ticket: a list filtered by any mix of
-- those three (the admin's filters) is counted exactly from at most a few dozen rows instead of
-- walking an index until the count's cap. Kept by triggers inside every write, as ticket_counts.
CREATE TABLE ticket_kind_counts (
    status   TEXT    NOT NULL,
    priority TEXT    NOT NULL,
    category TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (status, priority, category)
) WITHOUT ROWID;

INSERT INTO ticket_kind_counts (status, priority, category, n)
    SELECT status, priority, category, COUNT(*) FROM tickets GROUP BY status, priority, category;

CREATE TRIGGER ticket_kind_counts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_kind_counts (status, priority, category, n) VALUES (new.status, new.priority, new.category, 1)
        ON CONFLICT (status, priority, category) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER ticket_kind_counts_delete AFTER DELETE ON tickets BEGIN
    UPDATE ticket_kind_counts SET n = n - 1
        WHERE status = old.status AND priority = old.priority AND category = old.category;
END;

CREATE TRIGGER ticket_kind_counts_update AFTER UPDATE OF status, priority, category ON tickets
WHEN old.status IS NOT new.status OR old.priority IS NOT new.priority OR old.category IS NOT new.category
BEGIN
    UPDATE ticket_kind_counts SET n = n - 1
        WHERE status = old.status AND priority = old.priority AND category = old.category;
    INSERT INTO ticket_kind_counts (status, priority, category, n) VALUES (new.status, new.priority, new.category, 1)
        ON CONFLICT (status, priority, category) DO UPDATE SET n = n + 1;
END;
