//! Event streams on connections of their own, written without hyper.
//!
//! hyper 1.x keeps an 8 KB read buffer and an 8 KB header write buffer for every HTTP/1
//! connection for as long as it is open (`INIT_BUFFER_SIZE`, not configurable lower): 16 of the
//! 20 KB an open stream cost. A stream's connection reads nothing after its request and writes
//! only the stream, so it needs neither. The server's listener (`connection`) has the start of
//! each new connection looked at here (`sort`): one that opens with a complete
//! `GET /api/events` (no body, nothing after it) is answered here, with the route's own
//! authentication, query parsing, `Feed`, headers and errors; every other connection goes to
//! axum with the bytes already read put back in front. A stream asked for on a connection that
//! served other requests first (a browser reusing a kept-alive connection) is served by the
//! route through hyper, as before. The response is delimited by closing the connection, which
//! HTTP/1.1 allows and every `EventSource` and proxy reads.

use super::connection::Connection;
use super::stream::{open, stream_headers, Feed, Since};
use crate::error::AppError;
use crate::server::api::extract::ApiQuery;
use crate::server::guard::{token_from_headers, CurrentUser};
use crate::server::startup::AppState;
use crate::server::tracing_setup::{request_id, REQUEST_ID};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Version};
use axum::response::IntoResponse;
use axum::serve::ListenerExt;
use axum::Router;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

/// The request line a stream's connection opens with (then ` ` or `?`).
const REQUEST: &[u8] = b"GET /api/events";
/// The longest stream request head read here; a longer one is hyper's to answer.
const MOST_HEAD: usize = 16 * 1024;
/// How long a new connection may take to send its first request before hyper gets it as it is.
const FIRST_BYTES: Duration = Duration::from_secs(30);
/// How long a write to a stream may wait for the client to read before the stream is dropped.
const WRITE_WAIT: Duration = Duration::from_secs(30);

/// Serves `app` on `tcp` until `shutdown` resolves, then drains as `axum::serve` does; event
/// streams that open their connection are served here (they end on shutdown too).
pub async fn serve(tcp: TcpListener, app: Router, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
    // `tap_io` only so that axum's `ConnectInfo<SocketAddr>` works with this listener.
    let listener = super::connection::listen(tcp, state)?.tap_io(|_| {});
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
}

/// What the bytes read so far say about a new connection.
#[derive(Debug, PartialEq, Eq)]
enum Opening {
    /// Not known yet: read more.
    More,
    /// A whole event stream request head and nothing after it.
    Stream,
    /// Anything else: axum's.
    Other,
}

fn opening(head: &[u8]) -> Opening {
    let n = head.len().min(REQUEST.len());
    if head[..n] != REQUEST[..n] {
        return Opening::Other;
    }
    if head.len() <= REQUEST.len() {
        return Opening::More;
    }
    if !matches!(head[REQUEST.len()], b' ' | b'?') {
        return Opening::Other;
    }
    match head.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) if end + 4 == head.len() => Opening::Stream,
        // Pipelined requests after it: hyper's to take in turn.
        Some(_) => Opening::Other,
        None if head.len() >= MOST_HEAD => Opening::Other,
        None => Opening::More,
    }
}

