//! How many tickets a mix of a list's terms holds, as the list planner estimates it from the
//! counters, and what reading them costs (see `list_plan`).

use super::term::OVERDUE;
use super::Sizes;

/// What a search costs per row when a filter's index drives it: a probe of the search index
/// (35 µs for a word a third of the tickets hold, against 1 µs to read a row; sqlite3 at 1M).
pub(super) const WORD_PROBE: f64 = 35.0;

/// What reading an index entry costs where the index alone tells whether the row matches: the
/// entries lie together, where each ticket read is a seek (2–5 µs at a million tickets).
pub(super) const INDEX_ROW: f64 = 0.1;

/// What the search index pays per entry of the shortest word list it intersects, per list, in
/// row reads: FTS5 walks the shortest list and seeks each of its entries in the others.
/// Measured at a million tickets: a 987-ticket word with three filters 2 ms, the 31 000 tickets
/// in progress with "printer" and two more filters 8 ms, the 18 700 unassigned with four more
/// terms 7.6 ms.
const FTS_ENTRY: f64 = 0.08;

/// What intersecting the search index's lists of `terms` costs at most, in row reads (about
/// µs): their number times the shortest one's length, times `FTS_ENTRY`. The deadline counts
/// as two lists: its words are an alternative of up to 25 lists, which FTS5 merges at about
/// twice a list's cost an entry (at a million tickets, the 77 000 overdue in 7.5 ms, the
/// 116 000 open in 5 ms).
pub(in crate::server::store::sqlite) fn merge_cost(sizes: &dyn Sizes, terms: u8) -> f64 {
    let all = sizes.all().max(1.0);
    let lengths = (0..8).map(|b| 1u8 << b).filter(|t| terms & t != 0).map(|t| (if t == OVERDUE { 2.0 } else { 1.0 }, sizes.exact(t).unwrap_or(all)));
    let (n, shortest) = lengths.fold((0.0, f64::INFINITY), |(n, shortest), (lists, len)| (n + lists, f64::min(shortest, len)));
    if n == 0.0 { 0.0 } else { n * shortest * FTS_ENTRY }
}

/// The estimated size of `set` (see `Estimates`).
pub(in crate::server::store::sqlite) fn estimate(sizes: &dyn Sizes, set: u8) -> f64 {
    Estimates::new(sizes, set).of(set)
}

/// The parts of `set`, itself and the empty one included.
fn parts(set: u8) -> impl Iterator<Item = u8> {
    let mut next = Some(set);
    std::iter::from_fn(move || {
        let part = next?;
        next = (part != 0).then(|| (part - 1) & set);
        Some(part)
    })
}

/// The estimated size of every part of one mix: for each part the counters hold exactly, that
/// size narrowed by each other term in turn, by the term's share among the tickets holding what
/// is held so far (the chain rule); the smallest such. A term's share is the largest the
/// counters show among the tickets of any part of what is held, or among all tickets: every
/// unassigned ticket is open, so among the open tickets "unassigned" is a half, not the
/// fiftieth it is of all tickets, and taking it as a fiftieth would make the open unassigned
/// billing tickets look 25 times fewer than they are.
pub(in crate::server::store::sqlite) struct Estimates {
    of: [f64; 256],
}

impl Estimates {
    pub(in crate::server::store::sqlite) fn new(sizes: &dyn Sizes, mix: u8) -> Self {
        let mut exact = [None; 256];
        for part in parts(mix) {
            exact[part as usize] = if part == 0 { Some(sizes.all().max(1.0)) } else { sizes.exact(part) };
        }
        // share[t][given]: the share of term bit t among the tickets holding `given`.
        let mut share = [[1.0f64; 256]; 8];
        for given in parts(mix) {
            for b in (0..8).filter(|b| mix & (1u8 << b) != 0 && given & (1u8 << b) == 0) {
                let t = 1u8 << b;
                let known = parts(given).filter_map(|q| match (exact[(q | t) as usize], exact[q as usize]) {
                    (Some(both), Some(base)) => Some(both / base.max(1.0)),
                    _ => None,
                });
                // With none known, NaN: its `min` is 1 (taken as not narrowing).
                share[b][given as usize] = known.fold(f64::NAN, f64::max).min(1.0);
            }
        }
        let mut of = [f64::INFINITY; 256];
        for set in parts(mix) {
            for part in parts(set) {
                let Some(n) = exact[part as usize] else { continue };
                let (mut held, mut size) = (part, n);
                for b in (0..8).filter(|b| (set & !part) & (1u8 << b) != 0) {
                    size *= share[b][held as usize];
                    held |= 1u8 << b;
                }
                of[set as usize] = of[set as usize].min(size);
            }
        }
        Estimates { of }
    }

    pub(in crate::server::store::sqlite) fn of(&self, set: u8) -> f64 {
        self.of[set as usize]
    }
}
