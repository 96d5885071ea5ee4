//! Who is told about a ticket change by mail, and as what: a pure rule with a table test. The
//! services write what it answers to the mail outbox in the change's own transaction.
//!
//! Never the person who made the change; never an internal note to anyone; the requester on a
//! public reply, a status change and closing; the assigned agent on an assignment and on the
//! requester's reply; admins on every new ticket (when the super admin's setting says so).
//! Each person switches each kind off on their profile.

use crate::domain::{EventKind, Role};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// Staff replied publicly on a ticket the recipient raised.
    Reply,
    /// The status of a ticket the recipient raised changed.
    Status,
    /// A ticket the recipient raised was closed (the mail carries the resolution).
    Closed,
    /// A ticket was assigned to the recipient.
    Assigned,
    /// The requester replied on a ticket the recipient works.
    RequesterReply,
    /// Someone raised a new ticket (admins).
    NewTicket,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 6] = [
        NoticeKind::Reply,
        NoticeKind::Status,
        NoticeKind::Closed,
        NoticeKind::Assigned,
        NoticeKind::RequesterReply,
        NoticeKind::NewTicket,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Reply => "reply",
            NoticeKind::Status => "status",
            NoticeKind::Closed => "closed",
            NoticeKind::Assigned => "assigned",
            NoticeKind::RequesterReply => "requester-reply",
            NoticeKind::NewTicket => "new-ticket",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// How the profile page names it.
    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::Reply => "Someone replies on a ticket I raised",
            NoticeKind::Status => "The status of a ticket I raised changes",
            NoticeKind::Closed => "A ticket I raised is closed (with its resolution)",
            NoticeKind::Assigned => "A ticket is assigned to me",
            NoticeKind::RequesterReply => "The requester replies on a ticket I work",
            NoticeKind::NewTicket => "Someone raises a new ticket (when the super admin turns these mails on)",
        }
    }

    /// The kinds a person of this role can receive, so the profile offers only those.
    pub fn for_role(role: Role) -> Vec<NoticeKind> {
        let mut kinds = vec![NoticeKind::Reply, NoticeKind::Status, NoticeKind::Closed];
        if role == Role::Agent {
            kinds.extend([NoticeKind::Assigned, NoticeKind::RequesterReply]);
        }
        if role.is_admin() {
            kinds.push(NoticeKind::NewTicket);
        }
        kinds
    }
}

/// One kind of notification mail on a person's profile: on or off.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSetting {
    pub kind: NoticeKind,
    pub label: String,
    pub enabled: bool,
}

/// Who a notice goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Person(i64),
    /// Every active admin and super admin but the actor (when the setting is on).
    Admins,
}

/// One committed change to one ticket, as the rule needs it.
#[derive(Debug, Clone, Copy)]
pub struct ChangeFacts<'a> {
    pub actor: i64,
    pub requester: i64,
    /// The assignee after the change.
    pub assignee: Option<i64>,
    /// The events the change recorded: kind and whether it is internal.
    pub events: &'a [(EventKind, bool)],
}

/// Each audience with the kinds of notice that apply to it, the most telling first: one mail
/// goes to each, as the first kind the recipient has not switched off.
pub fn notices(f: &ChangeFacts<'_>) -> Vec<(Audience, Vec<NoticeKind>)> {
    let has = |kind: EventKind| f.events.iter().any(|(k, internal)| *k == kind && !internal);
    let mut out: Vec<(Audience, Vec<NoticeKind>)> = Vec::new();
    let mut add = |who: i64, kind: NoticeKind| {
        if who == f.actor {
            return;
        }
        match out.iter_mut().find(|(a, _)| *a == Audience::Person(who)) {
            Some((_, kinds)) if !kinds.contains(&kind) => kinds.push(kind),
            Some(_) => {}
            None => out.push((Audience::Person(who), vec![kind])),
        }
    };
    if has(EventKind::Closed) {
        add(f.requester, NoticeKind::Closed);
    }
    if has(EventKind::Status) {
        add(f.requester, NoticeKind::Status);
    }
    if has(EventKind::Reply) && f.actor != f.requester {
        add(f.requester, NoticeKind::Reply);
    }
    if let Some(agent) = f.assignee {
        if has(EventKind::Assigned) || has(EventKind::Reassigned) {
            add(agent, NoticeKind::Assigned);
        }
        if has(EventKind::Reply) && f.actor == f.requester {
            add(agent, NoticeKind::RequesterReply);
        }
    }
    if has(EventKind::Created) {
        out.push((Audience::Admins, vec![NoticeKind::NewTicket]));
    }
    out
}

