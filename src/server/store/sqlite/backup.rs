//! `helpdesk backup FILE`: a consistent copy of a SQLite database, taken while the app serves.

use super::Store;
use crate::server::store::StoreError;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::Path;

/// What a backup wrote: the copy's size and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    pub users: i64,
    pub tickets: i64,
    pub events: i64,
    pub audit_entries: i64,
}

impl Store {
    /// The file a `sqlite:` database URL names; `None` for an in-memory database or another URL.
    pub fn database_file(url: &str) -> Option<std::path::PathBuf> {
        use std::str::FromStr;
        let options = SqliteConnectOptions::from_str(url).ok().filter(|_| url.starts_with("sqlite:") && !super::is_in_memory(url))?;
        Some(options.get_filename().to_path_buf())
    }

    /// Writes a copy of the database to `path` with `VACUUM INTO`, which reads the database in
    /// one transaction: the copy is the database at one moment, however many writes happen
    /// meanwhile, and under WAL neither the app's readers nor its writer wait for it. The copy
    /// is a plain database file (no WAL), checked with `PRAGMA quick_check` and counted.
    /// Refuses an existing file and an in-memory database.
    #[tracing::instrument(skip_all, name = "store.backup_into")]
    pub async fn backup_into(&self, path: &Path) -> Result<BackupReport, StoreError> {
        if self._keeper.is_some() {
            return Err(StoreError::refused(
                "database.url",
                "The database is in memory: there is no file to back up. Point database.url at a SQLite file.",
            ));
        }
        if path.exists() {
            return Err(StoreError::refused(
                "file",
                format!("{} already exists; a backup never overwrites a file. Choose a new name.", path.display()),
            ));
        }
        let target = path.to_str().ok_or_else(|| StoreError::refused("file", "The file name must be valid UTF-8."))?;
        sqlx::query("VACUUM INTO ?").bind(target).execute(&self.read).await?;

        let mut copy = SqliteConnectOptions::new().filename(path).read_only(true).connect().await?;
        let check: String = sqlx::query_scalar("PRAGMA quick_check").fetch_one(&mut copy).await?;
        if check != "ok" {
            return Err(StoreError::unexpected("backup", format!("the copy failed its check: {check}")));
        }
        let count = |table: &str| format!("SELECT COUNT(*) FROM {table}");
        let mut counted = Vec::new();
        for table in ["users", "tickets", "ticket_events", "audit_log"] {
            counted.push(sqlx::query_scalar::<_, i64>(&count(table)).fetch_one(&mut copy).await?);
        }
        copy.close().await?;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Ok(BackupReport { bytes, users: counted[0], tickets: counted[1], events: counted[2], audit_entries: counted[3] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn add_ticket(store: &Store, title: &str) {
        sqlx::query(
            "INSERT INTO tickets (user_id, title, description, category, priority, status, created_at, updated_at, due_at)
             VALUES (1, ?, 'x', 'technical', 'low', 'open', '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z', 1767261600)",
        )
        .bind(title)
        .execute(&store.write)
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn a_backup_taken_during_writes_is_a_consistent_copy_and_never_overwrites() {
        let dir = std::env::temp_dir().join(format!("helpdesk-backup-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.join("live.db").display()), 2).await.unwrap();
        store.add_test_user().await;
        for i in 0..50 {
            add_ticket(&store, &format!("before {i}")).await;
        }
        // Tickets keep arriving while the copy is taken.
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..300 {
                    add_ticket(&store, &format!("during {i}")).await;
                }
            })
        };
        let copy_path = dir.join("copy.db");
        let report = store.backup_into(&copy_path).await.unwrap();
        writer.await.unwrap();

        assert!(report.bytes > 0 && report.users == 1);
        assert!((50..=350).contains(&report.tickets), "{} tickets copied", report.tickets);
        // One moment's database: every counter agrees with the tickets copied.
        let copy = Store::connect(&format!("sqlite://{}", copy_path.display()), 1).await.unwrap();
        assert_eq!(copy.counter_mismatches().await.unwrap(), Vec::<String>::new());
        assert_eq!(copy.ticket_counts(crate::domain::TicketScope::All).await.unwrap().total, report.tickets);
        copy.close().await;

        let again = store.backup_into(&copy_path).await.unwrap_err();
        assert!(matches!(again, StoreError::Refused { field: "file", .. }), "{again:?}");
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();

        let memory = Store::connect("sqlite::memory:", 1).await.unwrap();
        let refused = memory.backup_into(&std::env::temp_dir().join("never.db")).await.unwrap_err();
        assert!(matches!(refused, StoreError::Refused { field: "database.url", .. }), "{refused:?}");
    }
}
