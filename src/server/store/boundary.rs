//! The one `Store` the services call, over either backend: the URL picks SQLite (`sqlite:`,
//! the default, embedded) or PostgreSQL (`postgres:`, for several app instances). Every call
//! goes to the backend's function of the same name; what is the same for both (the settings
//! kept in memory) lives here.

use super::records::*;
use super::{postgres, sqlite};
use crate::domain::{
    AgentPerformance, AgentStats, AuditPage, Profile, Report, Role, RoleCounts, StatusCounts, SystemSettings, Ticket,
    TicketChanged, TicketEvent, TicketQuery, TicketRow, TicketScope,
};
use crate::server::store::StoreError;
use crate::server::security::PasswordHash;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a copy of the settings in memory is served before the database is asked again:
/// the longest a save made by another app instance takes to apply in this one.
pub const SETTINGS_REFRESH: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// The system settings, read on nearly every request: kept in memory, replaced when they
    /// are saved through this store and read again once they are `SETTINGS_REFRESH` old.
    settings: Arc<RwLock<Option<(SystemSettings, Instant)>>>,
    /// Reports already computed, kept until a ticket changes (see `report_memo`).
    reports: super::report_memo::ReportMemo,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(sqlite::Store),
    Postgres(postgres::Store),
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return url.to_string() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    pub fn of(url: &str) -> Option<Kind> {
        if url.starts_with("sqlite:") {
            Some(Kind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Kind::Postgres)
        } else {
            None
        }
    }
}

