//! The storage boundary: every SQL statement of the application lives under this module, and
//! services call named functions with domain types. `boundary.rs` is the one `Store` they
//! call, over `sqlite/` (the default, embedded) or `postgres/` (for several app instances).
//! What both databases run alike is written once in `shared/`; each backend keeps only what
//! it does its own way (its connection, search, the reads whose plans differ, its migrations).
//! `contract_tests.rs` runs one suite against both.

use std::time::Duration;

/// How long a request waits for a free database connection before it is answered 503 (the
/// database is overloaded or gone) instead of hanging; the same for every backend.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

mod boundary;
mod counting;
mod error;
mod postgres;
mod records;
mod report_memo;
mod rows;
mod shared;
mod stepping;

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod migration_checksums;
#[cfg(test)]
mod contract_counters_tests;
#[cfg(test)]
mod contract_report_tests;
#[cfg(test)]
mod contract_mail_tests;
#[cfg(test)]
mod contract_history_tests;
pub mod sqlite;

pub use crate::domain::TicketScope;
pub use boundary::{redacted, Changes, Kind, Store, SETTINGS_REFRESH};
pub use error::{Constraint, StoreError};
pub use records::*;
pub use shared::sql::TOUCH_EVERY_SECS;
pub use sqlite::{BackupReport, SeedPlan, SeedReport};

/// PostgreSQL databases outside the running store: the target of `helpdesk migrate`, and the
/// schemas tests share one database with. The PostgreSQL store itself stays behind `Store`.
pub mod postgres_admin {
    pub use super::postgres::{connect_in_new_schema, connect_migrated, prepare_schema, url_in_schema, CopyReport, TableCopy, MISMATCHES_SQL};
}
