use leptos::prelude::*;

/// What a [`Notice`] says: information, success, or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoticeKind {
    #[default]
    Info,
    Success,
    Error,
}

/// A box in the page flow (not a toast: it does not go away). Success notices
/// are announced politely (`role="status"`), errors at once (`role="alert"`);
/// information is read in place, as part of the page.
///
/// Props: `kind` (information by default) and the content.
///
/// ```ignore
/// view! { <Notice kind=NoticeKind::Success>"Saved ada."</Notice> }
/// ```
#[component]
pub fn Notice(#[prop(optional)] kind: NoticeKind, children: Children) -> impl IntoView {
    let (class, role) = match kind {
        NoticeKind::Info => ("notice", None),
        NoticeKind::Success => ("notice notice-success", Some("status")),
        NoticeKind::Error => ("notice notice-error", Some("alert")),
    };
    view! { <div class=class role=role>{children()}</div> }
}