impl Store {
    /// On PostgreSQL, a connection of its own that listens for the notifications of new live
    /// events (every instance's changes); none on SQLite, where changes are made in process.
    pub async fn live_listener(&self) -> Result<Option<sqlx::postgres::PgListener>, StoreError> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(store) => {
                let mut listener = sqlx::postgres::PgListener::connect_with(&store.pool).await?;
                listener.listen("live_events").await?;
                Ok(Some(listener))
            }
        }
    }

    /// Connects to the database `url` names and applies its migrations; `max_connections`
    /// bounds the readers of a SQLite file, or the pool of PostgreSQL connections.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, sqlx::Error> {
        // Boxed: sqlx's migrator futures are `Send` only where their lifetimes are known, so
        // callers that spawn this could not prove it otherwise.
        let backend: Pending<'_, Result<Backend, sqlx::Error>> = match Kind::of(url) {
            Some(Kind::Sqlite) => Box::pin(async move { Ok(Backend::Sqlite(sqlite::Store::connect(url, max_connections).await?)) }),
            Some(Kind::Postgres) => Box::pin(async move { Ok(Backend::Postgres(postgres::Store::connect(url, max_connections).await?)) }),
            None => return Err(sqlx::Error::Configuration("not a sqlite: or postgres:// URL".into())),
        };
        let backend = backend.await?;
        Ok(Store::over(backend))
    }

    /// A PostgreSQL store in a fresh schema of its own: for tests sharing one database.
    pub async fn connect_postgres_schema(url: &str, schema: &str, max_connections: u32) -> Result<Store, sqlx::Error> {
        Ok(Store::over(Backend::Postgres(postgres::Store::connect_in_new_schema(url, schema, max_connections).await?)))
    }

    fn over(backend: Backend) -> Store {
        Store { backend, settings: Arc::default(), reports: Default::default() }
    }

    pub fn kind(&self) -> Kind {
        match self.backend {
            Backend::Sqlite(_) => Kind::Sqlite,
            Backend::Postgres(_) => Kind::Postgres,
        }
    }

    /// Runs statements as they are written, on the backend's writer: for tests that set up or
    /// damage rows beneath the store.
    #[cfg(test)]
    pub(super) async fn execute_raw(&self, sql: &str) {
        let done = match &self.backend {
            Backend::Sqlite(s) => sqlx::raw_sql(sql).execute(&s.write).await.map(|_| ()),
            Backend::Postgres(s) => sqlx::raw_sql(sql).execute(&s.pool).await.map(|_| ()),
        };
        done.unwrap_or_else(|e| panic!("{:?} refused {sql}: {e}", self.kind()));
    }

    /// The SQLite store, for what only a SQLite file can do (backup, the bulk seed, copying it
    /// to PostgreSQL); the error names the operation.
    pub fn sqlite(&self, operation: &str) -> Result<&sqlite::Store, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => Ok(s),
            Backend::Postgres(_) => Err(StoreError::refused("database.url", format!("{operation} works on a SQLite database; this one is PostgreSQL"))),
        }
    }

    /// The file a `sqlite:` URL names; none for PostgreSQL or an in-memory database.
    pub fn database_file(url: &str) -> Option<std::path::PathBuf> {
        sqlite::Store::database_file(url)
    }

    /// `helpdesk backup`: a consistent copy of a SQLite database, taken while the app serves.
    pub async fn backup_into(&self, path: &std::path::Path) -> Result<sqlite::BackupReport, StoreError> {
        self.sqlite("backup")?.backup_into(path).await.map_err(|e| e.during("store.backup_into"))
    }

    /// `helpdesk seed`: benchmark data, written in bulk into SQLite (for PostgreSQL, seed a
    /// SQLite file and `helpdesk migrate` it).
    pub async fn bulk_seed(
        &self,
        plan: &sqlite::SeedPlan,
        password_hash: &PasswordHash,
        progress: impl FnMut(u64, u64),
    ) -> Result<sqlite::SeedReport, StoreError> {
        self.sqlite("seed")?.bulk_seed(plan, password_hash, progress).await.map_err(|e| e.during("store.bulk_seed"))
    }

    /// `helpdesk migrate`: this SQLite installation copied into an empty PostgreSQL database.
    pub async fn copy_into_postgres(&self, target: &sqlx::PgPool) -> Result<postgres::CopyReport, StoreError> {
        self.sqlite("migrate")?.copy_into_postgres(target).await.map_err(|e| e.during("store.copy_into_postgres"))
    }

    /// Starts a set of ticket changes that land together or not at all (see `sqlite::Changes`).
    pub async fn changes(&self) -> Result<Changes, StoreError> {
        let begun = match &self.backend {
            Backend::Sqlite(s) => s.changes().await.map(Changes::Sqlite),
            Backend::Postgres(s) => s.changes().await.map(Changes::Postgres),
        };
        begun.map_err(|e| e.during("store.changes"))
    }

    /// The editable system settings: from memory while the copy there is younger than
    /// `SETTINGS_REFRESH`, else read again (a few rows).
    #[tracing::instrument(skip_all, name = "store.system_settings")]
    pub async fn system_settings(&self) -> Result<SystemSettings, StoreError> {
        if let Some((settings, at)) = self.settings.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if at.elapsed() < SETTINGS_REFRESH {
                return Ok(settings.clone());
            }
        }
        let settings = match &self.backend {
            Backend::Sqlite(s) => s.read_system_settings().await,
            Backend::Postgres(s) => s.read_system_settings().await,
        };
        let settings = settings.map_err(|e| e.during("store.system_settings"))?;
        self.remember_settings(&settings);
        Ok(settings)
    }

    /// The report over `from..=to` (UTC days): the one kept from an earlier ask while no ticket
    /// has changed since (one read to know), else computed from the rollups and kept.
    #[tracing::instrument(skip_all, name = "store.report")]
    pub async fn report(&self, from: NaiveDate, to: NaiveDate) -> Result<Report, StoreError> {
        let inputs = self.report_inputs().await?;
        if let Some(kept) = self.reports.get(from, to, &inputs) {
            return Ok(kept);
        }
        let report = match &self.backend {
            Backend::Sqlite(s) => s.report(from, to).await,
            Backend::Postgres(s) => s.report(from, to).await,
        };
        let report = report.map_err(|e| e.during("store.report"))?;
        self.reports.put(inputs.version, &report);
        Ok(report)
    }

    fn remember_settings(&self, settings: &SystemSettings) {
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = Some((settings.clone(), Instant::now()));
    }

    /// Saves the settings and moves the SLA deadline of every ticket not yet closed to the new
    /// hours, in one transaction: the new rules apply at once.
    #[tracing::instrument(skip_all, name = "store.save_system_settings")]
    pub async fn save_system_settings(&self, s: &SystemSettings, audit: Option<AuditRecord<'_>>) -> Result<(), StoreError> {
        let saved = match &self.backend {
            Backend::Sqlite(b) => b.save_system_settings(s, audit).await,
            Backend::Postgres(b) => b.save_system_settings(s, audit).await,
        };
        saved.map_err(|e| e.during("store.save_system_settings"))?;
        self.remember_settings(s);
        Ok(())
    }

    pub async fn categories(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.system_settings().await?.categories)
    }

    pub async fn max_tickets_per_agent(&self) -> Result<i64, StoreError> {
        Ok(self.system_settings().await?.max_tickets_per_agent)
    }

    pub async fn set_max_tickets_per_agent(&self, max: i64) -> Result<(), StoreError> {
        let settings = SystemSettings { max_tickets_per_agent: max, ..self.system_settings().await? };
        self.save_system_settings(&settings, None).await
    }

    /// The pools' sizes, for the metrics.
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        match &self.backend {
            Backend::Sqlite(s) => s.pool_stats().to_vec(),
            Backend::Postgres(s) => s.pool_stats().to_vec(),
        }
    }

    /// Closes the pools (at shutdown).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(s) => s.close().await,
            Backend::Postgres(s) => s.close().await,
        }
    }

    /// The versions of the binary's migrations the database has not applied.
    pub async fn unapplied_migrations(&self) -> Result<Vec<i64>, sqlx::Error> {
        match &self.backend {
            Backend::Sqlite(s) => s.unapplied_migrations().await,
            Backend::Postgres(s) => s.unapplied_migrations().await,
        }
    }
}

