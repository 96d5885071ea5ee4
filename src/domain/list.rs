//! Lists of tickets: what a list asks for (filters, sort, page or cursor), whose tickets it
//! may cover (inside the one visibility rule, `access::may_see`), and the page it answers with.

use super::{parse_priority, parse_status, Priority, Role, TicketRow, TicketStatus};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TicketSort {
    #[default]
    Newest,
    Oldest,
    Updated,
    Priority,
}

impl TicketSort {
    pub const ALL: [TicketSort; 4] = [TicketSort::Newest, TicketSort::Oldest, TicketSort::Updated, TicketSort::Priority];
    pub fn as_str(self) -> &'static str {
        match self {
            TicketSort::Newest => "newest",
            TicketSort::Oldest => "oldest",
            TicketSort::Updated => "updated",
            TicketSort::Priority => "priority",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TicketSort::Newest => "Newest first",
            TicketSort::Oldest => "Oldest first",
            TicketSort::Updated => "Recently updated",
            TicketSort::Priority => "Highest priority",
        }
    }
}

/// List filters as they arrive (query string or form): all optional text.
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawTicketQuery {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub category: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// An agent's id (admins' lists).
    pub assigned_to: Option<String>,
    /// `true`: only tickets nobody is assigned to.
    pub unassigned: Option<String>,
    /// `true`: only tickets past their SLA deadline and not closed.
    pub overdue: Option<String>,
    /// Continue after this row (`next` of the previous page), instead of counting `page`s.
    pub after: Option<String>,
}

/// Parsed list filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketQuery {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub category: Option<String>,
    pub q: Option<String>,
    pub sort: TicketSort,
    pub page: u32,
    pub per_page: u32,
    pub assigned_to: Option<i64>,
    pub unassigned: bool,
    pub overdue: bool,
    /// Keyset position: the list continues after this row, whatever `page` says.
    pub after: Option<TicketCursor>,
}

/// Where a page of a list ends, as the sort sees it: the priority rank, the sort timestamp
/// (created or updated, in nanoseconds) and the id of the last row shown. Written as
/// `rank.nanos.id` in links. The next page starts right after it, through an index, without
/// counting the rows before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCursor {
    pub rank: i64,
    pub at_nanos: i64,
    pub id: i64,
}

impl TicketCursor {
    /// The cursor just past `row` in a list sorted by `sort`.
    pub fn after_row(row: &TicketRow, sort: TicketSort) -> TicketCursor {
        let at = if sort == TicketSort::Updated { row.updated_at } else { row.created_at };
        TicketCursor { rank: row.priority.rank(), at_nanos: at.timestamp_nanos_opt().unwrap_or(0), id: row.id }
    }

    pub fn parse(raw: &str) -> Result<TicketCursor, AppError> {
        let invalid = || AppError::invalid("after", "after must be the next-page link's value from a previous page.");
        let mut parts = raw.trim().splitn(3, '.').map(|p| p.parse::<i64>().map_err(|_| invalid()));
        let (rank, at_nanos, id) = (parts.next().ok_or_else(invalid)??, parts.next().ok_or_else(invalid)??, parts.next().ok_or_else(invalid)??);
        if !(0..=4).contains(&rank) || id < 1 {
            return Err(invalid());
        }
        Ok(TicketCursor { rank, at_nanos, id })
    }

    pub fn at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_nanos(self.at_nanos)
    }
}

impl std::fmt::Display for TicketCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.rank, self.at_nanos, self.id)
    }
}

