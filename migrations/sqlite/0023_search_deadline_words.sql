-- The deadline as words of the search index's `facets` column (migration 0021), so that an
-- overdue search among filters is the search index's alone too: "printer" among the overdue
-- tickets, newest first, read each open "printer" ticket for its deadline until a page was
-- past it (13 ms a page and 8 ms a count at a million tickets, where the newest are not yet
-- due). An open ticket's deadline day (days since 1970) is written at five widths, each
-- eight times the last: `da` the day, `db` its 8 days, `dc` 64, `dd` 512, `de` 4 096. "Due
-- before today" is then the few aligned blocks that tile the days before it, coarsest first
-- (at most seven a width, 25 words today), and today's own day, whose tickets are checked
-- against the hour (`tickets_search::deadline_words`). Closed tickets hold none: they are
-- never overdue.
DROP TRIGGER tickets_fts_insert;
DROP TRIGGER tickets_fts_delete;
DROP TRIGGER tickets_fts_update;
DROP TABLE tickets_fts;
ALTER TABLE tickets DROP COLUMN facets;
ALTER TABLE tickets ADD COLUMN facets TEXT GENERATED ALWAYS AS (
    's' || replace(status, '-', '') || ' p' || priority || ' c' || hex(COALESCE(category, ''))
    || ' a' || COALESCE(assigned_to, 'none') || ' r' || COALESCE(user_id, 'none')
    || CASE WHEN status = 'closed' THEN ''
            WHEN due_at IS NULL THEN ' live'
            ELSE ' live da' || (due_at / 86400) || ' db' || (due_at / 691200) || ' dc' || (due_at / 5529600)
                 || ' dd' || (due_at / 44236800) || ' de' || (due_at / 353894400) END
) VIRTUAL;
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    title, description, facets, content = 'tickets', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
-- About 15 s at a million tickets, with the merge into one segment.
INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');
INSERT INTO tickets_fts (tickets_fts) VALUES ('optimize');
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, title, description, facets) VALUES (new.id, new.title, new.description, new.facets);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title, description, facets) VALUES ('delete', old.id, old.title, old.description, old.facets);
END;
-- A change of a filter's column or of the deadline rewrites the ticket's entry.
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title, description, status, priority, category, assigned_to, user_id, due_at ON tickets
WHEN old.title IS NOT new.title OR old.description IS NOT new.description OR old.facets IS NOT new.facets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, title, description, facets) VALUES ('delete', old.id, old.title, old.description, old.facets);
    INSERT INTO tickets_fts (rowid, title, description, facets) VALUES (new.id, new.title, new.description, new.facets);
END;
