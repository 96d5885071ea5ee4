//! Which counter answers a list's count: one rule for both backends, each of which reads the
//! answer its own way (`list_total` in `sqlite/counters.rs` and `postgres/counters.rs`).

use crate::domain::{TicketQuery, TicketScope};

/// Where a list's count comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListCount<'a> {
    /// The scope's counts per status (ticket_counts): their total, or the one status asked.
    Statuses(TicketScope),
    /// Any mix of status, priority and category over all tickets (ticket_kind_counts).
    Kinds,
    /// Overdue alone: the scope's overdue count.
    Overdue(TicketScope),
    /// These search words alone, over all tickets: counted from the full-text index.
    Words(&'a str),
    /// Any other mix: the matches counted up to the cap.
    Matches,
}

/// Where the count of `query` in `scope` comes from; `search` is the query's search text as
/// the backend's full-text index reads it (`None` when nothing is searched). An assignee
/// filter or "unassigned" over all tickets is that assignee's scope (0 for unassigned).
pub(super) fn list_count<'a>(scope: TicketScope, query: &TicketQuery, search: Option<&'a str>) -> ListCount<'a> {
    let kinds = query.priority.is_some() || query.category.is_some();
    let counted_scope = match (scope, query.assigned_to, query.unassigned) {
        (_, None, false) => Some(scope),
        (TicketScope::All, Some(agent), false) => Some(TicketScope::AssignedTo(agent)),
        (TicketScope::All, None, true) => Some(TicketScope::AssignedTo(0)),
        _ => None,
    };
    match (counted_scope, search) {
        (Some(scope), None) if !kinds && !query.overdue => ListCount::Statuses(scope),
        (Some(TicketScope::All), None) if !query.overdue => ListCount::Kinds,
        (Some(scope), None) if !kinds && query.status.is_none() && scope != TicketScope::AssignedTo(0) => ListCount::Overdue(scope),
        (Some(TicketScope::All), Some(words)) if !kinds && !query.overdue && query.status.is_none() => ListCount::Words(words),
        _ => ListCount::Matches,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Priority, TicketStatus};

    #[test]
    fn each_list_is_counted_by_the_counter_that_holds_its_answer() {
        let q = TicketQuery::default();
        let open = TicketQuery { status: Some(TicketStatus::Open), ..q.clone() };
        let high = TicketQuery { priority: Some(Priority::High), ..q.clone() };
        let overdue = TicketQuery { overdue: true, ..q.clone() };
        let agent = TicketQuery { assigned_to: Some(7), ..q.clone() };
        let unassigned = TicketQuery { unassigned: true, ..q.clone() };
        let (all, mine) = (TicketScope::All, TicketScope::RequestedBy(4));
        let cases = [
            (all, &q, None, ListCount::Statuses(all)),
            (mine, &open, None, ListCount::Statuses(mine)),
            (all, &agent, None, ListCount::Statuses(TicketScope::AssignedTo(7))),
            (all, &unassigned, None, ListCount::Statuses(TicketScope::AssignedTo(0))),
            (all, &TicketQuery { status: Some(TicketStatus::Open), ..high.clone() }, None, ListCount::Kinds),
            (all, &TicketQuery { category: Some("billing".into()), ..q.clone() }, None, ListCount::Kinds),
            (all, &overdue, None, ListCount::Overdue(all)),
            (mine, &overdue, None, ListCount::Overdue(mine)),
            (all, &TicketQuery { overdue: true, ..agent.clone() }, None, ListCount::Overdue(TicketScope::AssignedTo(7))),
            (all, &q, Some("'printer'"), ListCount::Words("'printer'")),
            // Mixes no counter holds.
            (mine, &high, None, ListCount::Matches),
            (all, &TicketQuery { overdue: true, ..unassigned.clone() }, None, ListCount::Matches),
            (all, &TicketQuery { overdue: true, ..open.clone() }, None, ListCount::Matches),
            (all, &open, Some("'printer'"), ListCount::Matches),
            (mine, &q, Some("'printer'"), ListCount::Matches),
            (TicketScope::AssignedTo(3), &agent, None, ListCount::Matches),
        ];
        for (scope, query, search, expected) in cases {
            assert_eq!(list_count(scope, query, search), expected, "{scope:?} {query:?} {search:?}");
        }
    }
}
