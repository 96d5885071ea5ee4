//! Logging: the subscriber chosen at start-up (`log.format`), and one span per request that
//! carries its id, method, matched route, status and latency, so every line logged while a
//! request is served can be traced back to it (and to the client, who sees `x-request-id`).

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Response};
use axum::middleware::Next;
use axum::Router;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One human-readable line per event, spans as `request{id=… route=…}:` prefixes.
    #[default]
    Text,
    /// One JSON object per line, spans included, for log collectors.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(()),
        }
    }
}

/// Installs the process's subscriber. `RUST_LOG` overrides the default filter.
pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
    if let Err(e) = installed {
        eprintln!("helpdesk: logging was already set up: {e}");
    }
}

/// Wraps every route (and the fallback) of `router` in the request-id and tracing layers.
/// Applied with `Router::layer`, so it runs after routing and sees the matched route.
pub fn layer<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::from_fn(drop_unsafe_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID, NewRequestId))
            .layer(TraceLayer::new_for_http().make_span_with(request_span).on_response(finished).on_failure(()))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
    )
}

/// An incoming `x-request-id` is kept (so a proxy's id follows the request through our logs)
/// only when it is a short token; anything else could forge or flood log lines, and is replaced.
async fn drop_unsafe_request_id(mut request: Request, next: Next) -> axum::response::Response {
    let safe = request.headers().get(&REQUEST_ID).is_some_and(|v| is_safe_id(v.as_bytes()));
    if !safe {
        request.headers_mut().remove(&REQUEST_ID);
    }
    next.run(request).await
}

/// 1 to 64 characters of letters, digits, `-`, `_`, `.`.
pub fn is_safe_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The id a request is logged and answered under: its own `x-request-id` when that is safe,
/// else a new one (for the event streams written without the layers above).
pub fn request_id(headers: &axum::http::HeaderMap) -> HeaderValue {
    match headers.get(&REQUEST_ID) {
        Some(id) if is_safe_id(id.as_bytes()) => id.clone(),
        _ => HeaderValue::from_str(&crate::server::security::random_token(8)).unwrap_or(HeaderValue::from_static("-")),
    }
}

#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = crate::server::security::random_token(8);
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// The route template (`/api/tickets/{id}`), never the raw path: a raw path would put ids
/// and whatever a client makes up into every log line and metric label.
pub fn route_of<B>(request: &axum::http::Request<B>) -> &str {
    request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str)
}

fn request_span(request: &axum::http::Request<Body>) -> Span {
    let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!(
        "request",
        id,
        method = %request.method(),
        route = route_of(request),
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    )
}

fn finished(response: &Response<Body>, latency: Duration, span: &Span) {
    let status = response.status().as_u16();
    span.record("status", status);
    span.record("latency_ms", latency.as_millis() as u64);
    if status >= 500 {
        tracing::warn!("request failed");
    } else {
        tracing::info!("request served");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_tokens_are_kept_as_request_ids() {
        let cases: [(&[u8], bool); 7] = [
            (b"abc-123_X.y", true),
            (b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true),
            (b"", false),
            (b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", false),
            (b"two words", false),
            (b"line\nbreak", false),
            (b"quote\"", false),
        ];
        for (id, expected) in cases {
            assert_eq!(is_safe_id(id), expected, "{:?}", String::from_utf8_lossy(id));
        }
    }

    #[test]
    fn log_formats_parse_and_text_is_the_default() {
        assert_eq!("JSON".parse(), Ok(LogFormat::Json));
        assert_eq!("text".parse(), Ok(LogFormat::Text));
        assert_eq!("xml".parse::<LogFormat>(), Err(()));
        assert_eq!(LogFormat::default(), LogFormat::Text);
    }
}
