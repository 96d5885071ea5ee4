//! What a list's search asks of the search index: the words a person typed, and the list's
//! filters as words of its `facets` column (migrations 0021 and 0023).

use crate::domain::{TicketQuery, TicketScope};
use chrono::{DateTime, Utc};

/// Which days an overdue list asks the deadline's words for (migration 0023).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(in crate::server::store::sqlite) enum DueDays {
    /// Every day before today and today's own: the open tickets due by the end of today, a
    /// few more than the overdue, each then checked against the hour on the ticket.
    ThroughToday,
    /// The days before today: exactly the tickets overdue before today began, for a count
    /// from the search index alone.
    BeforeToday,
    /// Today's alone.
    Today,
}

/// The widths of the deadline's words, in days, and their letters (migration 0023).
const WIDTHS: [(i64, char); 5] = [(4096, 'e'), (512, 'd'), (64, 'c'), (8, 'b'), (1, 'a')];

/// The deadline words whose tickets are due on the days `days` names, as of `now`: the days
/// before today tiled by aligned blocks, coarsest first (at most seven of each width below
/// the widest), and today's day.
pub(in crate::server::store::sqlite) fn deadline_words(now: DateTime<Utc>, days: DueDays) -> Vec<String> {
    let today = now.timestamp().div_euclid(86_400);
    let mut words = Vec::new();
    if days != DueDays::Today {
        let mut start = 0;
        for (width, letter) in WIDTHS {
            let end = today / width;
            words.extend((start / width..end).map(|block| format!("d{letter}{block}")));
            start = end * width;
        }
    }
    if days != DueDays::BeforeToday {
        words.push(format!("da{today}"));
    }
    words
}

/// A list's filters as words of the search index's `facets` column, all of which a ticket
/// must hold; `None` without filters. Overdue asks for the deadline days `days` names (see
/// `DueDays`; the caller checks each ticket's hour where that is a superset). The words are
/// letters and digits only.
pub(in crate::server::store::sqlite) fn facets_query(scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>, days: DueDays) -> Option<String> {
    let mut words = Vec::new();
    match scope {
        TicketScope::RequestedBy(id) => words.push(format!("r{id}")),
        TicketScope::AssignedTo(id) => words.push(format!("a{id}")),
        TicketScope::All => {}
    }
    if let Some(s) = query.status {
        words.push(format!("s{}", s.as_str().replace('-', "")));
    }
    if let Some(p) = query.priority {
        words.push(format!("p{}", p.as_str()));
    }
    if let Some(c) = &query.category {
        words.push(format!("c{}", c.bytes().map(|b| format!("{b:02X}")).collect::<String>()));
    }
    if let Some(agent) = query.assigned_to {
        words.push(format!("a{agent}"));
    }
    if query.unassigned {
        words.push("anone".into());
    }
    if query.overdue {
        let due = deadline_words(now, days);
        // No day before today can be asked for only on the first day of 1970.
        words.push(if due.is_empty() { "dnone".into() } else { format!("({})", due.join(" OR ")) });
    }
    (!words.is_empty()).then(|| format!("facets : ({})", words.join(" AND ")))
}

