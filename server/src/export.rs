//! `GET /users/export.csv?VIEW`: every user matching a Users table view, as
//! CSV, streamed in chunks of 1,000 rows (one query for the ordered ids, then
//! two per chunk), so 100,000 users never sit in memory as rows.

use std::sync::Arc;

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::directory::filter::matching;
use app::error::AppError;
use app::users::UserListQuery;
use app::users::table::export_service::{header, lines};
use app::users::table::service::{ordered_ids, rows_for};
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header as http_header};
use axum::response::{IntoResponse, Response};
use sea_orm::DatabaseConnection;

const CHUNK: usize = 1_000;

pub async fn export_users(
    State(db): State<DatabaseConnection>,
    Extension(context): Extension<RequestContext>,
    RawQuery(view): RawQuery,
) -> Response {
    match export(db, context, view.unwrap_or_default()).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn export(
    db: DatabaseConnection,
    context: RequestContext,
    view: String,
) -> Result<Response, AppError> {
    let session = context.session.ok_or(AppError::Unauthenticated)?;
    if session.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    if !session.can(Permission::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let query = UserListQuery::from_query_string(&view)?;
    let now = chrono::Utc::now();
    let condition = matching(&db, &query, now).await?;
    let ids = Arc::new(ordered_ids(&db, &query, condition, None).await?);
    tracing::info!(
        user_id = session.user_id,
        rows = ids.len(),
        "users exported"
    );

    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if sender.send(Ok(Bytes::from(header()))).await.is_err() {
            return;
        }
        for chunk in ids.chunks(CHUNK) {
            let piece = match rows_for(&db, chunk, now).await {
                Ok(rows) => Ok(Bytes::from(lines(&rows))),
                Err(error) => {
                    tracing::error!(%error, "export stopped");
                    Err(std::io::Error::other("export failed"))
                }
            };
            let failed = piece.is_err();
            if sender.send(piece).await.is_err() || failed {
                return;
            }
        }
    });
    // Fused: the compression layer may poll again after the end.
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|item| (item, receiver)) },
    ));
    let filename = format!("users-{}.csv", now.format("%Y%m%d-%H%M"));
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        http_header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(http_header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
