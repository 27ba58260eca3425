//! The axum host: state, router, and the listener. `Application::build` is
//! what `roster serve` runs and what the integration tests spawn on port 0.

use std::sync::Arc;

use app::auth::service::sweep_expired_presence;
use app::auth::settings::AuthState;
use app::email::outbox::{Mailer, Outbox};
use app::live::hub::{HubEvent, LiveHub};
use app::{App, shell};
use axum::extract::{FromRef, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::{Listener, ListenerExt, TapIo};
use axum::{Json, Router};
use leptos::config::{Env, LeptosOptions};
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use lettre::message::Mailbox;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::net::{TcpListener, TcpStream};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::Config;
use crate::db;
use crate::middleware::{CspNonce, guard_request};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub auth: AuthState,
    pub hub: LiveHub,
    pub outbox: Outbox,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Requests each API token may send (`ROSTER_API_RATE_LIMIT`).
    pub api_rate_limit: crate::rest::ApiRateLimit,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot connect to the database (DATABASE_URL): {0}")]
    Connect(DbErr),
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(DbErr),
    #[error("cannot send email: {0}")]
    Mail(String),
    #[error("cannot listen on {addr} (LEPTOS_SITE_ADDR): {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}

/// The listener `roster serve` accepts on: every accepted connection has
/// `TCP_NODELAY` set. Without it, a kept-alive connection (every browser
/// tab, every API client) stalls each streamed response by a delayed ACK,
/// about 40 ms: Nagle's algorithm holds the last small write until the
/// client acknowledges the previous one.
pub type NoDelayListener = TapIo<TcpListener, fn(&mut TcpStream)>;

pub fn no_delay(listener: TcpListener) -> NoDelayListener {
    fn set_nodelay(stream: &mut TcpStream) {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY on a connection");
        }
    }
    listener.tap_io(set_nodelay as fn(&mut TcpStream))
}

pub struct Application {
    listener: NoDelayListener,
    router: Router,
    hub: LiveHub,
}

impl Application {
    /// Connects, migrates, and binds the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let db = db::connect(&config.database_url)
            .await
            .map_err(StartupError::Connect)?;
        let applied = db::migrate(&db).await.map_err(StartupError::Migrate)?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        let listener = TcpListener::bind(config.site_addr)
            .await
            .map(no_delay)
            .map_err(|source| StartupError::Bind {
                addr: config.site_addr,
                source,
            })?;
        let auth = AuthState::new(config.auth.clone());
        let hub = LiveHub::new(db.clone(), config.auth.clone());
        if hub.is_shared() {
            tokio::spawn(hub.clone().listen());
        }
        tokio::spawn(sweep_every_minute(db.clone(), auth.clone(), hub.clone()));
        if let Some(retention) = config.audit_retention {
            tokio::spawn(delete_old_audit_entries_hourly(db.clone(), retention));
        }
        let mailer = Mailer::new(
            config.smtp_url.as_ref().map(url::Url::as_str),
            config.outbox_dir.clone(),
        )
        .map_err(StartupError::Mail)?;
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| StartupError::Mail(format!("ROSTER_MAIL_FROM is not an address: {e}")))?;
        let outbox = Outbox::new(config.public_url.clone());
        tokio::spawn(app::email::outbox::run(
            db.clone(),
            mailer,
            from,
            outbox.clone(),
        ));
        let config_api_rate_limit = config.api_rate_limit;
        let state = AppState {
            outbox,
            leptos_options: leptos_options(&config),
            db,
            config: Arc::new(config),
            auth,
            hub: hub.clone(),
            metrics: Arc::default(),
            api_rate_limit: crate::rest::ApiRateLimit::per_minute(config_api_rate_limit),
        };
        let limit = state.api_rate_limit.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(600)).await;
                limit.forget_idle();
            }
        });
        Ok(Application {
            listener,
            router: router(state),
            hub,
        })
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until Ctrl-C or SIGTERM, then lets open requests finish. Live
    /// streams never finish by themselves: they are closed first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!("Roster listening on http://{}", self.local_addr());
        let hub = self.hub.clone();
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            hub.close_all();
        })
        .await
    }
}

/// What every server function finds in its context: the database, the
/// authentication state, the live hub, the outbox, and the nonce the
/// middleware put in this response's CSP header.
pub fn server_fn_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let (db, auth, hub) = (state.db.clone(), state.auth.clone(), state.hub.clone());
    let outbox = state.outbox.clone();
    move || {
        provide_context(db.clone());
        provide_context(auth.clone());
        provide_context(hub.clone());
        provide_context(outbox.clone());
        if let Some(nonce) = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
        {
            provide_context(Nonce::from_value(nonce.0));
        }
    }
}