/// Answers a new connection here if it opens an event stream; otherwise hands it back, with
/// what was read, for axum (`None`: it closed or failed first).
pub(super) async fn sort(mut tcp: TcpStream, peer: SocketAddr, state: AppState) -> Option<Connection> {
    let mut head = Vec::with_capacity(1024);
    let read = tokio::time::timeout(FIRST_BYTES, async {
        loop {
            match opening(&head) {
                Opening::More => {}
                other => return Ok(other),
            }
            head.reserve(1024.min(MOST_HEAD - head.len()));
            if tcp.read_buf(&mut head).await? == 0 {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
        }
    })
    .await;
    match read {
        Ok(Ok(Opening::Stream)) => match request_parts(&head) {
            Some(parts) => {
                // What an open stream keeps is what it costs: the head, the request and the
                // (large) futures that opened the stream are all gone before it is followed.
                drop(head);
                if let Some((tcp, feed)) = Box::pin(answer(tcp, parts, peer, state)).await {
                    follow(&tcp, feed).await;
                    let _ = tokio::io::AsyncWriteExt::shutdown(&mut { tcp }).await;
                }
                None
            }
            None => Some(Connection::new(head, tcp)),
        },
        Ok(Err(_)) => None,
        // Not a stream, or silent so far: hyper reads on and answers (or times out) as usual.
        Ok(Ok(_)) | Err(_) => Some(Connection::new(head, tcp)),
    }
}

/// The request a stream's head says, if it is a plain HTTP/1 GET without a body; anything
/// unusual (more than 64 headers, a body) is left to hyper.
fn request_parts(head: &[u8]) -> Option<Parts> {
    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut slots);
    if !matches!(request.parse(head), Ok(httparse::Status::Complete(n)) if n == head.len()) {
        return None;
    }
    let version = match request.version? {
        0 => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let mut builder = axum::http::Request::builder().method(Method::GET).uri(request.path?).version(version);
    for h in request.headers.iter() {
        builder = builder.header(h.name, h.value);
    }
    let (parts, ()) = builder.body(()).ok()?.into_parts();
    let body = parts.headers.contains_key(header::TRANSFER_ENCODING)
        || parts.headers.get(header::CONTENT_LENGTH).is_some_and(|v| v.as_bytes() != b"0");
    (!body).then_some(parts)
}

/// Answers the stream's request as the route would (the same extractors, errors and headers);
/// the connection and the stream to follow on it if it opened.
async fn answer(tcp: TcpStream, mut parts: Parts, peer: SocketAddr, state: AppState) -> Option<(TcpStream, Feed)> {
    use tracing::Instrument;
    let started = Instant::now();
    let id = request_id(&parts.headers);
    let span = tracing::info_span!("request", id = id.to_str().unwrap_or("-"), method = "GET", route = "/api/events", status = tracing::field::Empty);
    async move {
        parts.extensions.insert(ConnectInfo(peer));
        let (status, mut headers, body, feed) = match Box::pin(start(&mut parts, &state)).await {
            Ok(feed) => {
                let mut headers = HeaderMap::new();
                stream_headers(&mut headers);
                (StatusCode::OK, headers, Default::default(), Some(feed))
            }
            Err(error) => {
                let (response, body) = error.into_response().into_parts();
                let body = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
                (response.status, response.headers, body, None)
            }
        };
        crate::server::http::secure(&mut headers, &state.core, None);
        if token_from_headers(&parts.headers).is_some() {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        headers.insert(REQUEST_ID, id);
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        if feed.is_none() {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        let mut out = response_head(status, &headers);
        out.extend_from_slice(&body);
        tracing::Span::current().record("status", status.as_u16());
        crate::server::metrics::record("GET", "/api/events".to_string(), status.as_u16(), started);
        tracing::info!("request served");
        if !write(&tcp, &out).await {
            return None;
        }
        match feed {
            Some(feed) => Some((tcp, feed)),
            None => {
                let _ = tokio::io::AsyncWriteExt::shutdown(&mut { tcp }).await;
                None
            }
        }
    }
    .instrument(span)
    .await
}

/// The route's extractors and the stream's opening, on the parsed request.
async fn start(parts: &mut Parts, state: &AppState) -> Result<Feed, AppError> {
    let caller = CurrentUser::from_request_parts(parts, state).await?;
    let ApiQuery(Since { since }) = ApiQuery::<Since>::from_request_parts(parts, state).await?;
    open(state.core.clone(), &caller, &parts.headers, since.as_deref()).await
}

fn response_head(status: StatusCode, headers: &HeaderMap) -> Vec<u8> {
    let mut out = Vec::with_capacity(640);
    let reason = status.canonical_reason().unwrap_or("");
    out.extend_from_slice(format!("HTTP/1.1 {} {reason}\r\n", status.as_u16()).as_bytes());
    let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    out.extend_from_slice(format!("date: {date}\r\n").as_bytes());
    // Header values cannot hold a line break (`HeaderValue` refuses one): nothing said here
    // can start a header or a body of its own.
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Writes the stream's bursts until it ends or the client hangs up.
async fn follow(tcp: &TcpStream, mut feed: Feed) {
    loop {
        let burst = tokio::select! {
            burst = feed.next_burst() => burst,
            () = hung_up(tcp) => None,
        };
        match burst {
            Some(burst) if write(tcp, &burst).await => {}
            _ => return,
        }
    }
}

/// Resolves when the client closes its side (what it sends meanwhile is read and dropped).
async fn hung_up(tcp: &TcpStream) {
    let mut scrap = [0u8; 64];
    loop {
        if tcp.readable().await.is_err() {
            return;
        }
        match tcp.try_read(&mut scrap) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

/// Writes all of `bytes`; `false` if the client is gone or has not read for `WRITE_WAIT`.
async fn write(tcp: &TcpStream, mut bytes: &[u8]) -> bool {
    let written = tokio::time::timeout(WRITE_WAIT, async {
        while !bytes.is_empty() {
            tcp.writable().await?;
            match tcp.try_write(bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok::<_, io::Error>(())
    })
    .await;
    matches!(written, Ok(Ok(())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_stream_request_with_nothing_after_it_is_answered_here() {
        let cases: [(&[u8], Opening); 12] = [
            (b"", Opening::More),
            (b"GET /api/ev", Opening::More),
            (b"GET /api/events", Opening::More),
            (b"GET /api/events HTTP/1.1\r\nHost: x\r\n", Opening::More),
            (b"GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n", Opening::Stream),
            (b"GET /api/events?since=4 HTTP/1.1\r\n\r\n", Opening::Stream),
            (b"GET /api/events HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", Opening::Other),
            (b"GET /api/eventsx HTTP/1.1\r\n\r\n", Opening::Other),
            (b"GET /api/events/1 HTTP/1.1\r\n\r\n", Opening::Other),
            (b"POST /api/events HTTP/1.1\r\n\r\n", Opening::Other),
            (b"GET / HTTP/1.1\r\n", Opening::Other),
            (b"PRI * HTTP/2.0\r\n", Opening::Other),
        ];
        for (head, expected) in cases {
            assert_eq!(opening(head), expected, "{:?}", String::from_utf8_lossy(head));
        }
        let long = [b"GET /api/events HTTP/1.1\r\nX: ".as_slice(), &[b'a'; MOST_HEAD]].concat();
        assert_eq!(opening(&long), Opening::Other);
    }

    #[test]
    fn a_request_with_a_body_or_too_many_headers_is_left_to_hyper() {
        assert!(request_parts(b"GET /api/events?since=3 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n").is_some());
        assert!(request_parts(b"GET /api/events HTTP/1.1\r\nContent-Length: 5\r\n\r\n").is_none());
        assert!(request_parts(b"GET /api/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").is_none());
        let many: String = (0..65).map(|i| format!("X-{i}: y\r\n")).collect();
        assert!(request_parts(format!("GET /api/events HTTP/1.1\r\n{many}\r\n").as_bytes()).is_none());
        assert!(request_parts(b"GET /api/events HTTP/1.1\r\nBad Header: y\r\n\r\n").is_none());
    }
}
