//! The OpenAPI document (`/api/openapi.json`) and its reference page (`/api/docs`): public,
//! valid OpenAPI 3.1, and covering exactly the routes of `common::api_routes()`.

use crate::common;

use axum::http::{header, StatusCode};
use common::TestApp;
use serde_json::Value;
use std::collections::BTreeSet;

async fn document(app: &TestApp) -> Value {
    let reply = app.get("/api/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.is_object(), "the document parses as a JSON object: {:?}", reply.body);
    reply.body
}

/// `/api/tickets/999/close` → `/api/tickets/{id}/close`: the document names path ids `{id}`.
fn template(path: &str) -> String {
    path.split('/').map(|seg| if seg.parse::<i64>().is_ok() { "{id}" } else { seg }).collect::<Vec<_>>().join("/")
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options", "trace"] {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    &doc["paths"][path][method]
}

#[tokio::test]
async fn the_document_is_public_json_in_openapi_3_1() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
    let doc = reply.body;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "{:?}", doc["openapi"]);
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["bearerFormat"], "JWT");
    assert_eq!(doc["components"]["securitySchemes"]["session"]["in"], "cookie");
}

#[tokio::test]
async fn every_api_route_is_documented_and_every_documented_operation_is_routed() {
    let app = TestApp::spawn().await;
    let documented = documented_operations(&document(&app).await);
    let routed: BTreeSet<(String, String)> =
        common::api_routes().iter().map(|(method, path, _, _)| (method.to_string(), template(path))).collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(undocumented.is_empty(), "routes missing from the OpenAPI document: {undocumented:?}");
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(unrouted.is_empty(), "documented operations not in common::api_routes(): {unrouted:?}");
}

#[tokio::test]
async fn every_operation_documents_its_success_and_its_errors() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let public: Vec<String> = common::api_routes()
        .iter()
        .filter(|(_, _, _, roles)| *roles == common::PUBLIC)
        .map(|(_, path, _, _)| template(path))
        .collect();
    for (method, path) in documented_operations(&doc) {
        let op = operation(&doc, &method.to_lowercase(), &path);
        let responses = op["responses"].as_object().expect("responses");
        assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path} has a success answer");
        assert!(!op["summary"].as_str().unwrap_or_default().is_empty(), "{method} {path} has a summary");
        for (status, response) in responses.iter().filter(|(s, _)| !s.starts_with('2')) {
            let schema = &response["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
        }
        if !public.contains(&path) {
            assert!(responses.contains_key("401") && responses.contains_key("403"), "{method} {path}");
        }
        if path.contains("{id}") {
            assert!(responses.contains_key("404"), "{method} {path}");
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("400") && responses.contains_key("413"), "{method} {path}");
        }
        for status in ["429", "503"] {
            if let Some(response) = responses.get(status) {
                assert!(response["headers"]["Retry-After"].is_object(), "{method} {path} {status} has Retry-After");
            }
        }
    }
    assert!(operation(&doc, "post", "/api/auth/login")["responses"]["429"].is_object());
}

#[tokio::test]
async fn ticket_edits_document_an_optional_version_and_the_conflict_it_can_bring() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    for (method, path) in [("put", "/api/tickets/{id}"), ("put", "/api/tickets/{id}/close"), ("put", "/api/agents/ticket/{id}/status")] {
        let op = operation(&doc, method, path);
        assert!(op["responses"]["409"].is_object(), "{path}");
        let mut schema = &op["requestBody"]["content"]["application/json"]["schema"];
        if let Some(reference) = schema["$ref"].as_str() {
            schema = doc.pointer(&reference[1..]).expect("the referenced schema");
        }
        let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        assert!(!required.contains(&"version"), "the prototype's clients send no version: {path}: {schema}");
        assert!(schema["properties"]["version"].is_object(), "{path} documents version: {schema}");
    }
}

#[tokio::test]
async fn the_reference_page_and_its_stylesheet_are_public_and_self_contained() {
    let app = TestApp::spawn().await;
    let page = app.get("/api/docs", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let html = page.body.as_str().expect("an HTML page");
    for (method, path) in documented_operations(&document(&app).await) {
        assert!(html.contains(&format!(">{method}</span> <code>{path}</code>")), "the page lists {method} {path}");
    }
    assert!(!html.contains("<script") && !html.contains("<style") && !html.contains(" style="), "nothing inline for the CSP");
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing loaded from elsewhere");
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/api/docs.css\">"));
    let css = app.get("/api/docs.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));
}

#[tokio::test]
async fn unreadable_queries_and_paths_answer_in_the_documented_error_shape() {
    let app = TestApp::spawn().await;
    let admin = app.login("superadmin@gmail.com", "superadmin123").await;
    let cases = [
        ("/api/tickets?status=open&status=closed", StatusCode::BAD_REQUEST),
        ("/api/admin/reports?from=2024-01-01&from=2024-01-02", StatusCode::BAD_REQUEST),
        ("/api/superadmin/audit?page=1&page=2", StatusCode::BAD_REQUEST),
        ("/api/tickets/%FF", StatusCode::NOT_FOUND),
        ("/api/superadmin/users/%FF", StatusCode::NOT_FOUND),
    ];
    for (path, status) in cases {
        let reply = app.get(path, Some(&admin)).await;
        assert_eq!(reply.status, status, "{path}: {:?}", reply.body);
        assert!(reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"), "{path}");
        assert!(reply.body["error"].is_string(), "{path}: {:?}", reply.body);
    }
    assert_eq!(app.get("/api/tickets?status=open&status=closed", Some(&admin)).await.body["field"], "query");
}
