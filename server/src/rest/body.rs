//! Request bodies: JSON, whose faults are answered as problems (400 not
//! JSON, 415 not sent as JSON, 422 the wrong shape, naming the field).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::problem::{Problem, problem};

/// `axum::Json`, with its refusals as Problem Details.
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Who asks comes before what they sent: without a valid token, 401
        // whatever the body.
        let has_token = request
            .extensions()
            .get::<app::auth::guard::RequestContext>()
            .and_then(super::token_caller)
            .is_some();
        if !has_token {
            return Err(super::problem::unauthenticated());
        }
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(refusal(rejection)),
        }
    }
}

fn refusal(rejection: JsonRejection) -> Response {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON, with Content-Type: application/json.",
        ),
        JsonRejection::JsonDataError(error) => {
            let text = error.body_text();
            let detail = text
                .split_once(": ")
                .map_or(text.as_str(), |(_, detail)| detail)
                .to_owned();
            Problem {
                kind: "about:blank".to_owned(),
                title: "validation".to_owned(),
                status: StatusCode::UNPROCESSABLE_ENTITY.as_u16(),
                field: named_field(&detail),
                detail: format!("The body does not fit: {detail}."),
            }
            .into_response()
        }
        JsonRejection::JsonSyntaxError(error) => problem(
            StatusCode::BAD_REQUEST,
            "bad_request",
            &format!(
                "The body is not JSON: {}.",
                error
                    .body_text()
                    .split_once(": ")
                    .map_or("cannot parse it", |(_, d)| d)
            ),
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The body is too large.",
        ),
        _ => problem(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "The body could not be read.",
        ),
    }
}

/// The field serde's message names: the path in front of it
/// ("action: unknown variant `explode`…", "ids[0]: invalid type…"), or the
/// field it says is missing or unknown ("missing field `email`").
fn named_field(detail: &str) -> Option<String> {
    if let Some((path, _)) = detail.split_once(": ")
        && !path.is_empty()
        && !path.contains(' ')
        && path != "."
    {
        let field = path.split(['.', '[']).next().unwrap_or(path);
        return Some(field.to_owned());
    }
    let (_, rest) = detail.split_once("field `")?;
    let (name, _) = rest.split_once('`')?;
    Some(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::named_field;

    #[test]
    fn the_field_serde_names_is_the_problems_field() {
        assert_eq!(
            named_field("missing field `email` at line 1 column 20").as_deref(),
            Some("email")
        );
        assert_eq!(
            named_field("unknown field `colour`, expected one of `name`").as_deref(),
            Some("colour")
        );
        assert_eq!(
            named_field("action: unknown variant `explode`, expected one of `lock`").as_deref(),
            Some("action")
        );
        assert_eq!(
            named_field("ids[1]: invalid type: string \"x\", expected i64").as_deref(),
            Some("ids")
        );
        assert_eq!(named_field("invalid type: string, expected i32"), None);
    }
}
