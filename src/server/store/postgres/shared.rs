//! The store code both databases run alike (`store::shared`), expanded for PostgreSQL, with
//! what PostgreSQL needs its own way: several transactions write at once here.

use super::search::fts_query;
use super::Store;

type Db = sqlx::Postgres;

impl Store {
    fn reader(&self) -> &sqlx::PgPool {
        &self.pool
    }

    /// The same pool: PostgreSQL has no single-writer limit.
    fn writer(&self) -> &sqlx::PgPool {
        &self.pool
    }
}

/// The ticket row is locked when a change reads it, so its before-state is the one the write
/// replaces.
const LOCK_FOR_WRITE: &str = " FOR UPDATE";
/// Several instances send mail: each claims what no other holds, without waiting for it.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
/// Assignments to one agent take turns on the agent's account row.
const LOCK_AGENT: Option<&str> = Some("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE");
/// Emails are CITEXT: a text parameter must be cast for the comparison to ignore case.
const EMAIL_IS_PARAM: &str = "email = CAST($1 AS CITEXT)";
/// PostgreSQL's LIKE heeds case; ILIKE does not.
const LIKE_ANY_CASE: &str = "ILIKE";
/// A search is a condition on the tickets table itself, newest first by id.
const SEARCH_KEY: &str = "t.id";

/// A search matches the `search` tsvector through its GIN index.
fn push_search(qb: &mut sqlx::QueryBuilder<'_, Db>, tsquery: String) {
    qb.push(" AND t.search @@ to_tsquery('simple', ").push_bind(tsquery).push(")");
}

/// Names sort by code point (COLLATE "C"), as SQLite's BINARY collation does.
const NAME_ORDER: &str = "u.name COLLATE \"C\"";
/// Rows gathered into one JSON array of arrays (text), in `order`, as on SQLite (see there):
/// PostgreSQL's own names for it, and `NULL` for no rows.
fn json_rows(values: &str, order: &str) -> String {
    format!("COALESCE(CAST(json_agg(json_build_array({values}) ORDER BY {order}) AS TEXT), '[]')")
}
/// A ticket's creation time in whole unix seconds (rounded down, as the domain's
/// `SlaHours::due` and SQLite's strftime('%s') count them; a plain cast would round).
const EPOCH_OF_CREATED_AT: &str = "CAST(FLOOR(EXTRACT(EPOCH FROM created_at)) AS BIGINT)";

/// The advisory lock every change of an account's role, activity or existence takes first,
/// so two such changes at once take turns and each sees the other's result.
async fn lock_account_rules(tx: &mut sqlx::Transaction<'static, Db>) -> Result<(), crate::server::store::StoreError> {
    const ACCOUNT_RULES_LOCK: i64 = 0x6865_6c70_6465_736b; // "helpdesk"
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(ACCOUNT_RULES_LOCK).execute(&mut **tx).await?;
    Ok(())
}

/// Several instances starting at once on an empty database seed it once: the others wait for
/// this lock, then find the accounts.
async fn before_seed(tx: &mut sqlx::Transaction<'static, Db>) -> Result<(), crate::server::store::StoreError> {
    sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").execute(&mut **tx).await?;
    Ok(())
}

/// Rows inserted with their ids leave the identity sequences behind: the next account or
/// ticket made through the app must get the following id, not collide.
async fn after_seed(tx: &mut sqlx::Transaction<'static, Db>) -> Result<(), crate::server::store::StoreError> {
    for table in ["users", "tickets"] {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

crate::server::store::shared::store_code!();
