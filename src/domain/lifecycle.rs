//! The ticket lifecycle: the only place that decides whether a status may change.
//!
//! ```text
//! open ──► in-progress ──► closed
//!  ▲ │        ▲ │             ▲
//!  │ ▼        │ ▼             │
//! on-hold ◄───┘ on-hold ──────┘
//! ```
//! open → in-progress → closed; open and in-progress ↔ on-hold; on-hold → closed.
//! Closed is final. Only agents and admins (super admins included) change a status.

use super::{Role, TicketStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// The actor's role may not change statuses at all.
    NotAllowed,
    /// The ticket is closed; nothing changes it any more.
    Final,
    /// The ticket already has that status.
    Unchanged,
    /// The lifecycle has no such step.
    Illegal,
}

impl TransitionError {
    pub fn message(self, from: TicketStatus, to: TicketStatus) -> String {
        match self {
            TransitionError::NotAllowed => "Only agents and admins can change a ticket's status.".into(),
            TransitionError::Final => "This ticket is closed; a closed ticket cannot be changed.".into(),
            TransitionError::Unchanged => format!("The ticket is already {}.", from.label().to_lowercase()),
            TransitionError::Illegal => format!(
                "A ticket cannot go from {} to {}.",
                from.label().to_lowercase(),
                to.label().to_lowercase()
            ),
        }
    }
}

/// Whether `actor` may move a ticket from `from` to `to`.
pub fn transition(from: TicketStatus, to: TicketStatus, actor: Role) -> Result<TicketStatus, TransitionError> {
    use TicketStatus::*;
    if actor == Role::User {
        return Err(TransitionError::NotAllowed);
    }
    if from == Closed {
        return Err(TransitionError::Final);
    }
    if from == to {
        return Err(TransitionError::Unchanged);
    }
    match (from, to) {
        (Open, InProgress) | (InProgress, Closed) | (Open | InProgress, OnHold) | (OnHold, Open | InProgress | Closed) => {
            Ok(to)
        }
        _ => Err(TransitionError::Illegal),
    }
}

/// The statuses `actor` may move a ticket to from `from`, in lifecycle order.
pub fn next_statuses(from: TicketStatus, actor: Role) -> Vec<TicketStatus> {
    TicketStatus::ALL.into_iter().filter(|to| transition(from, *to, actor).is_ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    /// The legal (from, to) steps for staff; everything else is refused.
    const LEGAL: [(TicketStatus, TicketStatus); 7] = [
        (Open, InProgress),
        (InProgress, Closed),
        (Open, OnHold),
        (InProgress, OnHold),
        (OnHold, Open),
        (OnHold, InProgress),
        (OnHold, Closed),
    ];

    #[test]
    fn every_from_to_role_combination_follows_the_lifecycle() {
        for from in TicketStatus::ALL {
            for to in TicketStatus::ALL {
                for actor in Role::ALL {
                    let result = transition(from, to, actor);
                    let expected = if actor == Role::User {
                        Err(TransitionError::NotAllowed)
                    } else if from == Closed {
                        Err(TransitionError::Final)
                    } else if from == to {
                        Err(TransitionError::Unchanged)
                    } else if LEGAL.contains(&(from, to)) {
                        Ok(to)
                    } else {
                        Err(TransitionError::Illegal)
                    };
                    assert_eq!(result, expected, "{from:?} -> {to:?} by {actor:?}");
                }
            }
        }
    }

    #[test]
    fn a_user_never_closes_a_ticket() {
        for from in TicketStatus::ALL {
            assert!(transition(from, Closed, Role::User).is_err());
        }
    }

    #[test]
    fn an_open_ticket_is_worked_before_it_is_closed() {
        assert_eq!(transition(Open, Closed, Role::Agent), Err(TransitionError::Illegal));
    }

    #[test]
    fn a_closed_ticket_is_final_for_everyone() {
        for actor in Role::ALL {
            assert!(next_statuses(Closed, actor).is_empty());
        }
    }

    #[test]
    fn next_statuses_offers_exactly_the_legal_steps() {
        assert_eq!(next_statuses(Open, Role::Agent), vec![InProgress, OnHold]);
        assert_eq!(next_statuses(InProgress, Role::Admin), vec![OnHold, Closed]);
        assert_eq!(next_statuses(OnHold, Role::Superadmin), vec![Open, InProgress, Closed]);
        assert!(next_statuses(Open, Role::User).is_empty());
    }

    #[test]
    fn refusals_explain_themselves() {
        assert!(TransitionError::Illegal.message(Open, Closed).contains("open to closed"));
        assert!(TransitionError::Final.message(Closed, Open).contains("closed"));
    }
}
