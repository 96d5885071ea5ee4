//! The counter and rollup tables that triggers keep in step with `tickets`, each with the
//! query that counts it afresh. `counter_mismatches` compares them with a recount of every
//! ticket (tests and consistency checks, never a page); the bulk seed adds a batch's counts in
//! one statement per table instead of firing the row triggers (`add_batch_counts`).

use super::Store;
use crate::server::store::StoreError;
use sqlx::SqliteConnection;

/// A counter table: its key columns, its summed columns, and the query that counts them from
/// `src`, a table or subquery of ticket rows (`tickets`, or one batch of them).
struct Counted {
    table: &'static str,
    keys: &'static [&'static str],
    values: &'static [&'static str],
    recount: fn(src: &str) -> String,
}

/// Seconds from creation to closing, 0 for a ticket never closed.
const SECS: &str = "COALESCE(CAST(ROUND((julianday(closed_at) - julianday(created_at)) * 86400) AS INTEGER), 0)";

/// Every table the triggers on `tickets` keep (migrations 0004, 0005, 0011, 0013). The monthly
/// rollups and the opened-per-day sums (0012) follow the daily tables by triggers of their own.
const TICKET_COUNTERS: &[Counted] = &[
    Counted {
        table: "ticket_counts",
        keys: &["scope", "scope_id", "status"],
        values: &["n"],
        recount: |src| {
            format!(
                "SELECT 'all' AS scope, 0 AS scope_id, status, COUNT(*) AS n FROM {src} GROUP BY status
                 UNION ALL SELECT 'requester', user_id, status, COUNT(*) FROM {src} GROUP BY user_id, status
                 UNION ALL SELECT 'assignee', COALESCE(assigned_to, 0), status, COUNT(*) FROM {src}
                     GROUP BY COALESCE(assigned_to, 0), status"
            )
        },
    },
    Counted {
        table: "agent_resolution",
        keys: &["agent_id"],
        values: &["resolved", "resolution_secs"],
        recount: |src| {
            format!(
                "SELECT assigned_to AS agent_id, COUNT(*) AS resolved, SUM({SECS}) AS resolution_secs
                 FROM {src} WHERE assigned_to IS NOT NULL AND status = 'closed' GROUP BY assigned_to"
            )
        },
    },
    Counted {
        table: "ticket_kind_counts",
        keys: &["status", "priority", "category"],
        values: &["n"],
        recount: |src| format!("SELECT status, priority, category, COUNT(*) AS n FROM {src} GROUP BY 1, 2, 3"),
    },
    Counted {
        table: "rollup_created",
        keys: &["day", "status", "priority", "category"],
        values: &["n"],
        recount: |src| {
            format!(
                "SELECT substr(created_at, 1, 10) AS day, status, priority, category, COUNT(*) AS n FROM {src}
                 GROUP BY 1, 2, 3, 4"
            )
        },
    },
    Counted {
        table: "rollup_closed",
        keys: &["day"],
        values: &["n", "resolution_secs", "sla_met"],
        recount: |src| {
            format!(
                "SELECT substr(closed_at, 1, 10) AS day, COUNT(*) AS n, SUM({SECS}) AS resolution_secs,
                        SUM(COALESCE(CAST(strftime('%s', closed_at) AS INTEGER) <= due_at, 0)) AS sla_met
                 FROM {src} WHERE closed_at IS NOT NULL GROUP BY 1"
            )
        },
    },
    Counted {
        table: "rollup_agent",
        keys: &["agent_id", "day", "status"],
        values: &["n", "resolution_secs"],
        recount: |src| {
            format!(
                "SELECT COALESCE(assigned_to, 0) AS agent_id, substr(created_at, 1, 10) AS day, status, COUNT(*) AS n,
                        SUM(CASE WHEN status = 'closed' THEN {SECS} ELSE 0 END) AS resolution_secs
                 FROM {src} GROUP BY 1, 2, 3"
            )
        },
    },
    Counted {
        table: "open_due_days",
        keys: &["day"],
        values: &["n"],
        recount: |src| {
            format!(
                "SELECT due_at / 86400 AS day, COUNT(*) AS n FROM {src} WHERE status <> 'closed' AND due_at IS NOT NULL
                 GROUP BY 1"
            )
        },
    },
];

