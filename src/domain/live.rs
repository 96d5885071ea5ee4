//! What open pages are told as tickets change: one event per ticket per change, saying which
//! ticket and what kind of change, and who may receive it. The rule is the one visibility rule
//! (`may_see`), applied to the ticket as it was and as it is, so a ticket that leaves an
//! agent's queue tells that agent too; a change that is only an internal note reaches only the
//! staff working the ticket.

use super::{may_see, works_on, EventKind, Role, TicketStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What kind of change an event reports.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LiveKind {
    Created,
    Updated,
    Status,
    Assigned,
    Reply,
    Note,
    Closed,
    Deleted,
    /// Who is on the ticket changed (see `domain::presence`): staff working it only.
    Presence,
    /// Not a ticket's: the account `requester` was signed out or changed, and its streams
    /// look at their session at once. Nobody receives it as an event.
    Account,
}

impl LiveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LiveKind::Created => "created",
            LiveKind::Updated => "updated",
            LiveKind::Status => "status",
            LiveKind::Assigned => "assigned",
            LiveKind::Reply => "reply",
            LiveKind::Note => "note",
            LiveKind::Closed => "closed",
            LiveKind::Deleted => "deleted",
            LiveKind::Presence => "presence",
            LiveKind::Account => "account",
        }
    }

    pub fn parse(text: &str) -> Option<LiveKind> {
        [Self::Created, Self::Updated, Self::Status, Self::Assigned, Self::Reply, Self::Note, Self::Closed, Self::Deleted, Self::Presence, Self::Account]
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    /// The kind of a change made of these history events (kind, internal), and whether only
    /// staff may hear of it: the weightiest event names the change.
    pub fn of(events: &[(EventKind, bool)]) -> (LiveKind, bool) {
        let weight = |k: EventKind| match k {
            EventKind::Created => (7, LiveKind::Created),
            EventKind::Closed => (6, LiveKind::Closed),
            EventKind::Status => (5, LiveKind::Status),
            EventKind::Assigned | EventKind::Reassigned => (4, LiveKind::Assigned),
            EventKind::Reply => (3, LiveKind::Reply),
            EventKind::Edited | EventKind::Priority | EventKind::Category => (2, LiveKind::Updated),
            EventKind::Note => (1, LiveKind::Note),
        };
        let kind = events.iter().map(|(k, _)| weight(*k)).max_by_key(|(w, _)| *w).map(|(_, k)| k).unwrap_or(LiveKind::Updated);
        let staff_only = !events.is_empty() && events.iter().all(|(_, internal)| *internal);
        (kind, staff_only)
    }
}

/// One event as kept in the table of recent events: what it says and whom it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRecord {
    pub id: i64,
    pub at: i64,
    pub ticket: i64,
    pub kind: LiveKind,
    pub requester: i64,
    /// The assignee after the change (before it, for a deleted ticket).
    pub assignee: Option<i64>,
    pub assignee_before: Option<i64>,
    /// The status after the change; none once deleted.
    pub status: Option<TicketStatus>,
    pub staff_only: bool,
}

impl LiveRecord {
    /// Whether this person may hear of this change.
    pub fn may_receive(&self, role: Role, caller: i64) -> bool {
        if self.kind == LiveKind::Account {
            return false;
        }
        let saw = |assignee: Option<i64>| may_see(role, caller, self.requester, assignee);
        let works = |assignee: Option<i64>| works_on(role, caller, assignee);
        if self.staff_only {
            works(self.assignee) || works(self.assignee_before)
        } else {
            saw(self.assignee) || saw(self.assignee_before)
        }
    }

    /// Whether this is the news that `caller`'s account or session changed.
    pub fn concerns_account(&self, caller: i64) -> bool {
        self.kind == LiveKind::Account && self.requester == caller
    }

    /// What the receiver is told.
    pub fn event(&self) -> LiveEvent {
        LiveEvent {
            id: self.id,
            ticket: self.ticket,
            kind: self.kind,
            status: self.status,
            assignee: self.assignee,
            at: DateTime::from_timestamp(self.at, 0).unwrap_or_default(),
        }
    }
}

/// An event of `GET /api/events` (its `data`, as JSON; the SSE `id` is `id`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveEvent {
    /// Increasing; reconnect with it as `Last-Event-ID` (or `?since=`) to get what was missed.
    pub id: i64,
    pub ticket: i64,
    pub kind: LiveKind,
    /// The ticket's status after the change; none once deleted.
    pub status: Option<TicketStatus>,
    /// Its assignee after the change.
    pub assignee: Option<i64>,
    #[serde(with = "crate::domain::rfc3339")]
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventKind as E;

    #[test]
    fn a_change_is_named_by_its_weightiest_event_and_is_staff_only_when_all_of_it_is_internal() {
        let cases: &[(&[(EventKind, bool)], LiveKind, bool)] = &[
            (&[(E::Created, false)], LiveKind::Created, false),
            (&[(E::Status, false), (E::Reply, false)], LiveKind::Status, false),
            (&[(E::Reply, false)], LiveKind::Reply, false),
            (&[(E::Note, true)], LiveKind::Note, true),
            (&[(E::Note, true), (E::Status, false)], LiveKind::Status, false),
            (&[(E::Closed, false), (E::Status, false)], LiveKind::Closed, false),
            (&[(E::Reassigned, false)], LiveKind::Assigned, false),
            (&[(E::Priority, false), (E::Category, false)], LiveKind::Updated, false),
            (&[(E::Edited, false)], LiveKind::Updated, false),
            (&[], LiveKind::Updated, false),
        ];
        for (events, kind, staff_only) in cases {
            assert_eq!(LiveKind::of(events), (*kind, *staff_only), "{events:?}");
        }
        for kind in [LiveKind::Created, LiveKind::Deleted, LiveKind::Note, LiveKind::Closed, LiveKind::Presence] {
            assert_eq!(LiveKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn each_role_hears_of_the_tickets_it_may_see_and_staff_alone_of_notes() {
        // Ticket of requester 10, moved from agent 20 to agent 21.
        let record = |staff_only: bool| LiveRecord {
            id: 1,
            at: 0,
            ticket: 5,
            kind: LiveKind::Assigned,
            requester: 10,
            assignee: Some(21),
            assignee_before: Some(20),
            status: Some(TicketStatus::Open),
            staff_only,
        };
        let cases = [
            (Role::User, 10, true, false),
            (Role::User, 11, false, false),
            (Role::Agent, 21, true, true),
            (Role::Agent, 20, true, true),
            (Role::Agent, 22, false, false),
            (Role::Admin, 1, true, true),
            (Role::Superadmin, 2, true, true),
        ];
        for (role, caller, public, note) in cases {
            assert_eq!(record(false).may_receive(role, caller), public, "{role:?} {caller}: a public change");
            assert_eq!(record(true).may_receive(role, caller), note, "{role:?} {caller}: an internal note");
            // News that account 10 changed is nobody's event: its own streams act on it.
            let account = LiveRecord { kind: LiveKind::Account, ticket: 0, assignee: None, assignee_before: None, ..record(true) };
            assert!(!account.may_receive(role, caller), "{role:?} {caller}: an account's news");
            assert_eq!(account.concerns_account(caller), caller == 10);
        }
    }
}
