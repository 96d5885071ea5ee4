//! A test harness in the zero-to-production style: each test gets its own application with
//! a fresh in-memory database (demo data seeded) and its own outbox folder.
#![allow(dead_code)]

pub mod cutter;
pub mod dovecot;
pub mod events;
pub mod nginx;
pub mod process;
pub mod smtp;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use helpdesk::server::{build_router, config::Config, Core};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

#[derive(Clone)]
pub struct TestApp {
    pub router: Router,
    pub core: Arc<Core>,
    pub outbox: PathBuf,
    _cleanup: Arc<RemoveOnDrop>,
}

/// Removes a test's folder when the last copy of its app goes.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Requests are served by one multi-threaded runtime, as in production (each `#[tokio::test]`
/// has a single-threaded runtime of its own), so pages render across worker threads here too.
static RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a test runtime")
});

async fn on_shared_runtime<F, T>(future: F) -> T
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    RUNTIME.spawn(future).await.expect("the task finishes")
}

/// A fresh folder for files a test makes (a database shared by two instances, say); the
/// test removes it when done.
pub fn temp_dir(name: &str) -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("helpdesk-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// `HELPDESK_TEST_DATABASE_URL`, when it names a PostgreSQL database: every app of the suite
/// then runs on it (in a schema of its own) instead of an in-memory SQLite database.
pub fn database_url() -> Option<String> {
    std::env::var("HELPDESK_TEST_DATABASE_URL").ok().filter(|url| url.starts_with("postgres"))
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let outbox = std::env::temp_dir().join(format!("helpdesk-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&outbox);
        let mut config = Config::ephemeral(outbox.clone());
        if let Some(url) = database_url() {
            // The same suite on PostgreSQL: each app in a schema of its own.
            let schema = format!("app_{}_{n}", std::process::id());
            helpdesk::server::store::postgres_admin::prepare_schema(&url, &schema).await.expect("a fresh schema");
            config.database_url = helpdesk::server::store::postgres_admin::url_in_schema(&url, &schema);
        }
        adjust(&mut config);
        let core = Arc::new(on_shared_runtime(Core::start(config)).await.expect("the app starts"));
        let workers = core.clone();
        on_shared_runtime(async move { helpdesk::server::startup::start_workers(&workers) }).await;
        let options = leptos::prelude::LeptosOptions::builder().output_name("helpdesk").build();
        TestApp { router: build_router(options, core.clone()), core, _cleanup: Arc::new(RemoveOnDrop(outbox.clone())), outbox }
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(json) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let router = self.router.clone();
        let (status, headers, bytes) = on_shared_runtime(async move {
            let response = router.oneshot(request).await.expect("the router answers");
            let status = response.status();
            let headers = response.headers().clone();
            // An event stream never ends: its answer is its status and headers (see `events`).
            if headers.get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream")) {
                return (status, headers, axum::body::Bytes::new());
            }
            let bytes = axum::body::to_bytes(response.into_body(), 10 * 1024 * 1024).await.unwrap();
            (status, headers, bytes)
        })
        .await;
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply { status, headers, body }
    }

    /// A JSON POST as it arrives from `peer` (the connection's address), with extra headers.
    pub async fn post_from(&self, peer: &str, headers: &[(&str, &str)], path: &str, body: Value) -> Reply {
        let mut builder = Request::builder().method(Method::POST).uri(path).header(header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut request = builder.body(Body::from(body.to_string())).unwrap();
        let peer: std::net::IpAddr = peer.parse().expect("an IP address");
        request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(peer, 40000)));
        self.send(request).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(Method::POST, path, token, Some(body)).await
    }

    /// A PUT that edits a ticket, sending the version the caller sees now (REST edits need it).
    pub async fn edit_ticket(&self, path: &str, token: &str, mut body: Value) -> Reply {
        let id = path.split('/').find(|seg| seg.parse::<i64>().is_ok()).expect("a ticket id in the path");
        let current = self.get(&format!("/api/tickets/{id}"), Some(token)).await;
        if let Some(version) = current.body["ticket"]["version"].as_i64() {
            body["version"] = version.into();
        }
        self.request(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, path, token, None).await
    }

    /// Signs in through the REST API and returns the token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let reply = self.post("/api/auth/login", None, serde_json::json!({ "email": email, "password": password })).await;
        assert_eq!(reply.status, StatusCode::OK, "login of {email}: {:?}", reply.body);
        reply.body["token"].as_str().expect("a token").to_string()
    }

    /// The reset token from the newest mail to `email` in the outbox (mail is sent in the background).
    pub async fn reset_token_for(&self, email: &str) -> String {
        for _ in 0..100 {
            if let Some(token) = self.mails_to(email).iter().rev().find_map(|mail| extract_token(mail)) {
                return token;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no reset mail to {email} in {}", self.outbox.display());
    }

    pub fn mails_to(&self, email: &str) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&self.outbox) else { return Vec::new() };
        let mut mails: Vec<(std::time::SystemTime, String)> = dir
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, std::fs::read_to_string(e.path()).ok()?)))
            .filter(|(_, text)| text.contains(&format!("To: {email}")))
            .collect();
        mails.sort_by_key(|(t, _)| *t);
        mails.into_iter().map(|(_, text)| text).collect()
    }

    /// Waits (at most 5 s) until `n` mails to `email` are in the outbox folder; returns them,
    /// parsed, oldest first.
    pub async fn wait_for_mails_to(&self, email: &str, n: usize) -> Vec<String> {
        for _ in 0..250 {
            let mails = self.mails_to(email);
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let mails = self.mails_to(email);
        assert!(mails.len() >= n, "{} of {n} mails to {email} in {}", mails.len(), self.outbox.display());
        mails
    }

    /// Waits until the outbox table holds nothing waiting, so what was sent is all there is.
    pub async fn outbox_drained(&self) {
        for _ in 0..250 {
            let health = self.core.store.mail_health(chrono::Utc::now().timestamp()).await.expect("the outbox reads");
            if health.waiting == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("mail still waiting in the outbox after 5 s");
    }
}

fn extract_token(mail: &str) -> Option<String> {
    // Undo quoted-printable soft line breaks and `=3D`, should the mail use that encoding.
    let mail = mail.replace("=\r\n", "").replace("=\n", "").replace("token=3D", "token=");
    let start = mail.find("token=")? + "token=".len();
    Some(mail[start..].chars().take_while(|c| c.is_ascii_hexdigit()).collect())
}

/// The roles of a route anyone may call without a token.
pub const PUBLIC: &[&str] = &["public"];

/// Every `/api` route: (method, a concrete path, a body to send, the roles allowed). The role
/// matrix (tests/api_admin.rs) and the OpenAPI coverage test (tests/openapi.rs) both walk it,
/// so a new route is added here once and both then check it. Ids in paths are numbers (the
/// document writes them `{id}`).
pub fn api_routes() -> Vec<(Method, &'static str, Value, &'static [&'static str])> {
    vec![
        (Method::GET, "/api/auth/verify", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/tickets", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::POST, "/api/tickets", json!({}), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/tickets/3", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::PUT, "/api/tickets/3", json!({}), &["user", "agent", "admin", "superadmin"]),
        (Method::PUT, "/api/tickets/999/close", json!({}), &["agent", "admin", "superadmin"]),
        (Method::DELETE, "/api/tickets/999", json!(null), &["admin", "superadmin"]),
        (Method::POST, "/api/tickets/3/replies", json!({}), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/tickets/3/history", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/tickets/999/presence", json!(null), &["agent", "admin", "superadmin"]),
        (Method::POST, "/api/tickets/999/presence", json!({}), &["agent", "admin", "superadmin"]),
        (Method::PUT, "/api/users/password", json!({}), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/users/dashboard", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/users/profile", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::PUT, "/api/users/profile", json!({}), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/users/my-tickets", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/users/notifications", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::PUT, "/api/users/notifications", json!({}), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/agents/dashboard", json!(null), &["agent"]),
        (Method::GET, "/api/agents/assigned-tickets", json!(null), &["agent"]),
        (Method::PUT, "/api/agents/ticket/999/status", json!({}), &["agent"]),
        (Method::POST, "/api/agents/ticket/999/note", json!({}), &["agent"]),
        (Method::GET, "/api/agents/profile", json!(null), &["agent"]),
        (Method::GET, "/api/events", json!(null), &["user", "agent", "admin", "superadmin"]),
        (Method::GET, "/api/admin/dashboard", json!(null), &["admin", "superadmin"]),
        (Method::POST, "/api/admin/mail/retry", json!(null), &["admin", "superadmin"]),
        // Only the mail server, with the inbound secret: every person's token is refused.
        (Method::POST, "/api/mail/inbound", json!(null), &[]),
        (Method::GET, "/api/admin/mail/inbound", json!(null), &["admin", "superadmin"]),
        (Method::GET, "/api/admin/mail/inbound/999/raw", json!(null), &["admin", "superadmin"]),
        (Method::POST, "/api/admin/mail/inbound/999/process", json!(null), &["admin", "superadmin"]),
        (Method::GET, "/api/admin/tickets", json!(null), &["admin", "superadmin"]),
        (Method::GET, "/api/admin/tickets/export.csv", json!(null), &["admin", "superadmin"]),
        (Method::PUT, "/api/admin/tickets/assign", json!({ "ticketIds": [999] }), &["admin", "superadmin"]),
        (Method::PUT, "/api/admin/ticket/999/assign", json!({}), &["admin", "superadmin"]),
        (Method::PUT, "/api/admin/ticket/999/reassign", json!({}), &["admin", "superadmin"]),
        (Method::PUT, "/api/admin/ticket/999/assign-least-loaded", json!({}), &["admin", "superadmin"]),
        (Method::GET, "/api/admin/agents", json!(null), &["admin", "superadmin"]),
        (Method::GET, "/api/admin/reports", json!(null), &["admin", "superadmin"]),
        (Method::GET, "/api/admin/reports/export.csv", json!(null), &["admin", "superadmin"]),
        (Method::GET, "/api/admin/profile", json!(null), &["admin", "superadmin"]),
        (Method::GET, "/api/superadmin/dashboard", json!(null), &["superadmin"]),
        (Method::GET, "/api/superadmin/users", json!(null), &["superadmin"]),
        (Method::POST, "/api/superadmin/users", json!({}), &["superadmin"]),
        (Method::GET, "/api/superadmin/users/999", json!(null), &["superadmin"]),
        (Method::PUT, "/api/superadmin/users/999", json!({}), &["superadmin"]),
        (Method::DELETE, "/api/superadmin/users/999", json!(null), &["superadmin"]),
        (Method::GET, "/api/superadmin/settings", json!(null), &["superadmin"]),
        (Method::PUT, "/api/superadmin/settings", json!({ "maxTicketsPerAgent": 10 }), &["superadmin"]),
        (Method::GET, "/api/superadmin/audit", json!(null), &["superadmin"]),
        (Method::GET, "/api/superadmin/profile", json!(null), &["superadmin"]),
        (Method::POST, "/api/auth/login", json!({}), PUBLIC),
        (Method::POST, "/api/auth/register", json!({}), PUBLIC),
        (Method::POST, "/api/auth/forgot-password", json!({}), PUBLIC),
        (Method::POST, "/api/auth/reset-password", json!({}), PUBLIC),
        // Last: it ends each role's session.
        (Method::POST, "/api/auth/logout", json!({}), &["user", "agent", "admin", "superadmin"]),
    ]
}
