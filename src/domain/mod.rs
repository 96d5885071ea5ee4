//! Types shared by the server and the browser: they can only hold valid values.

mod access;
mod account;
mod admin;
mod lifecycle;
mod live;
mod list;
mod notify;
mod presence;
mod rfc3339;
mod role;
mod ticket_state;
mod tickets;

pub(crate) use account::checked_text;
pub use access::{may_see, permissions, works_on};
pub use account::{Department, Email, NewPassword, PersonName, Phone, Profile, SessionUser};
pub use lifecycle::{next_statuses, transition, TransitionError};
pub use live::{LiveEvent, LiveKind, LiveRecord};
pub use notify::{kind_to_send, notices, Audience, ChangeFacts, NoticeKind, NotificationSetting};
pub use presence::{changed_meanwhile, others, PresenceState, TabId, Viewer, HEARTBEAT_SECS, PRESENCE_SECS};
pub use role::Role;
pub use ticket_state::{HomeSummary, Priority, StatusCounts, TicketChanged, TicketRow, TicketState, TicketStatus};
pub use admin::*;
pub use list::*;
pub use tickets::*;
