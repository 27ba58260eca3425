use leptos::prelude::*;

/// A group of checkboxes (roles, teams) in a `fieldset` whose `legend` names
/// it; each box has its own label. `chosen` holds the ticked options. With
/// `fixed`, the boxes show the choice but cannot change it, and the text
/// says why (e.g. one's own roles).
///
/// Props: `legend`, `name` (prefix of the boxes' ids), `options`, `chosen`,
/// and optionally `error` (shown under the group, tied to it), `empty`
/// (said when there is nothing to choose) and `fixed` (why it is fixed).
///
/// ```ignore
/// let roles = RwSignal::new(vec!["User".to_owned()]);
/// view! {
///     <ChoiceList legend="Roles" name="roles" options=role_names chosen=roles
///         error=Signal::derive(move || server_error(FormField::Roles))/>
/// }
/// ```
#[component]
pub fn ChoiceList(
    legend: &'static str,
    /// Prefix of the boxes' ids.
    name: &'static str,
    options: Vec<String>,
    chosen: RwSignal<Vec<String>>,
    #[prop(into, optional)] error: MaybeProp<String>,
    /// Shown when there are no options.
    #[prop(optional)]
    empty: Option<&'static str>,
    #[prop(into, optional)] fixed: MaybeProp<String>,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.get().is_some().then(|| error_id.clone())
    };
    let none = options.is_empty().then(|| {
        view! { <p class="field-hint">{empty.unwrap_or("None to choose from.")}</p> }
    });
    let boxes = options
        .into_iter()
        .enumerate()
        .map(|(i, option)| {
            let id = format!("{name}-{i}");
            let (checked, toggled) = (option.clone(), option.clone());
            view! {
                <div class="field-check">
                    <input
                        id=id.clone()
                        type="checkbox"
                        prop:checked=move || chosen.with(|c| c.contains(&checked))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|o| o != &toggled);
                                if on {
                                    c.push(toggled.clone());
                                }
                            });
                        }
                    />
                    <label for=id>{option}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="field choice-list"
            class:field-invalid=move || error.get().is_some()
            aria-describedby=described_by
            disabled=move || fixed.get().is_some()
        >
            <legend>{legend}</legend>
            {none}
            {move || fixed.get().map(|why| view! { <p class="field-hint">{why}</p> })}
            <div class="choices">{boxes}</div>
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </fieldset>
    }
}
