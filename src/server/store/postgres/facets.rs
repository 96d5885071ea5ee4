//! A search among filters on PostgreSQL: the filters a list offers as words of the search
//! index (migration 0010), which a search's count and gathered page ask for beside its words.

use super::tickets::push_filters;
use crate::domain::{TicketQuery, TicketScope};
use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

/// The filters a list offers as words of one array: `s` and the status, `c` and the category,
/// `p` and the priority's rank, `a` and the agent's id (`a` alone: unassigned), `o` for an open
/// ticket (every overdue ticket is; `-` for a closed one). The second column of the search
/// index (migrations 0010, 0012) is this expression, written the same way.
pub(super) const FACETS: &str = "ARRAY['s' || t.status, 'c' || t.category, 'p' || t.priority_rank::text, \
     'a' || COALESCE(t.assigned_to::text, ''), CASE WHEN t.status = 'closed' THEN '-' ELSE 'o' END]";

/// `push_filters` for reading every match of a search among filters (its count, its gathered
/// page), then `facets` (`counters::match_facets`) asked of `FACETS`: PostgreSQL may then intersect them
/// with the searched words in one scan of the search index (migration 0010), or take a B-tree
/// index of the columns where that narrows the list more (the unassigned on-hold low-priority
/// tickets of a category are a range of the agents' index). The filters then weigh twice in
/// its estimates of the matches, alike for each way it may read them; these statements read
/// every match, so no way is chosen for a page expected soon.
pub(super) fn push_match_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
    scope: TicketScope,
    query: &TicketQuery,
    now: DateTime<Utc>,
    facets: &[String],
) {
    push_filters(qb, scope, query, now);
    if !facets.is_empty() {
        qb.push(format_args!(" AND {FACETS} @> ")).push_bind(facets.to_vec()).push("::TEXT[]");
    }
}

/// The words of `FACETS` that `query`'s filters ask for.
pub(super) fn facets_of(query: &TicketQuery) -> Vec<String> {
    let mut facets = Vec::new();
    facets.extend(query.status.map(|s| format!("s{}", s.as_str())));
    facets.extend(query.category.as_ref().map(|c| format!("c{c}")));
    facets.extend(query.priority.map(|p| format!("p{}", p.rank())));
    facets.extend(query.assigned_to.map(agent_facet));
    if query.unassigned {
        facets.push("a".to_string());
    }
    if query.overdue {
        facets.push("o".to_string());
    }
    facets
}

/// The word of `FACETS` that a list's scope asks for: an agent's own tickets are the agent's
/// facet, as the assignee filter is; a requester's have none (`FACETS` holds no requester).
pub(super) fn scope_facet(scope: TicketScope) -> Option<String> {
    match scope {
        TicketScope::AssignedTo(agent) => Some(agent_facet(agent)),
        _ => None,
    }
}

/// The word of `FACETS` for an agent's tickets: `a` and the agent's id.
fn agent_facet(agent: i64) -> String {
    format!("a{agent}")
}
