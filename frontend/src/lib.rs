//! The browser entry point: hydrates the server-rendered page with `app::App`.
//! The function must be called `hydrate`: Leptos' loader script calls it.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
