//! The help desk: one crate that is both the axum server (`ssr`) and the hydrated
//! browser client (`hydrate`).

#![recursion_limit = "256"]

pub mod app;
pub mod codec;
pub mod domain;
pub mod error;
pub mod features;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
