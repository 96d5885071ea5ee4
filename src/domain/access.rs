//! Who may do what to a ticket: the one place that decides it, from the caller's role and how
//! they stand to the ticket (its requester, its assigned agent, or neither). The lifecycle
//! (`transition`) decides which status changes exist; this decides who may ask for them.
//! Services enforce it, pages offer only what it allows.

use super::{next_statuses, transition, Role, TicketPermissions, TicketScope, TicketStatus};

/// The one visibility rule: who may see a ticket. Its requester, the agent it is assigned to,
/// and admins. Pages, lists, dashboards and the API all follow it.
pub fn may_see(role: Role, caller: i64, requester: i64, assignee: Option<i64>) -> bool {
    TicketScope::listable_by(role, caller).iter().any(|scope| scope.holds(requester, assignee))
}

/// Staff who work a ticket: its assigned agent, or any admin.
pub fn works_on(role: Role, caller: i64, assignee: Option<i64>) -> bool {
    match role {
        Role::User => false,
        Role::Agent => assignee == Some(caller),
        Role::Admin | Role::Superadmin => true,
    }
}

/// What the caller may do to a ticket with this requester, assignee and status.
pub fn permissions(role: Role, caller: i64, requester: i64, assignee: Option<i64>, status: TicketStatus) -> TicketPermissions {
    let open_for_work = status != TicketStatus::Closed;
    let staff = works_on(role, caller, assignee);
    TicketPermissions {
        edit_text: requester == caller && status == TicketStatus::Open,
        edit_fields: staff && open_for_work,
        reply: open_for_work && (staff || requester == caller),
        internal_note: staff && open_for_work,
        next_statuses: if staff {
            next_statuses(status, role).into_iter().filter(|s| *s != TicketStatus::Closed).collect()
        } else {
            Vec::new()
        },
        close: staff && transition(status, TicketStatus::Closed, role).is_ok(),
        assign: role.is_admin() && open_for_work,
        delete: role.is_admin(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    const ME: i64 = 7;
    const OTHER: i64 = 8;

    /// (requester, assignee) for each way the caller can stand to a ticket.
    fn relation(name: &str) -> (i64, Option<i64>) {
        match name {
            "requester" => (ME, Some(OTHER)),
            "assignee" => (OTHER, Some(ME)),
            "both" => (ME, Some(ME)),
            "stranger" => (OTHER, Some(OTHER)),
            "unassigned stranger" => (OTHER, None),
            _ => unreachable!(),
        }
    }

    /// The actions allowed, as letters: S see, T edit title/description, F edit status,
    /// priority and category, R reply, N internal note, C close, A assign, D delete.
    fn allowed(role: Role, (requester, assignee): (i64, Option<i64>), status: TicketStatus) -> String {
        let can = permissions(role, ME, requester, assignee, status);
        let flags = [
            ('S', may_see(role, ME, requester, assignee)),
            ('T', can.edit_text),
            ('F', can.edit_fields),
            ('R', can.reply),
            ('N', can.internal_note),
            ('C', can.close),
            ('A', can.assign),
            ('D', can.delete),
        ];
        flags.iter().filter(|(_, on)| *on).map(|(c, _)| *c).collect()
    }

    #[test]
    fn every_role_and_relation_to_a_ticket_may_do_exactly_this() {
        use Role::*;
        // (role, relation, open, in progress, on hold, closed)
        let table = [
            (User, "requester", "STR", "SR", "SR", "S"),
            (User, "both", "STR", "SR", "SR", "S"),
            (User, "assignee", "", "", "", ""),
            (User, "stranger", "", "", "", ""),
            (User, "unassigned stranger", "", "", "", ""),
            (Agent, "requester", "STR", "SR", "SR", "S"),
            (Agent, "assignee", "SFRN", "SFRNC", "SFRNC", "S"),
            (Agent, "both", "STFRN", "SFRNC", "SFRNC", "S"),
            (Agent, "stranger", "", "", "", ""),
            (Agent, "unassigned stranger", "", "", "", ""),
            (Admin, "requester", "STFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Admin, "assignee", "SFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Admin, "both", "STFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Admin, "stranger", "SFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Admin, "unassigned stranger", "SFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Superadmin, "requester", "STFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Superadmin, "assignee", "SFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Superadmin, "both", "STFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Superadmin, "stranger", "SFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
            (Superadmin, "unassigned stranger", "SFRNAD", "SFRNCAD", "SFRNCAD", "SD"),
        ];
        assert_eq!(table.len(), Role::ALL.len() * 5, "every role × every relation");
        for (role, rel, open, in_progress, on_hold, closed) in table {
            for (status, expected) in [(Open, open), (InProgress, in_progress), (OnHold, on_hold), (Closed, closed)] {
                assert_eq!(allowed(role, relation(rel), status), expected, "{role:?} as {rel} on a {status:?} ticket");
            }
        }
    }

    #[test]
    fn staff_are_offered_exactly_the_lifecycles_next_steps_and_others_none() {
        for role in Role::ALL {
            for status in [Open, InProgress, OnHold, Closed] {
                for rel in ["requester", "assignee", "both", "stranger"] {
                    let (requester, assignee) = relation(rel);
                    let offered = permissions(role, ME, requester, assignee, status).next_statuses;
                    let expected: Vec<TicketStatus> = if works_on(role, ME, assignee) {
                        [Open, InProgress, OnHold].into_iter().filter(|to| transition(status, *to, role).is_ok()).collect()
                    } else {
                        Vec::new()
                    };
                    assert_eq!(offered, expected, "{role:?} as {rel} on {status:?}");
                }
            }
        }
    }
}