/// The app's routes, found once per process by running the app with its
/// resources held back. Leptos holds them back with a process-wide flag
/// (leptos-rs/leptos#4773): a page rendered elsewhere in the process while
/// the routes are being found waits forever for a resource that first
/// polled then. A server finds its routes once, before it serves; a
/// process hosting several routers (the integration tests) found them per
/// router, beside other routers' pages, and a page now and then never
/// answered.
pub fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context = server_fn_context(&state);
    let impersonation_pages = impersonation_pages(&state, &routes, context.clone());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/users/export.csv", get(crate::export::export_users))
        .route("/audit/export.csv", get(crate::export::export_audit))
        .route("/live", get(crate::live::live_socket))
        .route("/metrics", get(crate::metrics::metrics))
        .merge(crate::rest::router(&state))
        .merge(crate::scim::router(&state))
        // An impersonation tab's own addresses (see
        // `app::components::navigation`): the same pages, server functions,
        // live connection and exports under `/as/ID`, where the middleware
        // has resolved the impersonation's session.
        .route(
            "/as/{impersonation}/api/{*function}",
            axum::routing::any({
                let context = context.clone();
                move |request: Request| impersonated_server_fn(context.clone(), request)
            }),
        )
        .route("/as/{impersonation}/live", get(crate::live::live_socket))
        .route(
            "/as/{impersonation}/users/export.csv",
            get(crate::export::export_users),
        )
        .route(
            "/as/{impersonation}/audit/export.csv",
            get(crate::export::export_audit),
        )
        .route_service("/as/{impersonation}", impersonation_pages.clone())
        .route_service("/as/{impersonation}/", impersonation_pages.clone())
        .route_service("/as/{impersonation}/{*page}", impersonation_pages)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        // The 404 page gets the same context, so its scripts carry the nonce.
        .fallback(files_or_not_found(context))
        .layer(middleware::from_fn(
            crate::page_stream::finish_abandoned_pages,
        ))
        .layer(middleware::from_fn(
            crate::server_fn_status::server_fn_status,
        ))
        .layer(middleware::from_fn(crate::body_limit::limit_body))
        .layer(middleware::from_fn_with_state(state.clone(), cache_control))
        .layer(middleware::from_fn_with_state(state.clone(), guard_request))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::record_requests,
        ))
        // Pages and JSON are compressed as they stream, at the fastest
        // level (brotli 1, gzip 1): a Users page of 45 KB becomes 9 KB
        // instead of 7.5 KB, for a fifth of the CPU. At the default (brotli
        // 4) compressing took 1.5 ms of the page's 4.4 ms of server CPU,
        // most of it zeroing the encoder's tables anew for each response.
        // Static files are compressed once at build time (site_files.rs).
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(1)))
        .layer(
            // One INFO line per request: method, path, status, latency.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Every page again under `/as/{impersonation}`, rendered with that base
/// (the router's `base`), each in its own rendering mode. A router of its
/// own: Leptos adds the server functions to any router it gives routes to,
/// and those are reached through [`impersonated_server_fn`] instead.
fn impersonation_pages(
    state: &AppState,
    routes: &[leptos_axum::AxumRouteListing],
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> Router {
    let prefixed = routes
        .iter()
        .flat_map(|listing| {
            let inner = listing.path().trim_end_matches('/');
            let paths = if inner.is_empty() {
                vec![
                    "/as/{impersonation}".to_owned(),
                    "/as/{impersonation}/".to_owned(),
                ]
            } else {
                vec![format!("/as/{{impersonation}}{inner}")]
            };
            paths.into_iter().map(move |path| {
                leptos_axum::AxumRouteListing::new(
                    path,
                    listing.mode().clone(),
                    listing.methods(),
                    Vec::new(),
                )
            })
        })
        .collect::<Vec<_>>();
    Router::new()
        .leptos_routes_with_context(state, prefixed, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(files_or_not_found(context))
        .with_state(state.clone())
}

/// The router's fallback: a file of the site if there is one
/// (`site_files`), else Leptos' 404 page.
fn files_or_not_found(
    context: impl Fn() + Clone + Send + 'static,
) -> impl Fn(
    axum::http::Uri,
    State<AppState>,
    Request,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>>
+ Clone
+ Send
+ 'static {
    let not_found = file_and_error_handler_with_context::<AppState, _>(context, shell);
    move |uri, State(state): State<AppState>, request| {
        let not_found = not_found.clone();
        Box::pin(async move {
            let root = state.leptos_options.site_root.clone();
            match crate::site_files::site_file(&root, &uri, request.headers()).await {
                Some(file) => file,
                None => not_found(uri, State(state), request).await,
            }
        })
    }
}

/// A server function called from an impersonation tab, `/as/ID/api/NAME`:
/// the middleware has resolved the impersonation's session; the function
/// itself is found by its own address, `/api/NAME`.
async fn impersonated_server_fn(
    context: impl Fn() + Clone + Send + 'static,
    mut request: Request,
) -> Response {
    let inner = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .and_then(|pq| {
            app::components::split_impersonation_path(pq.split('?').next().unwrap_or(pq)).map(
                |(_, inner)| {
                    let query = pq.split_once('?').map(|(_, q)| q);
                    match query {
                        Some(q) => format!("{inner}?{q}"),
                        None => inner.to_owned(),
                    }
                },
            )
        });
    // The REST API is not an impersonation's: tokens, not tabs, call it.
    let Some(uri) = inner
        .filter(|inner| !inner.starts_with("/api/v1/"))
        .and_then(|inner| inner.parse::<axum::http::Uri>().ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    *request.uri_mut() = uri;
    leptos_axum::handle_server_fns_with_context(context, request)
        .await
        .into_response()
}

/// `GET /healthz`: 200 when the app and its database answer, 503 otherwise.
/// It answers within a second either way: a load balancer asking it must
/// learn quickly that the database is gone, not wait for a connection.
async fn healthz(State(db): State<DatabaseConnection>) -> impl IntoResponse {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(1), db.ping()).await;
    match ping.unwrap_or(Err(sea_orm::DbErr::ConnectionAcquire(
        sea_orm::ConnAcquireErr::Timeout,
    ))) {
        Ok(()) => (
            StatusCode::OK,
            Json(
                serde_json::json!({ "status": "ok", "database": "ok", "version": env!("CARGO_PKG_VERSION") }),
            ),
        ),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}

/// Caching: hashed WASM/JS/CSS under /pkg never change, so browsers keep
/// them for a year; unhashed ones (a build without `hash-files`) must be
/// fetched again each time; other static files are kept a day. Pages, server
/// function answers and errors carry account data or are transient: never
/// stored.
async fn cache_control(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let is_document = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    let pkg_prefix = format!("/{}/", state.leptos_options.site_pkg_dir);
    let policy = if !response.status().is_success() || is_document || path.starts_with("/api/") {
        "no-store"
    } else if path.starts_with(&pkg_prefix) {
        if state.leptos_options.hash_files {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }
    } else {
        "public, max-age=86400"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// Leptos' options from our configuration. Hashed file names (cargo-leptos
/// `hash-files`) are only used when the hash file it wrote sits next to the
/// binary: without it Leptos would panic on the first page, and a binary run
/// by hand, or by the tests, may not have it.
fn leptos_options(config: &Config) -> LeptosOptions {
    let hash_file_present = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&config.hash_file_name)))
        .is_some_and(|path| path.is_file());
    LeptosOptions::builder()
        .output_name(config.output_name.as_str())
        .site_root(config.site_root.as_str())
        .site_pkg_dir(config.site_pkg_dir.as_str())
        .site_addr(config.site_addr)
        .env(if config.dev_mode { Env::DEV } else { Env::PROD })
        .reload_port(config.reload_port)
        .hash_files(config.hash_files && hash_file_present)
        .hash_file(Arc::<str>::from(config.hash_file_name.as_str()))
        .build()
}

/// At start and then every hour: delete audit entries past the retention
/// period, in small batches (`retention_service`).
async fn delete_old_audit_entries_hourly(db: DatabaseConnection, retention: std::time::Duration) {
    use app::audit::retention_service::{RETENTION_BATCH, delete_older_than};
    let hour = std::time::Duration::from_secs(3600);
    let mut tick = tokio::time::interval(hour);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Ok(retention) = chrono::Duration::from_std(retention) else {
            return;
        };
        let cutoff = chrono::Utc::now() - retention;
        if let Err(error) = delete_older_than(&db, cutoff, RETENTION_BATCH).await {
            tracing::warn!(%error, "audit retention failed");
        }
    }
}

/// Once a minute: mark users whose sessions have all expired as signed out,
/// close this instance's live connections whose session expired, and let
/// the sign-in rate limiter forget quiet addresses.
async fn sweep_every_minute(db: DatabaseConnection, auth: AuthState, hub: LiveHub) {
    let minute = std::time::Duration::from_secs(60);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + minute, minute);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match sweep_expired_presence(&db, auth.settings(), chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(
                    users = n,
                    "marked users whose sessions expired as signed out"
                );
                hub.publish(HubEvent::UsersChanged).await;
            }
            Err(error) => tracing::warn!(%error, "presence sweep failed"),
        }
        match app::impersonation::service::end_finished(&db, auth.settings(), chrono::Utc::now())
            .await
        {
            Ok(ended) if !ended.is_empty() => {
                tracing::info!(sessions = ?ended, "ended impersonations whose time or administrator was gone");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "impersonation sweep failed"),
        }
        if let Err(error) = hub.close_ended_sessions().await {
            tracing::warn!(%error, "live session check failed");
        }
        auth.forget_quiet_addresses();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection accepted by the listener `roster serve` uses has
    /// `TCP_NODELAY` set; without it every kept-alive response stalls by a
    /// delayed ACK (scripts/bench-nodelay.sh shows the 40 ms).
    #[tokio::test]
    async fn accepted_connections_have_nodelay() {
        let mut listener = no_delay(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let addr = Listener::local_addr(&listener).unwrap();
        let client = tokio::spawn(TcpStream::connect(addr));
        let (accepted, _) = Listener::accept(&mut listener).await;
        assert!(accepted.nodelay().unwrap(), "TCP_NODELAY is off");
        client.await.unwrap().unwrap();
    }
}
