//! Pages that follow the tickets they show. One `EventSource` per browser reads
//! `GET /api/events` (the session cookie signs it in) and every tab hands each event to its
//! pages through `LiveFeed`; pages fetch again what an event concerns. Ten tabs hold one of the
//! browser's six connections to the site, not ten (see `browser`). A stream that opens again
//! starts after the last event its tab heard (`?since=`): what came meanwhile is replayed, or
//! the pages are told to fetch again. Without the stream (no JavaScript, a proxy that cuts it) the
//! pages work as before; they just do not move by themselves.

use crate::domain::LiveEvent;
use leptos::prelude::*;

#[derive(Clone)]
pub struct LiveFeed {
    /// The newest event this tab received.
    pub last: ArcRwSignal<Option<LiveEvent>>,
    /// Moves when events were missed: pages fetch again whatever they show.
    pub missed: ArcRwSignal<u64>,
    /// The newest "who is on the ticket changed" event (kept apart: no page's data moved).
    pub presence: ArcRwSignal<Option<LiveEvent>>,
}

impl LiveFeed {
    fn new() -> LiveFeed {
        LiveFeed { last: ArcRwSignal::new(None), missed: ArcRwSignal::new(0), presence: ArcRwSignal::new(None) }
    }

    /// Moves on every event and when events were missed.
    pub fn any(&self) -> (Option<i64>, u64) {
        (self.last.get().map(|e| e.id), self.missed.get())
    }
}

/// A counter that moves half a second after events `care` about, once for a burst of them:
/// a page that fetches again on it asks the server at most twice a second however busy the
/// help desk is.
pub fn settled(care: impl Fn() + 'static) -> RwSignal<u64> {
    let settled = RwSignal::new(0u64);
    let pending = StoredValue::new(false);
    Effect::new(move |first: Option<()>| {
        care();
        if first.is_some() && !pending.get_value() {
            pending.set_value(true);
            set_timeout(
                move || {
                    pending.set_value(false);
                    settled.update(|n| *n += 1);
                },
                std::time::Duration::from_millis(500),
            );
        }
    });
    settled
}

/// `<meta name="live-cursor">`: the newest event this instance had passed to its streams when
/// the page was rendered, read before the page's data. The browser's stream starts after it,
/// so a change made between the render and the stream connecting is replayed, not lost (an
/// event already in the rendered data only makes the page fetch again).
#[component]
pub fn LiveCursor() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let cursor = crate::server::rpc::core()
        .ok()
        .map(|core| core.live.cursor.load(std::sync::atomic::Ordering::Acquire))
        .filter(|c| *c > 0);
    #[cfg(not(feature = "ssr"))]
    let cursor: Option<i64> = None;
    cursor.map(|c| view! { <meta name="live-cursor" content=c.to_string()/> })
}

/// This tab's feed, started on first use in the browser; on the server, one that never moves.
pub fn use_live() -> LiveFeed {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static FEED: LiveFeed = {
                let feed = LiveFeed::new();
                browser::start(feed.clone());
                feed
            };
        }
        FEED.with(LiveFeed::clone)
    }
    #[cfg(not(feature = "hydrate"))]
    LiveFeed::new()
}

#[cfg(feature = "hydrate")]
mod browser {
    //! One stream per browser: the tabs elect one of them (a Web Lock, held while the tab
    //! lives) to keep the `EventSource`; it passes every event to the others over a
    //! `BroadcastChannel`. When it closes, the next tab takes the lock and opens the stream
    //! after the last event it heard. Where Web Locks are missing (an insecure context), each
    //! tab keeps a stream while it is visible.
    use super::LiveFeed;
    use crate::domain::LiveEvent;
    use leptos::prelude::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{BroadcastChannel, EventSource, MessageEvent};

    const CHANNEL: &str = "helpdesk-live";

    struct Tab {
        feed: LiveFeed,
        source: Option<EventSource>,
        /// The newest event this tab has had; at first, the cursor its page was rendered at.
        last_id: Option<i64>,
        /// While keeping the stream: its recent events, complete after `kept_from`.
        kept: std::collections::VecDeque<(&'static str, i64, String)>,
        kept_from: Option<i64>,
        /// Set when this tab keeps the stream for the others.
        channel: Option<BroadcastChannel>,
    }

    type Shared = Rc<RefCell<Tab>>;

    /// What a received event does to this tab's feed: `kind` is ticket or reload. An event this
    /// tab has already had (a replay the keeper sent for another tab) is passed over.
    fn apply(tab: &Shared, kind: &str, id: String, data: &str) {
        let feed = tab.borrow().feed.clone();
        if let Ok(n) = id.parse::<i64>() {
            if tab.borrow().last_id.is_some_and(|last| n <= last) {
                return;
            }
            tab.borrow_mut().last_id = Some(n);
        }
        match kind {
            "ticket" => {
                if let Ok(event) = serde_json::from_str::<LiveEvent>(data) {
                    if event.kind == crate::domain::LiveKind::Presence {
                        feed.presence.set(Some(event));
                    } else {
                        feed.last.set(Some(event));
                    }
                }
            }
            "reload" => feed.missed.update(|n| *n += 1),
            _ => {}
        }
    }

    /// The keeper's recent messages, for a tab that asks what came since its page was rendered.
    const KEPT: usize = 256;

