-- A ticket's conversation (replies and internal notes), for the answer to every change of it,
-- which shows the conversation: read through this index, a ticket's other history (status
-- changes, assignments, however many) is not read. Only these events are in it, so only
-- they pay for it when written.
CREATE INDEX ticket_events_conversation ON ticket_events (ticket_id, id) WHERE kind IN ('reply', 'note');
