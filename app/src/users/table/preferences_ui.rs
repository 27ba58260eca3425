//! What the Users table remembers in this browser (localStorage): which
//! columns are hidden and the page size. Read only after hydration, so the
//! server and the first browser render agree; the server never sees them.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::directory::query::{DEFAULT_PAGE_SIZE, PAGE_SIZES};

const HIDDEN_COLUMNS_KEY: &str = "roster.users.hidden_columns";
const PAGE_SIZE_KEY: &str = "roster.users.per_page";
const COMPACT_KEY: &str = "roster.users.compact";

/// Columns that can be hidden, by their header text. Username stays: it
/// names the row for the checkbox and the View link.
fn hideable() -> impl Iterator<Item = &'static str> {
    crate::users::table::api::COLUMNS
        .iter()
        .map(|(title, _)| *title)
        .filter(|title| *title != "Username")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn write(key: &str, value: &str) {
    if let Some(storage) = storage() {
        // Full or disabled storage only means the choice is not remembered.
        let _ = storage.set_item(key, value);
    }
}

/// The hidden columns and the row density, shared by the header, the rows
/// and the chooser.
#[derive(Clone, Copy)]
pub struct ColumnVisibility {
    hidden: RwSignal<BTreeSet<String>>,
    /// Compact rows: less padding, one line per cell.
    pub compact: RwSignal<bool>,
}

impl ColumnVisibility {
    /// Starts with every column shown and loads the saved choice once the
    /// page is live in the browser.
    pub fn new() -> Self {
        let hidden = RwSignal::new(BTreeSet::new());
        Effect::new(move |_| {
            let saved: BTreeSet<String> = read(HIDDEN_COLUMNS_KEY)
                .map(|text| {
                    text.split('\n')
                        .filter(|c| hideable().any(|h| h == *c))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if !saved.is_empty() {
                hidden.set(saved);
            }
        });
        let compact = RwSignal::new(false);
        Effect::new(move |_| {
            if read(COMPACT_KEY).as_deref() == Some("on") {
                compact.set(true);
            }
        });
        ColumnVisibility { hidden, compact }
    }

    pub fn is_hidden(&self, column: &str) -> bool {
        self.hidden.with(|h| h.contains(column))
    }

    pub fn set_shown(&self, column: &str, shown: bool) {
        self.hidden.update(|h| {
            if shown {
                h.remove(column);
            } else {
                h.insert(column.to_owned());
            }
        });
        let text = self
            .hidden
            .with_untracked(|h| h.iter().map(String::as_str).collect::<Vec<_>>().join("\n"));
        write(HIDDEN_COLUMNS_KEY, &text);
    }

    pub fn set_compact(&self, compact: bool) {
        self.compact.set(compact);
        write(COMPACT_KEY, if compact { "on" } else { "off" });
    }

    pub fn hidden_count(&self) -> usize {
        self.hidden.with(BTreeSet::len)
    }
}

/// The page size chosen last in this browser, if it is one on offer.
pub fn remembered_page_size() -> Option<u32> {
    read(PAGE_SIZE_KEY)
        .and_then(|text| text.parse().ok())
        .filter(|size| PAGE_SIZES.contains(size))
}

pub fn remember_page_size(size: u32) {
    write(PAGE_SIZE_KEY, &size.to_string());
}

/// Whether a table view (query string) names its page size; one that does
/// not gets the remembered size.
pub fn names_page_size(view: &str) -> bool {
    url::form_urlencoded::parse(view.as_bytes())
        .any(|(name, _)| name == crate::domain::FormField::PerPage.key())
}

/// The page size to switch a view without one to, if it differs from the
/// default.
pub fn page_size_to_restore(view: &str) -> Option<u32> {
    if names_page_size(view) {
        return None;
    }
    remembered_page_size().filter(|&size| size != DEFAULT_PAGE_SIZE)
}

/// "Columns": a disclosure with a checkbox per column, and the row density.
#[component]
pub fn ColumnChooser(columns: ColumnVisibility) -> impl IntoView {
    view! {
        <details class="column-chooser">
            <summary class="button button-small">
                "Columns"
                {move || {
                    let n = columns.hidden_count();
                    (n > 0).then(|| format!(" ({n} hidden)"))
                }}
            </summary>
            <fieldset>
                <legend>"Show columns"</legend>
                {hideable()
                    .map(|column| {
                        let id = format!(
                            "column-{}",
                            column.to_lowercase().replace(|c: char| !c.is_alphanumeric(), "-"),
                        );
                        view! {
                            <div class="field-check">
                                <input
                                    id=id.clone()
                                    type="checkbox"
                                    prop:checked=move || !columns.is_hidden(column)
                                    on:change=move |ev| columns.set_shown(column, event_target_checked(&ev))
                                />
                                <label for=id>{column}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <fieldset>
                <legend>"Rows"</legend>
                <div class="field-check">
                    <input
                        id="rows-compact"
                        type="checkbox"
                        prop:checked=move || columns.compact.get()
                        on:change=move |ev| columns.set_compact(event_target_checked(&ev))
                    />
                    <label for="rows-compact">"Compact rows"</label>
                </div>
            </fieldset>
        </details>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_names_its_page_size_only_with_the_parameter() {
        assert!(names_page_size("q=a&per_page=50"));
        assert!(!names_page_size("q=per_page"));
        assert!(!names_page_size(""));
    }
}
