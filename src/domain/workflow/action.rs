//! Who acts ([`Actor`]) and what they ask for ([`Action`], and its
//! payload-free [`ActionKind`] that the UI draws buttons from).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::role::Role;
use crate::domain::UserId;

/// Who is acting. Deliberately not deserializable: the server builds it from
/// the session (or its own delivery worker), never from a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    Member {
        user_id: UserId,
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

    pub(super) fn is_system_only(self) -> bool {
        matches!(
            self,
            ActionKind::StartPublishing | ActionKind::ChannelsSettled
        )
    }

    pub(super) fn is_review(self) -> bool {
        matches!(self, ActionKind::Approve | ActionKind::Reject)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
