//! Channels: list, create, edit, connect WeChat, set egress, check health.
//! Facebook and X connect through `/oauth/{platform}/start` (a browser
//! redirect, not a server function).

use crate::domain::content::Platform;
use crate::domain::post::ChannelView;
use crate::domain::{AppError, ChannelId, WorkspaceId};
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "list_channels")]
pub async fn list_channels(ws: WorkspaceId) -> Result<Vec<ChannelView>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::channels::channels(&state, &m).await
}

/// Whether this server runs the built-in platform emulator (the create form
/// offers emulated channels only then).
#[server(prefix = "/rpc", endpoint = "emulator_available")]
pub async fn emulator_available() -> Result<bool, AppError> {
    let (state, _) = super::ctx::user()?;
    Ok(state.emulator_url.is_some())
}

#[server(prefix = "/rpc", endpoint = "create_channel")]
pub async fn create_channel(
    ws: WorkspaceId,
    platform: Platform,
    name: String,
    time_zone: String,
    slots: String,
    #[server(default)] emulated: bool,
) -> Result<ChannelView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::channels::create_channel(
        &state, &m, platform, &name, &time_zone, &slots, emulated,
    )
    .await
}

#[server(prefix = "/rpc", endpoint = "update_channel")]
pub async fn update_channel(
    ws: WorkspaceId,
    id: ChannelId,
    name: String,
    time_zone: String,
    slots: String,
) -> Result<ChannelView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::channels::update_channel(&state, &m, id, &name, &time_zone, &slots).await
}

#[server(prefix = "/rpc", endpoint = "connect_wechat")]
pub async fn connect_wechat(
    ws: WorkspaceId,
    id: ChannelId,
    app_id: String,
    app_secret: String,
) -> Result<ChannelView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::channels::connect::connect_wechat(&state, &m, id, &app_id, &app_secret).await
}

#[server(prefix = "/rpc", endpoint = "connect_bluesky")]
pub async fn connect_bluesky(
    ws: WorkspaceId,
    id: ChannelId,
    identifier: String,
    app_password: String,
) -> Result<ChannelView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::channels::connect::connect_bluesky(&state, &m, id, &identifier, &app_password)
        .await
}

#[server(prefix = "/rpc", endpoint = "set_channel_egress")]
pub async fn set_channel_egress(
    ws: WorkspaceId,
    id: ChannelId,
    api_base: String,
    auth_base: String,
    proxy: String,
) -> Result<ChannelView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::channels::set_egress(
        &state,
        &m,
        id,
        Some(&api_base),
        Some(&auth_base),
        Some(&proxy),
    )
    .await
}

#[server(prefix = "/rpc", endpoint = "check_channel")]
pub async fn check_channel(ws: WorkspaceId, id: ChannelId) -> Result<ChannelView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::channels::check_health(&state, &m, id).await
}
