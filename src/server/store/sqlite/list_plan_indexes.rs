//! The indexes of `tickets` the list planner may name, as it sees them (see `list_plan`).

use super::term::*;
use crate::server::store::stepping::every_value_of;

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

/// The terms whose columns an index may step over where a list does not filter by them: each
/// holds four values (the statuses, the priorities), so the index is sought once per value and
/// the columns after narrow the list. The unassigned billing tickets were every unassigned
/// ticket's entry read (65 000, 7 ms at a million); over the status and the priority, sixteen
/// seeks read the billing ones' alone (3 000, 0.4 ms). SQLite's own skip-scan needs `ANALYZE`
/// and would decide per query; here the query names every value (`skip_values`, see
/// `store::stepping`).
pub(super) const SKIPPABLE: u8 = STATUS | RANK;

/// What stepping over `skip`'s columns costs in row reads: a seek per combination of values
/// (none where nothing is stepped over: the one seek every index makes is not counted).
pub(super) fn seeks(skip: u8) -> f64 {
    match (skip & SKIPPABLE).count_ones() {
        0 => 0.0,
        n => 4f64.powi(n as i32),
    }
}

/// The conditions that name every value of the stepped-over columns, for the query (`AND …`).
pub(in crate::server::store::sqlite) fn skip_values(skip: u8) -> String {
    every_value_of(skip & STATUS != 0, skip & RANK != 0)
}

/// How an index serves a mix (see `Index::serves`).
pub(super) struct Served {
    /// The terms it narrows by.
    pub prefix: u8,
    /// Whether it then yields the list's order.
    pub ordered: bool,
    /// The columns it steps over (`SKIPPABLE`) to narrow by a later one.
    pub skip: u8,
}

impl Index {
    /// The terms the index narrows `mix` by, and whether it then yields `order`; `None` when it
    /// cannot serve `mix` (its partial condition is not in the mix, or it narrows by nothing
    /// and keeps no order the list wants). A column of few values the mix does not hold is
    /// stepped over where a later one narrows: the list then comes in no order.
    pub fn serves(&self, mix: u8, order: &[Col]) -> Option<Served> {
        if self.needs & mix != self.needs {
            return None;
        }
        let (mut prefix, mut skip) = (self.needs, 0);
        let mut rest = self.cols;
        while let Some((Term(t), tail)) = rest.split_first().map(|(c, tail)| (*c, tail)) {
            if t & mix == 0 {
                if t & SKIPPABLE == 0 || !narrows_after(tail, mix) {
                    break;
                }
                skip |= t;
            }
            prefix |= t & mix;
            rest = tail;
            if t == OVERDUE {
                // A range: what follows is in deadline order.
                return Some(Served { prefix, ordered: false, skip });
            }
        }
        let ordered = skip == 0 && rest.starts_with(order);
        (prefix != 0 || ordered).then_some(Served { prefix, ordered, skip })
    }

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

/// Whether a column of `cols` narrows `mix`, reached over columns that may be stepped over.
fn narrows_after(cols: &[Col], mix: u8) -> bool {
    for col in cols {
        match col {
            Term(t) if t & mix != 0 => return true,
            Term(t) if t & SKIPPABLE != 0 => {}
            _ => return false,
        }
    }
    false
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

