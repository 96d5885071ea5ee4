//! `GET /api/events`: a server-sent event stream of the ticket changes the caller may see.
//!
//! A client that reconnects with `Last-Event-ID` (or `?since=`, as a browser's automatic
//! reconnect may not send the header) first gets what it missed, from the table of recent
//! events; one that was gone longer than they are kept, or that falls behind while connected,
//! gets a single `reload` event. The caller's session is looked at again every
//! `RECHECK`: signed out, deactivated or given another role, the stream ends (`end`). Streams
//! end when the server shuts down.
//!
//! A [`Feed`] turns the events into the bytes of the stream, in bursts. It is written either
//! by hyper (this route's handler, for a stream asked for on a connection that served other
//! requests first) or, for a connection that opens with the stream's request, by
//! [`super::direct`], which keeps none of hyper's per-connection buffers.

use super::Published;
use crate::domain::Role;
use crate::error::AppError;
use crate::server::api::extract::ApiQuery;
use crate::server::guard::{still_signed_in, token_from_headers, CurrentUser};
use crate::server::startup::{AppState, Core};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often a stream's session is looked at again without being told to: a session that
/// lapsed unused, or news of an account change that was lost (`live::account_changed` tells
/// the account's streams on every instance at once).
pub const RECHECK: Duration = Duration::from_secs(60);
/// A comment this often keeps idle proxies from cutting the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The shortest time between two bursts of events on one stream: a busy help desk's events
/// are written to each stream in bursts (one write, one wake-up) at most this often, and a
/// quiet one's go out at once.
const COALESCE: Duration = Duration::from_millis(40);
/// A reconnecting client that missed more than this is told to reload instead.
const MOST_MISSED: i64 = 1000;
/// What an idle stream sends every `KEEP_ALIVE`: an SSE comment, which clients ignore.
const COMMENT: &[u8] = b":\n\n";

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct Since {
    /// The id of the last event received (as `Last-Event-ID`); what came after it is sent first.
    #[param(value_type = Option<i64>, minimum = 0)]
    pub since: Option<String>,
}

/// An event id as a client sends it back: a whole number, 0 or more.
fn event_id(field: &'static str, text: &str) -> Result<i64, AppError> {
    text.trim().parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| AppError::invalid(field, "Must be the id of an event: a whole number, 0 or more."))
}

/// One open stream: what it has yet to write, and what it listens to.
pub struct Feed {
    core: Arc<Core>,
    token: String,
    role: Role,
    caller: i64,
    /// This stream's place among the instance's streams: the events it may hear of.
    sub: super::registry::Subscription,
    /// Resolves when the server shuts down. Made once, so that a stream stays registered with
    /// the signal instead of registering again at each wake-up.
    closing: futures_util::future::Fuse<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>>,
    /// The stream's one timer: the end of a burst's window, the next keep-alive or session look.
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
    /// The stream's text not yet written: whole events, written together as one burst.
    pending: Vec<u8>,
    /// The newest event id this stream has passed (sent or not its to see).
    last: i64,
    recheck: Instant,
    ended: bool,
    /// When the last burst went out; the next waits until `COALESCE` after it.
    sent_at: Instant,
}

/// Appends one event in the stream's format (`data` is one line of JSON).
fn frame(into: &mut Vec<u8>, event: &str, id: i64, data: &str) {
    use std::io::Write;
    let _ = write!(into, "event: {event}\nid: {id}\ndata: {data}\n\n");
}

impl Feed {
    fn pass(&mut self, published: &Published) {
        let record = &published.record;
        if record.id <= self.last {
            return;
        }
        self.last = record.id;
        if record.concerns_account(self.caller) {
            self.recheck = Instant::now();
        } else if record.may_receive(self.role, self.caller) {
            frame(&mut self.pending, "ticket", record.id, &published.data);
        }
    }

    fn received(&mut self, received: Option<Arc<Published>>) {
        match received {
            Some(published) => self.pass(&published),
            // Not while the stream is registered; ends the stream if it ever is.
            None => self.ended = true,
        }
        // Events did not fit in its queue: its page fetches again what it shows.
        if self.sub.lagged.swap(false, Ordering::AcqRel) {
            // What was missed may have been news of this account too.
            self.recheck = Instant::now();
            self.last = self.core.live.cursor.load(Ordering::Acquire);
            frame(&mut self.pending, "reload", self.last, "{}");
        }
    }

    fn set_timer(&mut self, at: Instant) {
        if self.timer.deadline() != at {
            self.timer.as_mut().reset(at);
        }
    }

    /// Takes every event already waiting in the stream's queue.
    fn take_waiting(&mut self) {
        loop {
            match self.sub.events.try_recv() {
                Ok(published) => self.received(Some(published)),
                Err(tokio::sync::mpsc::error::TryRecvError::Empty) => return,
                Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => return self.received(None),
            }
        }
    }

