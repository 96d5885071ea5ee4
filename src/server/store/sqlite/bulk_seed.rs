//! `helpdesk seed`: bulk synthetic accounts, tickets and ticket history for benchmarks.
//! Rows go in through plain multi-row INSERTs in one transaction; the full-text triggers fire
//! per row, while the secondary indexes and counter triggers are set aside and rebuilt from the
//! loaded rows at the end (counts added per table in one statement each, recount.rs). The
//! next batch is generated on a blocking thread while the current one is written.

mod generate;
mod vocab;

use super::recount::{restore_counter_triggers, suspend_counter_triggers};
use super::Store;
use crate::domain::SystemSettings;
use crate::server::store::StoreError;
use crate::server::security::PasswordHash;
use chrono::Utc;
use generate::{ts, Event, Generator, Ticket, DAY};
use sqlx::{Connection, SqliteConnection};
use vocab::{department, person_name, Rng, Writer, Zipf};

/// How many accounts of each kind should exist, and how many tickets to add.
pub struct SeedPlan {
    pub tickets: u64,
    pub users: u64,
    pub agents: u64,
}

pub struct SeedReport {
    pub users_added: u64,
    pub agents_added: u64,
    pub tickets_added: u64,
    pub events_added: u64,
    pub users_total: i64,
    pub tickets_total: i64,
    pub events_total: i64,
    /// A coined word found in few tickets, and how many tickets match it and "printer".
    pub rare_word: String,
    pub rare_hits: i64,
    pub printer_hits: i64,
}

const BATCH: u64 = 10_000; // tickets generated and written at a time
const MAX_VARS: usize = 32_766; // SQLite's limit of bound parameters per statement
const VOCABULARY: usize = 5_000;
const RARE_RANK: usize = 300;
/// `INSERT INTO <head> VALUES (?, …), …` for `rows` rows of `cols` columns.
fn values_sql(head: &str, cols: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; cols].join(", "));
    format!("INSERT INTO {head} VALUES {}", vec![row.as_str(); rows].join(", "))
}

impl Store {
    /// Adds seeded accounts up to the plan's numbers (`user<k>@seed.test`, `agent<k>@seed.test`,
    /// all with `password_hash`) and `plan.tickets` tickets with their history.
    #[tracing::instrument(skip_all, name = "store.bulk_seed")]
    pub async fn bulk_seed(
        &self,
        plan: &SeedPlan,
        password_hash: &PasswordHash,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<SeedReport, StoreError> {
        let settings = self.read_system_settings().await?;
        let mut conn = self.write.acquire().await?;
        // Seeding data can be redone; durability of each batch is not worth an fsync.
        sqlx::query("PRAGMA synchronous = OFF").execute(&mut *conn).await?;
        sqlx::query("PRAGMA cache_size = -1000000").execute(&mut *conn).await?;
        // Building the indexes again sorts every ticket once per index: let SQLite's sorter
        // use a second thread (the batch generator's core is idle by then).
        sqlx::query("PRAGMA threads = 2").execute(&mut *conn).await?;
        let result = seed_on(&mut conn, settings, plan, password_hash, &mut progress).await;
        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
        sqlx::query(&format!("PRAGMA cache_size = -{}", super::WRITER_CACHE_KIB)).execute(&mut *conn).await?;
        sqlx::query("PRAGMA threads = 0").execute(&mut *conn).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await?;
        result
    }
}

async fn seed_on(
    conn: &mut SqliteConnection,
    settings: SystemSettings,
    plan: &SeedPlan,
    hash: &PasswordHash,
    progress: &mut impl FnMut(u64, u64),
) -> Result<SeedReport, StoreError> {
    let now = Utc::now().timestamp();
    let (users_added, users) = add_people(conn, "user", plan.users, hash, now).await?;
    let (agents_added, agents) = add_people(conn, "agent", plan.agents, hash, now).await?;
    if plan.tickets > 0 && users.is_empty() {
        return Err(StoreError::refused("users", "Tickets need at least one seeded user (--users)."));
    }
    let admin: i64 = sqlx::query_scalar(
            "SELECT id FROM users WHERE role IN ('admin', 'superadmin') AND deleted_at IS NULL ORDER BY role = 'admin' DESC, id LIMIT 1",
        )
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(users.first().map_or(1, |u| u.0));
    let first_id: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(x), 0) + 1 FROM (SELECT MAX(id) AS x FROM tickets
             UNION ALL SELECT seq FROM sqlite_sequence WHERE name = 'tickets')",
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut generator = Generator {
        writer: Writer::new(VOCABULARY),
        rng: Rng::new(first_id as u64),
        user_zipf: Zipf::new(users.len(), 0.5),
        users: users.into_iter().map(|u| u.0).collect(),
        agent_zipf: Zipf::new(agents.len(), 0.8),
        agents,
        admin,
        categories: settings.categories,
        sla: settings.sla,
        first_id,
        count: plan.tickets,
        now,
    };
    let rare_word = generator.writer.word(RARE_RANK).to_string();

