-- The index of each agent's (and the unassigned) tickets by status also holds every other
-- column a list filters or sorts on, so that a list gathering an agent's or the unassigned
-- tickets (see `list_plan`) narrows by status, priority and category, checks the deadline and
-- picks its page in the index alone, then reads only the page's tickets: the 26 000 unassigned
-- open tickets were 26 000 ticket reads to find the 938 low-priority account ones, and the
-- newest 25 of the unassigned overdue a read and sort of 30 000 tickets. An index it replaces,
-- so a write updates as many indexes as before.
DROP INDEX tickets_by_assignee;
CREATE INDEX tickets_by_assignee
    ON tickets (assigned_to, status, priority_rank, category, due_at, created_at, updated_at);
