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
}

impl LiveFeed {
    fn new() -> LiveFeed {
        LiveFeed { last: ArcRwSignal::new(None), missed: ArcRwSignal::new(0) }
    }

    /// Moves on each event about `ticket`, and when events were missed (read it in a
    /// resource's source to fetch again then).
    pub fn about(&self, ticket: Option<i64>) -> (Option<i64>, u64) {
        let last = self.last.get().filter(|e| Some(e.ticket) == ticket).map(|e| e.id);
        (last, self.missed.get())
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
        last_id: Option<String>,
        /// Set when this tab keeps the stream for the others.
        channel: Option<BroadcastChannel>,
    }

    type Shared = Rc<RefCell<Tab>>;

    /// What a received event does to this tab's feed: `kind` is ticket, reload or end.
    fn apply(tab: &Shared, kind: &str, id: String, data: &str) {
        let feed = tab.borrow().feed.clone();
        if !id.is_empty() {
            tab.borrow_mut().last_id = Some(id);
        }
        match kind {
            "ticket" => {
                if let Ok(event) = serde_json::from_str::<LiveEvent>(data) {
                    feed.last.set(Some(event));
                }
            }
            "reload" => feed.missed.update(|n| *n += 1),
            _ => {}
        }
    }

    pub fn start(feed: LiveFeed) {
        let tab = Rc::new(RefCell::new(Tab { feed, source: None, last_id: None, channel: None }));
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
        // Until this tab holds the lock, it hears the keeper's events.
        let hearing = tab.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if hearing.borrow().channel.is_some() {
                return;
            }
            let message = e.data();
            let field = |name: &str| js_sys::Reflect::get(&message, &name.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
            apply(&hearing, &field("kind"), field("id"), &field("data"));
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let keeper = tab.clone();
        let granted = Closure::once_into_js(move |_lock: JsValue| -> js_sys::Promise {
            keeper.borrow_mut().channel = Some(channel);
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

    fn open(tab: &Shared) {
        let url = match &tab.borrow().last_id {
            Some(id) => format!("/api/events?since={id}"),
            None => "/api/events".to_string(),
        };
        let Ok(source) = EventSource::new(&url) else { return };
        for kind in ["ticket", "reload", "end"] {
            let t = tab.clone();
            let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let (id, data) = (e.last_event_id(), e.data().as_string().unwrap_or_default());
                if let Some(channel) = &t.borrow().channel {
                    let message = js_sys::Object::new();
                    for (name, value) in [("kind", kind), ("id", id.as_str()), ("data", data.as_str())] {
                        let _ = js_sys::Reflect::set(&message, &name.into(), &value.into());
                    }
                    let _ = channel.post_message(&message);
                }
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
