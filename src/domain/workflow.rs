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

use std::fmt;

use serde::{Deserialize, Serialize};

use super::role::Role;

/// Where a post stands, in words a person understands at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum PostState {
    /// Being written; nobody has been asked to look at it yet.
    Draft,
    /// Waiting for reviewers to approve it.
    InReview,
    /// A reviewer asked for changes; it is back with the author until
    /// resubmitted.
    ChangesRequested,
    /// Approved (or needing no approval) and waiting for its time.
    Scheduled,
    /// The delivery system is sending it to its channels.
    Publishing,
    /// Every channel has it.
    Published,
    /// Some channels have it, at least one failed.
    PartlyPublished,
    /// No channel has it and at least one failed.
    Failed,
    /// Nothing failed outright, but a channel needs a person (often a
    /// reconnect) before the post can go out there.
    NeedsAttention,
    /// Stopped by a person before anything went out.
    Cancelled,
}

impl PostState {
    pub const ALL: [PostState; 10] = [
        PostState::Draft,
        PostState::InReview,
        PostState::ChangesRequested,
        PostState::Scheduled,
        PostState::Publishing,
        PostState::Published,
        PostState::PartlyPublished,
        PostState::Failed,
        PostState::NeedsAttention,
        PostState::Cancelled,
    ];

    /// The stable name, as stored and as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Draft => "draft",
            PostState::InReview => "in_review",
            PostState::ChangesRequested => "changes_requested",
            PostState::Scheduled => "scheduled",
            PostState::Publishing => "publishing",
            PostState::Published => "published",
            PostState::PartlyPublished => "partly_published",
            PostState::Failed => "failed",
            PostState::NeedsAttention => "needs_attention",
            PostState::Cancelled => "cancelled",
        }
    }

    /// Reads a name written by [`PostState::as_str`]; tolerant of case and
    /// surrounding blanks because it also reads query strings.
    pub fn parse(s: &str) -> Option<PostState> {
        let s = s.trim();
        PostState::ALL
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(s))
    }

    /// No action by anyone leaves this state. PartlyPublished is not
    /// terminal: the channels that failed can still be retried.
    pub fn is_terminal(self) -> bool {
        matches!(self, PostState::Published | PostState::Cancelled)
    }

    /// Whether the content may be changed in this state at all. Once the
    /// delivery system has taken the post, what went out must stay what was
    /// approved. Even in these states an edit is refused once a channel has
    /// published (see [`WorkflowError::AlreadyPublished`]).
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            PostState::Draft
                | PostState::InReview
                | PostState::ChangesRequested
                | PostState::Scheduled
        )
    }
}

impl fmt::Display for PostState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    fn reschedule_voids_approvals(&self) -> bool {
        // With nothing to approve there is nothing to re-approve.
        self.reschedule_needs_approval && self.approvals_required > 0
    }
}

/// Who is acting. Deliberately not deserializable: the server builds it from
/// the session (or its own delivery worker), never from a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    Member {
        user_id: i64,
        role: Role,
    },
    /// The delivery system. The only actor that moves a post into or through
    /// publishing, because only it knows what the channels answered.
    System,
}

/// Something someone wants to do to a post.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Change the content.
    Edit,
    /// Ask for review (or schedule at once when no approval is required).
    Submit,
    /// Sign off on the current revision. The comment is kept by the caller.
    Approve { comment: Option<String> },
    /// Request changes. A comment is required: "no" without a reason leaves
    /// the author guessing.
    Reject { comment: String },
    /// Take a post out of review or off the schedule, back to Draft.
    Withdraw,
    /// Change when the post goes out.
    Reschedule,
    /// Stop the post for good.
    Cancel,
    /// Try the channels that did not publish again, now. Needs no new
    /// approval: the content is unchanged since it was approved.
    Retry,
    /// (System) A scheduled post's time has come.
    StartPublishing,
    /// (System) Report per-channel outcomes. Counts cover every channel of the
    /// post, including those published by an earlier attempt, so a retried
    /// post settles to Published once the rest succeed.
    ///
    /// While `published + failed + needs_attention < total` the post stays
    /// Publishing. Once every channel has settled, the first match wins:
    /// 1. all published: Published;
    /// 2. some failed, some published: PartlyPublished;
    /// 3. some failed, none published: Failed;
    /// 4. otherwise (some need attention, none failed): NeedsAttention,
    ///    whether or not others published.
    ///
    /// Failures outrank "needs attention" because they describe what already
    /// happened; NeedsAttention is kept for posts a person can still rescue
    /// entirely. `total == 0` or counts above `total` are refused.
    ChannelsSettled {
        published: u32,
        failed: u32,
        needs_attention: u32,
        total: u32,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Edit => ActionKind::Edit,
            Action::Submit => ActionKind::Submit,
            Action::Approve { .. } => ActionKind::Approve,
            Action::Reject { .. } => ActionKind::Reject,
            Action::Withdraw => ActionKind::Withdraw,
            Action::Reschedule => ActionKind::Reschedule,
            Action::Cancel => ActionKind::Cancel,
            Action::Retry => ActionKind::Retry,
            Action::StartPublishing => ActionKind::StartPublishing,
            Action::ChannelsSettled { .. } => ActionKind::ChannelsSettled,
        }
    }
}

/// [`Action`] without its payload: what the UI needs to draw a button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ActionKind {
    Edit,
    Submit,
    Approve,
    Reject,
    Withdraw,
    Reschedule,
    Cancel,
    Retry,
    StartPublishing,
    ChannelsSettled,
}

impl ActionKind {
    pub const ALL: [ActionKind; 10] = [
        ActionKind::Edit,
        ActionKind::Submit,
        ActionKind::Approve,
        ActionKind::Reject,
        ActionKind::Withdraw,
        ActionKind::Reschedule,
        ActionKind::Cancel,
        ActionKind::Retry,
        ActionKind::StartPublishing,
        ActionKind::ChannelsSettled,
    ];

    /// The stable name, as serialized (the `kind` tag of [`Action`]).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Edit => "edit",
            ActionKind::Submit => "submit",
            ActionKind::Approve => "approve",
            ActionKind::Reject => "reject",
            ActionKind::Withdraw => "withdraw",
            ActionKind::Reschedule => "reschedule",
            ActionKind::Cancel => "cancel",
            ActionKind::Retry => "retry",
            ActionKind::StartPublishing => "start_publishing",
            ActionKind::ChannelsSettled => "channels_settled",
        }
    }

    fn is_system_only(self) -> bool {
        matches!(
            self,
            ActionKind::StartPublishing | ActionKind::ChannelsSettled
        )
    }

    fn is_review(self) -> bool {
        matches!(self, ActionKind::Approve | ActionKind::Reject)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the caller knows about the post beyond its state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFacts {
    pub author_id: i64,
    /// Users who approved the current revision.
    pub approvals: Vec<i64>,
    /// Whether any channel has the post already. Once one has, the post can
    /// be neither cancelled nor edited: it is out there.
    pub any_channel_published: bool,
    /// "Publish now" rather than at a chosen time. It does not change the
    /// workflow: such a post is Scheduled like any other, due now, and the
    /// scheduler picks it up. Kept here so callers have one bundle of facts.
    pub publish_immediately: bool,
}

/// What to do with the stored approvals of the post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalChange {
    Keep,
    /// Record this user's approval of the current revision.
    Add(i64),
    /// Forget every approval: they were given to another revision or time.
    Clear,
}