    let (send, mut batches) = tokio::sync::mpsc::channel::<(Vec<Ticket>, Vec<Event>)>(2);
    let total = plan.tickets;
    let producer = tokio::task::spawn_blocking(move || {
        let mut i = 0;
        while i < total {
            let n = BATCH.min(total - i);
            let mut events = Vec::with_capacity(n as usize * 6);
            let tickets = (i..i + n).map(|k| generator.ticket(k, &mut events)).collect();
            if send.blocking_send((tickets, events)).is_err() {
                return; // the writer stopped on an error
            }
            i += n;
        }
    });
    // One transaction for the whole load: it lands whole or not at all. The secondary indexes
    // and the counter triggers are set aside meanwhile and rebuilt from the loaded rows at the
    // end (an index built once from sorted rows costs a fraction of ~30 grown row by row).
    let mut tx = conn.begin().await?;
    let triggers = suspend_counter_triggers(&mut tx).await?;
    let indexes = suspend_indexes(&mut tx).await?;
    let (mut tickets_added, mut events_added) = (0, 0);
    while let Some((tickets, events)) = batches.recv().await {
        tickets_added += tickets.len() as u64;
        events_added += events.len() as u64;
        let mut rows = tickets.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Ticket> = rows.by_ref().take(MAX_VARS / 14).collect();
            let sql = values_sql(
                "tickets (id, user_id, title, description, category, priority, status, assigned_to,
                              created_at, updated_at, closed_at, resolution_notes, due_at, version)",
                14,
                chunk.len(),
            );
            let mut query = sqlx::query(&sql);
            for t in chunk {
                query = query.bind(t.id).bind(t.user_id).bind(t.title).bind(t.description).bind(t.category);
                query = query.bind(t.priority).bind(t.status).bind(t.assigned_to).bind(t.created_at);
                query =
                    query.bind(t.updated_at).bind(t.closed_at).bind(t.resolution_notes).bind(t.due_at).bind(t.version);
            }
            query.execute(&mut *tx).await?;
        }
        let mut rows = events.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Event> = rows.by_ref().take(MAX_VARS / 6).collect();
            let sql =
                values_sql("ticket_events (ticket_id, actor_id, kind, detail, internal, created_at)", 6, chunk.len());
            let mut query = sqlx::query(&sql);
            for e in chunk {
                query = query
                    .bind(e.ticket_id)
                    .bind(e.actor_id)
                    .bind(e.kind)
                    .bind(e.detail)
                    .bind(e.internal)
                    .bind(e.created_at);
            }
            query.execute(&mut *tx).await?;
        }
        progress(tickets_added, total);
    }
    producer.await.map_err(|e| StoreError::unexpected("seed", format!("the ticket generator stopped: {e}")))?;
    for sql in indexes {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    // The search index as one segment, not the many a million inserts leave (`search_index`).
    sqlx::query("INSERT INTO tickets_fts (tickets_fts) VALUES ('optimize')").execute(&mut *tx).await?;
    restore_counter_triggers(&mut tx, first_id, triggers).await?;
    tx.commit().await?;

    let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let fts = "SELECT COUNT(*) FROM tickets_fts WHERE tickets_fts MATCH ?";
    Ok(SeedReport {
        users_added,
        agents_added,
        tickets_added,
        events_added,
        users_total: count("SELECT COUNT(*) FROM users").fetch_one(&mut *conn).await?,
        tickets_total: count("SELECT COUNT(*) FROM tickets").fetch_one(&mut *conn).await?,
        events_total: count("SELECT COUNT(*) FROM ticket_events").fetch_one(&mut *conn).await?,
        rare_hits: count(fts).bind(rare_word.as_str()).fetch_one(&mut *conn).await?,
        printer_hits: count(fts).bind("printer").fetch_one(&mut *conn).await?,
        rare_word,
    })
}

