//! Lists page by keyset cursors (`next` links) that visit every matching ticket exactly once,
//! in the list's order; `page` numbers still work, bounded, and agree.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

async fn walk(app: &TestApp, token: &str, first: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut link = Some(first.to_string());
    let mut pages = 0;
    while let Some(url) = link {
        let reply = app.get(&url, Some(token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}: {:?}", reply.body);
        ids.extend(reply.body["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
        link = reply.body["next"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages < 50, "the walk ends");
    }
    ids
}

async fn by_pages(app: &TestApp, token: &str, base: &str) -> Vec<i64> {
    let all = app.get(&format!("{base}&perPage=100"), Some(token)).await.body;
    all["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn next_links_visit_every_ticket_once_in_the_order_of_each_sort() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let priorities = ["low", "medium", "high", "critical"];
    for i in 0..37 {
        let title = if i % 3 == 0 { format!("Printer jam number {i}") } else { format!("Screen flicker {i}") };
        let body = json!({ "title": title, "description": "details", "category": "technical", "priority": priorities[i % 4], "userId": 4 });
        assert_eq!(app.post("/api/tickets", Some(&admin), body).await.status, StatusCode::CREATED);
    }
    for sort in ["newest", "oldest", "updated", "priority"] {
        for filter in ["", "&status=open", "&priority=high", "&q=printer", "&category=technical"] {
            let base = format!("/api/tickets?sort={sort}{filter}");
            let expected = by_pages(&app, &admin, &base).await;
            let walked = walk(&app, &admin, &format!("{base}&perPage=7")).await;
            assert_eq!(walked, expected, "{base}");
            assert!(!expected.is_empty(), "{base}");
            // Page numbers (a page further in is read another way: ids first) agree too.
            let mut numbered = Vec::new();
            for page in 1..=expected.len().div_ceil(7) {
                let reply = app.get(&format!("{base}&perPage=7&page={page}"), Some(&admin)).await;
                numbered.extend(reply.body["tickets"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
            }
            assert_eq!(numbered, expected, "{base} by page numbers");
        }
    }
    // Search results come newest first.
    let found = by_pages(&app, &admin, "/api/tickets?q=printer&sort=oldest").await;
    assert_eq!(found.len(), 13);
    assert!(found.windows(2).all(|w| w[0] > w[1]), "{found:?}");
    // The last page has no next link; the one before it does.
    let last = app.get("/api/tickets?perPage=40", Some(&admin)).await.body;
    assert_eq!(last["total"], 40);
    assert_eq!(last["next"], Value::Null);
    let before = app.get("/api/tickets?perPage=39", Some(&admin)).await.body;
    assert!(before["next"].as_str().unwrap().starts_with("/api/tickets?perPage=39&after="), "{before}");
}

#[tokio::test]
async fn page_numbers_stay_bounded_and_bad_cursors_name_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    assert_eq!(app.get("/api/tickets?page=500", Some(&admin)).await.status, StatusCode::OK);
    let deep = app.get("/api/tickets?page=501", Some(&admin)).await;
    assert_eq!((deep.status, deep.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("page")));
    let bad = app.get("/api/tickets?after=not-a-cursor", Some(&admin)).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("after")));
}

#[tokio::test]
async fn the_list_page_links_to_the_next_page_by_cursor() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    for i in 0..25 {
        let body = json!({ "title": format!("Paged ticket {i}"), "description": "d", "category": "technical", "priority": "low", "userId": 4 });
        app.post("/api/tickets", Some(&admin), body).await;
    }
    let request = axum::http::Request::builder()
        .uri("/admin/tickets")
        .header("accept", "text/html")
        .header("cookie", format!("helpdesk_session={admin}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let html = app.send(request).await.body.as_str().unwrap().to_string();
    let start = html.find("rel=\"next\"").map(|i| html[..i].rfind("href=\"").unwrap() + 6).expect("a next link");
    let href = html[start..].split('"').next().unwrap().replace("&amp;", "&");
    assert!(href.starts_with("/admin/tickets?after=") && href.ends_with("&page=2"), "{href}");
    let request = axum::http::Request::builder()
        .uri(&href)
        .header("accept", "text/html")
        .header("cookie", format!("helpdesk_session={admin}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let second = app.send(request).await.body.as_str().unwrap().to_string();
    assert!(second.contains("Page 2 of 2"), "the second page says where it is");
    assert!(second.contains("Paged ticket 0") || second.contains("Data Export Issue"), "the second page holds the older tickets");
}

#[tokio::test]
async fn the_csv_export_streams_every_matching_ticket_past_its_batch_size() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    for i in 0..2100 {
        let priority = if i % 2 == 0 { "high" } else { "low" };
        let body = json!({ "title": format!("Export row {i}"), "description": "d", "category": "technical", "priority": priority, "userId": 5 });
        assert_eq!(app.post("/api/tickets", Some(&admin), body).await.status, StatusCode::CREATED);
    }
    let export = |query: &'static str| {
        let (app, admin) = (app.clone(), admin.clone());
        async move {
            let reply = app.get(&format!("/api/admin/tickets/export.csv{query}"), Some(&admin)).await;
            assert_eq!(reply.status, StatusCode::OK);
            let text = reply.body.as_str().unwrap().to_string();
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            reader.records().map(|r| r.unwrap()[0].parse::<i64>().unwrap()).collect::<Vec<i64>>()
        }
    };
    let all = export("").await;
    assert_eq!(all.len(), 2103, "every ticket, the three demo ones included");
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats");
    let high = export("?priority=high&sort=oldest").await;
    assert_eq!(high.len(), 1050 + 1, "the filtered ones (one demo ticket is high)");
    assert!(high.windows(2).all(|w| w[0] < w[1]), "oldest first");
}

/// Over a real connection, with compression, the streamed export ends with the closing chunk:
/// the body is not polled past its end (which once panicked and cut downloads short).
#[tokio::test]
async fn the_streamed_export_completes_over_http_with_compression() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let admin = app.login("admin@gmail.com", "admin123").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    for encoding in ["identity", "gzip"] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "GET /api/admin/tickets/export.csv?sort=oldest HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {admin}\r\nAccept-Encoding: {encoding}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut response)).await.unwrap().unwrap();
        let text = String::from_utf8_lossy(&response);
        assert!(text.starts_with("HTTP/1.1 200"), "{encoding}: {text}");
        assert!(text.contains("transfer-encoding: chunked"), "{encoding}: streamed");
        assert!(response.ends_with(b"0\r\n\r\n"), "{encoding}: the body ends with its closing chunk");
    }
}
