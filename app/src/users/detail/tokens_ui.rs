//! The user's API tokens on their page, for administrators (who may edit
//! users and manage tokens): what each may do and when it runs out, and
//! "Revoke".

use leptos::prelude::*;

use crate::api_tokens::api::{RevokeUserApiToken, user_api_tokens};
use crate::components::{ConfirmDialog, ToastKind, use_toasts};

#[component]
pub fn UserTokens(user_id: i64, username: String) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let tokens = Resource::new(
        {
            let username = username.clone();
            move || (username.clone(), reload.get())
        },
        |(name, _)| user_api_tokens(name),
    );
    let revoke = ServerAction::<RevokeUserApiToken>::new();
    let pending = RwSignal::new(None::<(i64, String)>);
    let toasts = use_toasts();
    Effect::new(move |_| match revoke.value().get() {
        Some(Ok(())) => {
            toasts.show(ToastKind::Success, "The token was revoked.");
            pending.set(None);
            reload.update(|n| *n += 1);
        }
        Some(Err(error)) => {
            toasts.show(ToastKind::Error, error.to_string());
            pending.set(None);
        }
        None => {}
    });
    view! {
        <section class="card" aria-labelledby="user-tokens-heading">
            <h2 id="user-tokens-heading">"API tokens"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    let rows = tokens.await.unwrap_or_default();
                    if rows.is_empty() {
                        return view! { <p>"No API tokens."</p> }.into_any();
                    }
                    let dash = || "—".to_owned();
                    view! {
                        <table class="table">
                            <caption class="visually-hidden">"Their API tokens"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Prefix"</th>
                                    <th scope="col">"Permissions"</th>
                                    <th scope="col">"Last used"</th>
                                    <th scope="col">"Expires"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|token| {
                                        let asked = (token.id, token.name.clone());
                                        view! {
                                            <tr>
                                                <td>{token.name.clone()}</td>
                                                <td><code>{format!("{}…", token.prefix)}</code></td>
                                                <td>{token.permissions.join(", ")}</td>
                                                <td>{token.last_used_at.clone().unwrap_or_else(dash)}</td>
                                                <td>
                                                    {token.expires_at.clone().unwrap_or_else(dash)}
                                                    {token.expired.then_some(" (expired)")}
                                                </td>
                                                <td>
                                                    <button
                                                        type="button"
                                                        class="button button-small button-danger"
                                                        aria-label=format!("Revoke {}", token.name)
                                                        on:click=move |_| pending.set(Some(asked.clone()))
                                                    >
                                                        "Revoke"
                                                    </button>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                })}
            </Transition>
        </section>
        {move || pending.get().map(|(id, name)| view! {
            <ConfirmDialog
                title=format!("Revoke {name}")
                message=format!("Anything using this token of {username} is refused from now on. This cannot be undone.", username = username.clone())
                confirm_label="Revoke".to_owned()
                pending=revoke.pending()
                on_confirm=Callback::new(move |_| {
                    revoke.dispatch(RevokeUserApiToken { user_id, id });
                })
                on_cancel=Callback::new(move |_| pending.set(None))
            />
        })}
    }
    .into_any()
}
