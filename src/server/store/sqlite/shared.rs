//! The store code both databases run alike (`store::shared`), expanded for SQLite, with what
//! SQLite does its own way.

use super::tickets::fts_query;
use super::Store;

type Db = sqlx::Sqlite;

impl Store {
    fn reader(&self) -> &sqlx::SqlitePool {
        &self.read
    }

    /// The one writer connection: SQLite allows one writer at a time.
    fn writer(&self) -> &sqlx::SqlitePool {
        &self.write
    }
}

/// Nothing: SQLite's single writer already keeps a change's read and write together.
const LOCK_FOR_WRITE: &str = "";
/// Nothing: the single writer claims one batch of mail at a time.
const SKIP_LOCKED: &str = "";
/// Nothing: assignments are written one at a time by the single writer.
const LOCK_AGENT: Option<&str> = None;
/// Emails compare without regard to case: the column is `COLLATE NOCASE`.
const EMAIL_IS_PARAM: &str = "email = $1";
/// SQLite's LIKE ignores case (for ASCII letters) by itself.
const LIKE_ANY_CASE: &str = "LIKE";
/// A search walks the FTS index, newest match first: its rowid is the ticket's id.
const SEARCH_KEY: &str = "tickets_fts.rowid";

/// A search is a MATCH on the FTS5 table the list reads from (see `tickets::push_source`).
fn push_search(qb: &mut sqlx::QueryBuilder<'_, Db>, fts: String) {
    qb.push(" AND tickets_fts MATCH ").push_bind(fts);
}

/// Names sort by code point: SQLite's BINARY collation.
const NAME_ORDER: &str = "u.name";
/// Rows gathered into one JSON array of arrays (text), in `order`: a result of hundreds of rows
/// then crosses from SQLite's connection thread in one message. sqlx-sqlite hands rows over one
/// at a time, a lock and a wake-up each, which made a list of 200 agents cost 1 ms.
pub(super) fn json_rows(values: &str, order: &str) -> String {
    format!("json_group_array(json_array({values}) ORDER BY {order})")
}
/// A ticket's creation time in unix seconds (stored as RFC 3339 text).
const EPOCH_OF_CREATED_AT: &str = "CAST(strftime('%s', created_at) AS INTEGER)";

/// Nothing: the single writer makes account changes one at a time.
async fn lock_account_rules(_tx: &mut sqlx::Transaction<'static, Db>) -> Result<(), crate::server::store::StoreError> {
    Ok(())
}

/// Nothing: the single writer seeds before any other write can look.
async fn before_seed(_tx: &mut sqlx::Transaction<'static, Db>) -> Result<(), crate::server::store::StoreError> {
    Ok(())
}

/// Nothing: rows inserted with their ids move SQLite's rowid on by themselves.
async fn after_seed(_tx: &mut sqlx::Transaction<'static, Db>) -> Result<(), crate::server::store::StoreError> {
    Ok(())
}

crate::server::store::shared::store_code!();