/// Drops the secondary indexes of tickets (not unique ones, which guard rules) and returns
/// their definitions for building them again after a bulk load. Inside the load's transaction
/// (SQLite's DDL is transactional), so a failure leaves them as they were. The history's index
/// stays: rows arrive in its order, so it grows by appending.
async fn suspend_indexes(conn: &mut SqliteConnection) -> Result<Vec<String>, StoreError> {
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master
         WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL
           AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (name, _) in &indexes {
        sqlx::query(&format!("DROP INDEX \"{name}\"")).execute(&mut *conn).await?;
    }
    Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
}

/// Creates `<role><k>@seed.test` for the missing k up to `wanted`; returns how many were added
/// and (id, name) of all of them.
async fn add_people(
    conn: &mut SqliteConnection,
    role: &'static str,
    wanted: u64,
    hash: &PasswordHash,
    now: i64,
) -> Result<(u64, Vec<(i64, String)>), StoreError> {
    let pattern = format!("{role}%@seed.test");
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = ? AND email LIKE ?")
        .bind(role)
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    let missing: Vec<u64> = (have as u64 + 1..=wanted).collect();
    let mut tx = conn.begin().await?;
    for chunk in missing.chunks(MAX_VARS / 7) {
        let sql = values_sql("users (name, email, password_hash, role, department, phone, created_at)", 7, chunk.len());
        let mut query = sqlx::query(&sql);
        for &k in chunk {
            let name = person_name(k as usize + if role == "agent" { 7 } else { 0 });
            let created = now - 760 * DAY + (k as f64 / wanted as f64 * (30 * DAY) as f64) as i64;
            query = query.bind(name).bind(format!("{role}{k}@seed.test")).bind(hash.as_str()).bind(role);
            query = query.bind(department(k as usize)).bind("").bind(ts(created));
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let people: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM users WHERE role = ? AND email LIKE ? AND deleted_at IS NULL ORDER BY id")
            .bind(role)
            .bind(&pattern)
            .fetch_all(&mut *conn)
            .await?;
    Ok((missing.len() as u64, people))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn seeded_data_keeps_the_schema_rules_and_a_second_run_adds_only_tickets() {
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        let schema = "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name)";
        let schema_before: String = sqlx::query_scalar(schema).fetch_one(&store.read).await.unwrap();
        let hash = PasswordHash::from_stored("$argon2id$placeholder".into());
        let report = store.bulk_seed(&SeedPlan { tickets: 300, users: 20, agents: 5 }, &hash, |_, _| {}).await.unwrap();
        assert_eq!((report.users_added, report.agents_added, report.tickets_total), (20, 5, 300));
        assert!((70..=130).contains(&report.printer_hits), "printer in {} of 300", report.printer_hits);
        let broken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets WHERE (status = 'closed') <> (closed_at IS NOT NULL)
                OR closed_at <= created_at OR updated_at < created_at OR (status <> 'open' AND assigned_to IS NULL)
                OR NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = tickets.id AND e.kind = 'created')",
        )
        .fetch_one(&store.read)
        .await
        .unwrap();
        assert_eq!(broken, 0);
        let dangling: Vec<(String,)> = sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&store.read).await.unwrap();
        assert!(dangling.is_empty());

        let again = store.bulk_seed(&SeedPlan { tickets: 10, users: 20, agents: 5 }, &hash, |_, _| {}).await.unwrap();
        assert_eq!((again.users_added, again.agents_added, again.tickets_total), (0, 0, 310));

        // The indexes and triggers set aside for the load are back, the counts were added in
        // bulk, and the row triggers keep counting afterwards.
        let schema_after: String = sqlx::query_scalar(schema).fetch_one(&store.read).await.unwrap();
        assert_eq!(schema_after, schema_before);
        assert_eq!(store.counter_mismatches().await.unwrap(), Vec::<String>::new());
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, due_at)
             VALUES (?, 'Printer', 'x', 'technical', 'low', 'open', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', 1767261600)",
        )
        .bind(again.users_total)
        .execute(&store.write)
        .await
        .unwrap();
        assert_eq!(store.counter_mismatches().await.unwrap(), Vec::<String>::new());
        assert_eq!(store.ticket_counts(crate::domain::TicketScope::All).await.unwrap().total, 311);
    }
}
