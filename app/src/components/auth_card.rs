use leptos::prelude::*;
use leptos_router::components::A;

/// The frame of the pages people reach before signing in (sign-in, reset,
/// invitation, temporary login): the product name, a heading, the content,
/// and a way back to the sign-in page.
///
/// ```ignore
/// view! {
///     <AuthCard title="Forgot password?">
///         <p>"Enter your username or email address."</p>
///     </AuthCard>
/// }
/// ```
#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main id="main" class="auth-page">
            <div class="card auth-card">
                <p class="auth-brand">"Roster"</p>
                <h1>{title}</h1>
                {children()}
                <p class="auth-links">
                    <A href=crate::components::in_base("/login")>"Back to sign in"</A>
                </p>
            </div>
        </main>
    }
}
