use leptos::prelude::*;

/// A labelled input with an optional hint and its error message beneath,
/// tied to the input with `aria-describedby` and `aria-invalid` so screen
/// readers announce both. The `name` is also what a server function's
/// argument is called, so the field works inside an `ActionForm`.
///
/// `value` follows what is typed, but never writes into the input after the
/// first render: text typed before the WebAssembly has loaded survives
/// hydration (a bound value would be reset to the signal's), and is picked up
/// once the page is live.
///
/// Props: `label`, `name`, `value`, and optionally `input_type` ("text"),
/// `autocomplete`, `error`, `hint`, `required`, `autofocus`, `maxlength`.
///
/// ```ignore
/// let email = RwSignal::new(String::new());
/// view! {
///     <TextField label="Email address" name="email" value=email input_type="email"
///         required=true error=Signal::derive(move || server_error(FormField::Email))/>
/// }
/// ```
#[component]
pub fn TextField(
    /// The visible label, which is also the input's accessible name.
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// The message to show under the field; `None` when the value is fine.
    #[prop(into, optional)]
    error: MaybeProp<String>,
    /// A short explanation shown under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(element) = input.get() {
            let typed = element.value();
            if typed != value.get_untracked() {
                value.set(typed);
            }
        }
    });
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })}
            <input
                node_ref=input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                required=required
                autofocus=autofocus
                maxlength=maxlength
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                value=value.get_untracked()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}
