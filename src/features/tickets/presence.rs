//! Who else is on the ticket: the page of the staff working it says what its reader is doing
//! (viewing, writing a reply, writing a note) when it opens and whenever that changes, says it
//! again every `HEARTBEAT_SECS` while the tab is visible, and says `gone` as it closes. It hears
//! who else is there from the answer and again on each `presence` event of its ticket. A tab
//! that closes without a word, or stays hidden, lapses on the server on its own.

use super::{ticket_presence, ticket_viewers, Drafts};
use crate::domain::{PresenceState, Viewer};
use leptos::prelude::*;

/// This page's name among its reader's pages: random, so two tabs are two pages.
fn tab_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let part = || (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        format!("tab-{:08x}{:08x}", part(), part())
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Starts the page's part in presence for ticket `id`, while `works` (the reader works the
/// ticket); the others on it, kept up to date.
pub(super) fn use_presence(id: Memo<Option<i64>>, works: RwSignal<bool>, drafts: Drafts) -> RwSignal<Vec<Viewer>> {
    let viewers = RwSignal::new(Vec::<Viewer>::new());
    let tab = StoredValue::new(tab_id());
    let state = Memo::new(move |_| {
        if !drafts.reply.read().trim().is_empty() {
            PresenceState::Replying
        } else if !drafts.note.read().trim().is_empty() {
            PresenceState::Noting
        } else {
            PresenceState::Viewing
        }
    });
    let here = Memo::new(move |_| id.get().filter(|_| works.get()));
    // Also called as the page goes: nothing of the page is read once the answer comes.
    let say = move |ticket: i64, what: &'static str| {
        let Some(tab) = tab.try_get_value() else { return };
        leptos::task::spawn_local(async move {
            if let Ok(others) = ticket_presence(ticket, tab, what.to_string()).await {
                if what != "gone" {
                    viewers.try_set(others);
                }
            }
        });
    };
    // Said when the page opens on a ticket, leaves it, or its reader starts or stops writing.
    Effect::new(move |before: Option<Option<i64>>| {
        let (now, what) = (here.get(), state.get());
        if let Some(Some(left)) = before.filter(|b| *b != now) {
            say(left, "gone");
        }
        match now {
            Some(ticket) => say(ticket, what.as_str()),
            None => viewers.set(Vec::new()),
        }
        now
    });
    // Heard when someone comes, goes, or starts or stops writing.
    let live = crate::ui::use_live();
    Effect::new(move |_| {
        let event = live.presence.get();
        if let (Some(event), Some(ticket)) = (event, here.get_untracked()) {
            if event.ticket == ticket {
                leptos::task::spawn_local(async move {
                    if let Ok(others) = ticket_viewers(ticket).await {
                        viewers.try_set(others);
                    }
                });
            }
        }
    });
    #[cfg(feature = "hydrate")]
    browser::keep_saying(here, state, tab, say);
    // Left for another page of the app (on the server, a rendered page says nothing).
    #[cfg(feature = "hydrate")]
    on_cleanup(move || {
        if let Some(ticket) = here.try_get_untracked().flatten() {
            say(ticket, "gone");
        }
    });
    viewers
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::domain::{PresenceState, HEARTBEAT_SECS};
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    /// Says it again every `HEARTBEAT_SECS` while the tab is visible, at once when it shows
    /// again, and `gone` as the page is left (a beacon: it is sent even as the tab closes).
    pub(super) fn keep_saying(
        here: Memo<Option<i64>>,
        state: Memo<PresenceState>,
        tab: StoredValue<String>,
        say: impl Fn(i64, &'static str) + Copy + 'static,
    ) {
        let again = move || {
            if !document().hidden() {
                if let (Some(ticket), Some(what)) = (here.try_get_untracked().flatten(), state.try_get_untracked()) {
                    say(ticket, what.as_str());
                }
            }
        };
        let beat = set_interval_with_handle(again, std::time::Duration::from_secs(HEARTBEAT_SECS)).ok();
        let shown = Closure::<dyn FnMut()>::new(again);
        let hide = Closure::<dyn FnMut()>::new(move || {
            let Some(ticket) = here.try_get_untracked().flatten() else { return };
            let Ok(form) = web_sys::UrlSearchParams::new() else { return };
            form.append("id", &ticket.to_string());
            form.append("tab", &tab.try_get_value().unwrap_or_default());
            form.append("state", "gone");
            let _ = window().navigator().send_beacon_with_opt_url_search_params("/rpc/tickets/presence", Some(&form));
        });
        let _ = document().add_event_listener_with_callback("visibilitychange", shown.as_ref().unchecked_ref());
        let _ = window().add_event_listener_with_callback("pagehide", hide.as_ref().unchecked_ref());
        let (shown, hide) = (send_wrapper::SendWrapper::new(shown), send_wrapper::SendWrapper::new(hide));
        on_cleanup(move || {
            if let Some(beat) = beat {
                beat.clear();
            }
            let _ = document().remove_event_listener_with_callback("visibilitychange", shown.as_ref().unchecked_ref());
            let _ = window().remove_event_listener_with_callback("pagehide", hide.as_ref().unchecked_ref());
        });
    }
}

/// The others on the ticket, by name, with what they are doing.
#[component]
pub(super) fn OthersHere(viewers: RwSignal<Vec<Viewer>>) -> impl IntoView {
    let said = move || {
        let viewers = viewers.read();
        (!viewers.is_empty()).then(|| {
            let people: Vec<String> = viewers
                .iter()
                .map(|v| match v.state {
                    PresenceState::Viewing => v.name.clone(),
                    other => format!("{} ({})", v.name, other.label()),
                })
                .collect();
            format!("Also on this ticket: {}", people.join(", "))
        })
    };
    view! {
        <div role="status" aria-live="polite">
            {move || said().map(|text| view! { <p class="presence" data-testid="presence">{text}</p> })}
        </div>
    }
}

/// Beside a reply or note box: who else is writing one now, so nobody answers twice.
#[component]
pub(super) fn AlsoWriting(viewers: RwSignal<Vec<Viewer>>, state: PresenceState) -> impl IntoView {
    let what = if state == PresenceState::Replying { "a reply" } else { "a note" };
    let writers = move || {
        let names: Vec<String> = viewers.read().iter().filter(|v| v.state == state).map(|v| v.name.clone()).collect();
        (!names.is_empty()).then(|| {
            let verb = if names.len() == 1 { "is" } else { "are" };
            format!("{} {verb} also writing {what} on this ticket: read theirs before you send yours.", names.join(" and "))
        })
    };
    view! {
        <div role="status" aria-live="polite">
            {move || writers().map(|text| view! { <p class="typing-warning" data-testid="typing-warning">{text}</p> })}
        </div>
    }
}
