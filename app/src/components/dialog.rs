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
