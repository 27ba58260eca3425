use leptos::prelude::*;

/// A modal confirmation: a title, what will happen, and two buttons. The
/// confirm button has focus when it opens; Escape or "Cancel" closes it.
/// Render it only while it is open.
#[component]
pub fn ConfirmDialog(
    title: String,
    /// What will happen, to whom and how many.
    message: String,
    confirm_label: String,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    /// While the action runs, the buttons are disabled.
    #[prop(into)]
    pending: Signal<bool>,
    /// Extra content between the message and the buttons (e.g. a field).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let confirm = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = confirm.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="dialog-title"
                aria-describedby="dialog-message"
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        on_cancel.run(());
                    }
                }
            >
                <h2 id="dialog-title">{title}</h2>
                <p id="dialog-message">{message}</p>
                {children.map(|c| c())}
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
