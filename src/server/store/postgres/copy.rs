//! `helpdesk migrate --from sqlite://… --to postgres://…`: copies an installation into an
//! empty, migrated PostgreSQL database in one transaction — accounts with their password
//! hashes, sessions, reset tokens, attempt counters, secrets, settings, tickets, their history,
//! the audit log, the mail outbox, the mail taken in and each person's notification choices,
//! ids kept — and sets every id sequence past the highest id the source ever gave (SQLite's
//! AUTOINCREMENT counter included). Indexes that back no constraint are dropped for the copy
//! and built once at its end. The counters and rollups are not
//! copied: the target's counter triggers are off during the copy (each row would update the
//! same counter rows again), the counters are then rebuilt from the copied rows in one
//! statement each, and the copy is committed only when they agree with a recount there.

use crate::server::store::sqlite::Store;
use crate::server::store::StoreError;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::postgres::PgPool;
use sqlx::{Postgres, QueryBuilder, Row, Transaction};

/// The tables holding what people wrote and configured, in an order that satisfies the
/// foreign keys. Everything else in the schema is derived from them.
const TABLES: &[&str] = &[
    "users",
    "password_resets",
    "app_secrets",
    "sessions",
    "throttles",
    "settings",
    "tickets",
    "ticket_events",
    "audit_log",
    "mail_opt_outs",
    "mail_outbox",
    "mail_attempts",
    "inbound_mails",
];

/// Rows per INSERT: under PostgreSQL's 65 535 bound parameters for the widest table.
const ROWS_PER_INSERT: usize = 2_000;

/// How many rows one table had in the source and has in the target after the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: &'static str,
    pub source_rows: i64,
    pub target_rows: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<TableCopy>,
}

/// One column's value, typed by the target column.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Float(Option<f64>),
    Bytes(Option<Vec<u8>>),
}

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bool,
    Time,
    Float,
    Bytes,
}

impl Kind {
    /// The kind of a PostgreSQL column from information_schema's data_type and udt_name.
    fn of(table: &str, column: &str, data_type: &str, udt: &str) -> Result<Kind, StoreError> {
        Ok(match (data_type, udt) {
            ("bigint" | "integer" | "smallint", _) => Kind::Int,
            ("text" | "character varying", _) | ("USER-DEFINED", "citext") => Kind::Text,
            ("boolean", _) => Kind::Bool,
            ("timestamp with time zone", _) => Kind::Time,
            ("double precision" | "real", _) => Kind::Float,
            ("bytea", _) => Kind::Bytes,
            _ => {
                return Err(StoreError::unexpected(
                    "migrate",
                    format!("{table}.{column} has a type it cannot copy ({data_type}, {udt})"),
                ));
            }
        })
    }

    fn read(self, row: &sqlx::sqlite::SqliteRow, i: usize) -> Result<Value, sqlx::Error> {
        Ok(match self {
            Kind::Int => Value::Int(row.try_get(i)?),
            Kind::Text => Value::Text(row.try_get(i)?),
            Kind::Bool => Value::Bool(row.try_get(i)?),
            Kind::Time => Value::Time(row.try_get(i)?),
            Kind::Float => Value::Float(row.try_get(i)?),
            Kind::Bytes => Value::Bytes(row.try_get(i)?),
        })
    }
}

