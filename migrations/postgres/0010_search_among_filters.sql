-- A search among filters from one index: the search index holds, beside the words, the
-- filters a list offers (status, category, priority, agent) as words of an array
-- (`postgres::facets::FACETS`, the same expression), and a search's count and gathered page
-- ask for them there (`facets::push_match_filters`). "password" among the on-hold account
-- tickets is then one scan of this index intersecting three lists of tickets, the shortest
-- driving (GIN skips through the word's 200 000 entries): 7 ms at 1 000 000 tickets, where
-- PostgreSQL intersected bitmaps of 17 000, 200 000 and 200 000 tickets from three indexes
-- (98 ms, past the count's 30 ms budget: "21+").
-- An expression of the columns, not a column: the table is not rewritten. Only this index
-- can answer an array's containment; the statements that ask it keep the columns' conditions
-- too, so PostgreSQL may still read a B-tree index where that narrows more, and the walks,
-- which ask no facets, are planned as before. It replaces the search index: a search alone
-- reads the first column of it.
CREATE INDEX tickets_search_facets ON tickets USING gin (
    search,
    (ARRAY['s' || status, 'c' || category, 'p' || priority_rank::text, 'a' || COALESCE(assigned_to::text, '')])
);
DROP INDEX tickets_fts;
-- The statistics of the new expression (which facets are common: "closed" in nine tickets of
-- ten), without which PostgreSQL takes any facet for rare and reads a common one from the index.
ANALYZE tickets;
