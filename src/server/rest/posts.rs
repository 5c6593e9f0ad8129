//! Channels, posts, comments, media and notifications over REST. The same
//! use cases as the dashboard, so the same rules and checks apply.
//!
//! Routes that do not name a workspace in their path find it from the
//! `workspace` query parameter, the `Tongbu-Workspace` header, or (for
//! people in exactly one workspace) the caller's only workspace. Routes of
//! one post find the workspace from the post.

use super::common::{
    member_of, optional_json, parse_id, pick_workspace, post_workspace, tag, ApiJson, ApiQuery,
    ApiUser, ErrorBody, WorkspaceQuery,
};
use crate::domain::post::{
    AuditView, CommentView, MediaRef, PostContent, PostFilter, PostInput, PostSummary, PostView,
    UtmSettings, Variant,
};
use crate::domain::schedule::When;
use crate::domain::workflow::{Action, PostState};
use crate::domain::{AppError, ChannelId};
use crate::i18n::Msg;
use crate::server::error::ApiError;
use crate::server::{media, posts, AppState};
use crate::store::UserRow;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostQuery {
    workspace: Option<i64>,
    /// Comma-separated states, e.g. `scheduled,in_review`.
    state: Option<String>,
    /// Only posts due on some channel at or after this instant (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Only posts due on some channel before this instant (RFC 3339).
    to: Option<DateTime<Utc>>,
    channel: Option<ChannelId>,
    campaign: Option<String>,
    /// Words that must all appear in the post.
    q: Option<String>,
}

