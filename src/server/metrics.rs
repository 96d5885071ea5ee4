//! Prometheus metrics at `/metrics`: requests by route template and status, their latency,
//! the database pools, failed sign-ins and password hashes.
//!
//! Who may read them: with `metrics.addr` set they are served only there, by a listener of
//! their own (bind it to a private interface); otherwise on the main address, but only to a
//! direct connection from loopback (no `Forwarded`/`X-Forwarded-For`, which a reverse proxy on
//! the same host would add) or to a super admin's bearer token. Route names and counts say
//! what the service is doing; they are not for the world.

use crate::error::AppError;
use crate::server::startup::{AppState, Core};
use crate::server::tracing_setup::route_of;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Latency buckets in seconds: from a cached page to a slow export.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The recorder is process-wide (the `metrics` macros write to one global), so it is installed
/// once, however many apps a process builds (the tests build hundreds).
static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder on first use; `None` if another recorder was installed first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new().set_buckets(&BUCKETS).and_then(PrometheusBuilder::install_recorder);
            match built {
                Ok(handle) => {
                    // Histograms keep raw samples until upkeep folds them into buckets; without
                    // scrapes they would grow without bound.
                    let upkeep = handle.clone();
                    let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    });
                    if let Err(e) = spawned {
                        tracing::warn!(error = %e, "metrics upkeep thread not started");
                    }
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed; /metrics will be empty");
                    None
                }
            }
        })
        .as_ref()
}

/// Counts each request and times it, labelled by method, route template and status.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = bounded_method(request.method());
    let route = route_of(&request).to_string();
    let response = next.run(request).await;
    record(method, route, response.status().as_u16(), started);
    response
}

/// Counts one request and its latency (also for the event streams written without hyper).
pub fn record(method: &'static str, route: String, status: u16, started: Instant) {
    let labels = [("method", method.to_string()), ("route", route), ("status", status.to_string())];
    ::metrics::counter!("http_requests_total", &labels).increment(1);
    ::metrics::histogram!("http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
}

/// Methods a client makes up would each become a label value.
fn bounded_method(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts a sign-in refused for a wrong email or password.
pub fn sign_in_failed() {
    ::metrics::counter!("sign_in_failures_total").increment(1);
}

/// The exposition text, with the gauges read at this moment.
pub async fn render(core: &Core) -> String {
    for stats in core.store.pool_stats() {
        ::metrics::gauge!("db_pool_connections", "pool" => stats.pool).set(stats.size as f64);
        ::metrics::gauge!("db_pool_idle_connections", "pool" => stats.pool).set(stats.idle as f64);
    }
    ::metrics::counter!("password_hashes_total").absolute(crate::server::security::hashes_computed());
    // The outbox: what waits (capped, see `MAIL_DEPTH_CAP`), how long the oldest has waited,
    // and what was given up on. Unreadable, the gauges keep their last values.
    match core.store.mail_health(chrono::Utc::now().timestamp()).await {
        Ok(mail) => {
            ::metrics::gauge!("mail_outbox_depth").set(mail.waiting as f64);
            ::metrics::gauge!("mail_outbox_oldest_seconds").set(mail.oldest_waiting_secs.unwrap_or(0) as f64);
            ::metrics::gauge!("mail_outbox_failed").set(mail.failed as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: reading the outbox failed"),
    }
    handle().map(PrometheusHandle::render).unwrap_or_default()
}

async fn exposition(core: &Core) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], render(core).await)
        .into_response()
}

/// `/metrics` on the main address: loopback or a super admin only (see the module comment).
pub async fn on_main_address(State(state): State<AppState>, request: Request) -> Response {
    if !from_loopback_directly(&request) {
        let ip = crate::server::guard::client_ip(request.extensions(), request.headers(), &state.core.config.trusted_proxies);
        let caller = crate::server::guard::authenticate(&state.core, request.headers(), ip).await;
        if let Err(e) = caller.and_then(|c| c.require(&[crate::domain::Role::Superadmin])) {
            return e.into_response();
        }
    }
    exposition(&state.core).await
}

fn from_loopback_directly(request: &Request) -> bool {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
    peer.is_some_and(|ConnectInfo(addr)| addr.ip().to_canonical().is_loopback()) && !forwarded(request.headers())
}

fn forwarded(headers: &HeaderMap) -> bool {
    ["forwarded", "x-forwarded-for", "x-real-ip"].iter().any(|name| headers.contains_key(*name))
}

/// The router of the separate metrics address: `/metrics` for anyone who can reach it.
pub fn router(core: Arc<Core>) -> Router {
    Router::new()
        .route("/metrics", get(|State(core): State<Arc<Core>>| async move { exposition(&core).await }))
        .fallback(|| async { AppError::not_found("Not found") })
        .with_state(core)
}