    fn message(kind: &str, id: &str, data: &str) -> js_sys::Object {
        let message = js_sys::Object::new();
        for (name, value) in [("kind", kind), ("id", id), ("data", data)] {
            let _ = js_sys::Reflect::set(&message, &name.into(), &value.into());
        }
        message
    }

    /// The keeper answers a tab's `since`: what it kept after that id, or a reload when its
    /// memory does not reach back so far.
    fn answer_since(tab: &Shared, since: i64) {
        let tab = tab.borrow();
        let Some(channel) = &tab.channel else { return };
        if tab.kept_from.is_none_or(|from| since < from) {
            let _ = channel.post_message(&message("reload", "", "{}"));
            return;
        }
        for (kind, id, data) in tab.kept.iter().filter(|(_, id, _)| *id > since) {
            let _ = channel.post_message(&message(kind, &id.to_string(), data));
        }
    }

    pub fn start(feed: LiveFeed) {
        let rendered_at = document()
            .query_selector("meta[name=live-cursor]")
            .ok()
            .flatten()
            .and_then(|meta| meta.get_attribute("content"))
            .and_then(|c| c.parse::<i64>().ok());
        let tab = Rc::new(RefCell::new(Tab {
            feed,
            source: None,
            last_id: rendered_at,
            kept: Default::default(),
            kept_from: None,
            channel: None,
        }));
        if !elect(&tab) {
            per_tab(tab);
        }
    }

    /// Asks for the lock; the tab that holds it keeps the stream. `false` without Web Locks.
    fn elect(tab: &Shared) -> bool {
        let Ok(channel) = BroadcastChannel::new(CHANNEL) else { return false };
        let Ok(navigator) = js_sys::Reflect::get(&window(), &"navigator".into()) else { return false };
        let Some(locks) = js_sys::Reflect::get(&navigator, &"locks".into()).ok().filter(|l| !l.is_undefined()) else { return false };
        let Some(request) = js_sys::Reflect::get(&locks, &"request".into()).ok().and_then(|r| r.dyn_into::<js_sys::Function>().ok()) else {
            return false;
        };
        // Until this tab holds the lock, it hears the keeper's events; the keeper hears the
        // other tabs asking what came since their page was rendered.
        let hearing = tab.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let message = e.data();
            let field = |name: &str| js_sys::Reflect::get(&message, &name.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
            let (kind, id) = (field("kind"), field("id"));
            if hearing.borrow().channel.is_some() {
                if kind == "since" {
                    answer_since(&hearing, id.parse().unwrap_or(0));
                }
            } else if kind != "since" {
                apply(&hearing, &kind, id, &field("data"));
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        // A keeper already there replays what came between this page's render and now.
        if let Some(since) = tab.borrow().last_id {
            let _ = channel.post_message(&message("since", &since.to_string(), ""));
        }
        let keeper = tab.clone();
        let granted = Closure::once_into_js(move |_lock: JsValue| -> js_sys::Promise {
            {
                let mut kept = keeper.borrow_mut();
                kept.kept_from = kept.last_id;
                kept.channel = Some(channel);
            }
            open(&keeper);
            // Never settles: the lock is held until the tab goes.
            js_sys::Promise::new(&mut |_, _| {})
        });
        request.call2(&locks, &CHANNEL.into(), &granted).is_ok()
    }

    /// Without Web Locks: a stream per tab, closed while the tab is hidden.
    fn per_tab(tab: Shared) {
        if !document().hidden() {
            open(&tab);
        }
        let on_visibility = Closure::<dyn FnMut()>::new(move || {
            if document().hidden() {
                if let Some(source) = tab.borrow_mut().source.take() {
                    source.close();
                }
            } else if tab.borrow().source.is_none() {
                open(&tab);
            }
        });
        let _ = document().add_event_listener_with_callback("visibilitychange", on_visibility.as_ref().unchecked_ref());
        on_visibility.forget();
    }

    /// The keeper remembers its last `KEPT` events for tabs that open later.
    fn keep(tab: &Shared, kind: &'static str, id: &str, data: &str) {
        let mut tab = tab.borrow_mut();
        if tab.channel.is_none() || kind == "end" {
            return;
        }
        let Ok(n) = id.parse::<i64>() else { return };
        if kind == "reload" {
            // What came before a reload is not known event by event.
            tab.kept.clear();
            tab.kept_from = Some(n);
            return;
        }
        if tab.kept.len() == KEPT {
            if let Some((_, oldest, _)) = tab.kept.pop_front() {
                tab.kept_from = Some(oldest);
            }
        }
        tab.kept.push_back((kind, n, data.to_string()));
    }

    fn open(tab: &Shared) {
        let url = match tab.borrow().last_id {
            Some(id) => format!("/api/events?since={id}"),
            None => "/api/events".to_string(),
        };
        let Ok(source) = EventSource::new(&url) else { return };
        for kind in ["ticket", "reload", "end"] {
            let t = tab.clone();
            let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let (id, data) = (e.last_event_id(), e.data().as_string().unwrap_or_default());
                if let Some(channel) = &t.borrow().channel {
                    let _ = channel.post_message(&message(kind, &id, &data));
                }
                keep(&t, kind, &id, &data);
                if kind == "end" {
                    // Signed out, or the account changed: the stream is over for this page.
                    if let Some(source) = t.borrow_mut().source.take() {
                        source.close();
                    }
                } else {
                    apply(&t, kind, id, &data);
                }
            });
            let _ = source.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
            handler.forget();
        }
        tab.borrow_mut().source = Some(source);
    }
}
