//! How a search among filters is counted: exactly within the budget, sampled among the
//! newest tickets, or not at all where the matches are surely over the cap.

use super::counters::{counts_in, each_filter, from_counters, MatchFacets};
use super::search::estimated_matches;
use crate::domain::{TicketQuery, TicketScope, COUNT_CAP};
use crate::server::store::counting::list_count;
use crate::server::store::StoreError;
use sqlx::PgConnection;

/// How a search among filters is counted (`count_way`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CountWay {
    /// Exactly, up to the cap, within the budget.
    Count,
    /// Not at all: expected in ten times the cap or more, as a search alone is (`search_listed`).
    SurelyOverCap,
    /// Among the newest tickets, as "at least" (`newest_matches`).
    Sample,
}

/// Where `count_way` changes its answer.
#[derive(Debug, Clone, Copy)]
pub(super) struct CountLimits {
    /// Past this many tickets read, an exact count does not finish within `COUNT_BUDGET_MS`.
    pub countable: i64,
    /// Matches expected (the words' estimate times the filters' share) from which the count
    /// says "10 000+" unread.
    pub surely_over: i64,
}

impl Default for CountLimits {
    fn default() -> Self {
        // About the tickets PostgreSQL reads from the table and checks within the budget.
        CountLimits { countable: 2_000, surely_over: 10 * COUNT_CAP }
    }
}

/// How to count a search's matches among its filters. The count reads at least the tickets
/// holding the words or those passing the filters, whichever are fewer; where both are known
/// to exceed `countable` (the words from PostgreSQL's statistics, the filters from the
/// counters, together or, where the counters cannot count them together, each alone) it
/// cannot finish within the budget, and starting it would only spend the budget before the
/// newest tickets are counted anyway: "printer" (a third of the tickets) among the unassigned
/// ones (26 000) took the whole budget (30 ms then), then 20 more. But where the filters are
/// words of the search index too (`match_facets`), the count reads about the matches alone: it is started
/// where they are expected to be few (a quarter of `countable`), the words' share of the
/// filters' tickets ("password", 200 000 tickets, among the unassigned critical billing ones:
/// about 200; counted in 5 ms, not sampled in 40). Where the words' share of the filters'
/// tickets is ten times the cap or more ("printer" among the closed tickets: 330 000), the
/// count is not sampled either: the newest tickets may hold none of them (a burst of new open
/// tickets), and reading them cost 7–15 ms to say "21+" where "10 000+" is the answer.
pub(super) async fn count_way(
    conn: &mut PgConnection,
    scope: TicketScope,
    query: &TicketQuery,
    words: &str,
    now: chrono::DateTime<chrono::Utc>,
    facets: &MatchFacets,
    limits: CountLimits,
) -> Result<CountWay, StoreError> {
    let countable = limits.countable;
    let Some(words) = estimated_matches(conn, words).await?.filter(|n| *n > countable) else {
        return Ok(CountWay::Count);
    };
    let tickets = counts_in(conn, TicketScope::All).await?.total.max(1) as f64;
    let filters = TicketQuery { q: None, ..query.clone() };
    let mut share = 1.0;
    if let Some(n) = from_counters(conn, list_count(scope, &filters, None), &filters, now).await? {
        if n <= countable {
            return Ok(CountWay::Count);
        }
        share = n as f64 / tickets;
    } else {
        for one in each_filter(&filters) {
            // A filter the counters cannot count may be small: the count is tried.
            match from_counters(conn, list_count(scope, &one, None), &one, now).await? {
                Some(n) if n > countable => share *= n as f64 / tickets,
                _ => return Ok(CountWay::Count),
            }
        }
    }
    // The search index gives the tickets holding the words and the facets; the other filters
    // (overdue, a status most tickets hold) are checked on each of those.
    if !facets.words.is_empty() && words as f64 * facets.share <= (countable / 4) as f64 {
        return Ok(CountWay::Count);
    }
    Ok(if words as f64 * share >= limits.surely_over as f64 { CountWay::SurelyOverCap } else { CountWay::Sample })
}
