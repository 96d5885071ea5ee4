//! A reader of `GET /api/events` (server-sent events) for the tests: it opens the stream as a
//! browser or an API client would and reads its events one by one.

use super::{on_shared_runtime, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;
use tower::ServiceExt;

#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub event: String,
    pub id: Option<String>,
    pub data: Value,
}

pub struct EventReader {
    body: futures_util::stream::BoxStream<'static, Result<axum::body::Bytes, axum::Error>>,
    buffer: String,
    pub headers: axum::http::HeaderMap,
}

impl TestApp {
    /// Opens the event stream as the holder of `token`, after the event id `last` if given
    /// (sent as `Last-Event-ID`).
    pub async fn events(&self, token: &str, last: Option<&str>) -> EventReader {
        self.events_at("/api/events", token, last).await
    }

    pub async fn events_at(&self, path: &str, token: &str, last: Option<&str>) -> EventReader {
        let mut request = Request::builder().uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
        if let Some(last) = last {
            request = request.header("last-event-id", last);
        }
        let request = request.body(Body::empty()).unwrap();
        let router = self.router.clone();
        let response = on_shared_runtime(async move { router.oneshot(request).await.expect("the router answers") }).await;
        assert_eq!(response.status(), StatusCode::OK, "the event stream opens");
        let headers = response.headers().clone();
        EventReader { body: response.into_body().into_data_stream().boxed(), buffer: String::new(), headers }
    }
}

impl EventReader {
    /// The next event (comments skipped), or `None` when none comes within `wait` or the
    /// stream ended.
    pub async fn next_within(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut event, mut id, mut data) = ("message".to_string(), None, String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if data.is_empty() && id.is_none() && event == "message" {
                    continue; // a keep-alive comment
                }
                return Some(SseEvent { event, id, data: serde_json::from_str(&data).unwrap_or(Value::String(data)) });
            }
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(Ok(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// The next event, which must come within a few seconds.
    pub async fn next(&mut self) -> SseEvent {
        self.next_within(Duration::from_secs(5)).await.expect("an event within 5 s")
    }

    /// Asserts that no event comes for a while.
    pub async fn quiet(&mut self, what: &str) {
        if let Some(event) = self.next_within(Duration::from_millis(700)).await {
            panic!("{what}: got {event:?}");
        }
    }
}

impl TestApp {
    /// Serves this app on a loopback port as the binary does (`live::direct::serve`: event
    /// streams that open their connection are written without hyper), for the rest of the test
    /// process.
    pub async fn serve_on_loopback(&self) -> std::net::SocketAddr {
        let (router, core) = (self.router.clone(), self.core.clone());
        on_shared_runtime(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
            let addr = listener.local_addr().unwrap();
            let state = helpdesk::server::startup::AppState { leptos_options: leptos::prelude::LeptosOptions::builder().output_name("helpdesk").build(), core };
            tokio::spawn(helpdesk::server::live::direct::serve(listener, router, state, std::future::pending()));
            addr
        })
        .await
    }
}
