use helpdesk::server::security::hash_password;
use helpdesk::server::store::{SeedPlan, Store};
use helpdesk::server::{build_router, config::Config, Core};
use std::sync::Arc;
use std::time::Instant;

const USAGE: &str = "\
usage: helpdesk                 run the server (settings: Leptos.toml and HELPDESK_* variables)
       helpdesk seed [--tickets N] [--users N] [--agents N]
                                add benchmark data to the configured database (database.url):
                                the demo accounts if it is empty, user<k>@seed.test and
                                agent<k>@seed.test (password \"password123\") up to the given
                                numbers, and N tickets with their history.
                                Defaults: 10000 tickets, tickets/10 users (10 to 100000), 200 agents.
       helpdesk backup FILE     write a consistent copy of the configured SQLite database to FILE
                                (a new file) while the app keeps serving; see the README to restore.
       helpdesk migrate --from sqlite://FILE --to postgres://USER:PASSWORD@HOST/DB
                                copy an installation into an empty PostgreSQL database (its
                                schema is created), ids, hashes and history included; prints
                                the rows copied per table.";

/// Keeps the server's memory near what it uses. Each argon2id hash allocates 19 MiB; glibc
/// would keep such blocks in its heap after they are freed (its mmap threshold rises with every
/// large free) and in one arena per thread. A fixed threshold gives large blocks back to the
/// system when freed, and two arenas bound the rest.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Gives freed heap memory back to the system every few seconds. glibc returns memory only
/// from the top of its heap by itself; after a burst (hundreds of connections, each with its
/// buffers) the freed middle would stay resident for good.
fn trim_heap_periodically() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    std::thread::Builder::new()
        .name("heap-trim".into())
        .spawn(|| loop {
            std::thread::sleep(std::time::Duration::from_secs(5));
            // SAFETY: malloc_trim only releases free memory; it is safe to call at any time.
            unsafe { libc::malloc_trim(0) };
        })
        .map(drop)
        .unwrap_or_else(|e| eprintln!("helpdesk: heap trimming not started: {e}"));
}

fn main() {
    tune_allocator();
    trim_heap_periodically();
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("the runtime starts").block_on(serve_or_run());
}

async fn serve_or_run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().map(String::as_str);
    if matches!(command, Some("help" | "-h" | "--help")) {
        println!("{USAGE}");
        return;
    }
    // The configuration first: it chooses the log format.
    let config = Config::load().map_err(|e| e.to_string());
    helpdesk::server::tracing_setup::init(config.as_ref().map(|s| s.log_format).unwrap_or_default());
    let result = match (command, config) {
        (Some(other), _) if !matches!(other, "seed" | "backup" | "migrate") => Err(format!("unknown command {other:?}\n{USAGE}")),
        (_, Err(e)) => Err(e),
        (None, Ok(config)) => run(config).await,
        (Some("seed"), Ok(config)) => seed(&args[1..], config).await,
        (Some("backup"), Ok(config)) => backup(&args[1..], config).await,
        (Some(_), Ok(_)) => migrate(&args[1..]).await,
    };
    if let Err(message) = result {
        eprintln!("helpdesk: cannot {}: {message}", command.unwrap_or("start"));
        std::process::exit(2);
    }
}

async fn run(config: Config) -> Result<(), String> {
    let leptos_options = leptos::prelude::get_configuration(None)
        .map_err(|e| format!("leptos configuration: {e}"))?
        .leptos_options;
    let leptos_options = helpdesk::server::startup::with_hashed_files(leptos_options);
    let (addr, metrics_addr) = (config.addr, config.metrics_addr);
    let core = Arc::new(Core::start(config).await?);
    helpdesk::server::startup::start_workers(&core);
    let state = helpdesk::server::startup::AppState { leptos_options: leptos_options.clone(), core: core.clone() };
    let app = build_router(leptos_options, core.clone());

    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("server.addr: cannot listen on {addr}: {e}"))?;
    if let Some(metrics_addr) = metrics_addr {
        let metrics = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .map_err(|e| format!("metrics.addr: cannot listen on {metrics_addr}: {e}"))?;
        tracing::info!("metrics on http://{metrics_addr}/metrics");
        let router = helpdesk::server::metrics::router(core.clone());
        // Ends with the process: a scrape needs no draining.
        tokio::spawn(async move { axum::serve(metrics, router).await });
    }
    tracing::info!("help desk listening on http://{addr}");
    // On SIGTERM or Ctrl-C: stop accepting, end the event streams, let every request in flight
    // finish, then close the database cleanly.
    let streams = core.clone();
    let shutdown = async move {
        helpdesk::server::ops::shutdown_signal().await;
        let _ = streams.live.closing.send(true);
    };
    let served = helpdesk::server::live::direct::serve(listener, app, state, shutdown).await.map_err(|e| format!("server error: {e}"));
    core.store.close().await;
    tracing::info!("stopped");
    served
}

