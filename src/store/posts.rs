//! Persistence of channels, media and posts (with revisions, per-channel
//! targets, approvals, comments and notifications) and of the workspace's
//! approval policy. Same invariants as the rest of the store: every query
//! names the workspace, "now" comes from the caller, and a multi-row write
//! is one short transaction.
//!
//! Posts use optimistic concurrency: every write names the `version` it
//! read and fails with the `STALE` conflict when someone else wrote first,
//! so a decision taken on old facts (approve what was since edited, publish
//! what was since cancelled) can never land.

use super::Json;
use super::{AuditRow, StoreResult};
use crate::domain::content::Platform;
use crate::domain::delivery::DeliveryState;
use crate::domain::post::{
    CommentKind, ConnectionStatus, NotificationKind, PostContent, PostFilter,
};
use crate::domain::schedule::When;
use crate::domain::workflow::{ApprovalChange, Policy, PostState};
use crate::domain::{ChannelId, MediaId, PostId, UserId, WorkspaceId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChannelRow {
    pub id: ChannelId,
    pub workspace_id: WorkspaceId,
    pub platform: Platform,
    pub name: String,
    pub time_zone: String,
    pub slots: String,
    pub emulated: bool,
    pub created_at: DateTime<Utc>,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub api_base: Option<String>,
    pub auth_base: Option<String>,
    pub proxy: Option<String>,
    pub auth_status: ConnectionStatus,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub connected_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The server's own text limit, when it sets one (a Mastodon instance).
    pub text_limit: Option<i64>,
}

/// The non-secret columns of a channel, in [`ChannelRow`]'s order. The
/// credentials are read only through `ChannelStore::channel_credentials`.
pub const CHANNEL_COLUMNS: &str = "id, workspace_id, platform, name, time_zone, slots, emulated, \
    created_at, account_id, account_name, api_base, auth_base, proxy, auth_status, \
    token_expires_at, connected_at, last_success_at, last_error, last_error_at, text_limit";

pub struct NewChannel {
    pub platform: Platform,
    pub name: String,
    pub time_zone: String,
    pub slots: String,
    pub emulated: bool,
    /// `None`: the platform's real endpoints.
    pub api_base: Option<String>,
    pub auth_base: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MediaRow {
    pub id: MediaId,
    pub workspace_id: WorkspaceId,
    pub kind: String,
    pub content_type: String,
    pub bytes: i64,
    pub sha256: String,
    pub file_name: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewMedia {
    pub workspace_id: WorkspaceId,
    pub uploaded_by: UserId,
    pub kind: &'static str,
    pub content_type: String,
    pub bytes: i64,
    pub sha256: String,
    pub file_name: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostRow {
    pub id: PostId,
    pub workspace_id: WorkspaceId,
    pub author_id: UserId,
    pub author_name: String,
    pub state: PostState,
    pub campaign: Option<String>,
    pub schedule_json: Option<Json<When>>,
    pub content_json: Json<PostContent>,
    pub revision: i64,
    pub version: i64,
    pub first_due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostChannelRow {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub platform: Platform,
    pub name: String,
    pub time_zone: String,
    pub due_at: Option<DateTime<Utc>>,
    pub delivery_state: DeliveryState,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub last_error: Option<String>,
    pub attempts: i64,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApprovalRow {
    pub user_id: UserId,
    pub user_name: String,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
}

/// A post with its targets and approvals.
#[derive(Clone, Debug)]
pub struct PostRecord {
    pub post: PostRow,
    pub channels: Vec<PostChannelRow>,
    pub approvals: Vec<ApprovalRow>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RevisionRow {
    pub number: i64,
    pub author_id: UserId,
    pub author_name: String,
    pub content_json: Json<PostContent>,
    pub channels_json: Json<Vec<ChannelId>>,
    pub schedule_json: Option<Json<When>>,
    pub campaign: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub author_id: UserId,
    pub author_name: String,
    pub kind: CommentKind,
    pub body: String,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    pub kind: NotificationKind,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub content_json: Json<PostContent>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The fields of a post that every write sets (the server computes them
/// from the current record plus the change).
#[derive(Clone, Debug)]
pub struct PostHead {
    pub state: PostState,
    pub campaign: Option<String>,
    pub schedule_json: Option<Json<When>>,
    pub content_json: Json<PostContent>,
    pub search_text: String,
    pub first_due_at: Option<DateTime<Utc>>,
}

/// One change to a post, applied in one transaction: the head, the targets
/// and their due times, optionally a new revision, the approvals, a
/// comment, notifications and the audit entry.
#[derive(Clone, Debug)]
pub struct PostWrite {
    pub ws: WorkspaceId,
    /// `None` creates the post (revision 1).
    pub id: Option<PostId>,
    /// The version the decision was taken on (ignored on create).
    pub expected_version: i64,
    pub actor: UserId,
    pub head: PostHead,
    /// Channel ids and due times; rows of channels no longer targeted go,
    /// the others keep their delivery columns.
    pub targets: Vec<(ChannelId, Option<DateTime<Utc>>)>,
    pub new_revision: bool,
    pub approvals: ApprovalChange,
    pub comment: Option<(CommentKind, String)>,
    pub notify: Vec<(UserId, NotificationKind)>,
    pub audit_action: &'static str,
    pub audit_detail: serde_json::Value,
    pub now: DateTime<Utc>,
}

/// What a write produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostWritten {
    pub id: PostId,
    pub version: i64,
    pub revision: i64,
}

#[async_trait]
pub trait ContentStore: Send + Sync {
    // Approval policy
    async fn policy(&self, ws: WorkspaceId) -> StoreResult<Policy>;
    async fn set_policy(
        &self,
        ws: WorkspaceId,
        policy: Policy,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    // Channels
    async fn create_channel(
        &self,
        ws: WorkspaceId,
        channel: NewChannel,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<ChannelRow>;
    /// The workspace's channels that are not archived, oldest first.
    async fn channels(&self, ws: WorkspaceId) -> StoreResult<Vec<ChannelRow>>;
    // Each argument is one column or the audit's who and when; a struct
    // would only rename them.
    #[allow(clippy::too_many_arguments)]
    async fn update_channel(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
        name: &str,
        time_zone: &str,
        slots: &str,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<ChannelRow>;

    // Media
    async fn insert_media(&self, media: NewMedia) -> StoreResult<MediaRow>;
    async fn media(&self, ws: WorkspaceId, id: MediaId) -> StoreResult<Option<MediaRow>>;

    // Posts
    async fn write_post(&self, write: PostWrite) -> StoreResult<PostWritten>;
    async fn post(&self, ws: WorkspaceId, id: PostId) -> StoreResult<Option<PostRecord>>;
    /// The workspace of post `id`, if `user` is a member of it.
    async fn post_workspace_for_member(
        &self,
        id: PostId,
        user: UserId,
    ) -> StoreResult<Option<WorkspaceId>>;
    /// Posts matching `filter`, most urgent first (due soonest, then newest
    /// unscheduled), with their targets; at most `limit`.
    async fn posts(
        &self,
        ws: WorkspaceId,
        filter: &PostFilter,
        limit: i64,
    ) -> StoreResult<Vec<(PostRow, Vec<PostChannelRow>)>>;
    /// Due times on `channel` at or after `from`, of posts other than
    /// `except` that are not cancelled: the slots already taken.
    async fn taken_times(
        &self,
        ws: WorkspaceId,
        channel: ChannelId,
        from: DateTime<Utc>,
        except: Option<PostId>,
    ) -> StoreResult<Vec<DateTime<Utc>>>;
    async fn revisions(&self, ws: WorkspaceId, post: PostId) -> StoreResult<Vec<RevisionRow>>;
    async fn comments(&self, ws: WorkspaceId, post: PostId) -> StoreResult<Vec<CommentRow>>;
    /// A comment outside any state change, with its notifications.
    async fn add_comment(
        &self,
        ws: WorkspaceId,
        post: PostId,
        author: UserId,
        body: &str,
        notify: &[UserId],
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// The post's audit trail, oldest first.
    async fn post_audit(&self, ws: WorkspaceId, post: PostId) -> StoreResult<Vec<AuditRow>>;

    // Notifications
    async fn notifications(&self, user: UserId, limit: i64) -> StoreResult<Vec<NotificationRow>>;
    async fn unread_notifications(&self, user: UserId) -> StoreResult<i64>;
    /// Marks `ids` (all when `None`) of `user` read.
    async fn mark_notifications_read(
        &self,
        user: UserId,
        ids: Option<&[i64]>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}
