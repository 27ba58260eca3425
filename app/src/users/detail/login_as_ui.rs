//! "Login as" on the user page: a plain form that opens the user's view
//! in a new tab (the impersonation), greyed out with the reason when it is
//! refused. Shown only to callers with the Impersonate permission, and only
//! while impersonation is switched on.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{Notice, NoticeKind};
use crate::impersonation::MAX_REASON_LEN;
use crate::impersonation::api::{LoginAsOffer, login_as_offer};

#[component]
pub fn LoginAs(username: String) -> impl IntoView {
    let offer = Resource::new(
        {
            let username = username.clone();
            move || username.clone()
        },
        login_as_offer,
    );
    // `?login_as=refused`: a start sent from this page was refused (the
    // plain form's answer); the offer below says why.
    let query = use_query_map();
    let refused = move || query.read().get("login_as").as_deref() == Some("refused");
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let username = username.clone();
                Suspend::new(async move {
                    match offer.await {
                        Ok(Some(offer)) => {
                            view! { <LoginAsForm username offer refused=refused()/> }.into_any()
                        }
                        _ => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn LoginAsForm(username: String, offer: LoginAsOffer, refused: bool) -> impl IntoView {
    let why = offer.refusal.clone();
    let refused_notice = refused.then(|| {
        let text = match &why {
            Some(why) => format!("Login as was refused: {why}"),
            None => "Login as was refused. Please try again.".to_owned(),
        };
        view! { <Notice kind=NoticeKind::Error>{text}</Notice> }
    });
    let disabled = why.is_some();
    view! {
        {refused_notice}
        <form
            class="login-as"
            method="post"
            action="/api/start_impersonation"
            target="_blank"
            aria-label="Login as this user"
        >
            <input type="hidden" name="username" value=username/>
            {offer.reason_required.then(|| view! {
                <label for="login-as-reason">"Reason for logging in as this user"</label>
                <input
                    id="login-as-reason"
                    name="reason"
                    type="text"
                    required
                    maxlength=MAX_REASON_LEN.to_string()
                    disabled=disabled
                />
            })}
            <button
                type="submit"
                class="button button-small"
                disabled=disabled
                title=why.clone()
                aria-describedby=why.as_ref().map(|_| "login-as-why")
            >
                "Login as"
            </button>
            {why.map(|why| view! { <p id="login-as-why" class="field-hint">{why}</p> })}
        </form>
    }
    .into_any()
}