/// `helpdesk seed --tickets N --users N --agents N`
fn seed_plan(args: &[String]) -> Result<SeedPlan, String> {
    let (mut tickets, mut users, mut agents) = (10_000, None, 200);
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let target = match flag.as_str() {
            "--tickets" => &mut tickets,
            "--users" => users.insert(0),
            "--agents" => &mut agents,
            _ => return Err(format!("unknown option {flag:?}\n{USAGE}")),
        };
        let value = args.next().ok_or_else(|| format!("{flag} needs a number"))?;
        *target = value.replace('_', "").parse().map_err(|_| format!("{flag}: {value:?} is not a number"))?;
    }
    Ok(SeedPlan { tickets, users: users.unwrap_or((tickets / 10).clamp(10, 100_000)), agents })
}

async fn seed(args: &[String], mut config: Config) -> Result<(), String> {
    let plan = seed_plan(args)?;
    config.demo = true; // an empty database gets the demo accounts, as in development
    println!("seed: database {}", helpdesk::server::store::redacted(&config.database_url));
    let started = Instant::now();
    let core = Core::start(config).await?;
    let hash = hash_password("password123".to_string()).await.map_err(|e| e.to_string())?;
    let mut last = Instant::now();
    let report = core
        .store
        .bulk_seed(&plan, &hash, |done, total| {
            if done == total || last.elapsed().as_secs_f64() >= 2.0 {
                last = Instant::now();
                let secs = started.elapsed().as_secs_f64();
                println!("seed: {done}/{total} tickets, {secs:.1} s, {:.0} tickets/s", done as f64 / secs);
            }
        })
        .await
        .map_err(|e| format!("{e} (see the log above)"))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seed: added {} users, {} agents, {} tickets, {} events in {secs:.1} s ({:.0} tickets/s)",
        report.users_added,
        report.agents_added,
        report.tickets_added,
        report.events_added,
        report.tickets_added as f64 / secs
    );
    println!(
        "seed: database now holds {} users, {} tickets, {} events",
        report.users_total, report.tickets_total, report.events_total
    );
    println!(
        "seed: rare word: {} ({} tickets); printer: {} tickets",
        report.rare_word, report.rare_hits, report.printer_hits
    );
    Ok(())
}

/// The file a SQLite URL names, if it exists: a command that reads a database must not open
/// (and so create) an empty one. `setting` names where the URL came from.
fn existing_sqlite_file(url: &str, setting: &str) -> Result<std::path::PathBuf, String> {
    let file = Store::database_file(url).ok_or_else(|| format!("{setting} must be a SQLite file URL, not {url}"))?;
    if !file.exists() {
        return Err(format!("{setting}: {} does not exist", file.display()));
    }
    Ok(file)
}

/// `helpdesk backup FILE`
async fn backup(args: &[String], config: Config) -> Result<(), String> {
    let [file] = args else {
        return Err(format!("backup takes one argument, the new file to write\n{USAGE}"));
    };
    let database = existing_sqlite_file(&config.database_url, "database.url")?;
    let store = Store::connect(&config.database_url, 1).await.map_err(|e| format!("database.url: {e}"))?;
    let started = Instant::now();
    let report = store.backup_into(std::path::Path::new(file)).await.map_err(|e| e.to_string());
    store.close().await;
    let report = report?;
    println!(
        "backup: wrote {file} ({:.1} MB) in {:.1} s from {}: {} users, {} tickets, {} ticket events, {} audit entries; check: ok",
        report.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        database.display(),
        report.users,
        report.tickets,
        report.events,
        report.audit_entries
    );
    Ok(())
}

/// `helpdesk migrate --from sqlite://FILE --to postgres://…`
async fn migrate(args: &[String]) -> Result<(), String> {
    let usage = || format!("migrate needs --from sqlite://FILE and --to postgres://…\n{USAGE}");
    let (mut from, mut to) = (None, None);
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(usage)?;
        match flag.as_str() {
            "--from" => from = Some(value.clone()),
            "--to" => to = Some(value.clone()),
            _ => return Err(usage()),
        }
    }
    let (Some(from), Some(to)) = (from, to) else { return Err(usage()) };
    let source = existing_sqlite_file(&from, "--from")?;
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        return Err("--to must be a postgres:// URL".into());
    }
    let started = Instant::now();
    let store = Store::connect(&from, 2).await.map_err(|e| format!("--from: {e}"))?;
    let target = helpdesk::server::store::postgres_admin::connect_migrated(&to, "--to").await?;
    let report = store.copy_into_postgres(&target).await.map_err(|e| format!("{e} (see the log above)"));
    store.close().await;
    target.close().await;
    let report = report?;
    for t in &report.tables {
        println!("migrate: {:<16} {:>10} rows", t.table, t.target_rows);
    }
    println!(
        "migrate: copied {} into PostgreSQL in {:.1} s; counters rebuilt and checked against a recount",
        source.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
