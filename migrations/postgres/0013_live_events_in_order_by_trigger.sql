-- A write of live events takes its turn and wakes every instance from triggers of the table,
-- not from two statements of each change's transaction around the insert (two round trips a
-- ticket write, of about ten). Before the insert, once a statement: the advisory lock held to
-- the commit, taken before the rows' ids are drawn (a statement's BEFORE trigger runs before
-- its first row is made), so the ids commit in order and a reader that has seen id N never
-- meets a smaller one later. After it: the NOTIFY, delivered at the commit, once however many
-- statements a transaction runs (notifications with the same payload fold into one).
CREATE FUNCTION live_events_take_turn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(2700270027);
    RETURN NULL;
END
$$;
CREATE TRIGGER live_events_take_turn BEFORE INSERT ON live_events
    FOR EACH STATEMENT EXECUTE FUNCTION live_events_take_turn();

CREATE FUNCTION live_events_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live_events', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER live_events_wake AFTER INSERT ON live_events
    FOR EACH STATEMENT EXECUTE FUNCTION live_events_wake();
