//! Operations: liveness, readiness, Prometheus metrics and request ids.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Reply, TestApp};
use serde_json::json;
use tower::ServiceExt;

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)], peer: Option<&str>) -> Reply {
    let mut builder = Request::builder().uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder.body(Body::empty()).unwrap();
    if let Some(peer) = peer {
        let addr = std::net::SocketAddr::new(peer.parse().unwrap(), 40000);
        request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    }
    app.send(request).await
}

fn text(reply: &Reply) -> &str {
    reply.body.as_str().unwrap_or_default()
}

#[tokio::test]
async fn healthz_says_ok_in_plain_text_to_anyone() {
    let app = TestApp::spawn().await;
    let reply = app.get("/healthz", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(text(&reply), "ok");
    assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
}

#[tokio::test]
async fn healthz_answers_even_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.core.store.close().await;
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn readyz_is_ready_on_a_migrated_database() {
    let app = TestApp::spawn().await;
    let reply = app.get("/readyz", None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["status"], "ready");
}

#[tokio::test]
async fn readyz_is_unavailable_when_the_database_no_longer_answers() {
    let app = TestApp::spawn().await;
    // What happens at shutdown, or when the pools give up: every query fails.
    app.core.store.close().await;
    let reply = app.get("/readyz", None).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body, json!({ "status": "unavailable", "reason": "database unavailable" }));
}

#[tokio::test]
async fn readyz_is_unavailable_when_a_migration_of_this_binary_is_not_applied() {
    let dir = common::temp_dir("readyz");
    let path = dir.join("helpdesk.db");
    let app = TestApp::spawn_with(|s| s.database_url = format!("sqlite://{}", path.display())).await;
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);

    // Another tool (or an older binary's restore) leaves the newest migration unrecorded.
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
    let mut other = sqlx::ConnectOptions::connect(&options).await.unwrap();
    let newest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut other).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ?").bind(newest).execute(&mut other).await.unwrap();
    sqlx::Connection::close(other).await.unwrap();

    let reply = app.get("/readyz", None).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["reason"], format!("migrations not applied: {newest}"));
    drop(app);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn metrics_label_requests_by_route_template_never_by_raw_path() {
    let app = TestApp::spawn().await;
    let token = app.login("superadmin@gmail.com", "superadmin123").await;
    assert_eq!(app.get("/api/tickets/123456", Some(&token)).await.status, StatusCode::NOT_FOUND);
    app.get("/api/tickets/1", Some(&token)).await;
    app.get("/healthz", None).await;
    let wrong = app.post("/api/auth/login", None, json!({ "email": "user@gmail.com", "password": "wrong-password" })).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    let reply = app.get("/metrics", Some(&token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let body = text(&reply);
    for expected in [
        r#"http_requests_total{method="GET",route="/api/tickets/{id}",status="404"}"#,
        r#"http_requests_total{method="GET",route="/healthz",status="200"}"#,
        r#"http_request_duration_seconds_bucket{method="GET",route="/api/tickets/{id}",status="200",le="0.005"}"#,
        "password_hashes_total ",
        "sign_in_failures_total ",
    ] {
        assert!(body.contains(expected), "{expected} missing from\n{body}");
    }
    // SQLite has a pool of readers and one writer; PostgreSQL one pool.
    let pools: &[&str] = if common::database_url().is_some() { &["postgres"] } else { &["read", "write"] };
    for pool in pools {
        for gauge in ["db_pool_connections", "db_pool_idle_connections"] {
            let series = format!("{gauge}{{pool=\"{pool}\"}}");
            assert!(body.contains(&series), "{series} missing from\n{body}");
        }
    }
    // In a label, not in a value (a duration's sum may read 0.001234568).
    assert!(!body.lines().any(|line| line.split_once('}').is_some_and(|(labels, _)| labels.contains("123456"))), "a raw id became a label:\n{body}");
}

#[tokio::test]
async fn metrics_on_the_main_address_answer_only_loopback_or_a_super_admin() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let superadmin = app.login("superadmin@gmail.com", "superadmin123").await;
    let bearer = |t: &str| format!("Bearer {t}");
    let cases: [(&str, Vec<(&str, String)>, Option<&str>, StatusCode); 6] = [
        ("nobody", vec![], Some("203.0.113.9"), StatusCode::UNAUTHORIZED),
        ("an admin", vec![("authorization", bearer(&admin))], Some("203.0.113.9"), StatusCode::FORBIDDEN),
        ("a super admin", vec![("authorization", bearer(&superadmin))], Some("203.0.113.9"), StatusCode::OK),
        ("loopback", vec![], Some("127.0.0.1"), StatusCode::OK),
        ("loopback v6", vec![], Some("::1"), StatusCode::OK),
        ("a proxy on loopback", vec![("x-forwarded-for", "203.0.113.9".into())], Some("127.0.0.1"), StatusCode::UNAUTHORIZED),
    ];
    for (who, headers, peer, expected) in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(get_with(&app, "/metrics", &headers, peer).await.status, expected, "{who}");
    }
}