    /// What a client that last saw `since` missed, or a reload if that is too much or gone.
    async fn catch_up(&mut self, since: i64) {
        let cursor = self.core.live.cursor.load(Ordering::Acquire);
        let gone = match self.core.store.live_bounds().await {
            Ok((oldest, _)) => (oldest > since + 1) || (oldest == 0 && since < cursor),
            Err(_) => true,
        };
        let missed = if gone { Err(()) } else { self.core.store.live_since(since, MOST_MISSED + 1).await.map_err(|_| ()) };
        match missed {
            Ok(rows) if (rows.len() as i64) <= MOST_MISSED => {
                self.last = since;
                for row in rows {
                    self.pass(&Published::of(row));
                }
            }
            _ => {
                self.last = cursor.max(since);
                frame(&mut self.pending, "reload", self.last, "{}");
            }
        }
    }

    /// Looks at the caller's session again; signed out or changed, the stream ends.
    async fn recheck(&mut self) {
        // Boxed: the query's future is large, and a stream's own future stays small only if
        // what it awaits now and then lives elsewhere meanwhile.
        let still = Box::pin(still_signed_in(&self.core, &self.token)).await;
        self.recheck = Instant::now() + RECHECK;
        if still != Some(self.role) {
            self.ended = true;
            self.pending.extend_from_slice(b"event: end\ndata: {\"reason\":\"signed out or changed\"}\n\n");
        }
    }

    /// The next burst of the stream's text, or `None` when the stream is over. Cancel-safe:
    /// what was received stays pending for the next call.
    pub async fn next_burst(&mut self) -> Option<Vec<u8>> {
        loop {
            if !self.pending.is_empty() {
                let due = self.sent_at + COALESCE;
                if self.ended || Instant::now() >= due {
                    self.sent_at = Instant::now();
                    return Some(std::mem::take(&mut self.pending));
                }
                // Too soon after the last burst: what comes meanwhile joins this one. The stream
                // sleeps until then, not woken by each event, and takes them all at once.
                self.set_timer(due);
                tokio::select! {
                    _ = self.timer.as_mut() => {}
                    _ = &mut self.closing => return None,
                }
                self.take_waiting();
                continue;
            }
            if self.ended {
                return None;
            }
            self.set_timer(self.recheck.min(self.sent_at + KEEP_ALIVE));
            let received = tokio::select! {
                received = self.sub.events.recv() => Some(received),
                _ = self.timer.as_mut() => None,
                _ = &mut self.closing => return None,
            };
            match received {
                Some(received) => {
                    self.received(received);
                    self.take_waiting();
                }
                None if Instant::now() >= self.recheck => self.recheck().await,
                // Quiet for `KEEP_ALIVE`: a comment keeps proxies from cutting the stream.
                None => {
                    self.sent_at = Instant::now();
                    return Some(COMMENT.to_vec());
                }
            }
        }
    }
}

/// Opens the caller's stream: registered at once (it hears of every event from now on), with
/// what it missed since `since` (`?since=`, else `Last-Event-ID`) pending.
pub async fn open(core: Arc<Core>, caller: &CurrentUser, headers: &HeaderMap, since: Option<&str>) -> Result<Feed, AppError> {
    let since = match (since, headers.get("last-event-id")) {
        (Some(since), _) => Some(event_id("since", since)?),
        (None, Some(header)) => Some(event_id("Last-Event-ID", header.to_str().unwrap_or("?"))?),
        (None, None) => None,
    };
    let sub = core.live.registry.subscribe(caller.role, caller.id, &core.live.cursor);
    let mut feed = Feed {
        last: sub.cursor,
        sub,
        closing: {
            use futures_util::FutureExt;
            let mut closing = core.live.closing.subscribe();
            let signal: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> = Box::pin(async move {
                let _ = closing.wait_for(|closing| *closing).await;
            });
            signal.fuse()
        },
        timer: Box::pin(tokio::time::sleep_until(Instant::now() + RECHECK)),
        token: token_from_headers(headers).unwrap_or_default().to_string(),
        role: caller.role,
        caller: caller.id,
        pending: Vec::new(),
        recheck: Instant::now() + RECHECK,
        ended: false,
        sent_at: Instant::now() - COALESCE,
        core,
    };
    if let Some(since) = since {
        feed.catch_up(since).await;
    }
    Ok(feed)
}

/// The headers of a stream's response, whoever writes it: never buffered by a proxy (nginx
/// honours `X-Accel-Buffering`), never cached.
pub fn stream_headers(headers: &mut HeaderMap) {
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
}

/// The stream of ticket changes the caller may see.
#[utoipa::path(get, path = "/api/events", tag = "events", params(Since),
    responses((status = 200, description = "`text/event-stream`: `ticket` events (`id`, and the JSON below as `data`), `reload` when events were missed, `end` when the session ended", body = crate::domain::LiveEvent, content_type = "text/event-stream")))]
pub async fn events(State(state): State<AppState>, caller: CurrentUser, headers: HeaderMap, ApiQuery(query): ApiQuery<Since>) -> Result<Response, AppError> {
    let feed = open(state.core, &caller, &headers, query.since.as_deref()).await?;
    let bursts = futures_util::stream::unfold(feed, |mut feed| async move {
        let burst = feed.next_burst().await?;
        Some((Ok::<_, Infallible>(Bytes::from(burst)), feed))
    });
    let mut response = Body::from_stream(bursts).into_response();
    stream_headers(response.headers_mut());
    Ok(response)
}
