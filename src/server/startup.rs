//! Building the application from settings: storage, secrets, first accounts, routes.

use crate::app::{shell, App};
use crate::domain::{Email, Role};
use crate::error::AppError;
use crate::server::mail::Mailer;
use crate::server::security::{hash_password, random_token, TokenKeys};
use crate::server::config::Config;
use crate::server::store::{DemoAccount, NewUser, Store};
use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};

/// What every request handler shares.
pub struct Core {
    pub config: Config,
    pub store: Store,
    pub keys: TokenKeys,
    pub mailer: Mailer,
    /// Every committed ticket change, for whoever listens (live updates). Sending never waits;
    /// a listener that falls behind misses old events, not new ones.
    pub ticket_changes: tokio::sync::broadcast::Sender<crate::domain::TicketChanged>,
    /// Sign-ins being checked right now in this process, per network (see `rate_limit`).
    pub sign_ins_in_flight: crate::server::rate_limit::InFlightMap,
    /// Wakes the outbox worker when a commit wrote mail.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// Signs reply addresses (generated once per installation, kept in the database).
    pub mail_key: Vec<u8>,
    pub mail_identity: crate::server::notify::MailIdentity,
    /// The live event pump's hand-off to this instance's event streams.
    pub live: crate::server::live::Live,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub core: Arc<Core>,
}

/// The contract's demo accounts: (id, name, email, password, role).
const DEMO_ACCOUNTS: [(i64, &str, &str, &str, Role); 5] = [
    (1, "Super Admin", "superadmin@gmail.com", "superadmin123", Role::Superadmin),
    (2, "Admin", "admin@gmail.com", "admin123", Role::Admin),
    (3, "Agent John", "agent@gmail.com", "agent123", Role::Agent),
    (4, "John Doe", "user@gmail.com", "user123", Role::User),
    (5, "Jane Smith", "jane@gmail.com", "jane123", Role::User),
];

impl Core {
    /// Opens (and migrates) storage and prepares the first accounts and the signing secret.
    pub async fn start(config: Config) -> Result<Core, String> {
        let store = Store::connect(&config.database_url, config.database_max_connections)
            .await
            .map_err(|e| format!("database.url: cannot open {}: {e}", crate::server::store::redacted(&config.database_url)))?;
        fn fail<E>(what: &'static str) -> impl Fn(E) -> String {
            move |_| format!("{what} failed (see the log above)")
        }

        if store.count_users().await.map_err(fail("reading users"))? == 0 {
            if config.demo {
                seed_demo(&store).await.map_err(fail("seeding demo data"))?;
            } else {
                create_first_superadmin(&store, &config).await.map_err(fail("creating the first super admin"))?;
            }
        }

        let secret = match &config.jwt_secret {
            Some(secret) => secret.expose().clone(),
            None => store
                .secret_or_insert("jwt_signing_key", &random_token(32))
                .await
                .map_err(fail("reading the signing key"))?,
        };
        let mail_key = store.secret_or_insert("mail_reply_key", &random_token(32)).await.map_err(fail("reading the mail key"))?;
        let mailer = Mailer::new(&config.mail)?;
        Ok(Core {
            keys: TokenKeys::new(&secret, config.token_ttl_hours),
            mail_identity: crate::server::notify::MailIdentity::new(mailer.from(), config.mail.reply_to.as_deref()),
            mail_key: mail_key.into_bytes(),
            mail_wake: Arc::default(),
            mailer,
            ticket_changes: tokio::sync::broadcast::channel(1024).0,
            live: Default::default(),
            sign_ins_in_flight: Default::default(),
            store,
            config,
        })
    }
}

/// Starts the outbox worker (it sends mail while this core lives), the worker that takes mail
/// from a mailbox if one is set, the live pages' workers and the database's upkeep.
pub fn start_workers(core: &Arc<Core>) {
    crate::server::notify::outbox::spawn(core);
    crate::server::inbound::imap::spawn(core);
    crate::server::live::spawn(core);
    crate::server::upkeep::spawn(core);
}

