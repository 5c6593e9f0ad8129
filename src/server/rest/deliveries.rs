//! Deliveries over REST: timelines of attempts per post and per channel,
//! the workspace's delivery health, and resolving a delivery that needs a
//! person.

use super::common::{
    parse_id, pick_workspace, post_workspace, tag, ApiJson, ApiQuery, ApiUser, ErrorBody,
    WorkspaceQuery,
};
use crate::domain::delivery::{AttemptView, DeliveryHealth, ResolveAction};
use crate::domain::post::PostView;
use crate::server::deliveries;
use crate::server::error::ApiError;
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[utoipa::path(get, path = "/posts/{id}/attempts", tag = tag::POSTS,
    params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = Vec<AttemptView>), (status = 404, body = ErrorBody)))]
pub async fn post_attempts(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<AttemptView>>, ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    Ok(Json(deliveries::post_attempts(&state, &m, id).await?))
}

/// What a person decided about one channel's delivery.
#[derive(Deserialize, ToSchema)]
pub struct ResolveBody {
    /// `published` (give `url`), `retry` or `cancel`.
    action: ResolveAction,
    /// Where the post can be seen, for `published`.
    #[serde(default)]
    url: Option<String>,
}

#[utoipa::path(post, path = "/posts/{id}/channels/{channel}/resolve", tag = tag::POSTS,
    params(("id" = i64, Path, description = "Post id"), ("channel" = i64, Path, description = "Channel id")),
    request_body = ResolveBody,
    responses((status = 200, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, channel)): Path<(String, String)>,
    ApiJson(body): ApiJson<ResolveBody>,
) -> Result<Json<PostView>, ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    let channel = parse_id(&channel)?;
    Ok(Json(
        deliveries::resolve(&state, &m, id, channel, body.action, body.url.as_deref()).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptsQuery {
    /// Workspace id (see the posts routes).
    workspace: Option<i64>,
    /// At most this many, newest first (1–200, default 50).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/channels/{id}/attempts", tag = tag::POSTS,
    params(("id" = i64, Path, description = "Channel id"), AttemptsQuery),
    responses((status = 200, body = Vec<AttemptView>), (status = 404, body = ErrorBody)))]
pub async fn channel_attempts(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AttemptsQuery>,
) -> Result<Json<Vec<AttemptView>>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    let id = parse_id(&id)?;
    Ok(Json(
        deliveries::channel_attempts(&state, &m, id, q.limit.unwrap_or(50)).await?,
    ))
}

#[utoipa::path(get, path = "/deliveries/health", tag = tag::POSTS, params(WorkspaceQuery),
    responses((status = 200, body = DeliveryHealth), (status = 404, body = ErrorBody)))]
pub async fn health(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
) -> Result<Json<DeliveryHealth>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    Ok(Json(deliveries::health(&state, &m).await?))
}
