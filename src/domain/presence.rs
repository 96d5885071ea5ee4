//! Who else is on a ticket: each open ticket page of the staff working it says so (viewing,
//! writing a reply, writing a note) and says it again every `HEARTBEAT_SECS` while it is
//! visible. What it said holds for `PRESENCE_SECS`, then lapses on its own: a tab that closes
//! or goes quiet needs nothing released, and nothing is locked.

use super::{EventKind, TicketEvent};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// How long a page's word holds without being said again.
pub const PRESENCE_SECS: i64 = 45;
/// How often a visible page says it again (well inside `PRESENCE_SECS`, so one late request
/// does not make a person vanish).
pub const HEARTBEAT_SECS: u64 = 20;

/// What a page says its reader is doing on the ticket.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceState {
    Viewing,
    Noting,
    Replying,
}

impl PresenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceState::Viewing => "viewing",
            PresenceState::Noting => "noting",
            PresenceState::Replying => "replying",
        }
    }

    /// A page's word: a state, or `gone` (the page closed: `None`).
    pub fn parse(text: &str) -> Result<Option<PresenceState>, AppError> {
        match text.trim() {
            "viewing" => Ok(Some(PresenceState::Viewing)),
            "noting" => Ok(Some(PresenceState::Noting)),
            "replying" => Ok(Some(PresenceState::Replying)),
            "gone" => Ok(None),
            _ => Err(AppError::invalid("state", "Must be one of viewing, replying, noting or gone.")),
        }
    }

    /// How a page shows it beside the person's name.
    pub fn label(self) -> &'static str {
        match self {
            PresenceState::Viewing => "viewing",
            PresenceState::Noting => "writing a note",
            PresenceState::Replying => "writing a reply",
        }
    }
}

/// One page of one person: a tab names itself with a random id, so two tabs of one person
/// are two pages (one closing does not hide the other).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabId(String);

impl TabId {
    pub fn parse(text: &str) -> Result<TabId, AppError> {
        let ok = (8..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(TabId(text.to_string()))
        } else {
            Err(AppError::invalid("tab", "Must be 8 to 64 letters, digits, - or _ naming the page."))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Another person on the ticket, as a page shows them.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Viewer {
    pub user_id: i64,
    pub name: String,
    /// The busiest of their pages on this ticket.
    pub state: PresenceState,
}

/// The people on a ticket other than `me`, from its live pages (user, name, state): one entry
/// a person, at the busiest of their pages, by name.
pub fn others(pages: Vec<(i64, String, PresenceState)>, me: i64) -> Vec<Viewer> {
    let mut viewers: Vec<Viewer> = Vec::new();
    for (user_id, name, state) in pages.into_iter().filter(|(user, _, _)| *user != me) {
        match viewers.iter_mut().find(|v| v.user_id == user_id) {
            Some(known) => known.state = known.state.max(state),
            None => viewers.push(Viewer { user_id, name, state }),
        }
    }
    viewers.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
    viewers
}

/// What others did to a ticket since the writer's page showed history entry `seen`, in words
/// ("Agent Jane replied; Admin changed the status: open → resolved"), or `None` when nothing:
/// a reply or note sent on a page that has fallen behind is held back with this.
pub fn changed_meanwhile(history: &[TicketEvent], seen: i64, me: i64) -> Option<String> {
    let said: Vec<String> = history
        .iter()
        .filter(|e| e.id > seen && e.actor_id != me)
        .map(|e| match e.kind {
            EventKind::Reply | EventKind::Note | EventKind::Created | EventKind::Closed | EventKind::Edited => {
                format!("{} {}", e.actor, e.kind.verb())
            }
            _ => format!("{} {} {}", e.actor, e.kind.verb(), e.detail),
        })
        .collect();
    (!said.is_empty()).then(|| said.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn a_page_says_a_state_or_gone_and_names_itself() {
        let table = [
            ("viewing", Some(Some(PresenceState::Viewing))),
            ("replying", Some(Some(PresenceState::Replying))),
            ("noting", Some(Some(PresenceState::Noting))),
            ("gone", Some(None)),
            ("typing", None),
            ("", None),
        ];
        for (text, expected) in table {
            let parsed = PresenceState::parse(text);
            assert_eq!(parsed.as_ref().ok().copied(), expected, "{text}");
            if let Err(e) = parsed {
                assert_eq!(e.field.as_deref(), Some("state"));
            }
        }
        for (text, ok) in [("a1b2c3d4", true), ("tab_0-ZZ-9", true), ("short", false), ("has space in it", false), ("<script>", false), (&"x".repeat(65)[..], false)] {
            assert_eq!(TabId::parse(text).is_ok(), ok, "{text}");
        }
        assert_eq!(TabId::parse("no").unwrap_err().field.as_deref(), Some("tab"));
    }

    #[test]
    fn others_are_one_entry_a_person_at_their_busiest_page_without_me() {
        let pages = vec![
            (3, "Agent John".to_string(), PresenceState::Viewing),
            (2, "Admin".to_string(), PresenceState::Viewing),
            (3, "Agent John".to_string(), PresenceState::Replying),
            (3, "Agent John".to_string(), PresenceState::Noting),
            (7, "Me".to_string(), PresenceState::Replying),
        ];
        let seen = others(pages, 7);
        let shown: Vec<(&str, PresenceState)> = seen.iter().map(|v| (v.name.as_str(), v.state)).collect();
        assert_eq!(shown, vec![("Admin", PresenceState::Viewing), ("Agent John", PresenceState::Replying)]);
        assert!(others(vec![(7, "Me".into(), PresenceState::Viewing)], 7).is_empty());
    }

    #[test]
    fn what_changed_meanwhile_names_what_others_did_after_the_entry_seen() {
        let event = |id: i64, actor_id: i64, actor: &str, kind: EventKind, detail: &str| TicketEvent {
            id,
            actor_id,
            actor: actor.into(),
            kind,
            detail: detail.into(),
            internal: false,
            at: Utc::now(),
        };
        let history = vec![
            event(1, 1, "John", EventKind::Created, ""),
            event(2, 3, "Agent Jane", EventKind::Reply, "Try again."),
            event(3, 2, "Admin", EventKind::Status, "open → resolved"),
            event(4, 9, "Me", EventKind::Note, "mine"),
        ];
        assert_eq!(changed_meanwhile(&history, 4, 9), None, "nothing after what was seen");
        assert_eq!(changed_meanwhile(&history, 3, 9), None, "my own note is not news to me");
        assert_eq!(changed_meanwhile(&history, 2, 9).as_deref(), Some("Admin changed the status: open → resolved"));
        assert_eq!(
            changed_meanwhile(&history, 1, 9).as_deref(),
            Some("Agent Jane replied; Admin changed the status: open → resolved")
        );
    }
}
