//! The table of a user's open sessions, shared by "My account" and the
//! administrators' user page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One open session, as the session table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionRow {
    pub id: i64,
    pub started_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    pub client: String,
    /// The session of the browser asking.
    pub is_current: bool,
}

/// A user's open sessions: device, address, when signed in and last
/// active, and a "Sign out" for each (shown when `can_sign_out`). Used on
/// "My account" and on the administrators' user page.
///
/// ```ignore
/// view! {
///     <SessionTable
///         list=sessions
///         can_sign_out=true
///         pending=end.pending()
///         on_sign_out=Callback::new(move |(id, current)| { end.dispatch(EndMySession { session_id: id }); })
///     />
/// }
/// ```
#[component]
pub fn SessionTable(
    list: Vec<SessionRow>,
    #[prop(into)] can_sign_out: Signal<bool>,
    /// While a sign-out runs, the buttons wait.
    #[prop(into)]
    pending: Signal<bool>,
    /// Called with the session's id and whether it is this browser's.
    on_sign_out: Callback<(i64, bool)>,
) -> impl IntoView {
    let count = list.len();
    view! {
        <table class="table">
            <caption class="visually-hidden">
                {format!("{count} open session{}", if count == 1 { "" } else { "s" })}
            </caption>
            <thead>
                <tr>
                    <th scope="col">"Device"</th>
                    <th scope="col">"IP address"</th>
                    <th scope="col">"Signed in"</th>
                    <th scope="col">"Last active"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|s| {
                        let (id, is_current) = (s.id, s.is_current);
                        let label = if is_current {
                            "Sign out this device".to_owned()
                        } else {
                            format!("Sign out {} ({})", s.client, s.ip.clone().unwrap_or_default())
                        };
                        view! {
                            <tr>
                                <td>
                                    {s.client}
                                    {is_current.then(|| view! { " " <span class="badge badge-info">"This device"</span> })}
                                </td>
                                <td>{s.ip.unwrap_or_else(|| "—".to_owned())}</td>
                                <td class="nowrap">{s.started_at}</td>
                                <td class="nowrap">{s.last_seen_at}</td>
                                <td class="actions">
                                    <Show when=move || can_sign_out.get()>
                                        <button
                                            type="button"
                                            class="button button-small"
                                            aria-label=label.clone()
                                            disabled=move || pending.get()
                                            on:click=move |_| on_sign_out.run((id, is_current))
                                        >
                                            "Sign out"
                                        </button>
                                    </Show>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
