//! The checks that do not look at an action's payload, in the documented
//! order: who is acting, then the state, then the facts of the post. Both
//! [`super::apply`] and [`super::allowed_actions`] run them, so a button is
//! drawn exactly when pressing it can get past them.

use super::{ActionKind, Actor, Policy, PostFacts, PostState, WorkflowError};

/// Every check that does not look at the payload, in the documented order.
pub(super) fn check(
    state: PostState,
    kind: ActionKind,
    actor: &Actor,
    facts: &PostFacts,
    policy: &Policy,
) -> Result<(), WorkflowError> {
    authorize(kind, actor)?;

    if !permitted_in(state, kind) {
        return Err(WorkflowError::NotAllowedInState {
            state,
            action: kind,
        });
    }

    let refusal = match kind {
        ActionKind::Approve | ActionKind::Reject => review_refusal(kind, actor, facts, policy),
        ActionKind::Cancel => {
            // The state says so even if the facts lag behind.
            let out_there = matches!(state, PostState::Published | PostState::PartlyPublished);
            (out_there || facts.any_channel_published).then_some(WorkflowError::AlreadyPublished)
        }
        // Reachable after a retry of a partly published post: the remaining
        // channels must get what the others already got.
        ActionKind::Edit | ActionKind::Withdraw => facts
            .any_channel_published
            .then_some(WorkflowError::AlreadyPublished),
        _ => None,
    };
    refusal.map_or(Ok(()), Err)
}

/// Why this member may not review this post, if they may not.
fn review_refusal(
    kind: ActionKind,
    actor: &Actor,
    facts: &PostFacts,
    policy: &Policy,
) -> Option<WorkflowError> {
    let Actor::Member { user_id, .. } = *actor else {
        // `authorize` already refused the system.
        return Some(WorkflowError::Forbidden);
    };
    if user_id == facts.author_id && !policy.author_may_approve {
        Some(WorkflowError::SelfApproval)
    } else if kind == ActionKind::Approve && facts.approvals.contains(&user_id) {
        Some(WorkflowError::AlreadyApproved)
    } else {
        None
    }
}

/// Who may attempt an action at all, whatever the state.
fn authorize(kind: ActionKind, actor: &Actor) -> Result<(), WorkflowError> {
    match *actor {
        Actor::System if kind.is_system_only() => Ok(()),
        // The delivery system never acts for a person: a cancel or retry has
        // to be someone's decision.
        Actor::System => Err(WorkflowError::Forbidden),
        Actor::Member { .. } if kind.is_system_only() => Err(WorkflowError::SystemOnly),
        Actor::Member { role, .. } => {
            let may = if kind.is_review() {
                role.can_approve()
            } else {
                role.can_write()
            };
            if may {
                Ok(())
            } else {
                Err(WorkflowError::Forbidden)
            }
        }
    }
}

/// The states from which an action can ever succeed (for some actor and
/// facts). Cancel is "permitted" from Published and PartlyPublished only so
/// that it is refused with the more telling `already_published`.
fn permitted_in(state: PostState, kind: ActionKind) -> bool {
    use PostState as S;
    match kind {
        ActionKind::Edit => state.is_editable(),
        ActionKind::Submit => matches!(state, S::Draft | S::ChangesRequested),
        // Approving from ChangesRequested would skip the author's fixes: the
        // post must be resubmitted first.
        ActionKind::Approve => state == S::InReview,
        // A reviewer may still stop an approved post before it goes out.
        ActionKind::Reject | ActionKind::Withdraw => matches!(state, S::InReview | S::Scheduled),
        ActionKind::Reschedule => !matches!(state, S::Publishing | S::Published | S::Cancelled),
        ActionKind::Cancel => state != S::Cancelled,
        ActionKind::Retry => matches!(state, S::PartlyPublished | S::Failed | S::NeedsAttention),
        ActionKind::StartPublishing => state == S::Scheduled,
        ActionKind::ChannelsSettled => state == S::Publishing,
    }
}
