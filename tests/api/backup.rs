//! `helpdesk backup FILE` beside a serving app: the copy is taken while a client keeps creating
//! tickets, holds every ticket acknowledged before it began, never overwrites a file, and an
//! app started on the copy (a restore is starting on it) serves that data.

use crate::common;

use common::process::{Scratch, Server};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn backup(database: &Path, file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["backup", file.to_str().unwrap()])
        .env("HELPDESK_DATABASE_URL", format!("sqlite://{}", database.display()))
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

#[tokio::test]
async fn a_backup_taken_while_the_app_writes_restores_into_a_working_app() {
    let scratch = Scratch::new("backup");
    let live = scratch.0.join("live.db");
    let server = Server::start(&live, &scratch.0.join("outbox"), &[]).await;
    let token = server.login("user@gmail.com", "user123").await;

    // A client creates tickets before, during and after the backup.
    let acknowledged = Arc::new(Mutex::new(Vec::<i64>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (addr, token, acknowledged, stop) = (server.addr, token.clone(), acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({ "title": format!("Backup ticket {n}"), "description": "Written during a backup.", "category": "technical", "priority": "low" });
                let (status, reply) = common::process::call(addr, "POST", "/api/tickets", Some(&token), Some(&body)).await.unwrap();
                assert_eq!(status, 201, "{reply}");
                acknowledged.lock().unwrap().push(reply["ticket"]["id"].as_i64().unwrap());
                n += 1;
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before: Vec<i64> = acknowledged.lock().unwrap().clone();
    let copy = scratch.0.join("copy.db");
    let out = tokio::task::spawn_blocking({
        let (live, copy) = (live.clone(), copy.clone());
        move || backup(&live, &copy)
    })
    .await
    .unwrap();
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "backup failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("backup: wrote") && stdout.contains("check: ok"), "{stdout}");

    // Never over an existing file.
    let again = backup(&live, &copy);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // Nor from a database that is not there (it would otherwise be created empty).
    let missing = backup(&scratch.0.join("missing.db"), &scratch.0.join("other.db"));
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    drop(server);

    // Restoring is starting the app on the copy: it serves every ticket acknowledged before.
    let restored = Server::start(&copy, &scratch.0.join("outbox2"), &[]).await;
    let token = restored.login("user@gmail.com", "user123").await;
    for id in before {
        let (status, reply) = restored.call("GET", &format!("/api/tickets/{id}"), Some(&token), None).await.unwrap();
        assert_eq!(status, 200, "ticket {id} after the restore: {reply}");
    }
}
