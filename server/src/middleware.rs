//! Request middleware: who is asking (the session cookie, resolved once per
//! request), whether they may open the page they asked for, refusal of
//! cross-site writes, and the security headers of every response.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::auth::SessionEndReason;
use app::auth::access::{Access, is_local_path, page_access};
use app::auth::current::landing_path;
use app::auth::guard::RequestContext;
use app::auth::service::{SessionUser, authenticate};
use app::auth::token::{
    clear_cookie_named, cookie_from_headers, impersonation_cookie_name, session_cookie_name,
};
use app::components::{BasePath, IMPERSONATION_PATH, impersonation_base, split_impersonation_path};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::startup::AppState;

/// The CSP nonce of one response; the shell's scripts carry it.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Everything a request goes through before reaching a handler; every
/// response, early refusals and redirects included, gets the security
/// headers.
pub async fn guard_request(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let nonce = random_nonce();
    let mut response = guard(&state, request, next, &nonce).await;
    add_security_headers(&mut response, &nonce, state.config.dev_mode);
    response
}

async fn guard(state: &AppState, mut request: Request, next: Next, nonce: &str) -> Response {
    if let Some(refusal) = refuse_cross_site_write(&request, state) {
        return refusal;
    }

    let path = request.uri().path().to_owned();
    // Pages for developers exist only where they were asked for.
    if !state.config.dev_pages && (path == "/dev" || path.starts_with("/dev/")) {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    let is_asset = is_static_asset(&path, state);
    let secure = state.auth.settings().secure_cookies;
    // An impersonation tab ("Login as") carries its own cookie, named after
    // its session; which cookie counts is said by the address, never by
    // which cookies the browser happens to hold.
    let impersonation = (!is_asset)
        .then(|| impersonation_of(&request, &path))
        .flatten();
    let page_path = match impersonation {
        Some(_) => split_impersonation_path(&path).map_or("/", |(_, inner)| inner),
        None => path.as_str(),
    }
    .to_owned();
    let cookie_name = match impersonation {
        Some(session_id) => impersonation_cookie_name(session_id, secure),
        None => session_cookie_name(secure).to_owned(),
    };
    // The REST API and SCIM take API tokens only (`Authorization:
    // Bearer`), never the browser's cookie: no other site's page can call
    // them as someone.
    let api = path.starts_with("/api/v1/") || path.starts_with(crate::scim::PREFIX);
    let token = if api {
        bearer_token(request.headers())
    } else {
        (!is_asset)
            .then(|| cookie_from_headers(request.headers(), &cookie_name))
            .flatten()
    };
    let ip = client_ip(&request, state.auth.settings().trust_proxy);
    let resolved = match &token {
        Some(token) if api => {
            app::api_tokens::service::authenticate(&state.db, token, ip, chrono::Utc::now()).await
        }
        Some(token) => {
            authenticate(&state.db, state.auth.settings(), token, chrono::Utc::now()).await
        }
        None => Ok(None),
    };
    let session = match &token {
        Some(_) => {
            match resolved {
                // An impersonation's cookie opens that impersonation only,
                // and the session cookie never opens one.
                Ok(found) => found
                    .filter(|s| match impersonation {
                        Some(session_id) => s.session_id == session_id && s.is_impersonation(),
                        None => !s.is_impersonation(),
                    })
                    .map(Arc::new),
                Err(error) => {
                    tracing::error!(%error, "cannot resolve the session");
                    return unavailable(&request);
                }
            }
        }
        None => None,
    };
    if let Some(session) = session.as_ref().filter(|s| s.touched) {
        // Administrators watching the Users table see Last Activity move.
        let (hub, user_id) = (state.hub.clone(), session.user_id);
        tokio::spawn(async move { hub.presence_changed(user_id).await });
    }
    let context = RequestContext {
        ip,
        user_agent: request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(512)
            .collect(),
        session_ended: !api && token.is_some() && session.is_none(),
        session: session.clone(),
    };
    let session_ended = context.session_ended;
    let base = match impersonation {
        Some(session_id) if path.starts_with(IMPERSONATION_PATH) => impersonation_base(session_id),
        _ => String::new(),
    };

    if impersonation.is_none()
        && let Some(redirect) = stay_in_impersonation(&request, &path)
    {
        return redirect.into_response();
    }

    if !is_asset
        && matches!(*request.method(), Method::GET | Method::HEAD)
        && !page_path.starts_with("/api/")
        // SCIM answers 401 in its own error format.
        && !page_path.starts_with(crate::scim::PREFIX)
        && page_path != "/healthz"
        // The live connection answers 401 itself; a redirect would hand
        // the browser's WebSocket a page.
        && page_path != "/live"
        // Scrapers have no session; `/metrics` answers 401/403 itself.
        && page_path != "/metrics"
        && let Some(redirect) = page_redirect(&page_path, request.uri().query(), &context, &base)
    {
        let mut response = redirect.into_response();
        if session_ended {
            clear_cookie(&mut response, &cookie_name, secure);
        }
        return response;
    }

    request.extensions_mut().insert(context);
    request.extensions_mut().insert(CspNonce(nonce.to_owned()));
    request.extensions_mut().insert(BasePath(base));

    let mut response = next.run(request).await;
    // The stale cookie is removed, unless the response gives a new one (a
    // sign-in from a page whose session had ended).
    let sets_session_cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with(&format!("{cookie_name}=")));
    if session_ended && !sets_session_cookie {
        clear_cookie(&mut response, &cookie_name, secure);
    }
    response
}

