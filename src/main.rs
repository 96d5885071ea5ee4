use helpdesk::server::{build_router, settings::Settings, Core};
use std::net::SocketAddr;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();

    if let Err(message) = run().await {
        eprintln!("helpdesk: cannot start: {message}");
        std::process::exit(2);
    }
}

async fn run() -> Result<(), String> {
    let settings = Settings::load().map_err(|e| e.to_string())?;
    let leptos_options = leptos::prelude::get_configuration(None)
        .map_err(|e| format!("leptos configuration: {e}"))?
        .leptos_options;
    let addr = settings.addr;
    let core = Core::start(settings).await?;
    let app = build_router(leptos_options, Arc::new(core));

    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("server.addr: cannot listen on {addr}: {e}"))?;
    tracing::info!("help desk listening on http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server error: {e}"))
}
