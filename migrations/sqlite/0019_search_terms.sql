-- How many tickets hold each searched word, read by the list planner (`sqlite/list_plan.rs`)
-- to choose between walking the search index and walking a filter's index: a view over the
-- FTS5 index itself, nothing to keep in step.
CREATE VIRTUAL TABLE tickets_fts_terms USING fts5vocab (tickets_fts, 'row');
