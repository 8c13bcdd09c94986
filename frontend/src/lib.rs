//! The browser entry point: hydrate the islands, nothing else.

// Links the app crate, whose `#[island]` components export themselves to JS.
#[allow(unused_imports)]
use app::*;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
