//! Endpoints for whoever runs the service: `/healthz` (the process answers), `/readyz` (it can
//! serve: the database answers and has every migration of this binary), `/metrics` when no
//! separate metrics address is set; and the shutdown signal. Mounted outside the cross-site
//! and session middlewares: probes send no cookies and no browser headers.

use crate::server::config::Config;
use crate::server::startup::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::time::Duration;

/// A database that has not answered by then counts as not answering.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn router(config: &Config) -> Router<AppState> {
    let router = Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz));
    match config.metrics_addr {
        Some(_) => router,
        None => router.route("/metrics", get(crate::server::metrics::on_main_address)),
    }
}

/// Alive: answers without touching the database, so a slow database never gets the process
/// restarted (that is what `/readyz` is for).
async fn healthz() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], "ok")
}

async fn readyz(State(state): State<AppState>) -> Response {
    let store = &state.core.store;
    match tokio::time::timeout(READY_TIMEOUT, store.unapplied_migrations()).await {
        Err(_) => not_ready("database did not answer in time".into()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check: the database query failed");
            not_ready("database unavailable".into())
        }
        Ok(Ok(missing)) if !missing.is_empty() => {
            let versions: Vec<String> = missing.iter().map(i64::to_string).collect();
            not_ready(format!("migrations not applied: {}", versions.join(", ")))
        }
        Ok(Ok(_)) => (StatusCode::OK, no_store(), Json(serde_json::json!({ "status": "ready" }))).into_response(),
    }
}

fn no_store() -> [(header::HeaderName, &'static str); 1] {
    [(header::CACHE_CONTROL, "no-store")]
}

fn not_ready(reason: String) -> Response {
    let body = serde_json::json!({ "status": "unavailable", "reason": reason });
    (StatusCode::SERVICE_UNAVAILABLE, no_store(), Json(body)).into_response()
}

/// Resolves on SIGTERM (what service managers and container runtimes send) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received: finishing requests in flight, then stopping"),
        () = term => tracing::info!("SIGTERM received: finishing requests in flight, then stopping"),
    }
}
