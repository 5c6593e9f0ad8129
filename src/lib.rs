// Leptos view types nest deeply; the dashboard frame exceeds the default.
#![recursion_limit = "256"]
//! Tongbu: one post, every channel, one reach report.
//!
//! The crate builds twice: as the server (`ssr`, the default) and as the
//! browser bundle (`hydrate`, compiled to wasm32 by cargo-leptos). Modules
//! without a feature gate are shared by both builds and must not do IO.

pub mod api;
pub mod app;
pub mod domain;
pub mod i18n;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod bench;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod emulator;
#[cfg(feature = "ssr")]
pub mod platforms;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;

/// Entry point of the browser bundle: attaches the reactive app to the
/// server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets browser tests (and curious people) know the page is interactive.
    let _ = js_sys::Reflect::set(
        &leptos::prelude::window(),
        &"__TONGBU_HYDRATED".into(),
        &true.into(),
    );
}