/// The API token of `Authorization: Bearer …`, if the request has one.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// A plain HTML search form in an impersonation tab (`/as/ID/users`)
/// submits to its page's own path without the base (`/users?q=…`): that
/// request goes back under the base, where the tab's session is. Only for
/// a page's own path, sent from that very page.
fn stay_in_impersonation(request: &Request, path: &str) -> Option<Redirect> {
    if !matches!(*request.method(), Method::GET | Method::HEAD) || path.starts_with("/api/") {
        return None;
    }
    let (session_id, from) = same_site_referer(request)
        .as_deref()
        .and_then(split_impersonation_path)
        .map(|(id, inner)| (id, inner.to_owned()))?;
    if from != path {
        return None;
    }
    let query = request
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    Some(Redirect::to(&format!(
        "{}{path}{query}",
        impersonation_base(session_id)
    )))
}

/// The path of the page of this site a request was sent from (`Referer`).
fn same_site_referer(request: &Request) -> Option<String> {
    let referer = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())?;
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())?;
    let referer_host = match referer.port() {
        Some(port) => format!("{}:{port}", referer.host_str()?),
        None => referer.host_str()?.to_owned(),
    };
    referer_host
        .eq_ignore_ascii_case(host)
        .then(|| referer.path().to_owned())
}

/// The impersonation session a request belongs to, if any: its address is
/// under `/as/ID/`, or it is a plain HTML form an impersonation tab sent to
/// a server function (`/api/…`, whose address has no base; the page it
/// came from, in `Referer`, has).
fn impersonation_of(request: &Request, path: &str) -> Option<i64> {
    if let Some((session_id, _)) = split_impersonation_path(path) {
        return Some(session_id);
    }
    if request.method() != Method::POST || !path.starts_with("/api/") {
        return None;
    }
    let referer = same_site_referer(request)?;
    split_impersonation_path(&referer).map(|(session_id, _)| session_id)
}

/// Where a page request must go instead, if anywhere: anonymous visitors to
/// the sign-in page, users with a pending password change to the change
/// page, users without the page's permission to their account page. `path`
/// is the page's path inside `base` (an impersonation tab's `/as/ID`).
fn page_redirect(
    path: &str,
    query: Option<&str>,
    context: &RequestContext,
    base: &str,
) -> Option<Redirect> {
    let access = page_access(path);
    if !base.is_empty() && context.session.is_none() {
        // An impersonation that has ended (or never was): its tab goes
        // back to the administrator's own view, or to sign-in.
        return Some(Redirect::to(&format!(
            "/login?reason={}",
            SessionEndReason::Ended.key()
        )));
    }
    let to = |target: &str| Redirect::to(&format!("{base}{target}"));
    let Some(session) = &context.session else {
        if access == Access::Public {
            return None;
        }
        let here = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
        let mut target = "/login".to_owned();
        let mut params = url::form_urlencoded::Serializer::new(String::new());
        if here != "/" {
            params.append_pair("next", &here);
        }
        if context.session_ended {
            params.append_pair("reason", SessionEndReason::Ended.key());
        }
        let params = params.finish();
        if !params.is_empty() {
            target = format!("{target}?{params}");
        }
        return Some(Redirect::to(&target));
    };
    let landing = landing(session);
    if session.must_change_password && access != Access::SignedInPendingPasswordChange {
        return Some(to(landing));
    }
    match access {
        Access::Public if path == "/login" => {
            let next = query
                .and_then(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .find(|(k, _)| k == "next")
                        .map(|(_, v)| v.into_owned())
                })
                .filter(|n| is_local_path(n) && !n.starts_with("/login"));
            Some(to(next.as_deref().unwrap_or(landing)))
        }
        Access::Permission(permission) if !session.can(permission) => {
            let denied: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            Some(to(&format!("/account?denied={denied}")))
        }
        // The home page is the console's; others have their account page.
        Access::SignedIn if path == "/" && session.permissions.is_empty() => Some(to(landing)),
        _ => None,
    }
}

fn landing(session: &SessionUser) -> &'static str {
    landing_path(
        session.must_change_password,
        !session.permissions.is_empty(),
    )
}

