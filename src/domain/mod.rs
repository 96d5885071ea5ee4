//! Types shared by the server and the browser: they can only hold valid values.

mod account;
mod role;
mod ticket;

pub use account::{Department, Email, NewPassword, PersonName, Phone, Profile, SessionUser};
pub use role::Role;
pub use ticket::{HomeSummary, Priority, StatusCounts, TicketStatus, TicketSummary};
