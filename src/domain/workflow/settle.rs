//! How the per-channel outcomes of a publishing post settle its state, with
//! the precedence documented on
//! [`Action::ChannelsSettled`](super::Action::ChannelsSettled).
//! `domain::delivery` derives a post's state from its ended deliveries with
//! it too, so there is one copy of that precedence.

use super::{PostState, WorkflowError};

/// See [`Action::ChannelsSettled`](super::Action::ChannelsSettled) for the precedence.
pub(crate) fn settle(
    published: u32,
    failed: u32,
    needs_attention: u32,
    total: u32,
) -> Result<PostState, WorkflowError> {
    let settled = published
        .checked_add(failed)
        .and_then(|n| n.checked_add(needs_attention))
        .ok_or(WorkflowError::InvalidChannelCounts)?;
    if total == 0 || settled > total {
        return Err(WorkflowError::InvalidChannelCounts);
    }
    Ok(if settled < total {
        PostState::Publishing
    } else if published == total {
        PostState::Published
    } else if failed > 0 && published > 0 {
        PostState::PartlyPublished
    } else if failed > 0 {
        PostState::Failed
    } else {
        PostState::NeedsAttention
    })
}
