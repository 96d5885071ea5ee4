//! The storage boundary: every SQL statement of the application lives under this module, and
//! services call named functions with domain types. `boundary.rs` is the one `Store` they
//! call, over `sqlite/` (the default, embedded) or `postgres/` (for several app instances),
//! each with its own SQL and migrations.

use std::time::Duration;

/// How long a request waits for a free database connection before it is answered 503 (the
/// database is overloaded or gone) instead of hanging; the same for every backend.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

mod boundary;
mod counting;
mod error;
pub mod postgres;
mod records;
mod rows;
mod shared_sql;
pub mod sqlite;

pub use crate::domain::TicketScope;
pub use boundary::{redacted, Changes, Kind, Store, SETTINGS_REFRESH};
pub use error::{Constraint, StoreError};
pub use records::*;
pub use shared_sql::TOUCH_EVERY_SECS;
pub use sqlite::{BackupReport, SeedPlan, SeedReport};
