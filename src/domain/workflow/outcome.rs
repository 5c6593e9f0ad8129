//! What an action comes to: a [`Transition`] (new state, what happens to the
//! approvals, who to tell) or a [`WorkflowError`] saying why it was refused.
//! Both are data with stable snake_case codes; the app words them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ActionKind, PostState};
use crate::domain::UserId;

/// What to do with the stored approvals of the post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalChange {
    Keep,
    /// Record this user's approval of the current revision.
    Add(UserId),
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
