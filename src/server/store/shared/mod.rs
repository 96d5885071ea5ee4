//! Store code both databases run alike, written once. The statements are the same text for
//! both (`$N` placeholders: sqlx's SQLite driver binds them by number too). Each backend
//! expands `store_code!` in a module of its own (`sqlite/shared.rs`, `postgres/shared.rs`)
//! beside what differs, each with a comment saying why:
//!
//! - `Db`: the sqlx database type; the backend's `Store` has `reader()` and `writer()` pools
//!   (SQLite writes through one connection; PostgreSQL has one pool for both);
//! - `LOCK_FOR_WRITE`: appended to the read of a ticket a change is about to write;
//! - `LOCK_AGENT`: taken before an assignment under the cap, if the database needs it;
//! - `EMAIL_IS_PARAM`, `LIKE_ANY_CASE`: how an email is compared, how text is searched in any case;
//! - `SEARCH_KEY`, `push_search`, `fts_query`: how a list searches and orders its matches;
//! - `NAME_ORDER`: how names sort (SQLite's BINARY collation, asked of PostgreSQL);
//! - `lock_account_rules`: taken before an account's role, activity or existence changes;
//! - `before_seed`, `after_seed`: what seeding an empty database needs around it;
//! - `SKIP_LOCKED`: how a mail sender passes over mail another sender has claimed.
//!
//! Live events commit in id order and wake every instance by themselves: SQLite's single writer
//! commits one change at a time and its pump is woken in process; on PostgreSQL, triggers of
//! `live_events` take the turn and send the NOTIFY (migration 0013).
//!
//! What is tuned per database stays in the backend: full-text search, the overdue and report
//! reads whose plans differ, the bulk seed, `helpdesk migrate`'s copy, the recounts.

pub mod sql;
mod audit;
mod changes;
mod counters;
mod inbound;
mod live;
mod mail;
mod passwords;
mod presence;
mod report_inputs;
mod seed;
mod sessions;
mod settings;
mod tickets;
pub mod users;

/// Everything in this module, expanded into the invoking backend module.
macro_rules! store_code {
    () => {
        use crate::domain::{EventKind, Priority, SlaHours, SystemSettings, TicketChanged, TicketState, TicketStatus};
        use crate::server::security::PasswordHash;
        use crate::server::store::records::*;
        use crate::server::store::shared::sql;
        use crate::server::store::StoreError;
        use chrono::{DateTime, Utc};
        use sqlx::{QueryBuilder, Transaction};

        /// Begins a transaction on `pool` in a task of its own. sqlx 0.8 counts a transaction
        /// as open only once BEGIN is answered, and its guard rolls back only what it counted: a
        /// request dropped by its client while BEGIN is in flight would put the connection back
        /// in the pool inside a transaction nobody knows of, holding every lock its later
        /// statements take (seen under load on PostgreSQL). In a task of its own BEGIN always
        /// completes, and a transaction nobody takes is rolled back when it is dropped.
        async fn begin(pool: &sqlx::Pool<Db>) -> Result<Transaction<'static, Db>, StoreError> {
            let pool = pool.clone();
            match tokio::spawn(async move { pool.begin().await }).await {
                Ok(begun) => Ok(begun?),
                Err(e) => Err(StoreError::unexpected("store.begin", e.to_string())),
            }
        }

        crate::server::store::shared::sessions_code!();
        crate::server::store::shared::passwords_code!();
        crate::server::store::shared::audit_code!();
        crate::server::store::shared::settings_code!();
        crate::server::store::shared::changes_code!();
        crate::server::store::shared::seed_code!();
        crate::server::store::shared::users_code!();
        crate::server::store::shared::ticket_reads_code!();
        crate::server::store::shared::counters_code!();
        crate::server::store::shared::mail_code!();
        crate::server::store::shared::inbound_code!();
        crate::server::store::shared::live_code!();
        crate::server::store::shared::presence_code!();
        crate::server::store::shared::report_inputs_code!();
    };
}
pub(crate) use store_code;
pub(crate) use {inbound::inbound_code, live::live_code, mail::mail_code, presence::presence_code, report_inputs::report_inputs_code};
pub(crate) use {audit::audit_code, changes::changes_code, counters::counters_code, passwords::passwords_code, seed::seed_code};
pub(crate) use {sessions::sessions_code, settings::settings_code, tickets::ticket_reads_code, users::users_code};