/// Refuses a state-changing request sent by another site's page: its
/// `Origin` (sent by browsers with every POST) must be this site, and
/// `Sec-Fetch-Site` must not say cross-site. Requests without either header
/// come from non-browser clients, which carry no ambient cookies to abuse.
fn refuse_cross_site_write(request: &Request, state: &AppState) -> Option<Response> {
    let headers = request.headers();
    // A WebSocket handshake is a GET, but it opens a channel that carries
    // the session: another site's page must not open one with our cookie.
    let opens_websocket = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) && !opens_websocket
    {
        return None;
    }
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site");
    let origin_mismatch = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| !is_own_origin(origin, headers, state));
    if !cross_site && !origin_mismatch {
        return None;
    }
    tracing::warn!(
        origin = ?headers.get(header::ORIGIN),
        path = request.uri().path(),
        "cross-site request refused"
    );
    let body = serde_json::json!({
        "error": "forbidden",
        "message": "This request came from another site and was refused.",
        "field": null,
    });
    Some((StatusCode::FORBIDDEN, axum::Json(body)).into_response())
}

fn is_own_origin(origin: &str, headers: &HeaderMap, state: &AppState) -> bool {
    let Ok(origin) = url::Url::parse(origin) else {
        return false;
    };
    let origin_host = match (origin.host_str(), origin.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return false,
    };
    let public = &state.config.public_url;
    let matches_public = origin.scheme() == public.scheme()
        && origin.host_str() == public.host_str()
        && origin.port_or_known_default() == public.port_or_known_default();
    let matches_host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| host.eq_ignore_ascii_case(&origin_host));
    matches_public || matches_host
}

/// Files served as they are: the WASM/JS/CSS bundle and the files of
/// `public/` in the site folder. They need no session and no page guard.
/// (Asking the file system, not the name: `/users/ann.lee` is a page.)
fn is_static_asset(path: &str, state: &AppState) -> bool {
    let pkg = format!("/{}/", state.leptos_options.site_pkg_dir);
    if path.starts_with(&pkg) {
        return true;
    }
    let relative = path.trim_start_matches('/');
    !relative.is_empty()
        && !relative
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        && std::path::Path::new(state.leptos_options.site_root.as_ref())
            .join(relative)
            .is_file()
}

/// The client's address: the connection's peer, or behind a trusted reverse
/// proxy the address it appended to `X-Forwarded-For` (the last one; earlier
/// entries come from the client and can be forged).
fn client_ip(request: &Request, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(forwarded);
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// Removes the session-carrying cookie called `name` (the session
/// cookie, or an impersonation's).
fn clear_cookie(response: &mut Response, name: &str, secure: bool) {
    if let Ok(value) = HeaderValue::from_str(&clear_cookie_named(name, secure)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn random_nonce() -> String {
    use base64::Engine as _;
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The answer while the database cannot be reached: for a browser asking
/// for a page, a page saying so that tries again by itself (no script
/// needed); for everything else the application's error in the format of
/// what was asked (REST's problem, SCIM's error, a server function's). All 503
/// with `Retry-After`, so proxies and clients know it is passing.
fn unavailable(request: &Request) -> Response {
    let wants_page = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
        && matches!(*request.method(), Method::GET | Method::HEAD);
    let path = request.uri().path();
    let mut response = if wants_page {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            UNAVAILABLE_PAGE,
        )
            .into_response()
    } else if path.starts_with("/api/v1/") {
        crate::rest::problem::from_app_error(app::error::AppError::Unavailable)
    } else if path.starts_with(crate::scim::PREFIX) {
        crate::scim::error(app::error::AppError::Unavailable.into())
    } else {
        // A server function's error, as the browser's WASM reads it.
        use leptos::server_fn::error::FromServerFnError;
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "application/json")],
            app::error::AppError::Unavailable.ser(),
        )
            .into_response()
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

const UNAVAILABLE_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta http-equiv=\"refresh\" content=\"5\">\
<title>Roster is unavailable for a moment</title></head><body><main>\
<h1>Roster is unavailable for a moment</h1>\
<p>Roster cannot reach its database. Nothing you did caused this, and nothing was lost.</p>\
<p>This page tries again every few seconds; you can also reload it.</p>\
</main></body></html>\n";

/// Headers on every response; pages also get a Content-Security-Policy that
/// allows only this site's files and the inline scripts carrying `nonce`
/// (Leptos' hydration scripts), and forbids framing.
fn add_security_headers(response: &mut Response, nonce: &str, dev_mode: bool) {
    let headers = response.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if is_html {
        // `cargo leptos watch` reloads pages over a WebSocket to its own port.
        let connect = if dev_mode { "'self' ws:" } else { "'self'" };
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src {connect}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
