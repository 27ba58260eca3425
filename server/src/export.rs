//! CSV downloads. `GET /users/export.csv?VIEW`: every user matching a Users
//! table view, streamed in chunks of 1,000 rows (one query for the ordered
//! ids, then two per chunk), so 100,000 users never sit in memory as rows.
//! `GET /audit/export.csv?VIEW`: the filtered audit log, the same way.

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
    let session = permitted(&context, Permission::ViewUsers)?;
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
    Ok(csv_response(receiver, "users"))
}

/// `GET /audit/export.csv?VIEW`: every entry an Audit page view matches,
/// newest first, streamed in keyset batches of 1,000 (never OFFSET, never
/// the whole log in memory).
pub async fn export_audit(
    State(db): State<DatabaseConnection>,
    Extension(context): Extension<RequestContext>,
    RawQuery(view): RawQuery,
) -> Response {
    match audit(db, context, view.unwrap_or_default()).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn audit(
    db: DatabaseConnection,
    context: RequestContext,
    view: String,
) -> Result<Response, AppError> {
    use app::audit::log_service;
    let session = permitted(&context, Permission::ViewAuditLog)?;
    let query = app::audit::AuditQuery::from_query_string(&view)?;
    let filter = log_service::filter(&db, &query).await?;
    tracing::info!(user_id = session.user_id, "audit log exported");
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if sender
            .send(Ok(Bytes::from(log_service::csv_header())))
            .await
            .is_err()
        {
            return;
        }
        let mut edge = None;
        loop {
            let entries = match log_service::batch(&db, &filter, edge, CHUNK as u64).await {
                Ok(entries) => entries,
                Err(error) => {
                    tracing::error!(%error, "audit export stopped");
                    let _ = sender
                        .send(Err(std::io::Error::other("export failed")))
                        .await;
                    return;
                }
            };
            let Some(last) = entries.last() else { return };
            edge = Some((last.occurred_at, last.id));
            let full = entries.len() == CHUNK;
            if sender
                .send(Ok(Bytes::from(log_service::csv_lines(&entries))))
                .await
                .is_err()
                || !full
            {
                return;
            }
        }
    });
    Ok(csv_response(receiver, "audit"))
}

/// The caller's session, if it may download with `permission`: the same
/// refusals a server function gives.
fn permitted(
    context: &RequestContext,
    permission: Permission,
) -> Result<Arc<app::auth::service::SessionUser>, AppError> {
    let session = context.session.clone().ok_or(AppError::Unauthenticated)?;
    if session.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    if !session.can(permission) {
        return Err(AppError::Forbidden);
    }
    Ok(session)
}

/// A streamed CSV download named `NAME-YYYYMMDD-HHMM.csv`.
fn csv_response(
    receiver: tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>,
    name: &str,
) -> Response {
    // Fused: the compression layer may poll again after the end.
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|item| (item, receiver)) },
    ));
    let filename = format!("{name}-{}.csv", chrono::Utc::now().format("%Y%m%d-%H%M"));
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        http_header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(http_header::CONTENT_DISPOSITION, value);
    }
    response
}