/// Tables kept by triggers on the daily rollups and on users, checked the same way.
const OTHER_COUNTERS: &[Counted] = &[
    Counted {
        table: "rollup_opened",
        keys: &["day"],
        values: &["n"],
        recount: |src| format!("SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS n FROM {src} GROUP BY 1"),
    },
    Counted {
        table: "rollup_created_month",
        keys: &["month", "status", "priority", "category"],
        values: &["n"],
        recount: |src| {
            format!(
                "SELECT substr(created_at, 1, 7) AS month, status, priority, category, COUNT(*) AS n FROM {src}
                 GROUP BY 1, 2, 3, 4"
            )
        },
    },
    Counted {
        table: "rollup_agent_month",
        keys: &["agent_id", "month", "status"],
        values: &["n", "resolution_secs"],
        recount: |src| {
            format!(
                "SELECT COALESCE(assigned_to, 0) AS agent_id, substr(created_at, 1, 7) AS month, status, COUNT(*) AS n,
                        SUM(CASE WHEN status = 'closed' THEN {SECS} ELSE 0 END) AS resolution_secs
                 FROM {src} GROUP BY 1, 2, 3"
            )
        },
    },
    Counted {
        table: "user_counts",
        keys: &["role"],
        values: &["n"],
        recount: |_| "SELECT role, COUNT(*) AS n FROM users WHERE deleted_at IS NULL GROUP BY role".to_string(),
    },
];

impl Store {
    /// Every counter that differs from a full recount, described ("<table> <key>: counted
    /// <column> <recounted> kept <stored>"); empty when all agree. Scans every ticket: for
    /// tests and consistency checks, never for a page.
    #[tracing::instrument(skip_all, name = "store.counter_mismatches")]
    pub async fn counter_mismatches(&self) -> Result<Vec<String>, StoreError> {
        let mut found = Vec::new();
        for counted in TICKET_COUNTERS.iter().chain(OTHER_COUNTERS) {
            let Counted { table, keys, values, recount } = counted;
            let recount = recount("tickets");
            let on = keys.iter().map(|k| format!("k.{k} = t.{k}")).collect::<Vec<_>>().join(" AND ");
            let key = keys.iter().map(|k| format!("COALESCE(t.{k}, k.{k})")).collect::<Vec<_>>().join(" || ' ' || ");
            let differs = values.iter().map(|v| format!("COALESCE(t.{v}, 0) <> COALESCE(k.{v}, 0)")).collect::<Vec<_>>().join(" OR ");
            let shown = values
                .iter()
                .map(|v| format!("'{v} ' || COALESCE(t.{v}, 0) || ' kept ' || COALESCE(k.{v}, 0)"))
                .collect::<Vec<_>>()
                .join(" || ', ' || ");
            let sql = format!(
                "WITH t AS ({recount}) SELECT {key}, {shown} FROM t FULL OUTER JOIN {table} k ON {on} WHERE {differs}"
            );
            let rows: Vec<(String, String)> = sqlx::query_as(&sql).fetch_all(&self.read).await?;
            found.extend(rows.into_iter().map(|(k, v)| format!("{table} {k}: counted {v}")));
        }
        Ok(found)
    }
}

/// Drops the counter triggers on `tickets` (not the full-text ones) and returns them for
/// `restore_counter_triggers`: for bulk loads, where a trigger per row costs more than the rows.
/// Call both inside one transaction (SQLite's DDL is transactional), so a failure leaves the
/// triggers and counters as they were.
pub(super) async fn suspend_counter_triggers(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>, StoreError> {
    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'trigger' AND tbl_name = 'tickets' AND name NOT LIKE 'tickets_fts%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (name, _) in &triggers {
        sqlx::query(&format!("DROP TRIGGER \"{name}\"")).execute(&mut *conn).await?;
    }
    Ok(triggers)
}

/// Adds what the tickets with ids from `first_id` on count to every table the suspended
/// triggers keep, one statement per table, then puts the triggers back.
pub(super) async fn restore_counter_triggers(
    conn: &mut SqliteConnection,
    first_id: i64,
    triggers: Vec<(String, String)>,
) -> Result<(), StoreError> {
    // `first_id` is an integer, so formatting it into the SQL is safe.
    let batch = format!("(SELECT * FROM tickets WHERE id >= {first_id}) AS tickets");
    for Counted { table, keys, values, recount } in TICKET_COUNTERS {
        let columns = keys.iter().chain(values.iter()).copied().collect::<Vec<_>>().join(", ");
        let add = values.iter().map(|v| format!("{v} = {v} + excluded.{v}")).collect::<Vec<_>>().join(", ");
        // `WHERE true` tells SQLite's parser the upsert's ON CONFLICT from a join's ON.
        let sql = format!(
            "INSERT INTO {table} ({columns}) SELECT * FROM ({}) WHERE true ON CONFLICT ({}) DO UPDATE SET {add}",
            recount(&batch),
            keys.join(", ")
        );
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    for (_, sql) in &triggers {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}
