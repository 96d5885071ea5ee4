//! What a store call fails with, in storage terms. The stores say what happened (a row is
//! gone, a named constraint or a rule checked inside the write refused, the database failed
//! during an operation); `From<StoreError> for AppError`, the one place below, decides what a
//! person is told, and logs the rest with the name of the operation that failed.

use crate::error::AppError;
use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row the call is about does not exist (or no longer does).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A rule the database enforces refused the write: a unique constraint, known by its name,
    /// or a rule the store checks inside the write.
    #[error("conflict on {0}")]
    Conflict(Constraint),
    /// An operation only some databases or inputs allow, refused before anything was written;
    /// names the input (a command-line argument or setting) and the reason.
    #[error("{field}: {reason}")]
    Refused { field: &'static str, reason: String },
    /// The database failed: the operation's name (the store call, filled in at the boundary
    /// when the backend did not name it) and the driver's error.
    #[error("{operation}: {source}")]
    Database { operation: &'static str, source: sqlx::Error },
    /// A check of the store's own work failed (a copy's counts differ); details are logged.
    #[error("{operation}: {reason}")]
    Unexpected { operation: &'static str, reason: String },
}

/// The rules a write can run into, each known by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// `users.email` is unique among accounts (in any case).
    UserEmail,
    /// The account changed since it was read (role or activity differ): an optimistic check.
    AccountVersion,
    /// At least one active super admin remains.
    LastSuperAdmin,
    /// A mail (by its Message-ID) is taken in once.
    InboundOnce,
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Constraint::UserEmail => "users_email_key",
            Constraint::AccountVersion => "account version",
            Constraint::LastSuperAdmin => "last active super admin",
            Constraint::InboundOnce => "inbound_mails_once",
        })
    }
}

impl Constraint {
    /// The unique constraint a database error names: PostgreSQL gives the constraint's name
    /// (the migrations name every one), SQLite the columns ("UNIQUE constraint failed: t.c").
    fn of(db: &dyn sqlx::error::DatabaseError) -> Option<Constraint> {
        if !db.is_unique_violation() {
            return None;
        }
        let name = db.constraint().or_else(|| db.message().strip_prefix("UNIQUE constraint failed: "));
        match name? {
            "users_email_key" | "users.email" => Some(Constraint::UserEmail),
            "inbound_mails_once" | "inbound_mails.message_id" => Some(Constraint::InboundOnce),
            _ => None,
        }
    }
}

impl StoreError {
    pub fn refused(field: &'static str, reason: impl Into<String>) -> Self {
        StoreError::Refused { field, reason: reason.into() }
    }

    pub fn unexpected(operation: &'static str, reason: impl Into<String>) -> Self {
        StoreError::Unexpected { operation, reason: reason.into() }
    }

    /// Names the operation of a database failure that does not name one yet.
    pub fn during(self, operation: &'static str) -> Self {
        match self {
            StoreError::Database { operation: "", source } => StoreError::Database { operation, source },
            other => other,
        }
    }
}

/// A driver error, unnamed until the boundary names the store call it happened in; a broken
/// unique constraint that has a name becomes a `Conflict`.
impl From<sqlx::Error> for StoreError {
    fn from(source: sqlx::Error) -> Self {
        if let Some(constraint) = source.as_database_error().and_then(Constraint::of) {
            return StoreError::Conflict(constraint);
        }
        StoreError::Database { operation: "", source }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => AppError::not_found(not_found_message(what)),
            StoreError::Conflict(Constraint::UserEmail) => {
                AppError::conflict_on("email", "An account with this email already exists.")
            }
            StoreError::Conflict(Constraint::AccountVersion) => {
                AppError::conflict("This account was changed meanwhile — reload and try again.")
            }
            StoreError::Conflict(Constraint::LastSuperAdmin) => {
                AppError::conflict("The last active super admin cannot be demoted, deactivated or deleted.")
            }
            StoreError::Conflict(Constraint::InboundOnce) => AppError::conflict("This mail was taken in already."),
            StoreError::Refused { field, reason } => AppError::invalid(field, reason),
            StoreError::Database { operation, source } => database_failure(operation, &source),
            StoreError::Unexpected { operation, reason } => {
                tracing::error!(operation, reason, "store check failed");
                AppError::internal()
            }
        }
    }
}