/// A backend's call in progress.
type Pending<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// `impl Store` with methods that hand the call to the backend's method of the same name.
macro_rules! delegate {
    ($( $(#[$meta:meta])* fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl Store {
            $(
                $(#[$meta])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    let done = match &self.backend {
                        Backend::Sqlite(s) => s.$name($($arg),*).await,
                        Backend::Postgres(s) => s.$name($($arg),*).await,
                    };
                    done.map_err(|e| e.during(concat!("store.", stringify!($name))))
                }
            )*
        }
    };
}

delegate! {
    fn record_audit(&self, r: AuditRecord<'_>) -> Result<(), StoreError>;
    /// A page of the audit trail, newest first, filtered by action and searched.
    fn audit_page(&self, action: Option<&str>, search: Option<&str>, page: u32, per_page: u32) -> Result<AuditPage, StoreError>;
    fn ticket_counts(&self, scope: TicketScope) -> Result<StatusCounts, StoreError>;
    fn unassigned_open(&self) -> Result<i64, StoreError>;
    fn agent_stats(&self, agent_id: i64) -> Result<AgentStats, StoreError>;
    fn open_load(&self, agent_id: i64) -> Result<i64, StoreError>;
    fn agent_totals(&self) -> Result<Vec<AgentPerformance>, StoreError>;
    fn set_password(&self, id: i64, hash: &PasswordHash, now_secs: i64, audit: AuditRecord<'_>) -> Result<(), StoreError>;
    fn insert_password_reset(&self, user_id: Option<i64>, token_hash: &str, expires_at: i64, mail: Option<&NewMail>) -> Result<(), StoreError>;
    fn reset_link_open(&self, token_hash: &str, now_secs: i64) -> Result<bool, StoreError>;
    fn redeem_password_reset(&self, token_hash: &str, new_hash: &PasswordHash, now_secs: i64, audit: (&str, &str, &str)) -> Result<Option<i64>, StoreError>;
    /// Every counter that differs from a recount of the rows (scans everything: for checks).
    fn counter_mismatches(&self) -> Result<Vec<String>, StoreError>;
    fn unassigned_and_overdue(&self, now: DateTime<Utc>) -> Result<(i64, i64), StoreError>;
    fn agent_performance(&self, range: Option<(NaiveDate, NaiveDate)>) -> Result<Vec<AgentPerformance>, StoreError>;
    fn least_loaded_agent(&self, max_open: i64) -> Result<Option<i64>, StoreError>;
    /// What a kept report depends on: how far the tickets have changed, and the agents now.
    fn report_inputs(&self) -> Result<ReportInputs, StoreError>;
    fn secret_or_insert(&self, name: &str, candidate: &str) -> Result<String, StoreError>;
    fn seed_demo(&self, accounts: &[DemoAccount]) -> Result<bool, StoreError>;
    /// False when the account is no longer active with the password `checked`: no session.
    fn open_session(&self, sid: &str, user_id: i64, checked: &PasswordHash, now: i64, expires_at: i64, audit: Option<AuditRecord<'_>>) -> Result<bool, StoreError>;
    /// The account behind an open session used after `idle_since`, and when it was last used.
    fn session_user(&self, sid: &str, user_id: i64, now: i64, idle_since: i64) -> Result<Option<(UserRecord, i64)>, StoreError>;
    fn touch_session(&self, sid: &str, now: i64) -> Result<(), StoreError>;
    /// How many rows one of the small account tables holds (a scan: for operators and tests).
    fn count_rows(&self, table: &str) -> Result<i64, StoreError>;
    fn throttle_peek(&self, key: &str, window_secs: i64, now: i64) -> Result<Option<Hits>, StoreError>;
    fn end_session(&self, sid: &str) -> Result<(), StoreError>;
    fn throttle_hit(&self, key: &str, window_secs: i64, now: i64) -> Result<Hits, StoreError>;
    fn throttle_clear(&self, key: &str) -> Result<(), StoreError>;
    fn ticket(&self, id: i64, now: DateTime<Utc>) -> Result<Option<Ticket>, StoreError>;
    fn ticket_events(&self, id: i64, include_internal: bool) -> Result<Vec<TicketEvent>, StoreError>;
    fn ticket_conversation(&self, id: i64, include_internal: bool) -> Result<Vec<TicketEvent>, StoreError>;
    fn list_tickets(&self, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) -> Result<ListedTickets, StoreError>;
    fn ticket_rows(&self, scope: TicketScope, query: &TicketQuery, now: DateTime<Utc>) -> Result<Vec<TicketRow>, StoreError>;
    fn overdue_count(&self, scope: TicketScope, now: DateTime<Utc>) -> Result<i64, StoreError>;
    fn recent_tickets(&self, scope: TicketScope, limit: i64, now: DateTime<Utc>) -> Result<Vec<TicketRow>, StoreError>;
    fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError>;
    fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError>;
    fn insert_user(&self, user: NewUser<'_>, audit: Option<AuditRecord<'_>>) -> Result<UserRecord, StoreError>;
    fn email_taken(&self, email: &str) -> Result<bool, StoreError>;
    fn update_profile(&self, id: i64, name: &str, phone: &str, department: &str) -> Result<Option<UserRecord>, StoreError>;
    fn count_users(&self) -> Result<i64, StoreError>;
    fn role_counts(&self) -> Result<RoleCounts, StoreError>;
    fn list_users(&self, search: Option<&str>, role: Option<Role>, page: u32, per_page: u32) -> Result<(Vec<Profile>, i64), StoreError>;
    fn update_user(&self, before: &Profile, change: &UserChange<'_>, audits: &[AuditRecord<'_>]) -> Result<Profile, StoreError>;
    fn recent_users(&self, limit: i64) -> Result<Vec<Profile>, StoreError>;
    fn queue_mail(&self, mail: &NewMail, now: i64) -> Result<(), StoreError>;
    /// Due mail, claimed for `lease_secs` so no other sender takes it meanwhile.
    fn claim_mail(&self, now: i64, lease_secs: i64, limit: i64) -> Result<Vec<QueuedMail>, StoreError>;
    /// The attempts of a batch of claimed mails, in one transaction.
    fn mails_attempted(&self, now: i64, outcomes: &[(i64, MailOutcome)]) -> Result<(), StoreError>;
    fn mail_health(&self, now: i64) -> Result<MailHealth, StoreError>;
    /// Waiting mail due now, mail given up on tried afresh; how many.
    fn retry_mail_now(&self, now: i64) -> Result<i64, StoreError>;
    fn mail_attempts(&self, message_id: &str) -> Result<Vec<MailAttempt>, StoreError>;
    fn mail_opt_outs(&self, user_id: i64) -> Result<Vec<String>, StoreError>;
    fn set_mail_opt_outs(&self, user_id: i64, kinds: &[String]) -> Result<(), StoreError>;
    fn record_inbound(&self, r: &InboundRecord) -> Result<(), StoreError>;
    /// The ticket or reply the mail with this Message-ID became, if it became one.
    fn inbound_taken(&self, message_id: &str) -> Result<Option<(String, Option<i64>)>, StoreError>;
    fn inbound_page(&self, before: Option<i64>, limit: i64) -> Result<Vec<InboundRow>, StoreError>;
    fn inbound_raw(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    /// The newest mails taken in for a ticket (its first mail, replies, reports about our
    /// mail), without the copies that were only duplicates.
    fn ticket_mails(&self, ticket_id: i64, limit: i64) -> Result<Vec<TicketMailRow>, StoreError>;
    /// The ticket and recipient of the first of these ids that is a mail we sent.
    fn sent_mail_of(&self, message_ids: &[String]) -> Result<Option<(i64, Option<i64>)>, StoreError>;
    /// Live events after the id `after`, oldest first.
    fn live_account(&self, user: i64, at: i64) -> Result<(), StoreError>;
    fn live_since(&self, after: i64, limit: i64) -> Result<Vec<crate::domain::LiveRecord>, StoreError>;
    /// The oldest and newest live event ids kept (0, 0 when none is).
    fn live_bounds(&self) -> Result<(i64, i64), StoreError>;
    fn prune_live(&self, before: i64) -> Result<u64, StoreError>;
    /// One step of keeping the search index merged, writing about `pages` pages; whether more
    /// is to do (SQLite's FTS5; PostgreSQL's GIN index is kept by autovacuum).
    fn tidy_search_step(&self, pages: i64) -> Result<bool, StoreError>;
    /// Records what one page says on a ticket (`None`: it closed) until `expires_ms`; whether
    /// the others were told (a presence live event written with it).
    fn set_presence(&self, ticket: i64, user: i64, tab: &str, state: Option<&str>, now_ms: i64, expires_ms: i64) -> Result<bool, StoreError>;
    /// The pages open on a ticket now: (user, name, state).
    fn presence(&self, ticket: i64, now_ms: i64) -> Result<Vec<(i64, String, String)>, StoreError>;
    /// Removes lapsed pages, telling their tickets' pages; how many tickets.
    fn expire_presence(&self, now_ms: i64) -> Result<usize, StoreError>;
}

/// One set of ticket changes on either backend (see `sqlite::Changes` for the contract).
pub enum Changes {
    Sqlite(sqlite::Changes),
    Postgres(postgres::Changes),
}

macro_rules! delegate_changes {
    ($( fn $name:ident(&mut self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl Changes {
            $(
                pub async fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                    let done = match self {
                        Changes::Sqlite(c) => c.$name($($arg),*).await,
                        Changes::Postgres(c) => c.$name($($arg),*).await,
                    };
                    done.map_err(|e| e.during(concat!("store.changes.", stringify!($name))))
                }
            )*
        }
    };
}

delegate_changes! {
    fn create(&mut self, t: NewTicket<'_>) -> Result<i64, StoreError>;
    fn update(&mut self, id: i64, expected_version: Option<i64>, actor: i64, update: &TicketUpdate, events: &[NewEvent]) -> Result<bool, StoreError>;
    fn delete(&mut self, id: i64) -> Result<bool, StoreError>;
    fn open_tickets_of(&mut self, agent: i64) -> Result<Vec<i64>, StoreError>;
    fn least_loaded_agent(&mut self, max_open: i64) -> Result<Option<i64>, StoreError>;
    fn audit(&mut self, r: AuditRecord<'_>) -> Result<(), StoreError>;
    fn delete_user(&mut self, id: i64, actor: i64) -> Result<bool, StoreError>;
    fn ticket_text(&mut self, id: i64) -> Result<Option<(String, String)>, StoreError>;
    fn mail_people(&mut self, ids: &[i64]) -> Result<Vec<MailPerson>, StoreError>;
    fn admin_ids(&mut self) -> Result<Vec<i64>, StoreError>;
    fn queue_mail(&mut self, mail: &NewMail) -> Result<(), StoreError>;
    fn record_inbound(&mut self, r: &InboundRecord) -> Result<(), StoreError>;
}

impl Changes {
    /// The changes so far, for the notification rule.
    pub fn records(&self) -> &[ChangeRecord] {
        match self {
            Changes::Sqlite(c) => c.records(),
            Changes::Postgres(c) => c.records(),
        }
    }

    /// Makes every change durable; returns what changed, in order.
    pub async fn commit(self) -> Result<Vec<TicketChanged>, StoreError> {
        let done = match self {
            Changes::Sqlite(c) => c.commit().await,
            Changes::Postgres(c) => c.commit().await,
        };
        done.map_err(|e| e.during("store.changes.commit"))
    }
}

#[path = "dashboards.rs"]
mod dashboards;

#[cfg(test)]
#[path = "boundary_tests.rs"]
mod tests;
