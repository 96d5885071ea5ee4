//! Which index a filtered list walks on SQLite. SQLite's planner knows no more than that an
//! index narrows by some average: it walked all 920 000 closed tickets for the one closed and
//! unassigned, and probed the search index once per closed ticket for a word 987 tickets hold
//! (25 s). The counters know each filter's size exactly, so the list chooses here, from them,
//! and names the index (`INDEXED BY`). PostgreSQL keeps per-value statistics and combines
//! indexes itself: it plans its own lists.
//!
//! The rule: each index that can serve the mix either yields the list in its sort order (a
//! walk that stops once the page is full) or gathers the rows its prefix holds, to be sorted
//! after. The cheaper, by the rows each would read, wins; with several filters of any size the
//! winner reads about the smallest filter's rows, or a page's worth where the mix is dense.
//!
//! A search is the search index's own: it holds the filters and the deadline's day as words
//! (migrations 0021, 0023), so a search among filters intersects word lists, newest first,
//! costing a pass over those lists at worst and a page's worth where the mix is dense; only a
//! filter whose few rows are cheaper to probe one by one takes another way.

use crate::domain::{TicketQuery, TicketScope, TicketSort};

/// A condition of a list, as the indexes see it (a bit each, so a mix is a `u8`).
pub(super) mod term {
    pub const REQUESTER: u8 = 1;
    pub const ASSIGNEE: u8 = 2;
    pub const UNASSIGNED: u8 = 4;
    pub const STATUS: u8 = 8;
    pub const RANK: u8 = 16;
    pub const CATEGORY: u8 = 32;
    pub const OVERDUE: u8 = 64;
    pub const WORDS: u8 = 128;
    /// The terms the search index holds as words of its `facets` column (migrations 0021,
    /// 0023). The deadline's words take the tickets due by the end of today, each ticket's
    /// hour then checked: a few more rows read than match.
    pub const FACETS: u8 = REQUESTER | ASSIGNEE | UNASSIGNED | STATUS | RANK | CATEGORY | OVERDUE;
}
use term::*;

#[path = "list_plan_indexes.rs"]
mod indexes;
#[path = "list_plan_estimates.rs"]
mod estimates;
pub(super) use estimates::{estimate, merge_cost, Estimates};
use estimates::{INDEX_ROW, WORD_PROBE};
use indexes::{Col::*, Col, Served, INDEXES};
pub(super) use indexes::skip_values;

/// How many tickets hold a set of terms: exact where a counter holds it, else estimated.
pub(super) trait Sizes {
    /// All tickets.
    fn all(&self) -> f64;
    /// The exact size of `set`, when the counters hold it.
    fn exact(&self, set: u8) -> Option<f64>;
}

/// The sizes the counters hold for one list (see `Store::list_sizes`).
#[derive(Debug, Default)]
pub(super) struct Counted {
    pub all: f64,
    pub sets: Vec<(u8, f64)>,
}

impl Sizes for Counted {
    fn all(&self) -> f64 {
        self.all
    }
    fn exact(&self, set: u8) -> Option<f64> {
        self.sets.iter().find(|(s, _)| *s == set).map(|(_, n)| *n)
    }
}

/// The terms of a list in `scope` filtered by `query`.
pub(super) fn mix_of(scope: TicketScope, query: &TicketQuery, search: bool) -> u8 {
    let mut mix = 0;
    match scope {
        TicketScope::RequestedBy(_) => mix |= REQUESTER,
        TicketScope::AssignedTo(_) => mix |= ASSIGNEE,
        TicketScope::All => {}
    }
    for (on, t) in [
        (query.status.is_some(), STATUS),
        (query.priority.is_some(), RANK),
        (query.category.is_some(), CATEGORY),
        (query.assigned_to.is_some(), ASSIGNEE),
        (query.unassigned, UNASSIGNED),
        (query.overdue, OVERDUE),
        (search, WORDS),
    ] {
        if on {
            mix |= t;
        }
    }
    mix
}

