//! The storage boundary: every SQL statement of the application lives under this module, and
//! services call named functions with domain types. `sqlite/` is the store the app runs on;
//! `postgres/` holds the PostgreSQL schema, its counter recount and the copy of an
//! installation into it (`helpdesk migrate`).

use std::time::Duration;

/// How long a request waits for a free database connection before it is answered 503 (the
/// database is overloaded or gone) instead of hanging; the same for every backend.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

pub mod postgres;
mod records;
mod rows;
mod sqlite;

pub use crate::domain::TicketScope;
pub use records::*;
pub use sqlite::*;
