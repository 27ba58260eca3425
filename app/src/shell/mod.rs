//! The application shell: the HTML document, the router, the layout with its
//! navigation and header, the home page and the 404 page.

mod home;
mod layout;
mod not_found;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::account::{ChangePasswordPage, MyAccountPage};
use crate::api_tokens::ApiTokensPage;
use crate::audit::{AuditEntryPage, AuditLogPage};
use crate::auth::provide_current_user;
pub use crate::auth::sections::{SECTIONS, Section};
use crate::email::OutboxPage;
use crate::invitations::AcceptInvitationPage;
use crate::password_reset::{ForgotPasswordPage, ResetPasswordPage};
use crate::roles::{NewRolePage, RoleDetailPage, RolesPage};
use crate::sign_in::LoginPage;
use crate::statistics::StatisticsPage;
use crate::teams::{NewTeamPage, TeamDetailPage, TeamsPage};
use crate::temporary_login::TemporaryLoginPage;
use crate::users::{NewUserPage, UserDetailPage, UsersPage};
use home::HomePage;
use layout::{AppFrame, AppLayout};
pub use not_found::NotFound;

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The root component, rendered on the server and hydrated in the browser.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_current_user();
    crate::components::provide_toasts();
    crate::live::provide_live_presence();
    // Marks the page as live once hydrated (Effects run only in the
    // browser), for end-to-end tests and styles that need the WASM.
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Roster".to_owned() } else { format!("{page} · Roster") }/>
        // In an impersonation tab every page is under `/as/ID` (see
        // `components::navigation`); elsewhere the base is empty.
        <Router base=crate::components::base_path()>
            <Routes fallback=|| {
                view! {
                    <AppFrame>
                        <NotFound/>
                    </AppFrame>
                }
            }>
                <Route path=path!("login") view=LoginPage/>
                <Route path=path!("forgot-password") view=ForgotPasswordPage/>
                <Route path=path!("reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("accept-invitation") view=AcceptInvitationPage ssr=SsrMode::Async/>
                <Route path=path!("temporary-login") view=TemporaryLoginPage/>
                <ParentRoute path=path!("") view=AppLayout>
                    <Route path=path!("") view=HomePage/>
                    // Rendered whole on the server: the page a plain user
                    // (or an impersonation of one) lands on works without
                    // the WebAssembly, banner and all.
                    <Route path=path!("account") view=MyAccountPage ssr=SsrMode::Async/>
                    <Route path=path!("account/password") view=ChangePasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("account/tokens") view=ApiTokensPage/>
                    <Route path=path!("users") view=UsersPage/>
                    <Route path=path!("users/new") view=NewUserPage/>
                    // Rendered once its data is in, so that a user who does
                    // not exist answers 404, not a streamed 200.
                    <Route path=path!("users/:username") view=UserDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("outbox") view=OutboxPage/>
                    <Route path=path!("roles") view=RolesPage/>
                    <Route path=path!("roles/new") view=NewRolePage/>
                    <Route path=path!("roles/:name") view=RoleDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("teams") view=TeamsPage/>
                    <Route path=path!("teams/new") view=NewTeamPage/>
                    <Route path=path!("teams/:name") view=TeamDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("audit") view=AuditLogPage ssr=SsrMode::Async/>
                    <Route path=path!("audit/:id") view=AuditEntryPage ssr=SsrMode::Async/>
                    <Route path=path!("statistics") view=StatisticsPage ssr=SsrMode::Async/>
                    <Route path=path!("dev/components") view=crate::dev::ComponentGallery/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
