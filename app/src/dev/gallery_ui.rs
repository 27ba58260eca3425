//! `/dev/components`: every shared component of `crate::components`, live,
//! in each of its states (normal, disabled, with an error, working). What a
//! page is built from, shown in one place, so a developer adding a page sees
//! what exists and how it behaves before writing a new one. Each section
//! names the component; its documentation is in its file.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{
    BarChart, ChartSeries, Checkbox, ChoiceList, ConfirmDialog, MenuButton, MenuItem,
    NewPasswordCheck, NewPasswordFields, Notice, NoticeKind, PageHeader, Pager, SessionRow,
    SessionTable, TextField, ToastKind, use_toasts,
};

/// One section: the component's name as its heading, a line on what it is
/// for, and the live examples.
#[component]
fn Specimen(name: &'static str, purpose: &'static str, children: Children) -> impl IntoView {
    let heading = format!("specimen-{}", name.to_lowercase());
    let labelled_by = heading.clone();
    view! {
        <section class="card specimen" aria-labelledby=labelled_by>
            <h2 id=heading>{name}</h2>
            <p class="field-hint">{purpose}</p>
            <div class="specimen-examples">{children()}</div>
        </section>
    }
}

#[component]
pub fn ComponentGallery() -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new("not an address".to_owned());
    let notify = RwSignal::new(true);
    let roles = RwSignal::new(vec!["User".to_owned()]);
    let fixed_roles = RwSignal::new(vec!["Administrator".to_owned()]);
    let check = NewPasswordCheck::new();
    let dialog_open = RwSignal::new(false);
    let dialog_working = RwSignal::new(false);
    let chosen = RwSignal::new(String::from("nothing yet"));
    let nothing = RwSignal::new(true);
    let menu_items = Signal::derive(move || {
        ["Unlock User(s)", "Reset Password", "Delete User(s)"]
            .into_iter()
            .map(|label| MenuItem {
                label,
                disabled: if label == "Delete User(s)" {
                    Signal::derive(move || nothing.get())
                } else {
                    Signal::stored(false)
                },
                on_select: Callback::new(move |_| chosen.set(label.to_owned())),
            })
            .collect::<Vec<_>>()
    });
    let sessions = vec![
        SessionRow {
            id: 1,
            started_at: "12-06-2026 09:12".to_owned(),
            last_seen_at: "12-06-2026 10:40".to_owned(),
            ip: Some("203.0.113.7".to_owned()),
            client: "Firefox on Linux".to_owned(),
            is_current: true,
        },
        SessionRow {
            id: 2,
            started_at: "12-05-2026 18:03".to_owned(),
            last_seen_at: "12-05-2026 18:30".to_owned(),
            ip: None,
            client: "Safari on iPhone".to_owned(),
            is_current: false,
        },
    ];
    let days: Vec<String> = (1..=14).map(|d| format!("Dec {d}")).collect();
    let sign_ins: Vec<u64> = (1..=14u64).map(|d| (d * 37) % 90 + 5).collect();
    let failed: Vec<u64> = (1..=14u64).map(|d| (d * 13) % 20).collect();

    view! {
        <Title text="Components"/>
        <PageHeader title="Components">
            <button type="button" class="button button-primary">"A page action"</button>
        </PageHeader>
        <p>
            "The shared components of " <code>"app/src/components/"</code>
            ", live. Build pages from these; each is documented in its file. "
            "This page is served in debug builds and with ROSTER_DEV_PAGES=on."
        </p>

        <Specimen name="Buttons" purpose="Real buttons: primary for a form's main action, quiet and link-like for secondary ones, danger for what cannot be undone.">
            <button type="button" class="button button-primary">"Primary"</button>
            <button type="button" class="button">"Default"</button>
            <button type="button" class="button button-small">"Small"</button>
            <button type="button" class="button button-small button-link">"Link-like"</button>
            <button type="button" class="button button-danger">"Danger"</button>
            <button type="button" class="button" disabled=true>"Disabled"</button>
        </Specimen>

        <Specimen name="Badges" purpose="A status in a table cell: its word, coloured.">
            <span class="badge badge-success">"Active"</span>
            " "
            <span class="badge badge-danger">"Locked"</span>
            " "
            <span class="badge badge-warning">"Invited"</span>
            " "
            <span class="badge badge-info">"This device"</span>
        </Specimen>

        <Specimen name="TextField" purpose="A labelled input; its hint and its error beneath, tied to it for screen readers.">
            <TextField label="Name" name="gallery_name" value=name hint="As it should appear to others."/>
            <TextField
                label="Email address"
                name="gallery_email"
                value=email
                input_type="email"
                required=true
                error="Enter an email address such as ada@example.com."
            />
        </Specimen>

        <Specimen name="NewPasswordFields" purpose="New password and its confirmation, checked as you type by the server's own rule.">
            <NewPasswordFields check=check server_error=Callback::new(|_| None)/>
        </Specimen>

        <Specimen name="Checkbox" purpose="One checkbox with its label.">
            <Checkbox id="gallery-notify" label="Email me when my password changes" checked=notify/>
        </Specimen>

        <Specimen name="ChoiceList" purpose="A group of checkboxes in a fieldset (roles, teams); fixed when the choice cannot be changed here.">
            <ChoiceList
                legend="Roles"
                name="gallery-roles"
                options=vec!["Administrator".to_owned(), "User".to_owned(), "Viewer".to_owned()]
                chosen=roles
            />
            <ChoiceList
                legend="Roles (fixed)"
                name="gallery-fixed"
                options=vec!["Administrator".to_owned(), "User".to_owned()]
                chosen=fixed_roles
                fixed="You cannot change the roles of your own account."
            />
            <ChoiceList
                legend="Teams (with an error)"
                name="gallery-teams"
                options=vec!["Support".to_owned()]
                chosen=RwSignal::new(Vec::new())
                error="Choose at least one team."
            />
        </Specimen>

        <Specimen name="Notice" purpose="A message in the page flow; success and error ones are announced.">
            <Notice>"Information: read in place."</Notice>
            <Notice kind=NoticeKind::Success>"Saved ada."</Notice>
            <Notice kind=NoticeKind::Error>"Another administrator saved this user first."</Notice>
        </Specimen>

        <Specimen name="MenuButton" purpose="A button opening a menu of actions: arrows, Home/End, Enter, Escape; the focus comes back to the button.">
            <Checkbox id="gallery-nothing" label="Nothing selected (disables Delete)" checked=nothing/>
            <MenuButton label="More actions" items=menu_items class="button-small"/>
            <p role="status">{move || format!("Chosen: {}", chosen.get())}</p>
        </Specimen>

        <Specimen name="ConfirmDialog" purpose="A modal confirmation: focus on the confirm button, Tab kept inside, Escape cancels, focus back to the opener.">
            <Checkbox id="gallery-working" label="Show it working (loading state)" checked=dialog_working/>
            <button type="button" class="button" on:click=move |_| dialog_open.set(true)>"Open a dialog"</button>
            {move || {
                dialog_open
                    .get()
                    .then(|| {
                        view! {
                            <ConfirmDialog
                                title="Lock User(s)".to_owned()
                                message="Lock User(s): 3 users. They cannot sign in until unlocked.".to_owned()
                                confirm_label="Lock User(s)".to_owned()
                                pending=Signal::derive(move || dialog_working.get())
                                working="Locking 3 users…".to_owned()
                                on_confirm=Callback::new(move |_| {
                                    dialog_open.set(false);
                                    toasts.show(ToastKind::Success, "Locked 3 users.");
                                })
                                on_cancel=Callback::new(move |_| dialog_open.set(false))
                            />
                        }
                    })
            }}
        </Specimen>

        <Specimen name="Toasts" purpose="Short messages in the top-right corner that go away by themselves (use_toasts).">
            <button type="button" class="button" on:click=move |_| toasts.show(ToastKind::Success, "Locked 48 users.")>
                "Show a success"
            </button>
            <button type="button" class="button" on:click=move |_| toasts.show(ToastKind::Error, "Locked 46 users; 2 skipped: ann (that is you), bob (already locked).")>
                "Show an error"
            </button>
            <button type="button" class="button" on:click=move |_| toasts.message("From Ada Admin at 14:05".to_owned(), "The system restarts at 18:00.".to_owned())>
                "Show a message"
            </button>
        </Specimen>

        <Specimen name="Pager" purpose="Previous / page n of m / Next for lists paged on the server; real links.">
            <Pager page=1 pages=1 href=Callback::new(|n| format!("/dev/components?page={n}")) label="One page"/>
            <Pager page=3 pages=12 href=Callback::new(|n| format!("/dev/components?page={n}")) label="Pages of an example"/>
        </Specimen>

        <Specimen name="SessionTable" purpose="A user's open sessions, each with Sign out.">
            <SessionTable
                list=sessions
                can_sign_out=true
                pending=false
                on_sign_out=Callback::new(move |(id, _): (i64, bool)| {
                    toasts.show(ToastKind::Info, format!("Would sign out session {id}."))
                })
            />
        </Specimen>

        <Specimen name="BarChart" purpose="An SVG chart drawn on the server, with its numbers as a table.">
            <BarChart
                title="Sign-ins per day (example)"
                labels=days
                series=vec![
                    ChartSeries { name: "Sign-ins", values: sign_ins },
                    ChartSeries { name: "Failed", values: failed },
                ]
                label_every=7
            />
        </Specimen>
    }
    .into_any()
}
