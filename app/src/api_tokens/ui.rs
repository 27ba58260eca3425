//! `/account/tokens`: the caller's API tokens (prefix, permissions,
//! created, last used, expiry, "Revoke"), and "New API Token", whose
//! secret is shown once; and the same list of a user's tokens that the
//! user page shows administrators (`UserTokens`).

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{
    CreateApiToken, MyTokens, NewApiToken, RevokeApiToken, RevokeUserApiToken, TokenRow,
    my_api_tokens, user_api_tokens,
};
use super::{DEFAULT_LIFETIME_DAYS, LIFETIME_CHOICES, MAX_NAME_LEN};
use crate::components::{
    ConfirmDialog, ErrorList, Notice, NoticeKind, PageHeader, TextField, ToastKind, error_on,
    use_toasts,
};
use crate::domain::FormField;
use crate::error::AppError;

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let tokens = Resource::new(move || reload.get(), |_| my_api_tokens());
    // Kept here, above the list that reloads once the token is made.
    let secret = RwSignal::new(None::<String>);
    view! {
        <Title text="API tokens"/>
        <PageHeader title="API tokens"/>
        <p class="muted">
            "Scripts and identity providers call Roster's API with a token: "
            <code>"Authorization: Bearer roster_…"</code>
            ". A token acts as you, with the permissions you give it (never more than you hold)."
        </p>
        {move || secret.get().map(|secret| view! {
            <Notice kind=NoticeKind::Success>
                <p>"Your new token. Copy it now: it is not shown again."</p>
                <p><code class="token-secret" aria-label="Your new API token">{secret}</code></p>
            </Notice>
        })}
        <Transition fallback=|| view! { <p class="loading">"Loading your tokens…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    tokens.await.map(|mine| view! { <Tokens mine reload secret/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn Tokens(
    mine: MyTokens,
    reload: RwSignal<u32>,
    secret: RwSignal<Option<String>>,
) -> impl IntoView {
    let MyTokens { tokens, grantable } = mine;
    view! {
        <NewTokenForm grantable reload secret/>
        <MyTokenTable tokens reload/>
    }
    .into_any()
}

#[component]
fn NewTokenForm(
    grantable: Vec<(String, String)>,
    reload: RwSignal<u32>,
    secret: RwSignal<Option<String>>,
) -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_LIFETIME_DAYS);
    let chosen = RwSignal::new(Vec::<String>::new());
    let local_error = RwSignal::new(None::<(FormField, String)>);
    Effect::new(move |_| {
        if let Some(Ok(made)) = create.value().get() {
            secret.set(Some(made.secret));
            name.set(String::new());
            chosen.set(Vec::new());
            reload.update(|n| *n += 1);
        }
    });
    let error = move |field: FormField| {
        local_error
            .get()
            .filter(|(f, _)| *f == field)
            .map(|(_, message)| message)
            .or_else(|| error_on(create.value().get(), field))
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        local_error.set(None);
        let typed = name.get_untracked();
        if typed.trim().is_empty() {
            local_error.set(Some((
                FormField::Name,
                "Give the token a name, such as the script that will use it.".to_owned(),
            )));
            return;
        }
        if chosen.get_untracked().is_empty() {
            local_error.set(Some((
                FormField::Permissions,
                "Choose at least one permission for the token.".to_owned(),
            )));
            return;
        }
        secret.set(None);
        create.dispatch(CreateApiToken {
            new: NewApiToken {
                name: typed,
                days: days.get_untracked(),
                permissions: chosen.get_untracked(),
            },
        });
    };
    let boxes = grantable
        .into_iter()
        .map(|(key, label)| {
            let id = format!("token-permission-{}", key.replace('.', "-"));
            let checked_key = key.clone();
            view! {
                <div class="field-check">
                    <input
                        id=id.clone()
                        type="checkbox"
                        prop:checked=move || chosen.get().contains(&checked_key)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|all| {
                                all.retain(|k| *k != key);
                                if on {
                                    all.push(key.clone());
                                }
                            });
                        }
                    />
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        {move || {
            create
                .value()
                .get()
                .and_then(Result::err)
                .filter(|e| e.field().is_none())
                .map(|e| view! { <Notice kind=NoticeKind::Error>{e.to_string()}</Notice> })
        }}
        <section class="card" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">"New API Token"</h2>
            <form on:submit=submit novalidate>
                <TextField
                    label="Name"
                    name="name"
                    value=name
                    required=true
                    maxlength=MAX_NAME_LEN as u32
                    hint="What will use it, e.g. \"Nightly HR import\"."
                    error=Signal::derive(move || error(FormField::Name))
                />
                <div class="field">
                    <label for="token-days">"Expires in"</label>
                    <select
                        id="token-days"
                        name="days"
                        on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() {
                                days.set(n);
                            }
                        }
                    >
                        {LIFETIME_CHOICES
                            .iter()
                            .map(|n| view! {
                                <option value=n.to_string() selected=*n == DEFAULT_LIFETIME_DAYS>
                                    {format!("{n} days")}
                                </option>
                            })
                            .collect_view()}
                    </select>
                    {move || error(FormField::Expiry).map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
                <fieldset class="field">
                    <legend>"Permissions"</legend>
                    {boxes}
                    {move || error(FormField::Permissions).map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </fieldset>
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                    "Create Token"
                </button>
            </form>
        </section>
    }
    .into_any()
}