/// The part of a list's conditions that `terms` name (the scope stays when its term is named).
pub(super) fn only(scope: TicketScope, query: &TicketQuery, terms: u8) -> (TicketScope, TicketQuery) {
    let keep = |t: u8| terms & t != 0;
    let scope = match scope {
        TicketScope::RequestedBy(_) if !keep(REQUESTER) => TicketScope::All,
        TicketScope::AssignedTo(_) if !keep(ASSIGNEE) => TicketScope::All,
        scope => scope,
    };
    let query = TicketQuery {
        status: query.status.filter(|_| keep(STATUS)),
        priority: query.priority.filter(|_| keep(RANK)),
        category: query.category.clone().filter(|_| keep(CATEGORY)),
        assigned_to: query.assigned_to.filter(|_| keep(ASSIGNEE)),
        unassigned: query.unassigned && keep(UNASSIGNED),
        overdue: query.overdue && keep(OVERDUE),
        q: query.q.clone().filter(|_| keep(WORDS)),
        after: None,
        ..query.clone()
    };
    (scope, query)
}

/// The chosen way through a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Plan {
    /// The index to name, or `None` for the search index.
    pub index: Option<&'static str>,
    /// Rows it is expected to read (a probe of the search index counted as `WORD_PROBE` rows).
    pub reads: u64,
    /// The terms the index narrows by; the rest are checked on each row it reads.
    pub prefix: u8,
    /// What reading one row of its walk costs, in tenths of a row read: less than ten where the
    /// index alone tells a match, more where the rows that pass are probed for words.
    pub per_row_tenths: u32,
    /// The index alone tells the matches and their order: the page is picked from it, and only
    /// the page's tickets are read.
    pub index_only: bool,
    /// The terms of the index's columns the list does not filter by that it steps over, sought
    /// once per value (see `indexes::SKIPPABLE`): the query names every value (`skip_values`).
    pub skip: u8,
}

impl Plan {
    /// No way found: read as the most costly of all.
    const NONE: Plan = Plan { index: None, reads: u64::MAX, prefix: 0, per_row_tenths: 10, index_only: false, skip: 0 };
}

/// How a page of a list is read: the way the estimates favour, and, when that way is a walk in
/// order whose early stop the estimates may misjudge (the counters know each condition's size,
/// not how conditions go together), how many of its rows to read before giving up for the way
/// whose cost is known at worst. Either way, a page costs at most twice the cheaper worst case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ways {
    pub first: Plan,
    /// Rows of `first`'s walk to read at most, and the way taken when they hold too few matches.
    pub fallback: Option<(u64, Plan)>,
}

/// The order a list wants, as index columns (a fixed priority leaves creation time).
fn wanted(mix: u8, sort: TicketSort) -> &'static [Col] {
    match sort {
        _ if mix & WORDS != 0 => &[Id],
        TicketSort::Newest | TicketSort::Oldest => &[Created],
        TicketSort::Updated => &[Updated],
        TicketSort::Priority if mix & RANK != 0 => &[Created],
        TicketSort::Priority => &[Term(RANK), Created],
    }
}

/// What one index costs for `mix`: rows expected and at worst, each as rows read.
#[derive(Clone, Copy)]
struct Cost {
    plan: Plan,
    worst: f64,
    /// What one row of its walk costs, in rows (more than one where rows are probed for words).
    per_row: f64,
}

fn costs(sizes: &dyn Sizes, mix: u8, sort: TicketSort, want: u64) -> impl Iterator<Item = (Cost, bool)> + '_ {
    let estimates = Estimates::new(sizes, mix);
    let matches = estimates.of(mix).max(1.0);
    let order = wanted(mix, sort);
    let want = want as f64;
    INDEXES.iter().filter_map(move |index| {
        let Served { prefix, ordered, skip } = index.serves(mix, order)?;
        // What the index holds for the mix, and what of it passes the other filters.
        let held = estimates.of(prefix).max(1.0);
        let passing = estimates.of(mix & !WORDS).min(held);
        let index_only = index.index_only(mix);
        let worst = if index.name.is_none() {
            // The search index holds every condition (`FACETS`): it intersects their lists, and
            // a ticket is read for each match of the page.
            merge_cost(sizes, prefix) + held.min(want)
        } else {
            // Each row of the prefix is read from the table to check the other filters, unless
            // the index holds them all: then each costs an index entry, and only the rows that
            // pass are read (the rest of a row read).
            let reading = match (index.holds(mix), index_only) {
                (true, true) => held * INDEX_ROW + passing.min(want) * (1.0 - INDEX_ROW),
                (true, false) => held * INDEX_ROW + passing * (1.0 - INDEX_ROW),
                (false, _) => held,
            };
            // Those that pass are probed in the search index (SQLite checks a row's own columns
            // before the join).
            reading + if mix & WORDS != 0 { passing * WORD_PROBE } else { 0.0 } + indexes::seeks(skip)
        };
        // In order, the walk stops at the `want`th match; else it reads every row of the prefix.
        let expected = if ordered { worst * (want / matches).min(1.0) } else { worst };
        let per_row = worst / held;
        let plan = Plan { index: index.name, reads: expected.ceil() as u64, prefix, per_row_tenths: (per_row * 10.0).ceil() as u32, index_only, skip };
        Some((Cost { plan, worst, per_row }, ordered))
    })
}