async fn seed_demo(store: &Store) -> Result<(), AppError> {
    let mut accounts = Vec::new();
    for (id, name, email, password, role) in DEMO_ACCOUNTS {
        let password_hash = hash_password(password.to_string()).await?;
        accounts.push(DemoAccount { id, name, email, role, password_hash });
    }
    if store.seed_demo(&accounts).await? {
        tracing::info!("demo accounts and tickets seeded");
    }
    Ok(())
}

/// A production start on an empty database: no well-known password is ever created.
async fn create_first_superadmin(store: &Store, config: &Config) -> Result<(), AppError> {
    let boot = &config.bootstrap;
    let email = Email::parse(&boot.admin_email)?;
    let (password, generated) = match &boot.admin_password {
        Some(pw) => (pw.expose().clone(), false),
        None => (random_token(12), true),
    };
    let hash = hash_password(password.clone()).await?;
    store
        .insert_user(NewUser {
            name: &boot.admin_name,
            email: email.as_str(),
            password_hash: &hash,
            role: Role::Superadmin,
            department: "",
            phone: "",
        }, None)
        .await?;
    if generated {
        // Printed once, on purpose not through the log: it is shown to whoever started the server.
        println!(
            "\n  First super admin created: {}\n  Generated password (shown only now): {password}\n",
            email.as_str()
        );
    } else {
        tracing::info!(email = email.as_str(), "first super admin created from settings");
    }
    Ok(())
}

/// Client files with content hashes in their names: on when cargo-leptos says so
/// (`LEPTOS_HASH_FILES`) or, when nothing says, when the build left its `hash.txt` beside the
/// binary, so the release binary serves its hashed files however it is started.
pub fn with_hashed_files(mut options: LeptosOptions) -> LeptosOptions {
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        let beside_binary = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
        options.hash_files = beside_binary.is_some_and(|file| file.is_file());
    }
    options
}

/// The client's files and the public assets, from the site root (with the `.br` and `.gz`
/// files the release build writes beside them); any other path is the app's not-found page.
/// Not leptos_axum's `file_and_error_handler` for the files: it extends a found file's answer
/// with the `ResponseOptions` of whatever reactive owner the worker thread was left with
/// (its `Owner::new()` inherits the thread's current owner), so a file could go out with
/// another request's redirect, status or session cookie (seen: a WASM piece answered with a
/// 302 to `/login?next=/admin`, another visitor's redirect).
fn site_files(state: &AppState) -> tower_http::services::ServeDir<Router> {
    let not_found = Router::new()
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(crate::server::http::provide_nonce, shell))
        .with_state(state.clone());
    tower_http::services::ServeDir::new(state.leptos_options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found)
}

/// The whole HTTP application: REST API under `/api`, server functions under `/rpc`, pages.
pub fn build_router(leptos_options: LeptosOptions, core: Arc<Core>) -> Router {
    let state = AppState { leptos_options, core };
    // Generated once per process: generating suppresses resource loading process-wide for a
    // moment (leptos#4773), which would stall pages rendering meanwhile in another app
    // instance of the same process (tests run several).
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    crate::server::metrics::handle();
    // Pages and server functions; a page's caller is looked up before it renders (see
    // `rpc::prefetch_caller`).
    let pages = Router::<AppState>::new()
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || {
                    provide_context(state.clone());
                    provide_context(crate::server::rpc::render_memo());
                    crate::server::http::provide_nonce();
                }
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::server::rpc::prefetch_caller));
    let app = Router::new()
        .nest("/api", crate::server::api::router())
        .merge(pages)
        .fallback_service(site_files(&state))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::server::http::refuse_cross_site))
        .layer(axum::middleware::from_fn(crate::server::http::bound_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::server::http::security_headers))
        .layer(tower_http::compression::CompressionLayer::new())
        // Health, readiness and metrics: outside the cross-site and header middlewares above.
        .merge(crate::server::ops::router(&state.core.config))
        .layer(axum::middleware::from_fn(crate::server::metrics::track));
    crate::server::tracing_setup::layer(app).with_state(state)
}
