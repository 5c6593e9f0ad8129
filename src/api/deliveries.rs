//! Deliveries for the dashboard: a post's timeline of attempts, resolving a
//! delivery that needs a person, a channel's recent attempts and the
//! workspace's delivery health. Bodies call `server::deliveries`, which
//! checks membership and role.

use crate::domain::delivery::{AttemptView, DeliveryHealth, ResolveAction};
use crate::domain::post::PostView;
use crate::domain::{AppError, ChannelId, PostId, WorkspaceId};
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "post_attempts")]
pub async fn post_attempts(ws: WorkspaceId, id: PostId) -> Result<Vec<AttemptView>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::deliveries::post_attempts(&state, &m, id).await
}

#[server(prefix = "/rpc", endpoint = "channel_attempts")]
pub async fn channel_attempts(
    ws: WorkspaceId,
    channel: ChannelId,
) -> Result<Vec<AttemptView>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::deliveries::channel_attempts(&state, &m, channel, 20).await
}

#[server(prefix = "/rpc", endpoint = "resolve_delivery")]
pub async fn resolve_delivery(
    ws: WorkspaceId,
    id: PostId,
    channel: ChannelId,
    action: ResolveAction,
    url: Option<String>,
) -> Result<PostView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::deliveries::resolve(&state, &m, id, channel, action, url.as_deref()).await
}

#[server(prefix = "/rpc", endpoint = "delivery_health")]
pub async fn get_delivery_health(ws: WorkspaceId) -> Result<DeliveryHealth, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::deliveries::health(&state, &m).await
}
