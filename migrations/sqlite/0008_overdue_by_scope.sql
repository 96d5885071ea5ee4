-- Overdue depends on the clock, so it is counted live, but only over open tickets past their
-- deadline in the caller's scope: these partial indexes hold exactly the open tickets of each
-- requester and assignee by deadline (a busy agent's dashboard otherwise read every ticket
-- they ever had).
CREATE INDEX tickets_open_by_assignee_due ON tickets (assigned_to, due_at) WHERE status <> 'closed';
CREATE INDEX tickets_open_by_requester_due ON tickets (user_id, due_at) WHERE status <> 'closed';
