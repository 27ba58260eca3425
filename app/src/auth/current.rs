//! The signed-in user as the browser knows them: who, and what they may do.
//! Loaded once per page by [`provide_current_user`] and read anywhere with
//! [`use_current_user`].

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Permission;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub permissions: Vec<Permission>,
    pub must_change_password: bool,
    /// Set when this tab is an impersonation ("Login as"): who is acting
    /// as this user, and until when.
    pub impersonation: Option<Impersonation>,
}

/// The impersonation a tab is, as its banner shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impersonation {
    /// The administrator's username.
    pub impersonator: String,
    /// When it ends by itself, in Unix seconds.
    pub ends_at: i64,
}

impl CurrentUser {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Whether any part of the administration console is open to them.
    pub fn is_administrator(&self) -> bool {
        !self.permissions.is_empty()
    }

    /// Where they go after signing in: the change-password page while one is
    /// pending, the console for administrators, else their own account.
    pub fn landing_path(&self) -> &'static str {
        landing_path(self.must_change_password, self.is_administrator())
    }
}

pub fn landing_path(must_change_password: bool, is_administrator: bool) -> &'static str {
    if must_change_password {
        "/account/password"
    } else if is_administrator {
        "/"
    } else {
        "/account"
    }
}

/// The signed-in user, or `None`. Open to everyone: it is how a page learns
/// whether anyone is signed in.
#[server(name = GetCurrentUser, prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::error::with_status;
    let session = super::guard::request_context().session;
    with_status(Ok(session.map(|s| CurrentUser {
        user_id: s.user_id,
        username: s.username.clone(),
        name: s.name.clone(),
        permissions: s.permissions.clone(),
        must_change_password: s.must_change_password,
        impersonation: s.impersonator.as_ref().map(|i| Impersonation {
            impersonator: i.username.clone(),
            ends_at: i.expires_at.timestamp(),
        }),
    })))
}

/// The current user, loaded once for the page (during server rendering, then
/// carried into the browser with the page).
#[derive(Clone, Copy)]
pub struct CurrentUserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

pub fn provide_current_user() {
    provide_context(CurrentUserResource(Resource::new(
        || (),
        |_| current_user(),
    )));
}

/// The current user once loaded: `None` while loading or when signed out.
/// Read it inside `Suspense`/`Transition`.
pub fn use_current_user() -> Signal<Option<CurrentUser>> {
    let resource = expect_context::<CurrentUserResource>().0;
    Signal::derive(move || resource.get().and_then(Result::ok).flatten())
}
