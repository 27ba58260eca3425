//! What server functions call first: who is asking, from where, and whether
//! they may. The server's middleware resolves the session cookie once per
//! request and leaves a [`RequestContext`] in the request's extensions.

use std::net::IpAddr;
use std::sync::Arc;

use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;

use super::Permission;
use super::client::describe_client;
use super::service::SessionUser;
use super::settings::AuthState;
use crate::audit::service::Actor;
use crate::error::{AppError, AppResult, with_status};

/// Facts about the request being served.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// The client's address (from `X-Forwarded-For` only behind a trusted proxy).
    pub ip: Option<IpAddr>,
    pub user_agent: String,
    pub session: Option<Arc<SessionUser>>,
    /// A session cookie came with the request, but its session has ended
    /// (expired, signed out, revoked, or the account was blocked).
    pub session_ended: bool,
}

impl RequestContext {
    /// The audit log's actor for this request: the signed-in user, or an
    /// anonymous visitor from this address.
    pub fn actor(&self) -> Actor {
        let client = Some(describe_client(&self.user_agent));
        match &self.session {
            Some(session) => session.actor(self.ip, client),
            None => Actor {
                ip: self.ip.map(|ip| ip.to_string()),
                client,
                ..Default::default()
            },
        }
    }
}

impl RequestContext {
    /// Where a session opened by this request comes from (the browser's
    /// address and client, and the session it already has).
    pub fn session_start(&self) -> super::signin::SessionStart<'_> {
        super::signin::SessionStart {
            next: None,
            ip: self.ip,
            user_agent: &self.user_agent,
            replaces: self.session.as_ref().map(|s| (s.user_id, s.session_id)),
        }
    }
}

/// The current request's context (empty outside a request).
pub fn request_context() -> RequestContext {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestContext>().cloned())
        .unwrap_or_default()
}

/// The signed-in caller, if they have `permission`. Refuses anonymous
/// callers (401), callers without it (403) and callers who must change
/// their password first (403), setting the response status.
pub fn require(permission: Permission) -> AppResult<Arc<SessionUser>> {
    with_status(require_signed_in().and_then(|session| {
        if session.can(permission) {
            Ok(session)
        } else {
            tracing::info!(
                user_id = session.user_id,
                permission = permission.key(),
                "permission refused"
            );
            Err(AppError::Forbidden)
        }
    }))
}

/// Any signed-in caller with no pending password change.
pub fn require_signed_in() -> AppResult<Arc<SessionUser>> {
    with_status(require_session().and_then(|session| {
        if session.must_change_password {
            Err(AppError::PasswordChangeRequired)
        } else {
            Ok(session)
        }
    }))
}

/// Any signed-in caller, even one who must change their password: only for
/// changing it, seeing who they are, and signing out.
pub fn require_session() -> AppResult<Arc<SessionUser>> {
    with_status(request_context().session.ok_or(AppError::Unauthenticated))
}

/// Refuses what is the user's own to do in person ("Login as" and API
/// tokens must not take over the account): their password, their email
/// address, their API tokens, ending their own sessions. Refused while
/// impersonating, and with an API token (a token narrowed to Edit users
/// could otherwise point its owner's email elsewhere and reset the
/// password). `what` completes "Not while impersonating: …".
pub fn only_in_person(caller: &SessionUser, what: &str) -> AppResult<()> {
    if caller.is_impersonation() {
        tracing::info!(
            user_id = caller.user_id,
            impersonator = caller.impersonator.as_ref().map(|i| i.user_id),
            what,
            "refused while impersonating"
        );
        return with_status(Err(AppError::Refused(format!(
            "Not while impersonating: {what} is for the user alone."
        ))));
    }
    if let Some(token) = caller.api_token {
        tracing::info!(
            user_id = caller.user_id,
            token,
            what,
            "refused to an API token"
        );
        return with_status(Err(AppError::Refused(format!(
            "Not with an API token: {what} is for the user alone, signed in."
        ))));
    }
    Ok(())
}

/// What a server function's body gets from [`authorized`]: the caller
/// (who holds the permission asked for) and the database.
pub struct Authorized {
    pub caller: Arc<SessionUser>,
    pub db: DatabaseConnection,
}

/// Runs the body of a server function that needs `permission`: refuses
/// anyone else (401/403), hands the body the caller and the database, and
/// gives an error its HTTP status. What nearly every server function does
/// first, written once:
///
/// ```ignore
/// authorized(Permission::ViewUsers, |call| async move {
///     service::list_page(&call.db, &query, Utc::now()).await
/// })
/// .await
/// ```
pub async fn authorized<T, Body, Fut>(permission: Permission, body: Body) -> AppResult<T>
where
    Body: FnOnce(Authorized) -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    let result = async {
        let caller = require(permission)?;
        let db = database()?;
        body(Authorized { caller, db }).await
    }
    .await;
    with_status(result)
}

/// [`authorized`] for any signed-in caller with no pending password change.
pub async fn signed_in<T, Body, Fut>(body: Body) -> AppResult<T>
where
    Body: FnOnce(Authorized) -> Fut,
    Fut: std::future::Future<Output = AppResult<T>>,
{
    let result = async {
        let caller = require_signed_in()?;
        let db = database()?;
        body(Authorized { caller, db }).await
    }
    .await;
    with_status(result)
}

/// The database connection the server provides to every request.
pub fn database() -> AppResult<DatabaseConnection> {
    use_context::<DatabaseConnection>().ok_or_else(|| {
        tracing::error!("no database connection in the request context");
        AppError::Internal
    })
}

/// The process-wide authentication state the server provides.
pub fn auth_state() -> AppResult<AuthState> {
    use_context::<AuthState>().ok_or_else(|| {
        tracing::error!("no authentication state in the request context");
        AppError::Internal
    })
}

/// After a form posted by the browser itself (before the WebAssembly
/// arrives, or with JavaScript off), sends it on to `path` (within the
/// console's base). Leptos would otherwise send it back to the form's page,
/// which cannot know it succeeded. A call from the page's own code (it asks
/// for JSON, not HTML) is left alone: the page shows the result itself.
pub fn after_plain_form_go_to(path: &str) {
    let plain_form = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    });
    if plain_form {
        leptos_axum::redirect(&crate::components::based(path));
    }
}

/// Adds a `Set-Cookie` header to the current server function's response.
pub fn set_cookie(value: &str) {
    match (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        (Some(options), Ok(value)) => options.append_header(http::header::SET_COOKIE, value),
        _ => tracing::error!("cannot set a cookie outside a server function response"),
    }
}