#[tokio::test]
async fn with_a_metrics_address_metrics_leave_the_main_router_for_their_own() {
    let app = TestApp::spawn_with(|s| s.metrics_addr = Some("127.0.0.1:0".parse().unwrap())).await;
    let main = get_with(&app, "/metrics", &[], Some("127.0.0.1")).await;
    assert_eq!(main.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);

    let own = helpdesk::server::metrics::router(app.core.clone());
    let response = own.oneshot(Request::builder().uri("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("db_pool_connections"));
}

#[tokio::test]
async fn a_safe_incoming_request_id_is_echoed_and_others_are_replaced() {
    let app = TestApp::spawn().await;
    let id_of = |reply: &Reply| reply.headers["x-request-id"].to_str().unwrap().to_string();

    let kept = get_with(&app, "/healthz", &[("x-request-id", "lb-7f3a.42_x")], None).await;
    assert_eq!(id_of(&kept), "lb-7f3a.42_x");

    let first = id_of(&app.get("/api/tickets", None).await);
    let second = id_of(&app.get("/healthz", None).await);
    assert_ne!(first, second, "each request gets its own id");
    for generated in [&first, &second] {
        assert!(generated.len() == 16 && generated.chars().all(|c| c.is_ascii_hexdigit()), "{generated}");
    }

    let long = "x".repeat(65);
    for unsafe_id in ["has space", "quote\"d", long.as_str()] {
        let replaced = id_of(&get_with(&app, "/healthz", &[("x-request-id", unsafe_id)], None).await);
        assert_ne!(replaced, unsafe_id);
        assert_eq!(replaced.len(), 16, "{unsafe_id:?} was replaced by a generated id");
    }
}

/// Log lines written while `work` runs on this thread.
async fn logs_of<F: std::future::Future>(work: F) -> (F::Output, String) {
    #[derive(Clone, Default)]
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let output = work.await;
    let text = String::from_utf8_lossy(&sink.0.lock().unwrap()).to_string();
    (output, text)
}

#[tokio::test]
async fn a_database_that_does_not_answer_is_logged_by_name_and_answered_503() {
    let store = helpdesk::server::store::Store::connect("sqlite::memory:", 1).await.unwrap();
    store.close().await;
    let lookup = async { store.user_by_email("user@gmail.com").await.map_err(helpdesk::error::AppError::from) };
    let (result, log) = logs_of(lookup).await;
    let error = result.unwrap_err();
    assert!(log.contains("store.user_by_email") && log.contains("database unavailable"), "{log}");
    assert_eq!((error.status(), error.retry_after), (503, Some(5)));

    let app = TestApp::spawn().await;
    let token = app.login("user@gmail.com", "user123").await;
    app.core.store.close().await;
    let reply = app.get("/api/tickets", Some(&token)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        reply.body,
        json!({ "error": "The database is not answering right now. Nothing was changed; please try again in a moment." })
    );
}
