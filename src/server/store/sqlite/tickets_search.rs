//! What a list's search asks of the search index: the words a person typed, and the list's
//! filters as words of its `facets` column (migration 0021).

use crate::domain::{TicketQuery, TicketScope};

/// A list's filters as words of the search index's `facets` column (migration 0021), all of
/// which a ticket must hold; `None` without filters. Overdue asks for the open tickets (`live`),
/// its deadline being checked on the ticket. The words are letters and digits only.
pub(in crate::server::store::sqlite) fn facets_query(scope: TicketScope, query: &TicketQuery) -> Option<String> {
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
        words.push("live".into());
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
    use super::{facets_query, fts_query};
    use crate::domain::{Priority, TicketQuery, TicketScope, TicketStatus};

    #[test]
    fn search_text_becomes_a_safe_prefix_query_of_the_text_columns() {
        let text = |q: &str| format!("{{title description}} : ({q})");
        assert_eq!(fts_query("printer jam"), Some(text("\"printer\" \"jam\"")));
        assert_eq!(fts_query("print* jam"), Some(text("\"print\"* \"jam\"")));
        assert_eq!(fts_query("\"quoted\" OR x*y"), Some(text("\"quoted\" \"OR\" \"xy\"")));
        assert_eq!(fts_query("  -- ** "), None);
    }

    #[test]
    fn filters_become_words_of_the_facets_column() {
        assert_eq!(facets_query(TicketScope::All, &TicketQuery::default()), None);
        let query = TicketQuery {
            status: Some(TicketStatus::InProgress),
            priority: Some(Priority::Critical),
            category: Some("billing".into()),
            assigned_to: Some(7),
            overdue: true,
            ..Default::default()
        };
        assert_eq!(
            facets_query(TicketScope::All, &query).as_deref(),
            Some("facets : (sinprogress AND pcritical AND c62696C6C696E67 AND a7 AND live)")
        );
        let mine = TicketQuery { status: Some(TicketStatus::OnHold), unassigned: true, ..Default::default() };
        assert_eq!(facets_query(TicketScope::RequestedBy(12), &mine).as_deref(), Some("facets : (r12 AND sonhold AND anone)"));
        assert_eq!(facets_query(TicketScope::AssignedTo(3), &TicketQuery::default()).as_deref(), Some("facets : (a3)"));
        // Any category is one word of letters and digits, told apart from every other.
        let odd = TicketQuery { category: Some("a-b\" OR x".into()), ..Default::default() };
        assert_eq!(facets_query(TicketScope::All, &odd).as_deref(), Some("facets : (c612D6222204F522078)"));
    }
}
