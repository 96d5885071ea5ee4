//! How many tickets a mix of a list's terms holds, as the list planner estimates it from the
//! counters (see `list_plan`).

use super::Sizes;

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