/// Who should hear about a transition. The caller resolves audiences to
/// people and leaves out the person who acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// The workspace's reviewers: a post waits for (renewed) approval.
    ReviewersNeeded,
    /// The author: the post got its last approval and is scheduled.
    AuthorApproved,
    /// The author: a reviewer requested changes (with a comment).
    AuthorChangesRequested,
    /// The author: every channel has the post.
    AuthorPublished,
    /// The author: at least one channel failed (Failed or PartlyPublished).
    AuthorFailed,
    /// The author and the members who configure channels: a channel needs a
    /// person, often a reconnect, before the post can go out there.
    AttentionNeeded,
}

/// The outcome of a permitted action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub to: PostState,
    pub approvals: ApprovalChange,
    pub notify: Vec<Notice>,
}

/// Why an action was refused. Serialized as `{"code": "...", ...}`; the app
/// turns codes into sentences, so no wording lives here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum WorkflowError {
    /// The actor's role may not do this (viewers, editors reviewing, or the
    /// delivery system doing a person's job).
    Forbidden,
    /// Nobody may do this in this state.
    NotAllowedInState {
        state: PostState,
        action: ActionKind,
    },
    /// The author may not review (approve or reject) their own post under
    /// this policy.
    SelfApproval,
    /// This reviewer already approved the current revision.
    AlreadyApproved,
    /// A rejection needs a comment that is not blank.
    CommentRequired,
    /// A channel has the post already: it can no longer be cancelled, edited
    /// or withdrawn.
    AlreadyPublished,
    /// Only the delivery system may do this.
    SystemOnly,
    /// Channel counts that cannot describe a post: no channels, or more
    /// outcomes than channels. A bug in the caller, refused rather than
    /// guessed at.
    InvalidChannelCounts,
}

impl WorkflowError {
    /// Stable machine-readable code; equal to the serialized `code` tag.
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::Forbidden => "forbidden",
            WorkflowError::NotAllowedInState { .. } => "not_allowed_in_state",
            WorkflowError::SelfApproval => "self_approval",
            WorkflowError::AlreadyApproved => "already_approved",
            WorkflowError::CommentRequired => "comment_required",
            WorkflowError::AlreadyPublished => "already_published",
            WorkflowError::SystemOnly => "system_only",
            WorkflowError::InvalidChannelCounts => "invalid_channel_counts",
        }
    }
}

/// For logs only; people see the app's translation of [`WorkflowError::code`].
impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkflowError::NotAllowedInState { state, action } => {
                write!(f, "{}: {action} in {state}", self.code())
            }
            other => f.write_str(other.code()),
        }
    }
}

impl std::error::Error for WorkflowError {}

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

