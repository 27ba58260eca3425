use leptos::prelude::*;

/// A modal confirmation: a title, what will happen, and two buttons. The
/// confirm button has focus when it opens; Tab and Shift+Tab cycle inside
/// it; Escape or "Cancel" closes it, and the focus goes back to whatever
/// had it when the dialog opened (the button or menu that opened it).
/// Render it only while it is open.
///
/// ```ignore
/// {move || open.get().then(|| view! {
///     <ConfirmDialog
///         title="Lock User(s)".to_owned()
///         message="Lock User(s): 3 users. They cannot sign in until unlocked.".to_owned()
///         confirm_label="Lock User(s)".to_owned()
///         pending=action.pending()
///         working="Locking 3 users…".to_owned()
///         on_confirm=Callback::new(move |_| { action.dispatch(input.clone()); })
///         on_cancel=Callback::new(move |_| open.set(false))
///     />
/// })}
/// ```
#[component]
pub fn ConfirmDialog(
    title: String,
    /// What will happen, to whom and how many.
    message: String,
    confirm_label: String,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    /// While the action runs, the buttons are disabled and, should it take
    /// longer than a moment, `working` is shown with a progress bar.
    #[prop(into)]
    pending: Signal<bool>,
    /// What is shown while the action runs ("Locking 2 users…").
    #[prop(optional, into)]
    working: Option<String>,
    /// Extra content between the message and the buttons (e.g. a field).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let confirm = NodeRef::<leptos::html::Button>::new();
    let dialog = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        // The confirm button, or the dialog itself while it cannot take
        // the focus (the action is already running): either way the keys,
        // Escape included, go to the dialog.
        if let Some(button) = confirm.get() {
            if button.disabled() {
                if let Some(dialog) = dialog.get() {
                    let _ = dialog.focus();
                }
            } else {
                let _ = button.focus();
            }
        }
    });
    return_focus_on_close();
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="dialog"
                tabindex="-1"
                aria-modal="true"
                aria-labelledby="dialog-title"
                aria-describedby="dialog-message"
                node_ref=dialog
                on:keydown=move |ev| {
                    match ev.key().as_str() {
                        "Escape" => on_cancel.run(()),
                        "Tab" => keep_focus_inside(&ev, dialog),
                        _ => {}
                    }
                }
            >
                <h2 id="dialog-title">{title}</h2>
                <p id="dialog-message">{message}</p>
                {children.map(|c| c())}
                // The CSS shows this only after 0.6 s, so quick actions do
                // not flash it.
                {move || {
                    pending
                        .get()
                        .then(|| {
                            let text = working.clone().unwrap_or_else(|| "Working…".to_owned());
                            view! {
                                <div class="dialog-working" role="status">
                                    <progress aria-label=text.clone()></progress>
                                    <span>{text}</span>
                                </div>
                            }
                        })
                }}
                <div class="dialog-actions">
                    <button
                        type="button"
                        class="button"
                        disabled=move || pending.get()
                        on:click=move |_| on_cancel.run(())
                    >
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="button button-primary"
                        node_ref=confirm
                        disabled=move || pending.get()
                        on:click=move |_| on_confirm.run(())
                    >
                        {confirm_label}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// Gives the focus back, when the calling component goes away, to the
/// element that had it when the component was created.
fn return_focus_on_close() {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let opener = document()
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            .map(send_wrapper::SendWrapper::new);
        on_cleanup(move || {
            if let Some(opener) = opener
                && opener.is_connected()
            {
                let _ = opener.focus();
            }
        });
    }
}

/// Tab from the last focusable element goes to the first, Shift+Tab from
/// the first to the last: the page behind a modal dialog is out of reach.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn keep_focus_inside(ev: &leptos::ev::KeyboardEvent, dialog: NodeRef<leptos::html::Div>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let Some(dialog) = dialog.get_untracked() else {
            return;
        };
        let Ok(found) = dialog.query_selector_all(
            "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
             textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])",
        ) else {
            return;
        };
        let focusable: Vec<web_sys::HtmlElement> = (0..found.length())
            .filter_map(|i| found.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .collect();
        let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
            return;
        };
        let active = document().active_element();
        let at = |el: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
        };
        if ev.shift_key() && at(first) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && at(last) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }
}