#[utoipa::path(get, path = "/posts", tag = tag::POSTS, params(PostQuery),
    responses((status = 200, body = Vec<PostSummary>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_posts(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PostQuery>,
) -> Result<Json<Vec<PostSummary>>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    let states = match q.state.as_deref() {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                PostState::parse(s).ok_or_else(|| {
                    ApiError(AppError::Invalid {
                        field: Some("state".into()),
                        key: Msg::ErrInvalidBody.key().into(),
                        message: format!("Unknown state {s:?}."),
                    })
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let filter = PostFilter {
        states,
        from: q.from,
        to: q.to,
        channel: q.channel,
        campaign: q.campaign,
        q: q.q,
    };
    Ok(Json(posts::list(&state, &m, &filter).await?))
}

/// A post as an API client sends it: the master content, the target
/// channels, an optional variant per channel, when, and a campaign tag.
#[derive(Deserialize, ToSchema)]
pub struct PostBody {
    /// Needed only for members of several workspaces (or use `?workspace=`).
    workspace_id: Option<i64>,
    #[serde(default)]
    text: String,
    title: Option<String>,
    digest: Option<String>,
    link: Option<String>,
    #[serde(default)]
    media: Vec<MediaRef>,
    #[serde(default)]
    variants: Vec<Variant>,
    utm: Option<UtmSettings>,
    #[serde(default)]
    allow_thread: bool,
    channels: Vec<ChannelId>,
    /// `{"mode":"at","local":"2026-12-01T09:00:00","zone":"Asia/Shanghai"}`,
    /// `{"mode":"same_local_time_per_channel","local":"…"}`,
    /// `{"mode":"when_approved"}` or `{"mode":"next_free_slot"}`; optional
    /// `"dst":"earlier"|"later"` settles daylight-saving gaps and folds.
    #[schema(value_type = Option<Object>)]
    schedule: Option<When>,
    campaign: Option<String>,
}

#[utoipa::path(post, path = "/posts", tag = tag::POSTS, params(WorkspaceQuery), request_body = PostBody,
    responses((status = 201, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_post(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
    ApiJson(body): ApiJson<PostBody>,
) -> Result<(StatusCode, Json<PostView>), ApiError> {
    let m = pick_workspace(&state, &user, body.workspace_id.or(q.workspace), &headers).await?;
    let input = PostInput {
        content: PostContent {
            text: body.text,
            title: body.title,
            digest: body.digest,
            link: body.link,
            media: body.media,
            variants: body.variants,
            utm: body.utm,
            allow_thread: body.allow_thread,
        },
        channels: body.channels,
        schedule: body.schedule,
        campaign: body.campaign,
    };
    Ok((
        StatusCode::CREATED,
        Json(posts::create(&state, &m, input).await?),
    ))
}

#[utoipa::path(get, path = "/posts/{id}", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostView), (status = 404, body = ErrorBody)))]
pub async fn get_post(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<PostView>, ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    Ok(Json(posts::get(&state, &m, id).await?))
}

/// Fields to change; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
pub struct PostPatch {
    /// The revision the change was made on; a newer one answers 409.
    expected_revision: Option<i64>,
    text: Option<String>,
    title: Option<String>,
    digest: Option<String>,
    link: Option<String>,
    media: Option<Vec<MediaRef>>,
    variants: Option<Vec<Variant>>,
    utm: Option<UtmSettings>,
    allow_thread: Option<bool>,
    channels: Option<Vec<ChannelId>>,
    #[schema(value_type = Option<Object>)]
    schedule: Option<When>,
    /// True removes the schedule (the post becomes unscheduled).
    #[serde(default)]
    unschedule: bool,
    campaign: Option<String>,
}

#[utoipa::path(patch, path = "/posts/{id}", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")), request_body = PostPatch,
    responses((status = 200, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_post(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PostPatch>,
) -> Result<Json<PostView>, ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    let current = posts::get(&state, &m, id).await?;
    let mut content = current.content;
    if let Some(v) = body.text {
        content.text = v;
    }
    if let Some(v) = body.title {
        content.title = Some(v);
    }
    if let Some(v) = body.digest {
        content.digest = Some(v);
    }
    if let Some(v) = body.link {
        content.link = Some(v);
    }
    if let Some(v) = body.media {
        content.media = v;
    }
    if let Some(v) = body.variants {
        content.variants = v;
    }
    if let Some(v) = body.utm {
        content.utm = Some(v);
    }
    if let Some(v) = body.allow_thread {
        content.allow_thread = v;
    }
    let input = PostInput {
        content,
        channels: body
            .channels
            .unwrap_or_else(|| current.channels.iter().map(|c| c.channel_id).collect()),
        schedule: if body.unschedule {
            None
        } else {
            body.schedule.or(current.schedule)
        },
        campaign: body.campaign.or(current.campaign),
    };
    Ok(Json(
        posts::update(&state, &m, id, body.expected_revision, input).await?,
    ))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ReviewBody {
    /// Optional for approve; required for reject.
    comment: Option<String>,
}

async fn act(
    state: AppState,
    user: UserRow,
    id: String,
    action: Action,
) -> Result<Json<PostView>, ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    Ok(Json(posts::act(&state, &m, id, action).await?))
}

#[utoipa::path(post, path = "/posts/{id}/submit", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<PostView>, ApiError> {
    act(state, user, id, Action::Submit).await
}

#[utoipa::path(post, path = "/posts/{id}/approve", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    request_body(content = Option<ReviewBody>),
    responses((status = 200, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<PostView>, ApiError> {
    let comment = optional_json::<ReviewBody>(&body)?.comment;
    act(state, user, id, Action::Approve { comment }).await
}

#[utoipa::path(post, path = "/posts/{id}/reject", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    request_body = ReviewBody,
    responses((status = 200, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<PostView>, ApiError> {
    let comment = body.comment.unwrap_or_default();
    act(state, user, id, Action::Reject { comment }).await
}

#[utoipa::path(post, path = "/posts/{id}/cancel", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<PostView>, ApiError> {
    act(state, user, id, Action::Cancel).await
}

#[utoipa::path(post, path = "/posts/{id}/withdraw", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<PostView>, ApiError> {
    act(state, user, id, Action::Withdraw).await
}

#[utoipa::path(get, path = "/posts/{id}/comments", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = Vec<CommentView>), (status = 404, body = ErrorBody)))]
pub async fn comments(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommentView>>, ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    Ok(Json(posts::comments(&state, &m, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    body: String,
}

#[utoipa::path(post, path = "/posts/{id}/comments", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    request_body = CommentBody,
    responses((status = 201, body = Vec<CommentView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_comment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<Vec<CommentView>>), ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(posts::comment(&state, &m, id, &body.body).await?),
    ))
}

#[utoipa::path(get, path = "/posts/{id}/audit", tag = tag::POSTS, params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = Vec<AuditView>), (status = 404, body = ErrorBody)))]
pub async fn post_audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<AuditView>>, ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    Ok(Json(posts::post_audit(&state, &m, id).await?))
}

/// Upload form: one `file` part.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

#[utoipa::path(post, path = "/workspaces/{ws}/media", tag = tag::POSTS, params(("ws" = i64, Path, description = "Workspace id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = MediaRef), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_media(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
    mut form: Multipart,
) -> Result<(StatusCode, Json<MediaRef>), ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    let invalid = |msg| ApiError(AppError::invalid(Some("file"), msg));
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| invalid(Msg::ErrMediaTooLarge))?
    {
        if field.name() == Some("file") {
            let bytes = field
                .bytes()
                .await
                .map_err(|_| invalid(Msg::ErrMediaTooLarge))?;
            let created = media::upload(&state, &m, &bytes).await?;
            return Ok((StatusCode::CREATED, Json(created)));
        }
    }
    Err(invalid(Msg::ErrMediaEmpty))
}

#[utoipa::path(get, path = "/workspaces/{ws}/media/{id}", tag = tag::POSTS,
    params(("ws" = i64, Path, description = "Workspace id"), ("id" = i64, Path, description = "Media id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
pub async fn get_media(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    let (content_type, bytes) = media::read(&state, &m, parse_id(&id)?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    unread: i64,
    #[schema(value_type = Vec<Object>)]
    items: Vec<crate::domain::post::NotificationView>,
}

#[utoipa::path(get, path = "/notifications", tag = tag::POSTS,
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn notifications(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<NotificationList>, ApiError> {
    let (unread, items) = posts::notifications(&state, &user).await?;
    Ok(Json(NotificationList { unread, items }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct MarkRead {
    /// Notification ids; all of the caller's when absent.
    ids: Option<Vec<i64>>,
}

#[utoipa::path(post, path = "/notifications/read", tag = tag::POSTS, request_body(content = Option<MarkRead>),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let ids = optional_json::<MarkRead>(&body)?.ids;
    posts::mark_read(&state, &user, ids).await?;
    Ok(StatusCode::NO_CONTENT)
}
