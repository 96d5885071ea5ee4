-- A ticket write moves its counters and rollups (migration 0001's triggers) from the rows of what
-- the ticket was to the rows of what it is, in an order that follows the change: a status change
-- from in progress to on hold takes an "in progress" row first, one the other way an "on hold"
-- row first. Two such changes at once could each hold the row the other waited for, and
-- PostgreSQL broke the tie after a second (deadlock_timeout) by failing one: the agent got a 503
-- ("try again") after a second's wait. The same holds for priorities, categories, assignees
-- and deadlines moved in opposite directions.
--
-- Every ticket write now takes one turn before its counters: this trigger fires first among the
-- tickets' row triggers (they fire in name order) and takes the advisory lock the live events
-- take (migration 0013), held to the commit. The counters' rows of "all tickets" already made
-- every write of a status wait for the one before it to commit; the turn makes that order one
-- for all writes, so no two wait for each other. It is taken after the ticket's own row is
-- written, so a write's index updates still run beside others'.
CREATE FUNCTION tickets_take_turn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(2700270027);
    RETURN NULL;
END
$$;
CREATE TRIGGER a_tickets_take_turn AFTER INSERT OR UPDATE OR DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION tickets_take_turn();