/// Turns what a person typed into an FTS5 query of a ticket's title and description: every
/// word must appear, as a whole word, or
/// as a prefix where it ends in `*` (`print*`); quotes make operators and punctuation plain
/// text. Whole words read one list of the index, newest first, and stop at the page's LIMIT;
/// a prefix merges the lists of every word it starts, so it costs more on common prefixes.
pub(in crate::server::store::sqlite) fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .map(|w| (w.replace(['"', '*'], ""), w.ends_with('*')))
        .filter(|(w, _)| w.chars().any(char::is_alphanumeric))
        .map(|(w, prefix)| if prefix { format!("\"{w}\"*") } else { format!("\"{w}\"") })
        .collect();
    // Only the ticket's text: the facets column holds the filters' words.
    (!terms.is_empty()).then(|| format!("{{title description}} : ({})", terms.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::{deadline_words, facets_query, fts_query, DueDays};
    use crate::domain::{Priority, TicketQuery, TicketScope, TicketStatus};

    #[test]
    fn search_text_becomes_a_safe_prefix_query_of_the_text_columns() {
        let text = |q: &str| format!("{{title description}} : ({q})");
        assert_eq!(fts_query("printer jam"), Some(text("\"printer\" \"jam\"")));
        assert_eq!(fts_query("print* jam"), Some(text("\"print\"* \"jam\"")));
        assert_eq!(fts_query("\"quoted\" OR x*y"), Some(text("\"quoted\" \"OR\" \"xy\"")));
        assert_eq!(fts_query("  -- ** "), None);
    }

    /// 2026-12-07 13:00 UTC: day 20 429 since 1970.
    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(20_429 * 86_400 + 13 * 3_600, 0).unwrap()
    }

    #[test]
    fn filters_become_words_of_the_facets_column() {
        let facets = |scope, query: &TicketQuery| facets_query(scope, query, now(), DueDays::ThroughToday);
        assert_eq!(facets(TicketScope::All, &TicketQuery::default()), None);
        let query = TicketQuery {
            status: Some(TicketStatus::InProgress),
            priority: Some(Priority::Critical),
            category: Some("billing".into()),
            assigned_to: Some(7),
            ..Default::default()
        };
        assert_eq!(
            facets(TicketScope::All, &query).as_deref(),
            Some("facets : (sinprogress AND pcritical AND c62696C6C696E67 AND a7)")
        );
        let mine = TicketQuery { status: Some(TicketStatus::OnHold), unassigned: true, ..Default::default() };
        assert_eq!(facets(TicketScope::RequestedBy(12), &mine).as_deref(), Some("facets : (r12 AND sonhold AND anone)"));
        assert_eq!(facets(TicketScope::AssignedTo(3), &TicketQuery::default()).as_deref(), Some("facets : (a3)"));
        // Any category is one word of letters and digits, told apart from every other.
        let odd = TicketQuery { category: Some("a-b\" OR x".into()), ..Default::default() };
        assert_eq!(facets(TicketScope::All, &odd).as_deref(), Some("facets : (c612D6222204F522078)"));
        // Overdue: the deadline days, as one alternative of words.
        let late = TicketQuery { overdue: true, ..Default::default() };
        let today = facets_query(TicketScope::AssignedTo(3), &late, now(), DueDays::Today);
        assert_eq!(today.as_deref(), Some("facets : (a3 AND (da20429))"));
        let all = facets(TicketScope::All, &late).unwrap();
        assert!(all.starts_with("facets : ((de0 OR de1 OR de2 OR de3 OR dd32 OR ") && all.ends_with(" OR da20428 OR da20429))"), "{all}");
    }

    #[test]
    fn the_days_before_today_are_tiled_by_the_fewest_aligned_blocks() {
        // Each word's days, by its letter's width.
        let days = |word: &str| {
            let width = 8i64.pow("abcde".find(&word[1..2]).unwrap() as u32);
            let block: i64 = word[2..].parse().unwrap();
            block * width..(block + 1) * width
        };
        for today in [0, 1, 7, 8, 63, 64, 4095, 4096, 20_429, 20_479, 20_480, 40_000] {
            let now = chrono::DateTime::from_timestamp(today * 86_400 + 86_399, 0).unwrap();
            let before = deadline_words(now, DueDays::BeforeToday);
            // Every day before today once, in order, and no other.
            let covered: Vec<i64> = before.iter().flat_map(|w| days(w)).collect();
            assert_eq!(covered, (0..today).collect::<Vec<_>>(), "today {today}: {before:?}");
            // At most seven blocks of each width below the widest.
            for letter in ['a', 'b', 'c', 'd'] {
                assert!(before.iter().filter(|w| w.as_bytes()[1] == letter as u8).count() <= 7, "today {today}: {before:?}");
            }
            let through = deadline_words(now, DueDays::ThroughToday);
            assert_eq!(through.last().map(String::as_str), Some(format!("da{today}").as_str()));
            assert_eq!(&through[..through.len() - 1], &before[..]);
            assert_eq!(deadline_words(now, DueDays::Today), vec![format!("da{today}")]);
        }
    }
}