/// The kind a mail to this recipient is sent as: the first that applies and is not switched
/// off, or none (no mail).
pub fn kind_to_send(applies: &[NoticeKind], switched_off: &[NoticeKind]) -> Option<NoticeKind> {
    applies.iter().copied().find(|k| !switched_off.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Audience::*;
    use EventKind as E;
    use NoticeKind as N;

    const REQUESTER: i64 = 1;
    const AGENT: i64 = 2;
    const ADMIN: i64 = 3;

    /// Every kind of change, by each of the people on a ticket: who hears of it, as what.
    #[test]
    fn who_is_told_of_each_change() {
        let public = |k| (k, false);
        #[rustfmt::skip]
        let table: Vec<(&str, i64, Option<i64>, Vec<(EventKind, bool)>, Vec<(Audience, Vec<NoticeKind>)>)> = vec![
            ("requester raises a ticket", REQUESTER, None, vec![public(E::Created)], vec![(Admins, vec![N::NewTicket])]),
            ("staff raise one for the requester", ADMIN, None, vec![public(E::Created)], vec![(Admins, vec![N::NewTicket])]),
            ("agent replies", AGENT, Some(AGENT), vec![public(E::Reply)], vec![(Person(REQUESTER), vec![N::Reply])]),
            ("admin replies on an agent's ticket", ADMIN, Some(AGENT), vec![public(E::Reply)], vec![(Person(REQUESTER), vec![N::Reply])]),
            ("agent adds an internal note", AGENT, Some(AGENT), vec![(E::Note, true)], vec![]),
            ("admin adds an internal note", ADMIN, Some(AGENT), vec![(E::Note, true)], vec![]),
            ("requester replies, assigned", REQUESTER, Some(AGENT), vec![public(E::Reply)], vec![(Person(AGENT), vec![N::RequesterReply])]),
            ("requester replies, unassigned", REQUESTER, None, vec![public(E::Reply)], vec![]),
            ("agent changes the status", AGENT, Some(AGENT), vec![public(E::Status)], vec![(Person(REQUESTER), vec![N::Status])]),
            ("agent changes the status with a reply", AGENT, Some(AGENT), vec![public(E::Status), public(E::Reply)],
                vec![(Person(REQUESTER), vec![N::Status, N::Reply])]),
            ("agent closes", AGENT, Some(AGENT), vec![public(E::Closed)], vec![(Person(REQUESTER), vec![N::Closed])]),
            ("admin closes", ADMIN, Some(AGENT), vec![public(E::Closed)], vec![(Person(REQUESTER), vec![N::Closed])]),
            ("admin assigns", ADMIN, Some(AGENT), vec![public(E::Assigned)], vec![(Person(AGENT), vec![N::Assigned])]),
            ("admin reassigns", ADMIN, Some(AGENT), vec![public(E::Reassigned)], vec![(Person(AGENT), vec![N::Assigned])]),
            ("an agent takes a ticket itself", AGENT, Some(AGENT), vec![public(E::Assigned)], vec![]),
            ("requester edits the text", REQUESTER, Some(AGENT), vec![public(E::Edited)], vec![]),
            ("agent changes the priority", AGENT, Some(AGENT), vec![public(E::Priority), public(E::Category)], vec![]),
            ("a requester who works the ticket replies", REQUESTER, Some(REQUESTER), vec![public(E::Reply)], vec![]),
            ("a requester who works the ticket closes it", REQUESTER, Some(REQUESTER), vec![public(E::Closed)], vec![]),
        ];
        for (case, actor, assignee, events, expected) in table {
            let facts = ChangeFacts { actor, requester: REQUESTER, assignee, events: &events };
            assert_eq!(notices(&facts), expected, "{case}");
        }
    }

    #[test]
    fn a_mail_goes_as_the_first_kind_not_switched_off() {
        assert_eq!(kind_to_send(&[N::Status, N::Reply], &[]), Some(N::Status));
        assert_eq!(kind_to_send(&[N::Status, N::Reply], &[N::Status]), Some(N::Reply));
        assert_eq!(kind_to_send(&[N::Status, N::Reply], &[N::Reply, N::Status]), None);
        assert_eq!(kind_to_send(&[], &[]), None);
    }

    #[test]
    fn kinds_read_back_and_each_role_is_offered_its_own() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NoticeKind::parse("nope"), None);
        assert!(!NoticeKind::for_role(Role::User).contains(&N::Assigned));
        assert!(NoticeKind::for_role(Role::Agent).contains(&N::RequesterReply));
        assert!(NoticeKind::for_role(Role::Admin).contains(&N::NewTicket));
        assert!(!NoticeKind::for_role(Role::Agent).contains(&N::NewTicket));
    }
}
