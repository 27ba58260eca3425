use leptos::prelude::*;

/// One entry of a [`MenuButton`]: its text, whether it can be chosen now,
/// and what choosing it does.
#[derive(Clone)]
pub struct MenuItem {
    /// The visible text and accessible name ("Unlock User(s)").
    pub label: &'static str,
    /// When true the entry is shown but cannot be chosen (e.g. nothing is
    /// selected yet). It stays focusable, as the WAI-ARIA pattern advises,
    /// so a screen reader user still learns it exists.
    pub disabled: Signal<bool>,
    pub on_select: Callback<()>,
}

/// A button that opens a menu of actions: the WAI-ARIA menu button pattern
/// (`aria-haspopup="menu"`, `role="menu"` holding `role="menuitem"`s).
///
/// Keyboard: Enter, Space or ArrowDown on the button opens the menu on its
/// first entry, ArrowUp on its last; inside it ArrowDown/ArrowUp move (and
/// wrap), Home/End jump, Enter or Space chooses, Escape closes and puts the
/// focus back on the button, Tab closes. A click outside closes it.
///
/// Choosing an entry closes the menu and returns the focus to the button
/// *before* `on_select` runs, so a dialog the entry opens gives the focus
/// back to the button when it closes.
///
/// ```ignore
/// let items = vec![MenuItem {
///     label: "Unlock User(s)",
///     disabled: Signal::derive(move || count() == 0),
///     on_select: Callback::new(move |_| open_unlock()),
/// }];
/// view! { <MenuButton label="More actions" items/> }
/// ```
#[component]
pub fn MenuButton(
    /// The button's text and accessible name.
    label: &'static str,
    /// The entries, in order; entries may change while the menu is closed.
    #[prop(into)]
    items: Signal<Vec<MenuItem>>,
    /// Extra classes for the button ("button-small").
    #[prop(optional)]
    class: &'static str,
    /// Open the menu toward the left edge of the button (for a button at
    /// the right end of a bar).
    #[prop(optional)]
    align_end: bool,
) -> impl IntoView {
    let open = RwSignal::new(false);
    // Which entry has the focus while open.
    let active = RwSignal::new(0usize);
    let button = NodeRef::<leptos::html::Button>::new();
    let menu = NodeRef::<leptos::html::Div>::new();
    let id = format!("menu-{}", label.to_lowercase().replace(' ', "-"));
    let button_id = format!("{id}-button");

    let focus_entry = move |index: usize| {
        if let Some(menu) = menu.get_untracked()
            && let Ok(entries) = menu.query_selector_all("[role=menuitem]")
            && let Some(entry) = entries.item(index as u32)
        {
            use leptos::wasm_bindgen::JsCast;
            if let Ok(entry) = entry.dyn_into::<web_sys::HtmlElement>() {
                let _ = entry.focus();
            }
        }
    };
    // Focus follows `active` once the entries are drawn.
    Effect::new(move |_| {
        if open.get() {
            focus_entry(active.get());
        }
    });
    let close = move |refocus: bool| {
        open.set(false);
        if refocus && let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let open_at = move |index: usize| {
        active.set(index);
        open.set(true);
    };
    let count = move || items.with_untracked(Vec::len);

    let on_button_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            open_at(0);
        }
        "ArrowUp" => {
            ev.prevent_default();
            open_at(count().saturating_sub(1));
        }
        _ => {}
    };
    let choose = move |index: usize| {
        let Some(item) = items.with_untracked(|items| items.get(index).cloned()) else {
            return;
        };
        if item.disabled.get_untracked() {
            return;
        }
        close(true);
        item.on_select.run(());
    };
    let on_menu_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = count();
        if n == 0 {
            return;
        }
        let now = active.get_untracked();
        match ev.key().as_str() {
            "ArrowDown" => active.set((now + 1) % n),
            "ArrowUp" => active.set((now + n - 1) % n),
            "Home" => active.set(0),
            "End" => active.set(n - 1),
            "Escape" => close(true),
            "Tab" => {
                close(false);
                return;
            }
            "Enter" | " " => choose(now),
            _ => return,
        }
        ev.prevent_default();
    };
    // A pointer press anywhere but on the menu or its button closes it.
    let on_focus_out = move |ev: leptos::ev::FocusEvent| {
        use leptos::wasm_bindgen::JsCast;
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .is_some_and(|node| {
                menu.get_untracked()
                    .is_some_and(|m| m.contains(Some(&node)))
                    || button
                        .get_untracked()
                        .is_some_and(|b| b.contains(Some(&node)))
            });
        if !inside {
            close(false);
        }
    };

    let menu_id = id.clone();
    view! {
        <div class="menu-button" class:menu-open=move || open.get() on:focusout=on_focus_out>
            <button
                type="button"
                id=button_id.clone()
                class=format!("button {class}")
                aria-haspopup="menu"
                aria-controls=id.clone()
                aria-expanded=move || if open.get() { "true" } else { "false" }
                node_ref=button
                on:click=move |_| {
                    if open.get_untracked() { close(false) } else { open_at(0) }
                }
                on:keydown=on_button_key
            >
                {label}
                <span class="menu-caret" aria-hidden="true">"▾"</span>
            </button>
            <div
                id=menu_id
                class="menu"
                class:menu-end=align_end
                role="menu"
                aria-labelledby=button_id
                hidden=move || !open.get()
                node_ref=menu
                on:keydown=on_menu_key
            >
                {move || {
                    items
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(index, item)| {
                            let disabled = item.disabled;
                            view! {
                                <button
                                    type="button"
                                    class="menu-item"
                                    role="menuitem"
                                    tabindex="-1"
                                    aria-disabled=move || disabled.get().then_some("true")
                                    on:click=move |_| choose(index)
                                    on:mouseenter=move |_| active.set(index)
                                >
                                    {item.label}
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </div>
    }
}
