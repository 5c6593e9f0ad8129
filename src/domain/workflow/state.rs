//! Where a post stands ([`PostState`]) and what else the caller knows about
//! it ([`PostFacts`]): the two inputs, besides the policy, that every rule of
//! the workflow reads.

use std::fmt;

use crate::domain::UserId;
use serde::{Deserialize, Serialize};

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
    /// published (see [`WorkflowError::AlreadyPublished`](super::WorkflowError::AlreadyPublished)).
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

/// What the caller knows about the post beyond its state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFacts {
    pub author_id: UserId,
    /// Users who approved the current revision.
    pub approvals: Vec<UserId>,
    /// Whether any channel has the post already. Once one has, the post can
    /// be neither cancelled nor edited: it is out there.
    pub any_channel_published: bool,
    /// "Publish now" rather than at a chosen time. It does not change the
    /// workflow: such a post is Scheduled like any other, due now, and the
    /// scheduler picks it up. Kept here so callers have one bundle of facts.
    pub publish_immediately: bool,
}