impl Store {
    /// Copies this (SQLite) installation into `target`, a migrated PostgreSQL database that
    /// holds no accounts, tickets or audit entries yet; refuses any other. One transaction:
    /// the target gets everything or nothing.
    #[tracing::instrument(skip_all, name = "store.copy_into_postgres")]
    pub async fn copy_into_postgres(&self, target: &PgPool) -> Result<CopyReport, StoreError> {
        let mut tx = target.begin().await?;
        let (users, tickets, audit): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM audit_log)",
        )
        .fetch_one(&mut *tx)
        .await?;
        if users + tickets + audit > 0 {
            return Err(StoreError::refused(
                "to",
                format!(
                    "The target database is not empty ({users} accounts, {tickets} tickets, {audit} audit entries): \
                     migrate copies only into a new, empty database."
                ),
            ));
        }
        // The migrations' default settings make way for the installation's own.
        sqlx::query("DELETE FROM settings").execute(&mut *tx).await?;
        // The target is new: nobody else holds its tables (ALTER TABLE locks them to the end).
        let triggered: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT event_object_table::text FROM information_schema.triggers
             WHERE trigger_schema = current_schema() ORDER BY 1",
        )
        .fetch_all(&mut *tx)
        .await?;
        for table in &triggered {
            sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER USER")).execute(&mut *tx).await?;
        }
        // Indexes that back no constraint are built once after the copy instead of row by row.
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.indexname::text, i.indexdef FROM pg_indexes i
             WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                               WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
             ORDER BY 1",
        )
        .bind(TABLES)
        .fetch_all(&mut *tx)
        .await?;
        for (name, _) in &indexes {
            sqlx::query(&format!("DROP INDEX \"{name}\"")).execute(&mut *tx).await?;
        }

        let mut tables = Vec::new();
        for &table in TABLES {
            let source_rows = self.copy_table(table, &mut tx).await?;
            let target_rows: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *tx).await?;
            tables.push(TableCopy { table, source_rows, target_rows });
        }
        if let Some(t) = tables.iter().find(|t| t.source_rows != t.target_rows) {
            return Err(StoreError::unexpected(
                "migrate",
                format!("{} rows differ: {} read, {} written", t.table, t.source_rows, t.target_rows),
            ));
        }
        for table in ["users", "tickets", "ticket_events", "audit_log", "mail_outbox", "mail_attempts", "inbound_mails"] {
            self.continue_sequence(table, &mut tx).await?;
        }
        sqlx::query("SET LOCAL maintenance_work_mem = '256MB'").execute(&mut *tx).await?;
        for (_, definition) in &indexes {
            sqlx::query(definition).execute(&mut *tx).await?;
        }
        sqlx::raw_sql(include_str!("rebuild_counters.sql")).execute(&mut *tx).await?;
        for table in &triggered {
            sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER USER")).execute(&mut *tx).await?;
        }
        let rows: Vec<(String, String, String)> = sqlx::query_as(super::MISMATCHES_SQL).fetch_all(&mut *tx).await?;
        if !rows.is_empty() {
            return Err(StoreError::unexpected("migrate", format!("the counters disagree with the rows: {rows:?}")));
        }
        tx.commit().await?;
        // A copied database has neither planner statistics nor a visibility map yet: until
        // autovacuum gets to it, under load, plans are guesses and index-only scans read the
        // heap. VACUUM runs outside a transaction, so after the commit.
        let all: Vec<String> =
            sqlx::query_scalar("SELECT quote_ident(tablename::text) FROM pg_tables WHERE schemaname = current_schema()")
                .fetch_all(target)
                .await?;
        sqlx::raw_sql(&format!("VACUUM (ANALYZE) {}", all.join(", "))).execute(target).await?;
        Ok(CopyReport { tables })
    }

    /// Streams one table from SQLite into the target; returns the rows read.
    async fn copy_table(&self, table: &'static str, tx: &mut Transaction<'_, Postgres>) -> Result<i64, StoreError> {
        // The target's columns decide what is copied (generated ones are computed there).
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, udt_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
             ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut **tx)
        .await?;
        let kinds =
            columns.iter().map(|(c, d, u)| Kind::of(table, c, d, u)).collect::<Result<Vec<Kind>, StoreError>>()?;
        let names = columns.iter().map(|(c, _, _)| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");

        let select = format!("SELECT {names} FROM {table} ORDER BY 1");
        let mut rows = sqlx::query(&select).fetch(&self.read);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_INSERT);
        let mut copied = 0i64;
        while let Some(row) = rows.try_next().await? {
            batch.push(kinds.iter().enumerate().map(|(i, k)| k.read(&row, i)).collect::<Result<_, _>>()?);
            if batch.len() == ROWS_PER_INSERT {
                copied += insert(tx, table, &names, std::mem::take(&mut batch)).await?;
            }
        }
        if !batch.is_empty() {
            copied += insert(tx, table, &names, batch).await?;
        }
        Ok(copied)
    }

    /// Sets the target's id sequence of `table` so its next id follows the highest the source
    /// ever handed out (AUTOINCREMENT never reuses the id of a deleted row; neither should we).
    async fn continue_sequence(&self, table: &str, tx: &mut Transaction<'_, Postgres>) -> Result<(), StoreError> {
        let max_id: i64 = sqlx::query_scalar(&format!(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0),
                        COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))"
        ))
        .bind(table)
        .fetch_one(&self.read)
        .await?;
        // setval(…, 1, false) makes the next id 1 for a table that never had a row.
        sqlx::query("SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST($2, 1), $2 > 0)")
            .bind(table)
            .bind(max_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

async fn insert(tx: &mut Transaction<'_, Postgres>, table: &str, names: &str, rows: Vec<Vec<Value>>) -> Result<i64, StoreError> {
    let n = rows.len() as i64;
    let mut qb = QueryBuilder::<Postgres>::new(format!("INSERT INTO {table} ({names}) "));
    qb.push_values(rows, |mut b, row| {
        for value in row {
            match value {
                Value::Int(v) => b.push_bind(v),
                Value::Text(v) => b.push_bind(v),
                Value::Bool(v) => b.push_bind(v),
                Value::Time(v) => b.push_bind(v),
                Value::Float(v) => b.push_bind(v),
                Value::Bytes(v) => b.push_bind(v),
            };
        }
    });
    qb.build().execute(&mut **tx).await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::security::PasswordHash;
    use crate::server::store::SeedPlan;

    /// A migrated database of its own beside the test database (`HELPDESK_TEST_POSTGRES_URL`,
    /// made by scripts/postgres.sh in the test command), and a connection to drop it with;
    /// `None`, with a note, without one. Not a schema of the test database: the copy ends with
    /// VACUUM, which marks pages all-visible only past every transaction of its database, and
    /// the other tests' transactions there made that check fail now and then.
    async fn target(name: &str) -> Option<(PgPool, PgPool)> {
        let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else {
            eprintln!("HELPDESK_TEST_POSTGRES_URL is not set: copying into PostgreSQL is not tested (scripts/test.sh sets it)");
            return None;
        };
        let (store, admin) = super::super::own_database(&url, name).await;
        Some((store.pool.clone(), admin))
    }

    type TicketCols = (i64, i64, String, String, String, Option<i64>, DateTime<Utc>, Option<DateTime<Utc>>, Option<i64>, i64);
    const TICKETS: &str =
        "SELECT id, user_id, title, status, priority, assigned_to, created_at, closed_at, due_at, version FROM tickets ORDER BY id";
    type UserCols = (i64, String, String, String, bool, Option<DateTime<Utc>>);
    const USERS: &str = "SELECT id, CAST(email AS TEXT), password_hash, role, is_active, deleted_at FROM users ORDER BY id";

    #[tokio::test]
    async fn an_installation_is_copied_exactly_once_with_its_ids_and_counters() {
        let Some((pg, admin)) = target("helpdesk_unit_copy").await else { return };
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        let hash = PasswordHash::from_stored("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
        store.bulk_seed(&SeedPlan { tickets: 400, users: 30, agents: 6 }, &hash, |_, _| {}).await.unwrap();
        for sql in [
            "INSERT INTO audit_log (at, actor_id, actor_email, action, target, detail, ip)
             VALUES ('2026-02-01T10:00:00Z', 1, 'a@x.io', 'user.update', 'user 2', 'role', '127.0.0.1')",
            "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ('s1', 1, 1767261600, 1799999999)",
            "INSERT INTO throttles (key, window_start, count) VALUES ('sign-in-ip:10.0.0.1', 1767261600, 3)",
            "INSERT INTO app_secrets (name, value) VALUES ('jwt', 'k')",
            "UPDATE users SET deleted_at = '2026-03-01T00:00:00Z', is_active = 0 WHERE id = 5",
            // The newest ticket is deleted: its id must not be handed out again.
            "DELETE FROM tickets WHERE id = (SELECT MAX(id) FROM tickets)",
        ] {
            sqlx::query(sql).execute(&store.write).await.unwrap();
        }

        let indexes = "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1";
        let indexes_before: Vec<(String, String)> = sqlx::query_as(indexes).fetch_all(&pg).await.unwrap();
        let report = store.copy_into_postgres(&pg).await.unwrap();
        let indexes_after: Vec<(String, String)> = sqlx::query_as(indexes).fetch_all(&pg).await.unwrap();
        assert_eq!(indexes_after, indexes_before);
        assert!(indexes_after.len() > 30);
        // Vacuumed and analysed: the planner has statistics and the visibility map is set.
        let (stats, all_visible): (i64, i32) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'tickets'),
                    (SELECT relallvisible FROM pg_class WHERE oid = 'tickets'::regclass)",
        )
        .fetch_one(&pg)
        .await
        .unwrap();
        assert!(stats > 0 && all_visible > 0, "statistics {stats}, all-visible pages {all_visible}");
        for t in &report.tables {
            assert_eq!(t.source_rows, t.target_rows, "{}", t.table);
        }
        let rows_of = |table: &str| report.tables.iter().find(|t| t.table == table).unwrap().target_rows;
        assert_eq!((rows_of("tickets"), rows_of("sessions"), rows_of("audit_log")), (399, 1, 1));
        assert!(rows_of("ticket_events") > 1000 && rows_of("settings") >= 3);

        let source: Vec<TicketCols> = sqlx::query_as(TICKETS).fetch_all(&store.read).await.unwrap();
        let copied: Vec<TicketCols> = sqlx::query_as(TICKETS).fetch_all(&pg).await.unwrap();
        assert_eq!(source, copied);
        let source: Vec<UserCols> = sqlx::query_as(USERS).fetch_all(&store.read).await.unwrap();
        let copied: Vec<UserCols> = sqlx::query_as(USERS).fetch_all(&pg).await.unwrap();
        assert_eq!(source, copied);
        let settings = "SELECT key, value FROM settings ORDER BY key";
        let source: Vec<(String, String)> = sqlx::query_as(settings).fetch_all(&store.read).await.unwrap();
        let copied: Vec<(String, String)> = sqlx::query_as(settings).fetch_all(&pg).await.unwrap();
        assert_eq!(source, copied);

        // The counters rebuilt in the target are the source's.
        let counts = "SELECT scope, scope_id, status, n FROM ticket_counts WHERE n <> 0 ORDER BY 1, 2, 3";
        let source: Vec<(String, i64, String, i64)> = sqlx::query_as(counts).fetch_all(&store.read).await.unwrap();
        let copied: Vec<(String, i64, String, i64)> = sqlx::query_as(counts).fetch_all(&pg).await.unwrap();
        assert_eq!(source, copied);
        assert_eq!(super::super::counter_mismatches(&pg).await.unwrap(), Vec::<String>::new());

        // New rows continue after the highest id the source ever gave, the deleted one included.
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'tickets'").fetch_one(&store.read).await.unwrap();
        let next: i64 = sqlx::query_scalar(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at)
             VALUES (1, 'After', 'x', 'general', 'low', 'open', now(), now()) RETURNING id",
        )
        .fetch_one(&pg)
        .await
        .unwrap();
        assert_eq!(next, seq + 1);
        // The counter triggers are back on: the new ticket is counted.
        assert_eq!(super::super::counter_mismatches(&pg).await.unwrap(), Vec::<String>::new());

        // A second copy into the now non-empty database is refused, and changes nothing.
        let refused = store.copy_into_postgres(&pg).await.unwrap_err();
        assert!(matches!(refused, StoreError::Refused { field: "to", .. }), "{refused:?}");
        let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(&pg).await.unwrap();
        assert_eq!(tickets, 400);
        pg.close().await;
        sqlx::Executor::execute(&admin, "DROP DATABASE helpdesk_unit_copy WITH (FORCE)").await.unwrap();
    }
}