/// A list of tokens with "Revoke" on each, confirmed first: the tokens
/// page's and, for administrators, a user page's. `revoke` is called with
/// the confirmed token's id; `done` is its result, after which the list
/// reloads.
#[component]
fn TokenTable(
    tokens: Vec<TokenRow>,
    /// What the table is, for screen readers ("Your API tokens").
    caption: &'static str,
    /// Shown instead of an empty table.
    empty: &'static str,
    revoke: Callback<i64>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] done: Signal<Option<Result<(), AppError>>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let asked = RwSignal::new(None::<TokenRow>);
    let toasts = use_toasts();
    Effect::new(move |_| match done.get() {
        Some(Ok(())) => {
            toasts.show(ToastKind::Success, "The token was revoked.");
            asked.set(None);
            reload.update(|n| *n += 1);
        }
        Some(Err(error)) => {
            toasts.show(ToastKind::Error, error.to_string());
            asked.set(None);
        }
        None => {}
    });
    if tokens.is_empty() {
        return view! { <p>{empty}</p> }.into_any();
    }
    let dash = || "—".to_owned();
    let rows = tokens
        .into_iter()
        .map(|token| {
            let this = token.clone();
            view! {
                <tr>
                    <td>{token.name.clone()}</td>
                    <td><code>{format!("{}…", token.prefix)}</code></td>
                    <td>{token.permissions.join(", ")}</td>
                    <td>{token.created_at.clone()}</td>
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
                            on:click=move |_| asked.set(Some(this.clone()))
                        >
                            "Revoke"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Prefix"</th>
                    <th scope="col">"Permissions"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {move || asked.get().map(|token| {
            let id = token.id;
            view! {
                <ConfirmDialog
                    title=format!("Revoke {}", token.name)
                    message="Anything using this token is refused from now on. This cannot be undone.".to_owned()
                    confirm_label="Revoke".to_owned()
                    pending=pending
                    on_confirm=Callback::new(move |_| revoke.run(id))
                    on_cancel=Callback::new(move |_| asked.set(None))
                />
            }
        })}
    }
    .into_any()
}

/// The caller's own tokens, on the tokens page.
#[component]
fn MyTokenTable(tokens: Vec<TokenRow>, reload: RwSignal<u32>) -> impl IntoView {
    let revoke = ServerAction::<RevokeApiToken>::new();
    view! {
        <TokenTable
            tokens
            caption="Your API tokens"
            empty="You have no API tokens."
            revoke=Callback::new(move |id| {
                revoke.dispatch(RevokeApiToken { id });
            })
            pending=revoke.pending()
            done=revoke.value()
            reload
        />
    }
    .into_any()
}

/// A user's tokens on their page, for administrators (who may edit users
/// and manage tokens).
#[component]
pub fn UserTokens(user_id: i64, username: String) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let tokens = Resource::new(
        move || (username.clone(), reload.get()),
        |(name, _)| user_api_tokens(name),
    );
    let revoke = ServerAction::<RevokeUserApiToken>::new();
    view! {
        <section class="card" aria-labelledby="user-tokens-heading">
            <h2 id="user-tokens-heading">"API tokens"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading tokens…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        tokens.await.map(|tokens| view! {
                            <TokenTable
                                tokens
                                caption="Their API tokens"
                                empty="No API tokens."
                                revoke=Callback::new(move |id| {
                                    revoke.dispatch(RevokeUserApiToken { user_id, id });
                                })
                                pending=revoke.pending()
                                done=revoke.value()
                                reload
                            />
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
    .into_any()
}
