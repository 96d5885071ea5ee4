-- Every filter the lists offer, paired with every sort (newest/oldest use created_at, then
-- updated_at, then priority rank + created_at), has an index that returns rows already in order,
-- so a page stops after its LIMIT instead of sorting every match. The store's query-plan test
-- checks each pair. A priority filter uses the rank column, served by tickets_by_rank.
CREATE INDEX tickets_by_requester_rank ON tickets (user_id, priority_rank, created_at);
CREATE INDEX tickets_by_assignee_rank ON tickets (assigned_to, priority_rank, created_at);
CREATE INDEX tickets_by_status_updated ON tickets (status, updated_at);
CREATE INDEX tickets_by_status_rank ON tickets (status, priority_rank, created_at);
CREATE INDEX tickets_by_rank_updated ON tickets (priority_rank, updated_at);
CREATE INDEX tickets_by_category_updated ON tickets (category, updated_at);
CREATE INDEX tickets_by_category_rank ON tickets (category, priority_rank, created_at);
CREATE INDEX tickets_unassigned_rank ON tickets (priority_rank, created_at) WHERE assigned_to IS NULL;
CREATE INDEX tickets_unassigned_updated ON tickets (updated_at) WHERE assigned_to IS NULL;
-- Filtering by priority goes through the rank now; its old index is not needed.
DROP INDEX tickets_by_priority_created;
