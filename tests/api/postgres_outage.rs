//! The app (the real binary) on a PostgreSQL server of this test's own, stopped and started
//! again under load: requests answer 503 with a clear message in seconds (no hang, no 500 with
//! internals), `/readyz` fails, and the app recovers by itself once the database is back.

use crate::common;

use common::process::{call, free_addr, Scratch, Server};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A PostgreSQL server in a scratch folder, run as the `postgres` user on a free port.
struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl Postgres {
    fn bin() -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        versions.into_iter().rev().find(|bin| bin.join("initdb").exists())
    }

    fn as_postgres(&self, program: &str, args: &[&str]) {
        let status = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(program))
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("runuser runs");
        assert!(status.success(), "{program} {args:?}: {status}");
    }

    fn init(bin: PathBuf, dir: &Path) -> Postgres {
        let data = dir.join("data");
        Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir).status().expect("chown");
        let pg = Postgres { bin, data, port: free_addr().port() };
        pg.as_postgres("initdb", &["-D", pg.data.to_str().unwrap(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        pg
    }

    fn start(&self) {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.data.display());
        self.as_postgres("pg_ctl", &["-D", self.data.to_str().unwrap(), "-o", &options, "-w", "-l", "/dev/null", "start"]);
    }

    fn stop(&self) {
        self.as_postgres("pg_ctl", &["-D", self.data.to_str().unwrap(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", self.data.to_str().unwrap(), "-m", "immediate", "stop"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_database_is_answered_503_quickly_and_the_app_recovers_when_it_returns() {
    if std::env::var("HELPDESK_TEST_POSTGRES_URL").is_err() {
        eprintln!("skipped: HELPDESK_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)");
        return;
    }
    let bin = Postgres::bin().expect("PostgreSQL's binaries (scripts/postgres.sh installs them)");
    let scratch = Scratch::new("pg-outage");
    let pg = Postgres::init(bin, &scratch.0);
    pg.start();
    let server = Server::start_on(&pg.url(), &scratch.0.join("outbox"), &[]).await;
    let token = server.login("user@gmail.com", "user123").await;
    let addr = server.addr;

    // Load: readers and writers, every answer recorded with its time and how long it took.
    let answers = Arc::new(Mutex::new(Vec::<(Instant, Duration, u16, String)>::new()));
    let stop_at = Instant::now() + Duration::from_secs(14);
    let load: Vec<_> = (0..4)
        .map(|n| {
            let (answers, token) = (answers.clone(), token.clone());
            tokio::spawn(async move {
                while Instant::now() < stop_at {
                    let started = Instant::now();
                    let reply = if n % 2 == 0 {
                        call(addr, "GET", "/api/tickets", Some(&token), None).await
                    } else {
                        let body = json!({ "title": "During the outage", "description": "x", "category": "technical" });
                        call(addr, "POST", "/api/tickets", Some(&token), Some(&body)).await
                    };
                    let (status, body) = reply.expect("the app answers, whatever the database does");
                    answers.lock().unwrap().push((started, started.elapsed(), status, body.to_string()));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(2)).await;
    pg.stop();
    // From here the database is down (pg_ctl waited for it to stop).
    let stopped_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (status, ready) = call(addr, "GET", "/readyz", None, None).await.unwrap();
    assert_eq!(status, 503, "not ready while the database is down: {ready}");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let restarted_at = Instant::now();
    pg.start();
    for task in load {
        task.await.unwrap();
    }

    let answers = answers.lock().unwrap().clone();
    // Asked and answered while the database was down (a request waiting for a connection
    // when it returns is served, as it should be).
    let during: Vec<_> = answers.iter().filter(|(at, took, ..)| *at > stopped_at && *at + *took < restarted_at).collect();
    assert!(!during.is_empty(), "requests were made during the outage");
    for (at, took, status, body) in &during {
        let since = at.duration_since(stopped_at);
        assert_eq!(*status, 503, "during the outage ({since:?} after the stop, answered in {took:?}): {body}");
        assert!(body.contains("The database is not answering right now"), "a clear message: {body}");
        assert!(*took < Duration::from_secs(6), "answered within the statement timeout, not hung: {took:?}");
    }
    assert!(answers.iter().all(|(_, _, status, _)| [200, 201, 503].contains(status)), "no 500s: {:?}",
        answers.iter().filter(|a| ![200, 201, 503].contains(&a.2)).map(|a| &a.3).collect::<Vec<_>>());
    // Recovered by itself: the last requests succeed without restarting the app.
    let recovered = answers.iter().filter(|(at, ..)| *at > restarted_at + Duration::from_secs(3)).collect::<Vec<_>>();
    assert!(!recovered.is_empty() && recovered.iter().all(|(_, _, s, _)| *s == 200 || *s == 201), "after the restart: {recovered:?}");
    let (status, _) = call(addr, "GET", "/readyz", None, None).await.unwrap();
    assert_eq!(status, 200, "ready again");
}
