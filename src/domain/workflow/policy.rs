//! A workspace's approval rules, and the one gate every way into Scheduled
//! goes through: the approvals that count under the current policy must
//! reach `approvals_required`, so a post is never scheduled under-approved.

use serde::{Deserialize, Serialize};

use super::{PostFacts, PostState};
use crate::domain::UserId;

/// A workspace's approval rules. Missing fields read as the defaults so that
/// a stored policy written by an older version still loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Distinct reviewers who must approve a revision before it is
    /// scheduled. 0 lets writers publish directly: submitting schedules.
    pub approvals_required: u8,
    /// Whether the author's own approval counts. Off by default: the point of
    /// review is a second pair of eyes.
    pub author_may_approve: bool,
    /// Whether moving an approved post to another time needs approving
    /// again. On by default: a post can be right on Monday and wrong on
    /// Friday.
    pub reschedule_needs_approval: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            approvals_required: 1,
            author_may_approve: false,
            reschedule_needs_approval: true,
        }
    }
}

impl Policy {
    pub(super) fn reschedule_voids_approvals(&self) -> bool {
        // With nothing to approve there is nothing to re-approve.
        self.reschedule_needs_approval && self.approvals_required > 0
    }
}

/// The single gate into Scheduled: enough approvals, or back to review.
pub(super) fn schedule_or_review(counted_approvals: usize, policy: &Policy) -> PostState {
    if counted_approvals >= usize::from(policy.approvals_required) {
        PostState::Scheduled
    } else {
        PostState::InReview
    }
}

/// Distinct approvers of the current revision whose approval counts under
/// the current policy (the author's does not unless the policy allows it).
pub(super) fn counted_approvals(facts: &PostFacts, policy: &Policy) -> usize {
    let mut ids: Vec<UserId> = facts
        .approvals
        .iter()
        .copied()
        .filter(|&id| policy.author_may_approve || id != facts.author_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}