impl TicketQuery {
    /// An "at least" count (one that stopped early) raised to the rows up to the end of the
    /// page just read (`read`: its rows, and the one more that tells another page follows).
    pub fn at_least(&self, counted: i64, read: usize) -> i64 {
        let before = if self.after.is_some() { 0 } else { i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page) };
        counted.max(before + read as i64)
    }

    /// No ticket can match: an overdue ticket is one still open past its deadline, so "closed
    /// and overdue" is empty by definition, and is answered without reading a row.
    pub fn matches_nothing(&self) -> bool {
        self.overdue && self.status == Some(TicketStatus::Closed)
    }

    /// The cursor just past `row` in this list (search results are ordered newest first).
    pub fn cursor_after(&self, row: &TicketRow) -> TicketCursor {
        TicketCursor::after_row(row, if self.q.is_some() { TicketSort::Newest } else { self.sort })
    }

    pub const DEFAULT_PER_PAGE: u32 = 20;
    pub const MAX_PER_PAGE: u32 = 100;
    /// `page` counts rows to skip, so it is bounded; `after` goes on from there.
    pub const MAX_PAGE: u32 = 500;

    pub fn parse(raw: &RawTicketQuery) -> Result<Self, AppError> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let number = |field: &str, v: &Option<String>, default: u32, max: u32| -> Result<u32, AppError> {
            match given(v) {
                None => Ok(default),
                Some(s) => match s.parse::<u32>() {
                    Ok(n) if n >= 1 && n <= max => Ok(n),
                    _ => Err(AppError::invalid(field, format!("{field} must be a whole number from 1 to {max}."))),
                },
            }
        };
        let flag = |field: &str, v: &Option<String>| -> Result<bool, AppError> {
            match given(v) {
                None | Some("false") | Some("0") => Ok(false),
                Some("true") | Some("1") | Some("on") => Ok(true),
                Some(_) => Err(AppError::invalid(field, format!("{field} must be true or false."))),
            }
        };
        let q = given(&raw.q).map(str::to_string);
        if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            return Err(AppError::invalid("q", "Search text must be at most 200 characters."));
        }
        if q.as_ref().is_some_and(|q| q.chars().any(char::is_control)) {
            return Err(AppError::invalid("q", "Search text cannot contain control characters."));
        }
        Ok(TicketQuery {
            status: given(&raw.status).map(|s| parse_status("status", s)).transpose()?,
            priority: given(&raw.priority).map(parse_priority).transpose()?,
            category: given(&raw.category).map(|c| c.to_string()),
            q,
            sort: match given(&raw.sort) {
                None => TicketSort::default(),
                Some(s) => TicketSort::ALL.into_iter().find(|o| o.as_str() == s).ok_or_else(|| {
                    AppError::invalid("sort", "Sort must be one of newest, oldest, updated, priority.")
                })?,
            },
            assigned_to: match given(&raw.assigned_to) {
                None => None,
                Some(s) => Some(s.parse::<i64>().map_err(|_| AppError::invalid("assignedTo", "assignedTo must be a user id."))?),
            },
            unassigned: flag("unassigned", &raw.unassigned)?,
            overdue: flag("overdue", &raw.overdue)?,
            // With a cursor the page number only labels the page; without one it is skipped
            // over, so it is bounded.
            page: number("page", &raw.page, 1, if given(&raw.after).is_some() { u32::MAX } else { Self::MAX_PAGE })?,
            after: given(&raw.after).map(TicketCursor::parse).transpose()?,
            per_page: number("perPage", &raw.per_page, Self::DEFAULT_PER_PAGE, Self::MAX_PER_PAGE)?,
        })
    }
}

/// Whose tickets a query covers; decided by the service from the caller's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketScope {
    RequestedBy(i64),
    AssignedTo(i64),
    All,
}

impl TicketScope {
    /// The work queue a role's home and main list show: a user's own requests, an agent's
    /// assigned tickets, everything for admins.
    pub fn queue_of(role: Role, caller: i64) -> TicketScope {
        match role {
            Role::User => TicketScope::RequestedBy(caller),
            Role::Agent => TicketScope::AssignedTo(caller),
            Role::Admin | Role::Superadmin => TicketScope::All,
        }
    }

    /// Whether a ticket with this requester and assignee falls in the scope.
    pub fn holds(self, requester: i64, assignee: Option<i64>) -> bool {
        match self {
            TicketScope::RequestedBy(id) => requester == id,
            TicketScope::AssignedTo(id) => assignee == Some(id),
            TicketScope::All => true,
        }
    }

    /// The scopes a caller may list: their own requests (staff raise tickets too) and their
    /// queue. Each is inside `may_see`, so no list shows a ticket its page would refuse.
    pub fn listable_by(role: Role, caller: i64) -> [TicketScope; 2] {
        [TicketScope::RequestedBy(caller), TicketScope::queue_of(role, caller)]
    }
}

/// One page of a ticket list and the total number of matching tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketPage {
    pub tickets: Vec<TicketRow>,
    /// Exact, or `COUNT_CAP` when `total_capped`: counting further would scan.
    pub total: i64,
    /// More than `COUNT_CAP` tickets match (shown as "10 000+").
    #[serde(default)]
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
    /// Where the next page starts, when there is one.
    #[serde(default)]
    pub next: Option<TicketCursor>,
}

/// Lists count their matches up to this many; beyond it they say "10 000+".
pub const COUNT_CAP: i64 = 10_000;

impl TicketPage {
    /// The total as people read it: "1 234", or "10 000+" past the cap.
    pub fn total_label(&self) -> String {
        let digits = self.total.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        if self.total_capped { format!("{grouped}+") } else { grouped }
    }

