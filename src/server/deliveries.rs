//! Deliveries as people see them: each post's and each channel's timeline
//! of attempts, the workspace's delivery health, and a person's decision on
//! a delivery the scheduler could not finish ("it was published", "publish
//! it now", "cancel it").

use super::access::{Member, Need};
use super::posts;
use super::AppState;
use crate::domain::delivery::{self, AttemptView, DeliveryHealth, ResolveAction};
use crate::domain::post::PostView;
use crate::domain::{AppError, ChannelId, PostId};
use crate::i18n::Msg;
use crate::store::{AttemptRow, Conflict, Resolution, StoreError};

fn view(a: AttemptRow) -> AttemptView {
    AttemptView {
        post_id: a.post_id,
        channel_id: a.channel_id,
        number: a.number,
        started_at: a.started_at,
        finished_at: a.finished_at,
        outcome: a.outcome,
        error: a.error,
        remote_id: a.remote_id,
    }
}

/// Every attempt on the post, oldest first.
pub async fn post_attempts(
    state: &AppState,
    m: &Member,
    post_id: PostId,
) -> Result<Vec<AttemptView>, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    Ok(state
        .store
        .post_attempts(ws, post_id)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// The channel's latest attempts, newest first.
pub async fn channel_attempts(
    state: &AppState,
    m: &Member,
    channel_id: ChannelId,
    limit: i64,
) -> Result<Vec<AttemptView>, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    Ok(state
        .store
        .channel_attempts(ws, channel_id, limit.clamp(1, 200))
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Overdue, stuck, in-doubt and waiting deliveries of the workspace.
pub async fn health(state: &AppState, m: &Member) -> Result<DeliveryHealth, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    Ok(state.store.delivery_health(state.now(), Some(ws)).await?)
}

/// A person resolves a delivery that needs attention or failed. Approvers
/// and above only: publishing again is a publishing decision.
pub async fn resolve(
    state: &AppState,
    m: &Member,
    post_id: PostId,
    channel_id: ChannelId,
    action: ResolveAction,
    url: Option<&str>,
) -> Result<PostView, AppError> {
    m.require(Need::Approve)?;
    let ws = m.ws();
    let (from, fence) = state
        .store
        .delivery_fence(ws, post_id, channel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if delivery::next(from, action.event()).is_err() {
        return Err(AppError::conflict(Msg::ErrDeliveryNotResolvable));
    }
    let resolution = match action {
        ResolveAction::Published => {
            let url = url.map(str::trim).unwrap_or_default();
            let ok = url::Url::parse(url)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false);
            if !ok {
                return Err(AppError::invalid(Some("url"), Msg::ErrPublishedUrl));
            }
            Resolution::Published {
                url: url.to_owned(),
            }
        }
        ResolveAction::Retry => Resolution::Retry,
        ResolveAction::Cancel => Resolution::Cancel,
    };
    match state
        .store
        .resolve_delivery(
            ws,
            post_id,
            channel_id,
            from,
            fence,
            &resolution,
            m.id(),
            state.now(),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(Conflict::Stale)) => {
            return Err(AppError::conflict(Msg::ErrStale));
        }
        Err(e) => return Err(e.into()),
    }
    posts::get(state, m, post_id).await
}
