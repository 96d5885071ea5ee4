-- Audit search finds text anywhere in the actor's email or the target (as LIKE '%…%' did)
-- through a trigram index instead of reading every entry. The log is only ever appended to.
CREATE VIRTUAL TABLE audit_fts USING fts5 (
    actor_email, target, content = 'audit_log', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO audit_fts (rowid, actor_email, target) SELECT id, actor_email, target FROM audit_log;
CREATE TRIGGER audit_fts_insert AFTER INSERT ON audit_log BEGIN
    INSERT INTO audit_fts (rowid, actor_email, target) VALUES (new.id, new.actor_email, new.target);
END;