/// The cheapest index for `mix` sorted by `sort` when `want` matching rows are asked for, as
/// the estimates see it (for tests: a list takes its `ways`).
#[cfg(test)]
pub(super) fn choose(sizes: &dyn Sizes, mix: u8, sort: TicketSort, want: u64) -> Plan {
    ways(sizes, mix, sort, want).first
}

/// The cheapest index for counting `mix` up to `want` matches. A count has no order: every
/// index's walk stops at the `want`th match, and where the index holds every condition the
/// count reads its entries alone, no ticket (the in-progress overdue tickets were counted
/// through the status index, reading 10 000 tickets for 19 ms, where the open tickets by
/// status and deadline count them from their entries in 1 ms). `reads` is in row reads, and
/// `per_row_tenths` what one entry of the walk costs.
pub(super) fn choose_for_count(sizes: &dyn Sizes, mix: u8, want: u64) -> Plan {
    let estimates = Estimates::new(sizes, mix);
    let share = (want as f64 / estimates.of(mix).max(1.0)).min(1.0);
    let costs = INDEXES.iter().filter_map(|index| {
        let Served { prefix, skip, .. } = index.serves(mix, &[])?;
        let held = estimates.of(prefix).max(1.0);
        let walked = held * share;
        let reads = if index.name.is_none() {
            // The search index holds every condition (`FACETS`): its lists intersected.
            merge_cost(sizes, prefix) * share
        } else {
            let passing = estimates.of(mix & !WORDS).min(held) * share;
            walked * if index.holds(mix) { INDEX_ROW } else { 1.0 } + if mix & WORDS != 0 { passing * WORD_PROBE } else { 0.0 } + indexes::seeks(skip)
        };
        let per_row_tenths = (reads / walked.max(1.0) * 10.0).ceil().max(1.0) as u32;
        Some(Plan { index: index.name, reads: reads.ceil() as u64, prefix, per_row_tenths, index_only: index.index_only(mix), skip })
    });
    costs.min_by_key(|p| p.reads).unwrap_or(Plan::NONE)
}

/// The ways through a list of `want` rows (see `Ways`).
pub(super) fn ways(sizes: &dyn Sizes, mix: u8, sort: TicketSort, want: u64) -> Ways {
    let none = Plan::NONE;
    // On a tie, a walk in order wins: it needs no sort.
    let (mut best, mut best_key) = (Cost { plan: none, worst: f64::MAX, per_row: 1.0 }, (u64::MAX, true));
    let mut safest = Cost { plan: none, worst: f64::MAX, per_row: 1.0 };
    for (cost, ordered) in costs(sizes, mix, sort, want) {
        if cost.worst < safest.worst {
            safest = cost;
        }
        if (cost.plan.reads, !ordered) < best_key {
            best_key = (cost.plan.reads, !ordered);
            best = cost;
        }
    }
    if best.worst <= safest.worst {
        return Ways { first: best.plan, fallback: None };
    }
    // Only a walk in order can stop early, so only it is cut off; a gathering the estimates
    // favour by a rounding over the safest one gives way to that one at once.
    if best_key.1 {
        return Ways { first: safest.plan, fallback: None };
    }
    let budget = (safest.worst / best.per_row).ceil().max(want as f64) as u64;
    Ways { first: best.plan, fallback: Some((budget, safest.plan)) }
}

/// Every index that can serve `mix`, and whether it walks in the list's order (for tests: each
/// must give the same list).
#[cfg(test)]
pub(super) fn candidates(mix: u8, sort: TicketSort) -> Vec<(Plan, bool)> {
    let order = wanted(mix, sort);
    INDEXES
        .iter()
        .filter_map(|i| {
            let Served { prefix, ordered, skip } = i.serves(mix, order)?;
            Some((Plan { index: i.name, reads: 0, prefix, per_row_tenths: 10, index_only: i.index_only(mix), skip }, ordered))
        })
        .collect()
}

#[cfg(test)]
#[path = "list_plan_tests.rs"]
mod tests;
