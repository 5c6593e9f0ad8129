//! Channels, posts, comments, notifications and the approval policy. Bodies
//! are thin: authenticate, call one use case in `server::posts`, which checks
//! membership and role. Calls that carry a whole post use JSON.

use crate::domain::post::{
    AuditView, CommentView, NotificationView, PostFilter, PostInput, PostSummary, PostView,
    RevisionView,
};
use crate::domain::schedule::When;
use crate::domain::workflow::{Action, Policy};
use crate::domain::{AppError, PostId, WorkspaceId};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[server(prefix = "/rpc", endpoint = "get_policy")]
pub async fn get_policy(ws: WorkspaceId) -> Result<Policy, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::policy(&state, &m).await
}

/// Checkboxes arrive as "on" when ticked and not at all otherwise.
#[server(prefix = "/rpc", endpoint = "set_policy")]
pub async fn set_policy(
    ws: WorkspaceId,
    approvals_required: u8,
    author_may_approve: Option<String>,
    reschedule_needs_approval: Option<String>,
) -> Result<Policy, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    let policy = Policy {
        approvals_required,
        author_may_approve: author_may_approve.is_some(),
        reschedule_needs_approval: reschedule_needs_approval.is_some(),
    };
    crate::server::posts::set_policy(&state, &m, policy).await
}

#[server(prefix = "/rpc", endpoint = "list_posts", input = Json)]
pub async fn list_posts(ws: WorkspaceId, filter: PostFilter) -> Result<Vec<PostSummary>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::list(&state, &m, &filter).await
}

#[server(prefix = "/rpc", endpoint = "get_post")]
pub async fn get_post(ws: WorkspaceId, id: PostId) -> Result<PostView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::get(&state, &m, id).await
}

/// Creates the post (`id` absent) or saves a new revision of it.
/// `expected_revision` is the revision the editor started from.
#[server(prefix = "/rpc", endpoint = "save_post", input = Json)]
pub async fn save_post(
    ws: WorkspaceId,
    id: Option<PostId>,
    expected_revision: Option<i64>,
    input: PostInput,
) -> Result<PostView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    match id {
        None => crate::server::posts::create(&state, &m, input).await,
        Some(id) => crate::server::posts::update(&state, &m, id, expected_revision, input).await,
    }
}

#[server(prefix = "/rpc", endpoint = "post_action", input = Json)]
pub async fn post_action(
    ws: WorkspaceId,
    id: PostId,
    action: Action,
) -> Result<PostView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::act(&state, &m, id, action).await
}

#[server(prefix = "/rpc", endpoint = "reschedule_post", input = Json)]
pub async fn reschedule_post(
    ws: WorkspaceId,
    id: PostId,
    when: When,
) -> Result<PostView, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::reschedule(&state, &m, id, when).await
}

#[server(prefix = "/rpc", endpoint = "post_history")]
pub async fn post_history(ws: WorkspaceId, id: PostId) -> Result<Vec<RevisionView>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::history(&state, &m, id).await
}

#[server(prefix = "/rpc", endpoint = "post_comments")]
pub async fn post_comments(ws: WorkspaceId, id: PostId) -> Result<Vec<CommentView>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::comments(&state, &m, id).await
}

#[server(prefix = "/rpc", endpoint = "add_comment")]
pub async fn add_comment(
    ws: WorkspaceId,
    id: PostId,
    body: String,
) -> Result<Vec<CommentView>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::comment(&state, &m, id, &body).await
}

#[server(prefix = "/rpc", endpoint = "post_audit")]
pub async fn post_audit(ws: WorkspaceId, id: PostId) -> Result<Vec<AuditView>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::post_audit(&state, &m, id).await
}

#[server(prefix = "/rpc", endpoint = "workspace_audit")]
pub async fn workspace_audit(ws: WorkspaceId) -> Result<Vec<AuditView>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::posts::workspace_audit(&state, &m).await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notifications {
    pub unread: i64,
    pub items: Vec<NotificationView>,
}

#[server(prefix = "/rpc", endpoint = "notifications")]
pub async fn get_notifications() -> Result<Notifications, AppError> {
    let (state, user) = super::ctx::user()?;
    let (unread, items) = crate::server::posts::notifications(&state, &user).await?;
    Ok(Notifications { unread, items })
}

/// Marks the given notifications (all when `ids` is absent) read.
#[server(prefix = "/rpc", endpoint = "mark_notifications_read", input = Json)]
pub async fn mark_notifications_read(ids: Option<Vec<i64>>) -> Result<(), AppError> {
    let (state, user) = super::ctx::user()?;
    crate::server::posts::mark_read(&state, &user, ids).await
}