    pub fn total_pages(&self) -> u32 {
        ((self.total.max(0) as u32).div_ceil(self.per_page.max(1))).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::may_see;

    #[test]
    fn an_at_least_count_covers_the_rows_up_to_the_page_read() {
        let q = |page, after| TicketQuery { page, per_page: 25, after, ..Default::default() };
        assert_eq!(q(1, None).at_least(0, 26), 26);
        assert_eq!(q(3, None).at_least(40, 10), 60);
        assert_eq!(q(1, None).at_least(500, 26), 500);
        let cursor = TicketCursor { rank: 1, at_nanos: 0, id: 9 };
        assert_eq!(q(7, Some(cursor)).at_least(3, 26), 26, "after a cursor, the rows before are unknown");
    }

    #[test]
    fn closed_and_overdue_matches_nothing_and_nothing_else_is_ruled_out() {
        let q = |status, overdue| TicketQuery { status, overdue, ..Default::default() };
        assert!(q(Some(TicketStatus::Closed), true).matches_nothing());
        for (status, overdue) in [(Some(TicketStatus::Closed), false), (Some(TicketStatus::Open), true), (None, true), (None, false)] {
            assert!(!q(status, overdue).matches_nothing(), "{status:?} {overdue}");
        }
    }

    #[test]
    fn list_queries_parse_with_defaults_and_name_bad_fields() {
        let q = TicketQuery::parse(&RawTicketQuery::default()).unwrap();
        assert_eq!((q.page, q.per_page, q.sort), (1, 20, TicketSort::Newest));
        let raw = RawTicketQuery { status: Some("in-progress".into()), sort: Some("priority".into()), ..Default::default() };
        let q = TicketQuery::parse(&raw).unwrap();
        assert_eq!((q.status, q.sort), (Some(TicketStatus::InProgress), TicketSort::Priority));
        for (raw, field) in [
            (RawTicketQuery { status: Some("done".into()), ..Default::default() }, "status"),
            (RawTicketQuery { priority: Some("urgent".into()), ..Default::default() }, "priority"),
            (RawTicketQuery { sort: Some("random".into()), ..Default::default() }, "sort"),
            (RawTicketQuery { page: Some("0".into()), ..Default::default() }, "page"),
            (RawTicketQuery { per_page: Some("1000".into()), ..Default::default() }, "perPage"),
            (RawTicketQuery { q: Some("q".repeat(201)), ..Default::default() }, "q"),
            (RawTicketQuery { q: Some("printer\0".into()), ..Default::default() }, "q"),
        ] {
            assert_eq!(TicketQuery::parse(&raw).unwrap_err().field.as_deref(), Some(field));
        }
    }

    #[test]
    fn a_ticket_is_seen_by_its_requester_its_assignee_and_admins_only() {
        // (role, caller) × (requester, assignee) → may see
        let cases = [
            (Role::User, 4, 4, None, true),
            (Role::User, 4, 5, None, false),
            (Role::User, 4, 5, Some(4), false),
            (Role::Agent, 3, 4, Some(3), true),
            (Role::Agent, 3, 3, None, true),
            (Role::Agent, 3, 4, Some(6), false),
            (Role::Agent, 3, 4, None, false),
            (Role::Admin, 2, 4, None, true),
            (Role::Superadmin, 1, 4, Some(3), true),
        ];
        for (role, caller, requester, assignee, expected) in cases {
            assert_eq!(may_see(role, caller, requester, assignee), expected, "{role:?} {caller} sees {requester}/{assignee:?}");
        }
    }

    #[test]
    fn every_listable_scope_lies_inside_the_visibility_rule() {
        let tickets = [(4, None), (5, Some(3)), (3, None), (4, Some(6)), (3, Some(3))];
        for role in Role::ALL {
            for caller in [1, 2, 3, 4, 5, 6] {
                for scope in TicketScope::listable_by(role, caller) {
                    for (requester, assignee) in tickets {
                        if scope.holds(requester, assignee) {
                            assert!(may_see(role, caller, requester, assignee), "{role:?} {caller} lists {scope:?} {requester}/{assignee:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn cursors_read_back_as_written_and_bad_ones_name_the_field() {
        let cursor = TicketCursor { rank: 3, at_nanos: 1_764_000_000_123_456_789, id: 42 };
        assert_eq!(TicketCursor::parse(&cursor.to_string()).unwrap(), cursor);
        assert_eq!(cursor.at().timestamp_nanos_opt(), Some(cursor.at_nanos));
        for bad in ["", "1", "1.2", "x.2.3", "9.2.3", "1.2.0", "1.2.3.4"] {
            assert_eq!(TicketCursor::parse(bad).unwrap_err().field.as_deref(), Some("after"), "{bad:?}");
        }
        let raw = RawTicketQuery { page: Some("501".into()), ..Default::default() };
        assert_eq!(TicketQuery::parse(&raw).unwrap_err().field.as_deref(), Some("page"));
    }

    #[test]
    fn page_counts_round_up() {
        let page = |total| TicketPage { tickets: vec![], total, total_capped: false, page: 1, per_page: 20, next: None };
        assert_eq!(page(0).total_pages(), 1);
        assert_eq!(page(20).total_pages(), 1);
        assert_eq!(page(21).total_pages(), 2);
    }

    #[test]
    fn totals_read_with_thousands_grouped_and_a_plus_past_the_cap() {
        let page = |total, total_capped| TicketPage { tickets: vec![], total, total_capped, page: 1, per_page: 20, next: None };
        assert_eq!(page(7, false).total_label(), "7");
        assert_eq!(page(1234, false).total_label(), "1 234");
        assert_eq!(page(COUNT_CAP, true).total_label(), "10 000+");
        assert_eq!(page(1_000_000, false).total_label(), "1 000 000");
    }
}
