//! The approval workflow of a post: the states a person sees, who may move a
//! post from one to another, and what happens to its approvals on the way.
//!
//! Pure rules shared by the server and the browser build: no IO, no clock, no
//! threads. The server loads a post, calls [`apply`] and stores the
//! [`Transition`] it gets back (new state, approval change, who to tell). The
//! browser calls [`allowed_actions`] to decide which buttons to draw. Both run
//! the same checks, so a button is shown exactly when pressing it can succeed;
//! only the payload can still be refused (an empty rejection comment, channel
//! counts that do not add up).
//!
//! # Transitions
//!
//! "Writer" is any role that [`Role::can_write`], "reviewer" any role that
//! [`Role::can_approve`], "System" the delivery system ([`Actor::System`]).
//!
//! [`Role::can_write`]: super::role::Role::can_write
//! [`Role::can_approve`]: super::role::Role::can_approve
//!
//! | From | Action | Who | To |
//! |---|---|---|---|
//! | Draft, ChangesRequested | Submit | writer | InReview; Scheduled at once when no approval is required |
//! | InReview | Approve | reviewer | Scheduled once enough approvals count, else InReview |
//! | InReview, Scheduled | Reject (comment) | reviewer | ChangesRequested |
//! | InReview, Scheduled | Withdraw | writer | Draft |
//! | Draft, InReview, ChangesRequested | Edit | writer | unchanged |
//! | Scheduled | Edit | writer | InReview; stays Scheduled when no approval is required |
//! | Draft, InReview, ChangesRequested | Reschedule | writer | unchanged |
//! | Scheduled, PartlyPublished, Failed, NeedsAttention | Reschedule | writer | InReview when the policy wants re-approval (and any approval is required), else Scheduled |
//! | PartlyPublished, Failed, NeedsAttention | Retry | writer | Scheduled (due now) |
//! | anything but Cancelled | Cancel | writer | Cancelled, unless a channel has published |
//! | Scheduled | StartPublishing | System | Publishing |
//! | Publishing | ChannelsSettled | System | see [`Action::ChannelsSettled`] |
//!
//! Every way into Scheduled goes through one check: the approvals that count
//! under the current policy must reach `approvals_required`, otherwise the
//! post lands in InReview instead. So a post is never scheduled under-approved,
//! even if the policy was tightened while it waited.
//!
//! Approvals belong to one revision at one time: Edit, Submit, Reject and
//! Withdraw clear them, Reschedule clears them when the policy wants
//! re-approval, Approve adds one, everything else keeps them.
//!
//! Checks run in a fixed order, so the error a caller sees is predictable:
//! who is acting (`forbidden`, `system_only`), then the state
//! (`not_allowed_in_state`), then the facts of the post (`self_approval`,
//! `already_approved`, `already_published`), then the payload
//! (`comment_required`, `invalid_channel_counts`).
//!
//! # Where things live
//!
//! [`apply`] and [`allowed_actions`] are here, with what Edit and Reschedule
//! lead to from each state. The rest has a file per idea: the post's state and
//! the facts about it (`state`), the workspace's [`Policy`] and the single
//! gate into Scheduled (`policy`), who acts and what they ask (`action`),
//! what comes back (`outcome`), the checks in their documented order
//! (`checks`), and how channel outcomes settle a publishing post (`settle`).
//! Every public item is re-exported here, so callers name `workflow::X`
//! whatever file it lives in.

mod action;
mod checks;
mod outcome;
mod policy;
mod settle;
mod state;

#[cfg(test)]
mod tests;

pub use action::{Action, ActionKind, Actor};
pub use outcome::{ApprovalChange, Notice, Transition, WorkflowError};
pub use policy::Policy;
pub(crate) use settle::settle;
pub use state::{PostFacts, PostState};

use checks::check;
use policy::{counted_approvals, schedule_or_review};

