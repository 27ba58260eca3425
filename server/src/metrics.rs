//! `GET /metrics` for operators: the Statistics page's figures, requests
//! and their latencies, live connections, and the email outbox, in the
//! Prometheus text format (OpenMetrics) written by `prometheus-client`,
//! the Prometheus project's own Rust client.
//!
//! Who may scrape: a caller whose session holds "View statistics", or any
//! caller from an address in `ROSTER_METRICS_ALLOW` (a scraper has no
//! session). Everyone else gets 401 or 403 and no figures.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::entities::email_outbox;
use app::statistics::Figure;
use axum::Extension;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use prometheus_client::encoding::{EncodeLabelSet, text::encode};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::startup::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The status class ("2xx"): a label per code or path would multiply
    /// the series without telling an operator more.
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FigureLabels {
    /// A [`Figure`]'s key ("locked").
    figure: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboxLabels {
    state: String,
}

/// The registry and the series Roster keeps; request counts and latencies
/// are recorded as requests end, the rest are read when scraped.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<MethodLabels, Histogram>,
    users: Family<FigureLabels, Gauge>,
    live_connections: Gauge,
    outbox: Family<OutboxLabels, Gauge>,
    password_hashes: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("roster");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method and status class",
            requests.clone(),
        );
        let latency = Family::<MethodLabels, Histogram>::new_with_constructor(|| {
            // 0.5 ms to about 8 s.
            Histogram::new(exponential_buckets(0.0005, 2.0, 15))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (to its headers), by method",
            latency.clone(),
        );
        let users = Family::<FigureLabels, Gauge>::default();
        registry.register(
            "users",
            "Users by the Statistics page's figures (total, active, locked, ...)",
            users.clone(),
        );
        let live_connections = Gauge::default();
        registry.register(
            "live_connections",
            "Open live connections (browser tabs) to this instance",
            live_connections.clone(),
        );
        let outbox = Family::<OutboxLabels, Gauge>::default();
        registry.register(
            "outbox_messages",
            "Email in the outbox: queued (not yet sent) and failed (given up)",
            outbox.clone(),
        );
        let password_hashes = Counter::default();
        registry.register(
            "password_hashes",
            "Argon2 password hashes computed (sign-ins, password checks, new passwords)",
            password_hashes.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            users,
            live_connections,
            outbox,
            password_hashes,
        }
    }
}

impl Metrics {
    fn record(&self, method: &str, status: StatusCode, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                status: format!("{}xx", status.as_u16() / 100),
            })
            .inc();
        self.latency
            .get_or_create(&MethodLabels {
                method: method.to_owned(),
            })
            .observe(seconds);
    }
}

/// Counts every request and times it to its response's headers.
pub async fn record_requests(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    metrics.record(&method, response.status(), started.elapsed().as_secs_f64());
    response
}

/// Whether `ip` is in one of the allowed networks.
pub fn allowed(networks: &[IpNet], ip: Option<IpAddr>) -> bool {
    ip.is_some_and(|ip| networks.iter().any(|net| net.contains(&ip)))
}

/// `GET /metrics`.
pub async fn metrics(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
) -> Response {
    // The client's address as the rest of Roster sees it: the connection's
    // peer, or behind a trusted proxy (`ROSTER_TRUST_PROXY`) the address
    // that proxy saw, so a proxy on 127.0.0.1 does not open the metrics to
    // everyone behind it.
    let from_allowed = allowed(&state.config.metrics_allow, context.ip);
    if !from_allowed {
        match &context.session {
            None => {
                return (
                    StatusCode::UNAUTHORIZED,
                    "Sign in, or scrape from an address in ROSTER_METRICS_ALLOW.",
                )
                    .into_response();
            }
            Some(session)
                if session.must_change_password || !session.can(Permission::ViewStatistics) =>
            {
                return (
                    StatusCode::FORBIDDEN,
                    "Metrics need the View statistics permission.",
                )
                    .into_response();
            }
            Some(_) => {}
        }
    }
    match render(&state).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "metrics could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Metrics are unavailable; see the server log.",
            )
                .into_response()
        }
    }
}

async fn render(state: &AppState) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let metrics = &state.metrics;
    let figures = app::statistics::service::figures(&state.db, chrono::Utc::now()).await?;
    for (figure, n) in figures {
        metrics
            .users
            .get_or_create(&FigureLabels {
                figure: Figure::key(figure).to_owned(),
            })
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    metrics
        .live_connections
        .set(i64::try_from(state.hub.connection_count()).unwrap_or(i64::MAX));
    let queued = email_outbox::Entity::find()
        .filter(email_outbox::Column::SentAt.is_null())
        .filter(email_outbox::Column::FailedAt.is_null())
        .count(&state.db)
        .await?;
    let failed = email_outbox::Entity::find()
        .filter(email_outbox::Column::FailedAt.is_not_null())
        .count(&state.db)
        .await?;
    for (name, n) in [("queued", queued), ("failed", failed)] {
        metrics
            .outbox
            .get_or_create(&OutboxLabels {
                state: name.to_owned(),
            })
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    let hashed = state.auth.hashing().computed();
    metrics
        .password_hashes
        .inc_by(hashed.saturating_sub(metrics.password_hashes.get()));
    let mut text = String::new();
    encode(&mut text, &metrics.registry)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_inside_the_allowed_networks_are_allowed() {
        let networks: Vec<IpNet> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        assert!(allowed(&networks, Some("127.0.0.1".parse().unwrap())));
        assert!(allowed(&networks, Some("10.20.30.40".parse().unwrap())));
        assert!(!allowed(&networks, Some("127.0.0.2".parse().unwrap())));
        assert!(!allowed(&networks, Some("::1".parse().unwrap())));
        assert!(!allowed(&networks, None));
        assert!(!allowed(&[], Some("127.0.0.1".parse().unwrap())));
    }
}
