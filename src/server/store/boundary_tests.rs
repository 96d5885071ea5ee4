//! Tests of the storage boundary: URL handling and the settings kept in memory.

use super::*;

#[test]
fn a_url_is_shown_without_its_password() {
    assert_eq!(redacted("postgres://app:s3cret@db:5432/helpdesk"), "postgres://app:***@db:5432/helpdesk");
    assert_eq!(redacted("postgres://app@db/helpdesk"), "postgres://app@db/helpdesk");
    assert_eq!(redacted("sqlite://helpdesk.db"), "sqlite://helpdesk.db");
}

#[test]
fn the_scheme_picks_the_backend() {
    assert_eq!(Kind::of("sqlite::memory:"), Some(Kind::Sqlite));
    assert_eq!(Kind::of("postgresql://x/y"), Some(Kind::Postgres));
    assert_eq!(Kind::of("mysql://x/y"), None);
}

#[tokio::test]
async fn settings_are_served_from_memory_replaced_when_saved_and_reread_after_a_second() {
    let store = Store::connect("sqlite::memory:", 1).await.unwrap();
    let first = store.system_settings().await.unwrap();
    // A change behind the store's back is not seen at once: the copy in memory answers.
    let Backend::Sqlite(backend) = &store.backend else { unreachable!() };
    sqlx::query("UPDATE settings SET value = '3' WHERE key = 'maxTicketsPerAgent'").execute(&backend.write).await.unwrap();
    assert_eq!(store.system_settings().await.unwrap(), first);
    // Saving through the store replaces it at once.
    let saved = SystemSettings { max_tickets_per_agent: 7, ..first.clone() };
    store.save_system_settings(&saved, None).await.unwrap();
    assert_eq!(store.system_settings().await.unwrap().max_tickets_per_agent, 7);
    let fresh = Store { settings: Arc::default(), ..store.clone() };
    assert_eq!(fresh.system_settings().await.unwrap().max_tickets_per_agent, 7, "and it was stored");
}

#[tokio::test]
async fn a_save_by_another_instance_applies_here_within_the_refresh_interval() {
    let dir = std::env::temp_dir().join(format!("helpdesk-settings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("shared.db").display());
    // Two app instances on one database, each with its own copy of the settings.
    let (one, other) = (Store::connect(&url, 1).await.unwrap(), Store::connect(&url, 1).await.unwrap());
    let before = other.system_settings().await.unwrap();
    let saved = SystemSettings { max_tickets_per_agent: 3, categories: vec!["hardware".into()], ..before.clone() };
    one.save_system_settings(&saved, None).await.unwrap();
    tokio::time::sleep(SETTINGS_REFRESH + Duration::from_millis(100)).await;
    assert_eq!(other.system_settings().await.unwrap(), saved);
    one.close().await;
    other.close().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn on_postgresql_a_save_by_another_instance_applies_here_within_the_refresh_interval() {
    let Ok(url) = std::env::var("HELPDESK_TEST_POSTGRES_URL") else { return };
    let one = Store::connect_postgres_schema(&url, "t_boundary_settings", 2).await.unwrap();
    let other = Store::connect(&postgres::url_in_schema(&url, "t_boundary_settings"), 2).await.unwrap();
    assert_eq!(other.kind(), Kind::Postgres);
    let before = other.system_settings().await.unwrap();
    let saved = SystemSettings { max_tickets_per_agent: 4, categories: vec!["network".into()], ..before.clone() };
    one.save_system_settings(&saved, None).await.unwrap();
    assert_eq!(other.system_settings().await.unwrap(), before, "served from memory until it is a second old");
    tokio::time::sleep(SETTINGS_REFRESH + Duration::from_millis(100)).await;
    assert_eq!(other.system_settings().await.unwrap(), saved);
    let refused = crate::error::AppError::from(one.backup_into(std::path::Path::new("/tmp/never.db")).await.unwrap_err());
    assert!(refused.message.contains("backup works on a SQLite database"), "{}", refused.message);
}