fn not_found_message(what: &str) -> String {
    let mut chars = what.chars();
    match chars.next() {
        Some(first) => format!("{}{} not found", first.to_uppercase(), chars.as_str()),
        None => "Not found".to_string(),
    }
}

/// Unavailable and collided databases are the caller's to retry (503); anything else is ours
/// (500), logged with the operation, never shown.
fn database_failure(operation: &'static str, err: &sqlx::Error) -> AppError {
    let operation = if operation.is_empty() { "unnamed store call" } else { operation };
    if is_unavailable(err) {
        tracing::warn!(operation, error = %err, "database unavailable");
        AppError::unavailable()
    } else if is_collision(err) {
        tracing::warn!(operation, error = %err, "transaction collided with another; rolled back");
        AppError::collided()
    } else {
        tracing::error!(operation, error = %err, "database error");
        AppError::internal()
    }
}

/// Errors that say the database cannot be reached or used right now, rather than that a
/// statement was wrong: no connection within the pool's timeout, a closed pool, I/O and TLS
/// failures; SQLite busy or locked past its timeout; PostgreSQL connection exceptions (class
/// 08), a statement cancelled at the statement timeout (57014) and operator intervention
/// (57P01–57P03: shutting down, cannot connect now).
fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            matches!(code.as_ref(), "5" | "6" | "261" | "262" | "517" | "57014" | "57P01" | "57P02" | "57P03")
                || code.starts_with("08")
        }
        _ => false,
    }
}

/// PostgreSQL rolled the transaction back because another one touched the same rows in an
/// order that could not be reconciled (deadlock 40P01, serialization failure 40001).
fn is_collision(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("40P01" | "40001")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[tokio::test]
    async fn a_duplicate_email_is_a_conflict_on_the_named_constraint() {
        use sqlx::{Connection, SqliteConnection};
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL COLLATE NOCASE UNIQUE)")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO users (email) VALUES ('a@x.io')").execute(&mut conn).await.unwrap();
        let err: StoreError = sqlx::query("INSERT INTO users (email) VALUES ('A@X.IO')").execute(&mut conn).await.unwrap_err().into();
        assert!(matches!(err, StoreError::Conflict(Constraint::UserEmail)), "{err:?}");
        let app = AppError::from(err);
        assert_eq!((app.kind, app.field.as_deref()), (ErrorKind::Conflict, Some("email")));
    }

    #[tokio::test]
    async fn a_failure_names_its_operation_and_tells_the_caller_nothing_of_it() {
        use sqlx::{Connection, SqliteConnection};
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        let err: StoreError = sqlx::query("SELECT * FROM no_such_table").execute(&mut conn).await.unwrap_err().into();
        let err = err.during("store.list_tickets").during("store.other");
        assert!(matches!(err, StoreError::Database { operation: "store.list_tickets", .. }), "{err:?}");
        assert!(err.to_string().starts_with("store.list_tickets: "), "{err}");
        let app = AppError::from(err);
        assert_eq!(app.kind, ErrorKind::Internal);
        assert!(!app.message.contains("no_such_table"), "{}", app.message);
    }

    #[test]
    fn an_unavailable_database_is_503_and_rules_are_409() {
        let gone = AppError::from(StoreError::Database { operation: "store.ticket", source: sqlx::Error::PoolTimedOut });
        assert_eq!(gone.status(), 503);
        let last = AppError::from(StoreError::Conflict(Constraint::LastSuperAdmin));
        assert_eq!(last.status(), 409);
        assert_eq!(AppError::from(StoreError::NotFound("user")).message, "User not found");
        assert_eq!(AppError::from(StoreError::refused("file", "exists")).field.as_deref(), Some("file"));
    }
}
