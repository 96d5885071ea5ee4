//! The indexes of `tickets` the list planner may name, as it sees them (see `list_plan`).

use super::term::*;

/// A column of an index: a condition it narrows by, or an order it keeps (the priority rank
/// is both).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Col {
    /// Equality (or, for OVERDUE, the deadline range that ends the prefix) on these terms.
    Term(u8),
    Created,
    Updated,
    /// The search index's row id: a search's order.
    Id,
}
use Col::*;

/// An index a list may walk: its name (`None` for the search index), the term its partial
/// condition needs (if any), and its columns.
pub(super) struct Index {
    pub name: Option<&'static str>,
    pub needs: u8,
    pub cols: &'static [Col],
    /// Terms it can check beyond its columns' own (the deadline, held beside the status).
    pub also: u8,
    /// Whether it holds every sort's columns, so that a page of what it gathers is picked from
    /// the index alone.
    pub sorts: bool,
}

const fn ix(name: &'static str, needs: u8, cols: &'static [Col]) -> Index {
    Index { name: Some(name), needs, cols, also: 0, sorts: false }
}

/// The open tickets of one status, priority or category by deadline, holding the other
/// filters' columns too (migration 0024).
const fn open_due(name: &'static str, first: u8) -> Index {
    let cols: &'static [Col] = match first {
        STATUS => &[Term(STATUS), Term(OVERDUE)],
        RANK => &[Term(RANK), Term(OVERDUE)],
        _ => &[Term(CATEGORY), Term(OVERDUE)],
    };
    Index { name: Some(name), needs: OVERDUE | first, cols, also: (STATUS | RANK | CATEGORY | ASSIGNEE | UNASSIGNED) & !first, sorts: false }
}

impl Index {
    /// Whether the index alone tells the matches of `mix` and every sort's order, so that a
    /// page is picked from it and only the page's tickets are read; never for a search, whose
    /// words it does not hold.
    pub fn index_only(&self, mix: u8) -> bool {
        self.name.is_some() && self.sorts && mix & WORDS == 0 && self.holds(mix)
    }

    /// Whether every filter of `mix` (its words aside) is checked from the index alone.
    pub fn holds(&self, mix: u8) -> bool {
        (mix & !WORDS) & !self.covers() == 0
    }

    /// The terms a row can be checked for from the index alone, without reading the ticket.
    pub fn covers(&self) -> u8 {
        self.cols.iter().fold(self.needs | self.also, |terms, col| if let Term(t) = col { terms | t } else { terms })
    }
}

/// Every index of `tickets` (migrations 0002, 0004–0008, 0019, 0022, 0024) that a list condition or order uses.
/// (The partial indexes of unassigned tickets hold what the assignee indexes hold for NULL.)
pub(super) const INDEXES: &[Index] = &[
    // The search index holds the words and, as words of its own, most filters (migration 0021).
    Index { name: None, needs: WORDS, cols: &[Term(WORDS | FACETS), Id], also: 0, sorts: false },
    ix("tickets_by_created", 0, &[Created]),
    ix("tickets_by_updated", 0, &[Updated]),
    ix("tickets_by_rank", 0, &[Term(RANK), Created]),
    ix("tickets_by_rank_updated", 0, &[Term(RANK), Updated]),
    ix("tickets_by_status_created", 0, &[Term(STATUS), Created]),
    ix("tickets_by_status_updated", 0, &[Term(STATUS), Updated]),
    ix("tickets_by_status_rank", 0, &[Term(STATUS), Term(RANK), Created]),
    ix("tickets_by_category_created", 0, &[Term(CATEGORY), Created]),
    ix("tickets_by_category_updated", 0, &[Term(CATEGORY), Updated]),
    ix("tickets_by_category_rank", 0, &[Term(CATEGORY), Term(RANK), Created]),
    Index {
        name: Some("tickets_by_assignee"),
        needs: 0,
        cols: &[Term(ASSIGNEE | UNASSIGNED), Term(STATUS), Term(RANK), Term(CATEGORY)],
        also: OVERDUE,
        sorts: true,
    },
    ix("tickets_by_assignee_created", 0, &[Term(ASSIGNEE | UNASSIGNED), Created]),
    ix("tickets_by_assignee_updated", 0, &[Term(ASSIGNEE | UNASSIGNED), Updated]),
    ix("tickets_by_assignee_rank", 0, &[Term(ASSIGNEE | UNASSIGNED), Term(RANK), Created]),
    ix("tickets_by_requester", 0, &[Term(REQUESTER), Term(STATUS)]),
    ix("tickets_by_requester_created", 0, &[Term(REQUESTER), Created]),
    ix("tickets_by_requester_updated", 0, &[Term(REQUESTER), Updated]),
    ix("tickets_by_requester_rank", 0, &[Term(REQUESTER), Term(RANK), Created]),
    ix("tickets_open_by_due", OVERDUE, &[Term(OVERDUE)]),
    // Migrations 0022 and 0024: serving only mixes that hold their first column's term, and
    // holding the other filters' columns after the deadline (not the sorts').
    open_due("tickets_open_by_status_due", STATUS),
    open_due("tickets_open_by_rank_due", RANK),
    open_due("tickets_open_by_category_due", CATEGORY),
    ix("tickets_open_by_assignee_due", OVERDUE, &[Term(ASSIGNEE), Term(OVERDUE)]),
    ix("tickets_open_by_requester_due", OVERDUE, &[Term(REQUESTER), Term(OVERDUE)]),
];

