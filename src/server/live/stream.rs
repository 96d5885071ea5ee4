//! `GET /api/events`: a server-sent event stream of the ticket changes the caller may see.
//!
//! A client that reconnects with `Last-Event-ID` (or `?since=`, as a browser's automatic
//! reconnect may not send the header) first gets what it missed, from the table of recent
//! events; one that was gone longer than they are kept, or that falls behind while connected,
//! gets a single `reload` event. The caller's session is looked at again every
//! `RECHECK`: signed out, deactivated or given another role, the stream ends (`end`). Streams
//! end when the server shuts down. Each stream is a state machine polled by the connection,
//! with no task of its own: an idle stream costs its buffers and its place in the registry.

use super::Published;
use crate::domain::Role;
use crate::server::guard::{still_signed_in, token_from_headers, CurrentUser};
use crate::server::startup::{AppState, Core};
use crate::error::AppError;
use crate::server::api::extract::ApiQuery;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often a stream's session is looked at again (at once when this instance changed an
/// account or session).
pub const RECHECK: Duration = Duration::from_secs(10);
/// A comment this often keeps idle proxies from cutting the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The shortest time between two bursts of events on one stream: a busy help desk's events
/// are written to each stream in bursts (one write, one wake-up) at most this often, and a
/// quiet one's go out at once.
const COALESCE: Duration = Duration::from_millis(40);
/// A reconnecting client that missed more than this is told to reload instead.
const MOST_MISSED: i64 = 1000;

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

struct Feed {
    core: Arc<Core>,
    token: String,
    role: Role,
    caller: i64,
    /// This stream's place among the instance's streams: the events it may hear of.
    sub: super::registry::Subscription,
    closing: tokio::sync::watch::Receiver<bool>,
    accounts: tokio::sync::watch::Receiver<u64>,
    queue: VecDeque<Event>,
    /// The newest event id this stream has passed (sent or not its to see).
    last: i64,
    recheck: Instant,
    ended: bool,
    /// When the last burst of events began to go out; the next waits until `COALESCE` after it.
    sent_at: Instant,
    /// A burst is going out: the rest of the queue follows at once.
    draining: bool,
}

fn ticket_event(published: &Published) -> Event {
    Event::default().event("ticket").id(published.record.id.to_string()).data(&published.data)
}

fn reload(at: i64) -> Event {
    Event::default().event("reload").id(at.to_string()).data("{}")
}

impl Feed {
    fn pass(&mut self, published: &Published) {
        let record = &published.record;
        if record.id <= self.last {
            return;
        }
        self.last = record.id;
        if record.may_receive(self.role, self.caller) {
            self.queue.push_back(ticket_event(published));
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
            self.last = self.core.live.cursor.load(Ordering::Acquire);
            self.queue.push_back(reload(self.last));
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
                self.queue.push_back(reload(self.last));
            }
        }
    }

    async fn next(mut self) -> Option<(Result<Event, Infallible>, Feed)> {
        loop {
            if !self.queue.is_empty() {
                let due = self.sent_at + COALESCE;
                if self.draining || self.ended || Instant::now() >= due {
                    // Events yielded back to back go out in one write.
                    if !self.draining {
                        self.sent_at = Instant::now();
                    }
                    let event = self.queue.pop_front()?;
                    self.draining = !self.queue.is_empty();
                    return Some((Ok(event), self));
                }
                // Too soon after the last burst: what comes meanwhile joins this one.
                let received = tokio::select! {
                    received = self.sub.events.recv() => Some(received),
                    _ = tokio::time::sleep_until(due) => None,
                    _ = self.closing.wait_for(|closing| *closing) => return None,
                };
                if let Some(received) = received {
                    self.received(received);
                }
                continue;
            }
            if self.ended {
                return None;
            }
            let woke = tokio::select! {
                received = self.sub.events.recv() => Some(received),
                _ = tokio::time::sleep_until(self.recheck) => None,
                _ = self.accounts.changed() => None,
                _ = self.closing.wait_for(|closing| *closing) => return None,
            };
            match woke {
                Some(received) => self.received(received),
                None => {
                    self.recheck = Instant::now() + RECHECK;
                    if still_signed_in(&self.core, &self.token).await != Some(self.role) {
                        self.ended = true;
                        self.queue.push_back(Event::default().event("end").data("{\"reason\":\"signed out or changed\"}"));
                    }
                }
            }
        }
    }
}

/// The stream of ticket changes the caller may see.
#[utoipa::path(get, path = "/api/events", tag = "events", params(Since),
    responses((status = 200, description = "`text/event-stream`: `ticket` events (`id`, and the JSON below as `data`), `reload` when events were missed, `end` when the session ended", body = crate::domain::LiveEvent, content_type = "text/event-stream")))]
pub async fn events(State(state): State<AppState>, caller: CurrentUser, headers: HeaderMap, ApiQuery(query): ApiQuery<Since>) -> Result<Response, AppError> {
    let core = state.core;
    let since = match (query.since.as_deref(), headers.get("last-event-id")) {
        (Some(since), _) => Some(event_id("since", since)?),
        (None, Some(header)) => Some(event_id("Last-Event-ID", header.to_str().unwrap_or("?"))?),
        (None, None) => None,
    };
    let sub = core.live.registry.subscribe(caller.role, caller.id, &core.live.cursor);
    let mut feed = Feed {
        last: sub.cursor,
        sub,
        closing: core.live.closing.subscribe(),
        accounts: core.live.accounts.subscribe(),
        token: token_from_headers(&headers).unwrap_or_default().to_string(),
        role: caller.role,
        caller: caller.id,
        queue: VecDeque::new(),
        recheck: Instant::now() + RECHECK,
        ended: false,
        sent_at: Instant::now() - COALESCE,
        draining: false,
        core,
    };
    if let Some(since) = since {
        feed.catch_up(since).await;
    }
    let stream = futures_util::stream::unfold(feed, Feed::next);
    let mut response = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response();
    // Never buffered by a proxy (nginx honours this), never cached.
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    response.headers_mut().insert("cache-control", HeaderValue::from_static("no-cache"));
    Ok(response)
}
