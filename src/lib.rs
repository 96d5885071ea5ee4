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

/// Room in the client's constant data, never loaded. The split client (`cargo leptos build
/// --split`, wasm_split_cli_support 0.2.3) moves each page's constant data (its markup, its
/// text, its tables) into that page's pieces, laid out again within the bytes the linker gave
/// the whole. Aligning each piece's share can make the new layout longer by a few hundred bytes,
/// and then the tool keeps every page's data in the main module instead ("Overlong segment 0 …
/// putting it in main module"): about 20 KB of brotli more on every page, on one build and not
/// the next as code changes. These bytes sit in the same data, used by no function, so no piece
/// carries them: they only lengthen the space the new layout must fit in.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_DATA_ROOM: [u8; 4096] = [0x5a; 4096];

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
