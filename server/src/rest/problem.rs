//! RFC 9457 Problem Details: every error the REST API answers.

use app::error::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};

/// An error (`application/problem+json`, RFC 9457).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "validation",
    "status": 422,
    "detail": "A username has 3 to 32 characters.",
    "field": "username"
}))]
pub struct Problem {
    /// Always `about:blank`: the status and title say what happened.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind of error: `validation`, `conflict`, `not_found`,
    /// `unauthenticated`, `forbidden`, `refused`, `rate_limited`, `internal`,
    /// `unavailable` (the database cannot be reached: try again).
    pub title: String,
    pub status: u16,
    /// What went wrong, in words a person can act on.
    pub detail: String,
    /// The request field the error belongs to, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response =
            (status, serde_json::to_string(&self).unwrap_or_default()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// A problem response with no field.
pub fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    Problem {
        kind: "about:blank".to_owned(),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        field: None,
    }
    .into_response()
}

/// 403: the token may not do this.
pub fn forbidden(detail: &str) -> Response {
    problem(StatusCode::FORBIDDEN, "forbidden", detail)
}

/// 401 with the `WWW-Authenticate` challenge.
pub fn unauthenticated() -> Response {
    let mut response = problem(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Send a valid API token: Authorization: Bearer roster_…",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"roster\""),
    );
    response
}

/// The problem for an application error: its status, its message (never
/// internal detail: [`AppError`] carries none), and its field.
pub fn from_app_error(error: AppError) -> Response {
    if error == AppError::Unauthenticated {
        return unauthenticated();
    }
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Problem {
        kind: "about:blank".to_owned(),
        title: error.kind().to_owned(),
        status: status.as_u16(),
        detail: error.to_string(),
        field: error.field().filter(|f| !f.is_empty()).map(str::to_owned),
    }
    .into_response()
}

/// The responses every route may give, added to each operation of the
/// document (so no route's attribute repeats them): 401 without a valid
/// token, 429 when the token sends too much, 500 when the server fails.
pub struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let common = [
            (
                "400",
                "The request cannot be read: a body that is not JSON, a parameter of the wrong type.",
            ),
            (
                "401",
                "No valid API token (missing, unknown, expired, revoked, or its owner cannot sign in).",
            ),
            (
                "429",
                "Too many requests with this token; wait the seconds `Retry-After` says.",
            ),
            ("500", "The server failed; the details are in its log."),
            (
                "503",
                "The database cannot be reached for the moment; try again after the seconds `Retry-After` says.",
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let with_body = operation.request_body.is_some();
                let body = [
                    ("413", "The body is too large (over 2 MB)."),
                    ("415", "The body is not sent as `application/json`."),
                    (
                        "422",
                        "The body does not fit the schema; `field` names what does not.",
                    ),
                ];
                let all = common
                    .iter()
                    .chain(body.iter().filter(|_| with_body))
                    .copied();
                for (status, description) in all {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::T(problem_response(description)));
                }
            }
        }
    }
}

/// A documented problem response.
pub fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Problem",
                ))))
                .build(),
        )
        .build()
}

/// Makes every error under `/api/v1` a problem, including those no
/// handler wrote (a method the route does not take, a path parameter that
/// does not decode): their plain-text reason becomes the `detail`.
pub async fn errors_as_problems(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    let allow = response.headers().get(header::ALLOW).cloned();
    let text = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(bytes) if plain && status.is_client_error() => {
            String::from_utf8_lossy(&bytes).trim().to_owned()
        }
        _ => String::new(),
    };
    let reason = status.canonical_reason().unwrap_or("Error");
    let detail = if text.is_empty() {
        format!("{reason}.")
    } else {
        text
    };
    let title = reason.to_lowercase().replace(' ', "_");
    let mut problem = problem(status, &title, &detail);
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}

/// Any other address under `/api/v1`.
pub async fn no_such_route() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not_found",
        "No such API route; the routes are listed at /api/v1/openapi.json.",
    )
}