/// Every check that does not look at the payload, in the documented order.
fn check(
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

/// The single gate into Scheduled: enough approvals, or back to review.
fn schedule_or_review(counted_approvals: usize, policy: &Policy) -> PostState {
    if counted_approvals >= usize::from(policy.approvals_required) {
        PostState::Scheduled
    } else {
        PostState::InReview
    }
}

/// Distinct approvers of the current revision whose approval counts under
/// the current policy (the author's does not unless the policy allows it).
fn counted_approvals(facts: &PostFacts, policy: &Policy) -> usize {
    let mut ids: Vec<i64> = facts
        .approvals
        .iter()
        .copied()
        .filter(|&id| policy.author_may_approve || id != facts.author_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

fn reviewers_if(needed: bool) -> Vec<Notice> {
    if needed {
        vec![Notice::ReviewersNeeded]
    } else {
        Vec::new()
    }
}

/// See [`Action::ChannelsSettled`] for the precedence.
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ActionKind as K;
    use PostState::*;

    const AUTHOR: i64 = 1;
    const ACTOR: i64 = 2;
    const OTHER_REVIEWER: i64 = 3;

    fn member(user_id: i64, role: Role) -> Actor {
        Actor::Member { user_id, role }
    }

    fn facts(approvals: &[i64], any_channel_published: bool) -> PostFacts {
        PostFacts {
            author_id: AUTHOR,
            approvals: approvals.to_vec(),
            any_channel_published,
            publish_immediately: false,
        }
    }

    fn policy(
        approvals_required: u8,
        author_may_approve: bool,
        reschedule_needs_approval: bool,
    ) -> Policy {
        Policy {
            approvals_required,
            author_may_approve,
            reschedule_needs_approval,
        }
    }

    /// A well-formed action of each kind, so that only state, role and facts
    /// decide the outcome.
    fn sample(kind: ActionKind) -> Action {
        match kind {
            K::Edit => Action::Edit,
            K::Submit => Action::Submit,
            K::Approve => Action::Approve { comment: None },
            K::Reject => Action::Reject {
                comment: "Please shorten the intro.".into(),
            },
            K::Withdraw => Action::Withdraw,
            K::Reschedule => Action::Reschedule,
            K::Cancel => Action::Cancel,
            K::Retry => Action::Retry,
            K::StartPublishing => Action::StartPublishing,
            K::ChannelsSettled => Action::ChannelsSettled {
                published: 1,
                failed: 0,
                needs_attention: 0,
                total: 1,
            },
        }
    }

    fn run(
        state: PostState,
        action: &Action,
        actor: Actor,
        facts: &PostFacts,
        policy: &Policy,
    ) -> Result<Transition, WorkflowError> {
        apply(state, action, &actor, facts, policy)
    }

    fn to(result: Result<Transition, WorkflowError>) -> Result<PostState, WorkflowError> {
        result.map(|t| t.to)
    }

    // ----- The exhaustive table -------------------------------------------

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Want {
        To(PostState),
        Forbidden,
        SystemOnly,
        NotAllowed,
        AlreadyPublished,
    }
    use Want::To;
    const FORB: Want = Want::Forbidden;
    const SYS: Want = Want::SystemOnly;
    const NA: Want = Want::NotAllowed;
    const PUB: Want = Want::AlreadyPublished;

    impl Want {
        fn resolve(self, state: PostState, action: ActionKind) -> Result<PostState, WorkflowError> {
            match self {
                To(s) => Ok(s),
                Want::Forbidden => Err(WorkflowError::Forbidden),
                Want::SystemOnly => Err(WorkflowError::SystemOnly),
                Want::NotAllowed => Err(WorkflowError::NotAllowedInState { state, action }),
                Want::AlreadyPublished => Err(WorkflowError::AlreadyPublished),
            }
        }
    }

    /// Columns, in order.
    const WHO: [Option<Role>; 6] = [
        Some(Role::Owner),
        Some(Role::Admin),
        Some(Role::Approver),
        Some(Role::Editor),
        Some(Role::Viewer),
        None, // System
    ];

    /// A typical post in each state, under the default policy (one approval,
    /// no self-approval, rescheduling needs re-approval). The acting member
    /// is not the author. Posts that got past review carry one approval by
    /// another reviewer; Published and PartlyPublished have a channel out.
    fn typical_facts(state: PostState) -> PostFacts {
        let approved = matches!(
            state,
            Scheduled | Publishing | Published | PartlyPublished | Failed | NeedsAttention
        );
        let approvals: &[i64] = if approved { &[OTHER_REVIEWER] } else { &[] };
        facts(approvals, matches!(state, Published | PartlyPublished))
    }

    /// Every (state, action) pair with the outcome for every role and the
    /// delivery system, spelled out rather than computed.
    #[rustfmt::skip]
    fn table() -> Vec<(PostState, ActionKind, [Want; 6])> {
        vec![
            //                                  Owner                  Admin                  Approver               Editor                 Viewer System
            (Draft, K::Edit,                   [To(Draft),             To(Draft),             To(Draft),             To(Draft),             FORB, FORB]),
            (Draft, K::Submit,                 [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (Draft, K::Approve,                [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Draft, K::Reject,                 [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Draft, K::Withdraw,               [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Draft, K::Reschedule,             [To(Draft),             To(Draft),             To(Draft),             To(Draft),             FORB, FORB]),
            (Draft, K::Cancel,                 [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
            (Draft, K::Retry,                  [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Draft, K::StartPublishing,        [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (Draft, K::ChannelsSettled,        [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

            (InReview, K::Edit,                [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (InReview, K::Submit,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (InReview, K::Approve,             [To(Scheduled),         To(Scheduled),         To(Scheduled),         FORB,                  FORB, FORB]),
            (InReview, K::Reject,              [To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  FORB,                  FORB, FORB]),
            (InReview, K::Withdraw,            [To(Draft),             To(Draft),             To(Draft),             To(Draft),             FORB, FORB]),
            (InReview, K::Reschedule,          [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (InReview, K::Cancel,              [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
            (InReview, K::Retry,               [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (InReview, K::StartPublishing,     [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (InReview, K::ChannelsSettled,     [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

            (ChangesRequested, K::Edit,        [To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  FORB, FORB]),
            (ChangesRequested, K::Submit,      [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (ChangesRequested, K::Approve,     [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (ChangesRequested, K::Reject,      [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (ChangesRequested, K::Withdraw,    [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (ChangesRequested, K::Reschedule,  [To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  FORB, FORB]),
            (ChangesRequested, K::Cancel,      [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
            (ChangesRequested, K::Retry,       [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (ChangesRequested, K::StartPublishing, [SYS,               SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (ChangesRequested, K::ChannelsSettled, [SYS,               SYS,                   SYS,                   SYS,                   SYS,  NA]),

            (Scheduled, K::Edit,               [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (Scheduled, K::Submit,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Scheduled, K::Approve,            [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Scheduled, K::Reject,             [To(ChangesRequested),  To(ChangesRequested),  To(ChangesRequested),  FORB,                  FORB, FORB]),
            (Scheduled, K::Withdraw,           [To(Draft),             To(Draft),             To(Draft),             To(Draft),             FORB, FORB]),
            (Scheduled, K::Reschedule,         [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (Scheduled, K::Cancel,             [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
            (Scheduled, K::Retry,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Scheduled, K::StartPublishing,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  To(Publishing)]),
            (Scheduled, K::ChannelsSettled,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

            (Publishing, K::Edit,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Publishing, K::Submit,            [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Publishing, K::Approve,           [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Publishing, K::Reject,            [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Publishing, K::Withdraw,          [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Publishing, K::Reschedule,        [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Publishing, K::Cancel,            [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
            (Publishing, K::Retry,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Publishing, K::StartPublishing,   [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (Publishing, K::ChannelsSettled,   [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  To(Published)]),

            (Published, K::Edit,               [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Published, K::Submit,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Published, K::Approve,            [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Published, K::Reject,             [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Published, K::Withdraw,           [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Published, K::Reschedule,         [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Published, K::Cancel,             [PUB,                   PUB,                   PUB,                   PUB,                   FORB, FORB]),
            (Published, K::Retry,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Published, K::StartPublishing,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (Published, K::ChannelsSettled,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

            (PartlyPublished, K::Edit,         [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (PartlyPublished, K::Submit,       [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (PartlyPublished, K::Approve,      [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (PartlyPublished, K::Reject,       [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (PartlyPublished, K::Withdraw,     [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (PartlyPublished, K::Reschedule,   [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (PartlyPublished, K::Cancel,       [PUB,                   PUB,                   PUB,                   PUB,                   FORB, FORB]),
            (PartlyPublished, K::Retry,        [To(Scheduled),         To(Scheduled),         To(Scheduled),         To(Scheduled),         FORB, FORB]),
            (PartlyPublished, K::StartPublishing, [SYS,                SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (PartlyPublished, K::ChannelsSettled, [SYS,                SYS,                   SYS,                   SYS,                   SYS,  NA]),

            (Failed, K::Edit,                  [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Failed, K::Submit,                [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Failed, K::Approve,               [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Failed, K::Reject,                [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Failed, K::Withdraw,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Failed, K::Reschedule,            [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (Failed, K::Cancel,                [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
            (Failed, K::Retry,                 [To(Scheduled),         To(Scheduled),         To(Scheduled),         To(Scheduled),         FORB, FORB]),
            (Failed, K::StartPublishing,       [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (Failed, K::ChannelsSettled,       [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),

            (NeedsAttention, K::Edit,          [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (NeedsAttention, K::Submit,        [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (NeedsAttention, K::Approve,       [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (NeedsAttention, K::Reject,        [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (NeedsAttention, K::Withdraw,      [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (NeedsAttention, K::Reschedule,    [To(InReview),          To(InReview),          To(InReview),          To(InReview),          FORB, FORB]),
            (NeedsAttention, K::Cancel,        [To(Cancelled),         To(Cancelled),         To(Cancelled),         To(Cancelled),         FORB, FORB]),
            (NeedsAttention, K::Retry,         [To(Scheduled),         To(Scheduled),         To(Scheduled),         To(Scheduled),         FORB, FORB]),
            (NeedsAttention, K::StartPublishing, [SYS,                 SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (NeedsAttention, K::ChannelsSettled, [SYS,                 SYS,                   SYS,                   SYS,                   SYS,  NA]),

            (Cancelled, K::Edit,               [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Cancelled, K::Submit,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Cancelled, K::Approve,            [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Cancelled, K::Reject,             [NA,                    NA,                    NA,                    FORB,                  FORB, FORB]),
            (Cancelled, K::Withdraw,           [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Cancelled, K::Reschedule,         [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Cancelled, K::Cancel,             [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Cancelled, K::Retry,              [NA,                    NA,                    NA,                    NA,                    FORB, FORB]),
            (Cancelled, K::StartPublishing,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
            (Cancelled, K::ChannelsSettled,    [SYS,                   SYS,                   SYS,                   SYS,                   SYS,  NA]),
        ]
    }

    #[test]
    fn the_table_covers_every_state_and_action_exactly_once() {
        let rows = table();
        assert_eq!(rows.len(), PostState::ALL.len() * ActionKind::ALL.len());
        for state in PostState::ALL {
            for kind in ActionKind::ALL {
                let n = rows
                    .iter()
                    .filter(|(s, k, _)| *s == state && *k == kind)
                    .count();
                assert_eq!(n, 1, "{state} / {kind} appears {n} times");
            }
        }
    }

    #[test]
    fn every_transition_by_every_role_and_the_system_matches_the_table() {
        let policy = Policy::default();
        for (state, kind, wants) in table() {
            let facts = typical_facts(state);
            for (who, want) in WHO.into_iter().zip(wants) {
                let actor = match who {
                    Some(role) => member(ACTOR, role),
                    None => Actor::System,
                };
                let expected = want.resolve(state, kind);
                let got = to(run(state, &sample(kind), actor, &facts, &policy));
                assert_eq!(got, expected, "{kind} on {state} by {actor:?}");

                // The buttons agree with the outcome.
                let shown = allowed_actions(state, &actor, &facts, &policy).contains(&kind);
                assert_eq!(
                    shown,
                    expected.is_ok(),
                    "button {kind} on {state} for {actor:?}"
                );
            }
        }
    }

    // ----- Roles ----------------------------------------------------------

    #[test]
    fn a_viewer_can_do_nothing_to_any_post() {
        let viewer = member(ACTOR, Role::Viewer);
        for p in [
            policy(0, true, false),
            Policy::default(),
            policy(2, false, true),
        ] {
            for state in PostState::ALL {
                for f in [
                    facts(&[], false),
                    facts(&[OTHER_REVIEWER], false),
                    facts(&[], true),
                ] {
                    assert!(allowed_actions(state, &viewer, &f, &p).is_empty());
                    for kind in ActionKind::ALL {
                        let want = if kind.is_system_only() {
                            WorkflowError::SystemOnly
                        } else {
                            WorkflowError::Forbidden
                        };
                        assert_eq!(to(run(state, &sample(kind), viewer, &f, &p)), Err(want));
                    }
                }
            }
        }
    }

    #[test]
    fn a_viewer_who_wrote_the_post_still_can_do_nothing() {
        // A member demoted to viewer keeps authorship but loses the right to act.
        let viewer_author = member(AUTHOR, Role::Viewer);
        let p = policy(1, true, true);
        assert!(allowed_actions(InReview, &viewer_author, &facts(&[], false), &p).is_empty());
    }

    #[test]
    fn an_editor_writes_but_cannot_review() {
        let editor = member(ACTOR, Role::Editor);
        let f = facts(&[], false);
        let p = Policy::default();
        assert_eq!(
            allowed_actions(InReview, &editor, &f, &p),
            vec![K::Edit, K::Withdraw, K::Reschedule, K::Cancel]
        );
        assert_eq!(
            to(run(InReview, &sample(K::Approve), editor, &f, &p)),
            Err(WorkflowError::Forbidden)
        );
    }

    #[test]
    fn reviewers_see_approve_and_reject_on_someone_elses_post_in_review() {
        let f = facts(&[], false);
        for role in [Role::Owner, Role::Admin, Role::Approver] {
            let shown = allowed_actions(InReview, &member(ACTOR, role), &f, &Policy::default());
            assert_eq!(
                shown,
                vec![
                    K::Edit,
                    K::Approve,
                    K::Reject,
                    K::Withdraw,
                    K::Reschedule,
                    K::Cancel
                ],
                "{role:?}"
            );
        }
    }

    #[test]
    fn the_system_cannot_act_for_a_person_and_people_cannot_drive_delivery() {
        let p = Policy::default();
        for kind in [
            K::Edit,
            K::Submit,
            K::Approve,
            K::Reject,
            K::Withdraw,
            K::Reschedule,
            K::Cancel,
            K::Retry,
        ] {
            assert_eq!(
                to(run(
                    InReview,
                    &sample(kind),
                    Actor::System,
                    &facts(&[], false),
                    &p
                )),
                Err(WorkflowError::Forbidden),
                "{kind}"
            );
        }
        for role in Role::ALL {
            assert_eq!(
                to(run(
                    Scheduled,
                    &Action::StartPublishing,
                    member(ACTOR, role),
                    &facts(&[3], false),
                    &p
                )),
                Err(WorkflowError::SystemOnly)
            );
            assert_eq!(
                to(run(
                    Publishing,
                    &sample(K::ChannelsSettled),
                    member(ACTOR, role),
                    &facts(&[3], false),
                    &p
                )),
                Err(WorkflowError::SystemOnly)
            );
        }
        assert_eq!(
            allowed_actions(Scheduled, &Actor::System, &facts(&[3], false), &p),
            vec![K::StartPublishing]
        );
    }

    // ----- Approvals ------------------------------------------------------

    #[test]
    fn an_author_cannot_approve_their_own_post_by_default() {
        let author = member(AUTHOR, Role::Approver);
        let f = facts(&[], false);
        let p = Policy::default();
        assert_eq!(
            run(InReview, &Action::Approve { comment: None }, author, &f, &p),
            Err(WorkflowError::SelfApproval)
        );
        assert!(!allowed_actions(InReview, &author, &f, &p).contains(&K::Approve));
    }

    #[test]
    fn an_author_cannot_request_changes_on_their_own_post_by_default_either() {
        // Reviewing is one role; the author withdraws or edits instead.
        let author = member(AUTHOR, Role::Owner);
        let reject = Action::Reject {
            comment: "hmm".into(),
        };
        assert_eq!(
            run(
                InReview,
                &reject,
                author,
                &facts(&[], false),
                &Policy::default()
            ),
            Err(WorkflowError::SelfApproval)
        );
    }

    #[test]
    fn an_author_may_approve_their_own_post_when_the_policy_allows_it() {
        let author = member(AUTHOR, Role::Approver);
        let p = policy(1, true, true);
        let t = run(
            InReview,
            &Action::Approve {
                comment: Some("ok".into()),
            },
            author,
            &facts(&[], false),
            &p,
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: Scheduled,
                approvals: ApprovalChange::Add(AUTHOR),
                notify: vec![Notice::AuthorApproved],
            })
        );
    }

    #[test]
    fn an_authors_old_approval_stops_counting_when_self_approval_is_switched_off() {
        // The author approved while allowed; the policy changed; a second
        // reviewer's approval alone must not be taken for two.
        let p = policy(2, false, true);
        let t = run(
            InReview,
            &Action::Approve { comment: None },
            member(ACTOR, Role::Approver),
            &facts(&[AUTHOR], false),
            &p,
        );
        assert_eq!(to(t), Ok(InReview));
    }

    #[test]
    fn a_post_needing_two_approvals_is_scheduled_only_by_the_second() {
        let p = policy(2, false, true);
        let first = run(
            InReview,
            &Action::Approve { comment: None },
            member(ACTOR, Role::Approver),
            &facts(&[], false),
            &p,
        );
        assert_eq!(
            first,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Add(ACTOR),
                notify: vec![],
            })
        );
        let second = run(
            InReview,
            &Action::Approve { comment: None },
            member(OTHER_REVIEWER, Role::Admin),
            &facts(&[ACTOR], false),
            &p,
        );
        assert_eq!(
            second,
            Ok(Transition {
                to: Scheduled,
                approvals: ApprovalChange::Add(OTHER_REVIEWER),
                notify: vec![Notice::AuthorApproved],
            })
        );
    }

    #[test]
    fn the_same_reviewer_cannot_approve_twice() {
        let p = policy(2, false, true);
        let again = run(
            InReview,
            &Action::Approve { comment: None },
            member(ACTOR, Role::Approver),
            &facts(&[ACTOR], false),
            &p,
        );
        assert_eq!(again, Err(WorkflowError::AlreadyApproved));
    }

    #[test]
    fn duplicate_approvals_in_storage_count_once() {
        let p = policy(3, false, true);
        let t = run(
            InReview,
            &Action::Approve { comment: None },
            member(ACTOR, Role::Approver),
            &facts(&[OTHER_REVIEWER, OTHER_REVIEWER], false),
            &p,
        );
        assert_eq!(to(t), Ok(InReview));
    }

    #[test]
    fn a_post_with_changes_requested_must_be_resubmitted_before_approval() {
        let reviewer = member(ACTOR, Role::Approver);
        let f = facts(&[], false);
        let p = Policy::default();
        assert_eq!(
            to(run(
                ChangesRequested,
                &Action::Approve { comment: None },
                reviewer,
                &f,
                &p
            )),
            Err(WorkflowError::NotAllowedInState {
                state: ChangesRequested,
                action: K::Approve
            })
        );
        let resubmitted = run(
            ChangesRequested,
            &Action::Submit,
            member(AUTHOR, Role::Editor),
            &f,
            &p,
        );
        assert_eq!(
            resubmitted,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Clear,
                notify: vec![Notice::ReviewersNeeded],
            })
        );
    }

    #[test]
    fn with_no_approvals_required_submitting_schedules_at_once() {
        let p = policy(0, false, true);
        let mut f = facts(&[], false);
        let t = run(Draft, &Action::Submit, member(AUTHOR, Role::Editor), &f, &p);
        assert_eq!(
            t,
            Ok(Transition {
                to: Scheduled,
                approvals: ApprovalChange::Clear,
                notify: vec![],
            })
        );
        // "Publish now" is still Scheduled, due now: the scheduler takes it.
        f.publish_immediately = true;
        assert_eq!(
            to(run(
                Draft,
                &Action::Submit,
                member(AUTHOR, Role::Editor),
                &f,
                &p
            )),
            Ok(Scheduled)
        );
    }

    // ----- Rejection ------------------------------------------------------

    #[test]
    fn a_rejection_requires_a_comment() {
        let reviewer = member(ACTOR, Role::Approver);
        let f = facts(&[], false);
        for comment in ["", "   ", "\n\t"] {
            let reject = Action::Reject {
                comment: comment.into(),
            };
            assert_eq!(
                run(InReview, &reject, reviewer, &f, &Policy::default()),
                Err(WorkflowError::CommentRequired)
            );
        }
    }

    #[test]
    fn a_rejection_requests_changes_voids_approvals_and_tells_the_author() {
        let p = policy(2, false, true);
        let reject = Action::Reject {
            comment: "Wrong date in the second line.".into(),
        };
        let t = run(
            InReview,
            &reject,
            member(ACTOR, Role::Approver),
            &facts(&[OTHER_REVIEWER], false),
            &p,
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: ChangesRequested,
                approvals: ApprovalChange::Clear,
                notify: vec![Notice::AuthorChangesRequested],
            })
        );
    }

    #[test]
    fn a_reviewer_can_still_stop_an_approved_post_before_it_goes_out() {
        let reject = Action::Reject {
            comment: "Embargo moved.".into(),
        };
        let t = run(
            Scheduled,
            &reject,
            member(ACTOR, Role::Admin),
            &facts(&[OTHER_REVIEWER], false),
            &Policy::default(),
        );
        assert_eq!(to(t), Ok(ChangesRequested));
    }

    // ----- Editing --------------------------------------------------------

    #[test]
    fn editing_after_approval_voids_the_approvals_and_returns_the_post_to_review() {
        let t = run(
            Scheduled,
            &Action::Edit,
            member(AUTHOR, Role::Editor),
            &facts(&[OTHER_REVIEWER], false),
            &Policy::default(),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Clear,
                notify: vec![Notice::ReviewersNeeded],
            })
        );
    }

    #[test]
    fn editing_in_review_voids_earlier_approvals_and_asks_reviewers_to_look_again() {
        let p = policy(2, false, true);
        let t = run(
            InReview,
            &Action::Edit,
            member(AUTHOR, Role::Editor),
            &facts(&[OTHER_REVIEWER], false),
            &p,
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Clear,
                notify: vec![Notice::ReviewersNeeded],
            })
        );
        // Nobody had approved: nobody to tell again.
        let quiet = run(
            InReview,
            &Action::Edit,
            member(AUTHOR, Role::Editor),
            &facts(&[], false),
            &p,
        );
        assert_eq!(quiet.map(|t| t.notify), Ok(vec![]));
    }

    #[test]
    fn editing_with_changes_requested_keeps_the_request_visible_until_resubmitted() {
        let t = run(
            ChangesRequested,
            &Action::Edit,
            member(AUTHOR, Role::Editor),
            &facts(&[], false),
            &Policy::default(),
        );
        assert_eq!(to(t), Ok(ChangesRequested));
    }

    #[test]
    fn editing_a_scheduled_post_keeps_it_scheduled_when_no_approval_is_required() {
        let t = run(
            Scheduled,
            &Action::Edit,
            member(AUTHOR, Role::Editor),
            &facts(&[], false),
            &policy(0, false, true),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: Scheduled,
                approvals: ApprovalChange::Clear,
                notify: vec![],
            })
        );
    }

    #[test]
    fn editing_is_refused_once_the_delivery_system_has_the_post() {
        let editor = member(AUTHOR, Role::Editor);
        for state in [
            Publishing,
            Published,
            PartlyPublished,
            Failed,
            NeedsAttention,
            Cancelled,
        ] {
            assert!(!state.is_editable());
            assert_eq!(
                to(run(
                    state,
                    &Action::Edit,
                    editor,
                    &facts(&[], false),
                    &Policy::default()
                )),
                Err(WorkflowError::NotAllowedInState {
                    state,
                    action: K::Edit
                })
            );
        }
    }

    #[test]
    fn editing_and_withdrawing_are_refused_after_a_channel_published() {
        // A partly published post retried: Scheduled again, but half out.
        let f = facts(&[OTHER_REVIEWER], true);
        let editor = member(AUTHOR, Role::Editor);
        for action in [Action::Edit, Action::Withdraw] {
            assert_eq!(
                run(Scheduled, &action, editor, &f, &Policy::default()),
                Err(WorkflowError::AlreadyPublished)
            );
        }
    }

    // ----- Rescheduling ---------------------------------------------------

    #[test]
    fn rescheduling_an_approved_post_sends_it_back_to_review_when_the_policy_requires_it() {
        let t = run(
            Scheduled,
            &Action::Reschedule,
            member(AUTHOR, Role::Editor),
            &facts(&[OTHER_REVIEWER], false),
            &policy(1, false, true),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Clear,
                notify: vec![Notice::ReviewersNeeded],
            })
        );
    }

    #[test]
    fn rescheduling_keeps_the_post_scheduled_when_the_policy_does_not_require_re_approval() {
        let t = run(
            Scheduled,
            &Action::Reschedule,
            member(AUTHOR, Role::Editor),
            &facts(&[OTHER_REVIEWER], false),
            &policy(1, false, false),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: Scheduled,
                approvals: ApprovalChange::Keep,
                notify: vec![],
            })
        );
    }

    #[test]
    fn rescheduling_never_needs_re_approval_when_no_approvals_are_required() {
        let t = run(
            Scheduled,
            &Action::Reschedule,
            member(AUTHOR, Role::Editor),
            &facts(&[], false),
            &policy(0, false, true),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: Scheduled,
                approvals: ApprovalChange::Keep,
                notify: vec![],
            })
        );
    }

    #[test]
    fn rescheduling_under_a_tightened_policy_asks_for_the_missing_approvals() {
        // Approved once under a one-approval policy, now two are required.
        let t = run(
            Scheduled,
            &Action::Reschedule,
            member(AUTHOR, Role::Editor),
            &facts(&[OTHER_REVIEWER], false),
            &policy(2, false, false),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Keep,
                notify: vec![Notice::ReviewersNeeded],
            })
        );
    }

    #[test]
    fn rescheduling_in_review_voids_approvals_only_when_the_policy_requires_it() {
        let f = facts(&[OTHER_REVIEWER], false);
        let editor = member(AUTHOR, Role::Editor);
        let strict = run(
            InReview,
            &Action::Reschedule,
            editor,
            &f,
            &policy(2, false, true),
        );
        assert_eq!(
            strict,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Clear,
                notify: vec![Notice::ReviewersNeeded]
            })
        );
        let lax = run(
            InReview,
            &Action::Reschedule,
            editor,
            &f,
            &policy(2, false, false),
        );
        assert_eq!(
            lax,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Keep,
                notify: vec![]
            })
        );
    }

    // ----- Cancelling -----------------------------------------------------

    #[test]
    fn cancelling_is_refused_once_a_channel_has_published() {
        let editor = member(AUTHOR, Role::Editor);
        let p = Policy::default();
        for state in [
            Scheduled,
            Publishing,
            NeedsAttention,
            Published,
            PartlyPublished,
        ] {
            assert_eq!(
                run(
                    state,
                    &Action::Cancel,
                    editor,
                    &facts(&[OTHER_REVIEWER], true),
                    &p
                ),
                Err(WorkflowError::AlreadyPublished),
                "{state}"
            );
        }
        // The state alone is proof enough, even if the facts lag behind.
        for state in [Published, PartlyPublished] {
            assert_eq!(
                run(state, &Action::Cancel, editor, &facts(&[], false), &p),
                Err(WorkflowError::AlreadyPublished)
            );
        }
    }

    #[test]
    fn cancelling_is_allowed_until_something_went_out() {
        let editor = member(AUTHOR, Role::Editor);
        for state in [
            Draft,
            InReview,
            ChangesRequested,
            Scheduled,
            Publishing,
            Failed,
            NeedsAttention,
        ] {
            let t = run(
                state,
                &Action::Cancel,
                editor,
                &facts(&[], false),
                &Policy::default(),
            );
            assert_eq!(
                t,
                Ok(Transition {
                    to: Cancelled,
                    approvals: ApprovalChange::Keep,
                    notify: vec![]
                }),
                "{state}"
            );
        }
    }

    // ----- Delivery -------------------------------------------------------

    #[test]
    fn channel_outcomes_settle_by_a_fixed_precedence() {
        // (published, failed, needs_attention, total) -> state, notice
        let cases = [
            ((3, 0, 0, 3), Published, Some(Notice::AuthorPublished)),
            ((2, 1, 0, 3), PartlyPublished, Some(Notice::AuthorFailed)),
            ((1, 1, 1, 3), PartlyPublished, Some(Notice::AuthorFailed)),
            ((0, 3, 0, 3), Failed, Some(Notice::AuthorFailed)),
            ((0, 1, 2, 3), Failed, Some(Notice::AuthorFailed)),
            ((0, 0, 3, 3), NeedsAttention, Some(Notice::AttentionNeeded)),
            ((2, 0, 1, 3), NeedsAttention, Some(Notice::AttentionNeeded)),
            ((1, 1, 0, 3), Publishing, None),
            ((0, 0, 0, 3), Publishing, None),
        ];
        for ((published, failed, needs_attention, total), state, notice) in cases {
            let action = Action::ChannelsSettled {
                published,
                failed,
                needs_attention,
                total,
            };
            let t = run(
                Publishing,
                &action,
                Actor::System,
                &facts(&[OTHER_REVIEWER], false),
                &Policy::default(),
            );
            assert_eq!(
                t,
                Ok(Transition {
                    to: state,
                    approvals: ApprovalChange::Keep,
                    notify: notice.into_iter().collect()
                }),
                "{action:?}"
            );
        }
    }

    #[test]
    fn channel_counts_that_cannot_describe_a_post_are_refused() {
        for (published, failed, needs_attention, total) in
            [(0, 0, 0, 0), (2, 2, 0, 3), (u32::MAX, 1, 0, u32::MAX)]
        {
            let action = Action::ChannelsSettled {
                published,
                failed,
                needs_attention,
                total,
            };
            assert_eq!(
                run(
                    Publishing,
                    &action,
                    Actor::System,
                    &facts(&[], false),
                    &Policy::default()
                ),
                Err(WorkflowError::InvalidChannelCounts)
            );
        }
    }

    #[test]
    fn a_failed_post_can_be_retried_without_new_approval() {
        for state in [Failed, NeedsAttention, PartlyPublished] {
            let t = run(
                state,
                &Action::Retry,
                member(AUTHOR, Role::Editor),
                &facts(&[OTHER_REVIEWER], state == PartlyPublished),
                &Policy::default(),
            );
            assert_eq!(
                t,
                Ok(Transition {
                    to: Scheduled,
                    approvals: ApprovalChange::Keep,
                    notify: vec![]
                }),
                "{state}"
            );
        }
    }

    #[test]
    fn retrying_under_a_tightened_policy_asks_for_the_missing_approvals() {
        // Approved once under a one-approval policy, now two are required:
        // the retry waits for the second reviewer instead of going out.
        let t = run(
            Failed,
            &Action::Retry,
            member(AUTHOR, Role::Editor),
            &facts(&[OTHER_REVIEWER], false),
            &policy(2, false, true),
        );
        assert_eq!(
            t,
            Ok(Transition {
                to: InReview,
                approvals: ApprovalChange::Keep,
                notify: vec![Notice::ReviewersNeeded],
            })
        );
    }

    #[test]
    fn published_and_cancelled_posts_accept_nothing_from_anyone() {
        let actors: Vec<Actor> = Role::ALL
            .into_iter()
            .flat_map(|role| [member(AUTHOR, role), member(ACTOR, role)])
            .chain([Actor::System])
            .collect();
        for state in PostState::ALL.into_iter().filter(|s| s.is_terminal()) {
            for p in [policy(0, true, false), Policy::default()] {
                for f in [facts(&[], false), facts(&[OTHER_REVIEWER], true)] {
                    for actor in &actors {
                        assert!(allowed_actions(state, actor, &f, &p).is_empty());
                        for kind in ActionKind::ALL {
                            assert!(
                                apply(state, &sample(kind), actor, &f, &p).is_err(),
                                "{kind} on {state}"
                            );
                        }
                    }
                }
            }
        }
    }

    // ----- Names and wire format ------------------------------------------

    #[test]
    fn states_round_trip_through_their_names() {
        for state in PostState::ALL {
            assert_eq!(PostState::parse(state.as_str()), Some(state));
            assert_eq!(
                serde_json::to_value(state).ok(),
                Some(serde_json::json!(state.as_str()))
            );
        }
        assert_eq!(PostState::parse(" In_Review "), Some(InReview));
        assert_eq!(PostState::parse("approved"), None);
        assert_eq!(
            PostState::ALL
                .into_iter()
                .filter(|s| s.is_terminal())
                .collect::<Vec<_>>(),
            vec![Published, Cancelled]
        );
    }

    #[test]
    fn actions_travel_as_snake_case_kinds() {
        for kind in ActionKind::ALL {
            let json = serde_json::to_value(sample(kind)).expect("serializes");
            assert_eq!(json["kind"], serde_json::json!(kind.as_str()));
            let back: Action = serde_json::from_value(json).expect("deserializes");
            assert_eq!(back.kind(), kind);
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::json!(kind.as_str()))
            );
        }
        let reject: Action =
            serde_json::from_str(r#"{"kind":"reject","comment":"too long"}"#).expect("parses");
        assert_eq!(
            reject,
            Action::Reject {
                comment: "too long".into()
            }
        );
    }

    #[test]
    fn error_codes_are_stable_and_match_the_serialized_tag() {
        let all = [
            (WorkflowError::Forbidden, "forbidden"),
            (
                WorkflowError::NotAllowedInState {
                    state: Draft,
                    action: K::Approve,
                },
                "not_allowed_in_state",
            ),
            (WorkflowError::SelfApproval, "self_approval"),
            (WorkflowError::AlreadyApproved, "already_approved"),
            (WorkflowError::CommentRequired, "comment_required"),
            (WorkflowError::AlreadyPublished, "already_published"),
            (WorkflowError::SystemOnly, "system_only"),
            (
                WorkflowError::InvalidChannelCounts,
                "invalid_channel_counts",
            ),
        ];
        for (err, code) in all {
            assert_eq!(err.code(), code);
            let json = serde_json::to_value(err).expect("serializes");
            assert_eq!(json["code"], serde_json::json!(code));
            assert_eq!(
                serde_json::from_value::<WorkflowError>(json).ok(),
                Some(err)
            );
        }
        let json = serde_json::to_value(WorkflowError::NotAllowedInState {
            state: ChangesRequested,
            action: K::Approve,
        })
        .expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({"code": "not_allowed_in_state", "state": "changes_requested", "action": "approve"})
        );
    }

    #[test]
    fn the_default_policy_wants_one_approval_by_someone_else_and_re_approval_on_reschedule() {
        let d = Policy::default();
        assert_eq!(d, policy(1, false, true));
        assert_eq!(serde_json::from_str::<Policy>("{}").ok(), Some(d));
        assert_eq!(
            serde_json::from_str::<Policy>(r#"{"approvals_required":0}"#).ok(),
            Some(policy(0, false, true))
        );
    }

    // ----- Random walks ---------------------------------------------------

    /// The state diagram: every state an action can lead to from a given
    /// state, whoever acts and whatever the facts. A random walk must never
    /// step outside it.
    fn diagram(from: PostState, kind: ActionKind) -> &'static [PostState] {
        match (from, kind) {
            (Draft, K::Edit | K::Reschedule) => &[Draft],
            (ChangesRequested, K::Edit | K::Reschedule) => &[ChangesRequested],
            (InReview, K::Edit | K::Reschedule) => &[InReview],
            (Draft | ChangesRequested, K::Submit) => &[InReview, Scheduled],
            (InReview, K::Approve) => &[InReview, Scheduled],
            (InReview | Scheduled, K::Reject) => &[ChangesRequested],
            (InReview | Scheduled, K::Withdraw) => &[Draft],
            (Scheduled, K::Edit) => &[Scheduled, InReview],
            (Scheduled | PartlyPublished | Failed | NeedsAttention, K::Reschedule) => {
                &[Scheduled, InReview]
            }
            (PartlyPublished | Failed | NeedsAttention, K::Retry) => &[Scheduled, InReview],
            (
                Draft | InReview | ChangesRequested | Scheduled | Publishing | Failed
                | NeedsAttention,
                K::Cancel,
            ) => &[Cancelled],
            (Scheduled, K::StartPublishing) => &[Publishing],
            (Publishing, K::ChannelsSettled) => &[
                Publishing,
                Published,
                PartlyPublished,
                Failed,
                NeedsAttention,
            ],
            _ => &[],
        }
    }

    /// States only the delivery system can put a post in.
    fn delivery_state(state: PostState) -> bool {
        matches!(
            state,
            Publishing | Published | PartlyPublished | Failed | NeedsAttention
        )
    }

    fn system_action() -> impl Strategy<Value = Action> {
        let settled = prop_oneof![
            // Every channel settled.
            3 => (0u32..3, 0u32..3, 0u32..3)
                .prop_filter("a post has channels", |(p, f, n)| p + f + n > 0)
                .prop_map(|(p, f, n)| (p, f, n, p + f + n)),
            // Still in flight.
            1 => (0u32..2, 0u32..2, 0u32..2).prop_map(|(p, f, n)| (p, f, n, p + f + n + 1)),
            // Anything, including nonsense.
            1 => (0u32..3, 0u32..3, 0u32..3, 0u32..4),
        ]
        .prop_map(
            |(published, failed, needs_attention, total)| Action::ChannelsSettled {
                published,
                failed,
                needs_attention,
                total,
            },
        );
        prop_oneof![Just(Action::StartPublishing), settled]
    }

    fn member_action() -> impl Strategy<Value = Action> {
        let reject = prop_oneof![
            Just(String::new()),
            Just(" ".to_string()),
            Just("shorten it".to_string()),
        ]
        .prop_map(|comment| Action::Reject { comment });
        let approve = prop::option::of(Just("looks good".to_string()))
            .prop_map(|comment| Action::Approve { comment });
        // Moves forward weigh more than moves back, and Cancel (which ends
        // a walk) least, so that walks get through review often.
        prop_oneof![
            2 => Just(Action::Edit),
            3 => Just(Action::Submit),
            4 => approve,
            2 => reject,
            1 => Just(Action::Withdraw),
            2 => Just(Action::Reschedule),
            1 => Just(Action::Cancel),
            3 => Just(Action::Retry),
        ]
    }

    /// One step: an actor index (0..=3 are users 1..=4, 4 is the System) and
    /// an action. Mostly the kind of action that actor could take, so walks
    /// get far; sometimes anything by anyone, so refusals are exercised too.
    fn step() -> impl Strategy<Value = (usize, Action)> {
        prop_oneof![
            4 => (0usize..4, member_action()),
            2 => (Just(4usize), system_action()),
            1 => (0usize..5, prop_oneof![member_action(), system_action()]),
        ]
    }

    /// A policy, roles for users 1..=4 (user 1 wrote the post), and steps.
    fn walk_strategy() -> impl Strategy<Value = (Policy, [Role; 4], Vec<(usize, Action)>)> {
        (
            (0u8..=3, any::<bool>(), any::<bool>()).prop_map(|(n, a, r)| policy(n, a, r)),
            prop::array::uniform4(prop::sample::select(Role::ALL.to_vec())),
            prop::collection::vec(step(), 1..60),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_walks_only_follow_the_diagram_and_never_schedule_an_under_approved_post(
            (policy, roles, steps) in walk_strategy()
        ) {
            // The post as the server would store it, changed only by what
            // `apply` returns.
            let mut state = Draft;
            let mut approvals: Vec<i64> = Vec::new();
            let mut any_published = false;

            for (who, action) in steps {
                let actor = match roles.get(who) {
                    Some(&role) => member(who as i64 + 1, role),
                    None => Actor::System,
                };
                let kind = action.kind();
                let f = PostFacts {
                    author_id: AUTHOR,
                    approvals: approvals.clone(),
                    any_channel_published: any_published,
                    publish_immediately: false,
                };
                let shown = allowed_actions(state, &actor, &f, &policy).contains(&kind);
                let result = apply(state, &action, &actor, &f, &policy);

                if state.is_terminal() {
                    prop_assert!(result.is_err(), "{kind} succeeded from {state}");
                }

                let t = match result {
                    Err(e) => {
                        // A shown button fails only on its payload.
                        prop_assert!(
                            !shown || matches!(e, WorkflowError::CommentRequired | WorkflowError::InvalidChannelCounts),
                            "{kind} shown on {state} but refused with {e}"
                        );
                        continue;
                    }
                    Ok(t) => t,
                };

                prop_assert!(shown, "{kind} succeeded on {state} but was not shown");
                prop_assert!(diagram(state, kind).contains(&t.to), "{state} --{kind}--> {} is not in the diagram", t.to);
                // People never put a post into a delivery state; the system
                // never puts it anywhere else.
                prop_assert_eq!(delivery_state(t.to), actor == Actor::System, "{:?} moved {} to {}", actor, state, t.to);
                if kind == K::Edit || t.to == Cancelled {
                    prop_assert!(!any_published, "{kind} after a channel published");
                }

                match t.approvals {
                    ApprovalChange::Keep => {}
                    ApprovalChange::Clear => approvals.clear(),
                    ApprovalChange::Add(user) => {
                        prop_assert!(!approvals.contains(&user), "approved twice by {user}");
                        prop_assert!(policy.author_may_approve || user != AUTHOR, "self-approval slipped through");
                        prop_assert_eq!(Some(user), match actor { Actor::Member { user_id, .. } => Some(user_id), Actor::System => None });
                        approvals.push(user);
                    }
                }
                if let Action::ChannelsSettled { published, .. } = action {
                    any_published |= published > 0;
                }
                state = t.to;

                if state == Scheduled {
                    prop_assert!(
                        approvals.len() >= usize::from(policy.approvals_required),
                        "scheduled with {} of {} approvals", approvals.len(), policy.approvals_required
                    );
                }
                if matches!(state, Draft | ChangesRequested) {
                    prop_assert!(approvals.is_empty(), "{state} carries approvals");
                }
                if matches!(state, Published | PartlyPublished) {
                    prop_assert!(any_published);
                }
            }
        }
    }
}
