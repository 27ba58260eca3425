//! The browser entry point: hydrates the server-rendered page with `app::App`.
//! The function must be called `hydrate`: Leptos' loader script calls it.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // An impersonation tab's server functions are called under its base
    // path (`/as/ID/api/…`), which says whose session they act in.
    let base = app::components::base_path();
    if !base.is_empty() {
        let _ = leptos::server_fn::client::try_set_server_url(Box::leak(base.into_boxed_str()));
    }
    leptos::mount::hydrate_body(app::App);
}
