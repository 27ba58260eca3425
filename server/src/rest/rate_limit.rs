//! The per-token rate limit of the REST API (`ROSTER_API_RATE_LIMIT`
//! requests a minute, in bursts of as many): a script that loops too fast
//! is told to wait (429 with `Retry-After`) instead of slowing everyone.

use std::num::NonZeroU32;
use std::sync::Arc;

use app::auth::guard::RequestContext;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::problem::problem;

/// One bucket per token (GCRA, from the `governor` crate: the limiter
/// the sign-in form already uses); `None` when the limit is off.
#[derive(Clone, Default)]
pub struct ApiRateLimit(Option<Arc<DefaultKeyedRateLimiter<i64>>>);

impl ApiRateLimit {
    pub fn per_minute(requests: Option<u32>) -> Self {
        ApiRateLimit(
            requests
                .and_then(NonZeroU32::new)
                .map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
        )
    }

    /// Forgets tokens that have not sent anything for a while.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
        }
    }
}

/// Refuses a token's request beyond its limit with 429 and `Retry-After`
/// (whole seconds until the next request is accepted).
pub async fn limit_per_token(
    State(limit): State<ApiRateLimit>,
    request: Request,
    next: Next,
) -> Response {
    let token = request
        .extensions()
        .get::<RequestContext>()
        .and_then(|context| context.session.as_ref())
        .and_then(|session| session.api_token);
    if let (Some(limiter), Some(token)) = (&limit.0, token)
        && let Err(not_until) = limiter.check_key(&token)
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::info!(token, seconds, "API token over its rate limit");
        let mut response = problem(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            &format!("This token sent too many requests; try again in {seconds} s."),
        );
        if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    next.run(request).await
}
