//! Channels over REST: list, create and edit them, connect WeChat with its
//! AppID and AppSecret, set their egress, and check their health. Facebook
//! and X connect through the browser (`/oauth/{platform}/start`).

use super::common::{
    parse_id, pick_workspace, tag, ApiJson, ApiQuery, ApiUser, ErrorBody, WorkspaceQuery,
};
use crate::domain::content::Platform;
use crate::domain::post::ChannelView;
use crate::domain::AppError;
use crate::server::channels::{self, connect};
use crate::server::error::ApiError;
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

#[utoipa::path(get, path = "/channels", tag = tag::POSTS, params(WorkspaceQuery),
    responses((status = 200, body = Vec<ChannelView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_channels(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
) -> Result<Json<Vec<ChannelView>>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    Ok(Json(channels::channels(&state, &m).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewChannelBody {
    platform: Platform,
    name: String,
    /// IANA time zone of the audience.
    time_zone: String,
    #[serde(default)]
    slots: String,
    /// Send this channel's traffic to the built-in platform emulator (only
    /// where the server runs one).
    #[serde(default)]
    emulated: bool,
}

#[utoipa::path(post, path = "/channels", tag = tag::POSTS, params(WorkspaceQuery), request_body = NewChannelBody,
    responses((status = 201, body = ChannelView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_channel(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
    ApiJson(body): ApiJson<NewChannelBody>,
) -> Result<(StatusCode, Json<ChannelView>), ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    let ch = channels::create_channel(
        &state,
        &m,
        body.platform,
        &body.name,
        &body.time_zone,
        &body.slots,
        body.emulated,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ch)))
}

#[derive(Deserialize, ToSchema)]
pub struct ChannelPatch {
    name: Option<String>,
    time_zone: Option<String>,
    slots: Option<String>,
}

#[utoipa::path(patch, path = "/channels/{id}", tag = tag::POSTS, params(("id" = i64, Path, description = "Channel id"), WorkspaceQuery),
    request_body = ChannelPatch,
    responses((status = 200, body = ChannelView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_channel(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
    ApiJson(body): ApiJson<ChannelPatch>,
) -> Result<Json<ChannelView>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    let id = parse_id(&id)?;
    let current = channels::channels(&state, &m)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(ApiError(AppError::NotFound))?;
    let ch = channels::update_channel(
        &state,
        &m,
        id,
        body.name.as_deref().unwrap_or(&current.name),
        body.time_zone.as_deref().unwrap_or(&current.time_zone),
        body.slots.as_deref().unwrap_or(&current.slots),
    )
    .await?;
    Ok(Json(ch))
}

#[derive(Deserialize, ToSchema)]
pub struct WechatConnectBody {
    app_id: String,
    app_secret: String,
}

/// Connects a WeChat channel: the credentials are checked with WeChat
/// (which also requires this server's IP on the account's whitelist), then
/// stored encrypted.
#[utoipa::path(post, path = "/channels/{id}/connect/wechat", tag = tag::POSTS,
    params(("id" = i64, Path, description = "Channel id"), WorkspaceQuery),
    request_body = WechatConnectBody,
    responses((status = 200, body = ChannelView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn connect_wechat(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
    ApiJson(body): ApiJson<WechatConnectBody>,
) -> Result<Json<ChannelView>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    let id = parse_id(&id)?;
    Ok(Json(
        connect::connect_wechat(&state, &m, id, &body.app_id, &body.app_secret).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct BlueskyConnectBody {
    /// The account's handle (`brand.bsky.social`) or DID.
    identifier: String,
    /// An app password (`xxxx-xxxx-xxxx-xxxx`), never the account's own.
    app_password: String,
}

/// Connects a Bluesky channel: the handle is resolved, a session is made
/// with the app password at the channel's hosting provider (Bluesky's
/// unless the channel's API base says otherwise) and the account's PDS
/// found, then the session is stored encrypted.
#[utoipa::path(post, path = "/channels/{id}/connect/bluesky", tag = tag::POSTS,
    params(("id" = i64, Path, description = "Channel id"), WorkspaceQuery),
    request_body = BlueskyConnectBody,
    responses((status = 200, body = ChannelView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn connect_bluesky(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
    ApiJson(body): ApiJson<BlueskyConnectBody>,
) -> Result<Json<ChannelView>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    let id = parse_id(&id)?;
    Ok(Json(
        connect::connect_bluesky(&state, &m, id, &body.identifier, &body.app_password).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct EgressBody {
    /// API base URL; empty or absent for the platform's own.
    api_base: Option<String>,
    /// Sign-in (OAuth) base URL; defaults to the API base.
    auth_base: Option<String>,
    /// `http://`, `https://` or `socks5://` proxy; empty or absent for direct.
    proxy: Option<String>,
}

#[utoipa::path(put, path = "/channels/{id}/egress", tag = tag::POSTS,
    params(("id" = i64, Path, description = "Channel id"), WorkspaceQuery),
    request_body = EgressBody,
    responses((status = 200, body = ChannelView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_egress(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
    ApiJson(body): ApiJson<EgressBody>,
) -> Result<Json<ChannelView>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    let id = parse_id(&id)?;
    Ok(Json(
        channels::set_egress(
            &state,
            &m,
            id,
            body.api_base.as_deref(),
            body.auth_base.as_deref(),
            body.proxy.as_deref(),
        )
        .await?,
    ))
}

/// Asks the platform who the channel's credentials belong to and records
/// the channel's health.
#[utoipa::path(post, path = "/channels/{id}/check", tag = tag::POSTS,
    params(("id" = i64, Path, description = "Channel id"), WorkspaceQuery),
    responses((status = 200, body = ChannelView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
) -> Result<Json<ChannelView>, ApiError> {
    let m = pick_workspace(&state, &user, q.workspace, &headers).await?;
    let id = parse_id(&id)?;
    Ok(Json(channels::check_health(&state, &m, id).await?))
}