/// Decides what `action` by `actor` does to a post in `state`.
///
/// Nothing is changed here: the caller stores the returned [`Transition`]
/// (and the comment carried by Approve or Reject) in one go, or nothing at
/// all on error.
pub fn apply(
    state: PostState,
    action: &Action,
    actor: &Actor,
    facts: &PostFacts,
    policy: &Policy,
) -> Result<Transition, WorkflowError> {
    check(state, action.kind(), actor, facts, policy)?;

    let transition = match action {
        Action::Edit => edit(state, facts, policy),
        Action::Submit => {
            // A submission is a new revision up for review; earlier
            // approvals (if any survived) were for something else.
            let to = schedule_or_review(0, policy);
            Transition {
                to,
                approvals: ApprovalChange::Clear,
                notify: reviewers_if(to == PostState::InReview),
            }
        }
        Action::Approve { .. } => {
            let Actor::Member { user_id, .. } = *actor else {
                // `check` lets only members review; this keeps the compiler
                // (and a future refactor) honest without an unwrap.
                return Err(WorkflowError::Forbidden);
            };
            // `check` ruled out a repeat or an uncounted self-approval, so
            // this approval adds exactly one to the count.
            let to = schedule_or_review(counted_approvals(facts, policy) + 1, policy);
            Transition {
                to,
                approvals: ApprovalChange::Add(user_id),
                notify: if to == PostState::Scheduled {
                    vec![Notice::AuthorApproved]
                } else {
                    // Still waiting for others, who were told on submit.
                    Vec::new()
                },
            }
        }
        Action::Reject { comment } => {
            if comment.trim().is_empty() {
                return Err(WorkflowError::CommentRequired);
            }
            // The author will change the post; approvals of this revision
            // must not carry over to the next one.
            Transition {
                to: PostState::ChangesRequested,
                approvals: ApprovalChange::Clear,
                notify: vec![Notice::AuthorChangesRequested],
            }
        }
        Action::Withdraw => Transition {
            // Draft never carries approvals: whatever comes back from it is
            // reviewed afresh.
            to: PostState::Draft,
            approvals: ApprovalChange::Clear,
            notify: Vec::new(),
        },
        Action::Reschedule => reschedule(state, facts, policy),
        Action::Cancel => Transition {
            // Approvals are kept as a record of who signed off.
            to: PostState::Cancelled,
            approvals: ApprovalChange::Keep,
            notify: Vec::new(),
        },
        Action::Retry => {
            // Same content, same approvals; only re-checked against the
            // current policy in case it was tightened meanwhile.
            let to = schedule_or_review(counted_approvals(facts, policy), policy);
            Transition {
                to,
                approvals: ApprovalChange::Keep,
                notify: reviewers_if(to == PostState::InReview),
            }
        }
        Action::StartPublishing => Transition {
            to: PostState::Publishing,
            approvals: ApprovalChange::Keep,
            notify: Vec::new(),
        },
        Action::ChannelsSettled {
            published,
            failed,
            needs_attention,
            total,
        } => {
            let to = settle(*published, *failed, *needs_attention, *total)?;
            let notify = match to {
                PostState::Published => vec![Notice::AuthorPublished],
                PostState::PartlyPublished | PostState::Failed => vec![Notice::AuthorFailed],
                PostState::NeedsAttention => vec![Notice::AttentionNeeded],
                _ => Vec::new(),
            };
            Transition {
                to,
                approvals: ApprovalChange::Keep,
                notify,
            }
        }
    };
    Ok(transition)
}

/// The actions `actor` may take on this post now, in [`ActionKind::ALL`]
/// order, for drawing buttons. Exactly the kinds for which [`apply`] gets past
/// every check that does not depend on the payload.
pub fn allowed_actions(
    state: PostState,
    actor: &Actor,
    facts: &PostFacts,
    policy: &Policy,
) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|&kind| check(state, kind, actor, facts, policy).is_ok())
        .collect()
}

fn edit(state: PostState, facts: &PostFacts, policy: &Policy) -> Transition {
    // An edit makes a new revision, and approvals are for a revision.
    let approvals = ApprovalChange::Clear;
    match state {
        PostState::Scheduled => {
            let to = schedule_or_review(0, policy);
            Transition {
                to,
                approvals,
                notify: reviewers_if(to == PostState::InReview),
            }
        }
        PostState::InReview => Transition {
            to: PostState::InReview,
            approvals,
            // Those who approved must look again; if nobody had, reviewers
            // were already told on submit.
            notify: reviewers_if(!facts.approvals.is_empty()),
        },
        // Draft stays Draft; ChangesRequested stays so until resubmitted, so
        // the reviewer's request stays visible while the author works on it.
        other => Transition {
            to: other,
            approvals,
            notify: Vec::new(),
        },
    }
}

fn reschedule(state: PostState, facts: &PostFacts, policy: &Policy) -> Transition {
    let voids = policy.reschedule_voids_approvals();
    let approvals = if voids {
        ApprovalChange::Clear
    } else {
        ApprovalChange::Keep
    };
    match state {
        // Not yet up for approval, or not yet approved: the new time is
        // simply what gets submitted or reviewed.
        PostState::Draft | PostState::ChangesRequested => Transition {
            to: state,
            approvals: ApprovalChange::Keep,
            notify: Vec::new(),
        },
        PostState::InReview => Transition {
            to: PostState::InReview,
            approvals,
            notify: reviewers_if(voids && !facts.approvals.is_empty()),
        },
        // Scheduled, or a failed delivery moved to a new time.
        _ => {
            let counted = if voids {
                0
            } else {
                counted_approvals(facts, policy)
            };
            let to = schedule_or_review(counted, policy);
            Transition {
                to,
                approvals,
                notify: reviewers_if(to == PostState::InReview),
            }
        }
    }
}

fn reviewers_if(needed: bool) -> Vec<Notice> {
    if needed {
        vec![Notice::ReviewersNeeded]
    } else {
        Vec::new()
    }
}
