-- Live (not deleted) accounts per role, kept by triggers like the ticket counters, so the
-- super admin's dashboard does not count every account on each visit.
CREATE TABLE user_counts (
    role TEXT    PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO user_counts (role, n)
    SELECT role, COUNT(*) FROM users WHERE deleted_at IS NULL GROUP BY role;

CREATE TRIGGER user_counts_insert AFTER INSERT ON users WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO user_counts (role, n) VALUES (new.role, 1) ON CONFLICT (role) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER user_counts_delete AFTER DELETE ON users WHEN old.deleted_at IS NULL BEGIN
    UPDATE user_counts SET n = n - 1 WHERE role = old.role;
END;
CREATE TRIGGER user_counts_update AFTER UPDATE OF role, deleted_at ON users
WHEN old.role IS NOT new.role OR old.deleted_at IS NOT new.deleted_at
BEGIN
    UPDATE user_counts SET n = n - 1 WHERE role = old.role AND old.deleted_at IS NULL;
    INSERT INTO user_counts (role, n) SELECT new.role, 1 WHERE new.deleted_at IS NULL
        ON CONFLICT (role) DO UPDATE SET n = n + 1;
END;
