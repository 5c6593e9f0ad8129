//! Members, roles and invitations of one workspace. Every call names the
//! workspace; the use case answers NotFound to non-members.

use crate::domain::{AppError, Invitation, InvitationPreview, Member, Role, UserId, WorkspaceId};
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "list_members")]
pub async fn list_members(ws: WorkspaceId) -> Result<Vec<Member>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::workspaces::members(&state, &m).await
}

/// Pending invitations; empty for members who may not manage members.
#[server(prefix = "/rpc", endpoint = "list_invitations")]
pub async fn list_invitations(ws: WorkspaceId) -> Result<Vec<Invitation>, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    if !m.may(crate::server::access::Need::ManageMembers) {
        return Ok(Vec::new());
    }
    crate::server::workspaces::invitations(&state, &m).await
}

/// Returns the acceptance path to hand to the invitee.
#[server(prefix = "/rpc", endpoint = "invite_member")]
pub async fn invite_member(ws: WorkspaceId, email: String, role: Role) -> Result<String, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    Ok(crate::server::workspaces::invite(&state, &m, &email, role)
        .await?
        .path)
}

#[server(prefix = "/rpc", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(ws: WorkspaceId, id: i64) -> Result<(), AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::workspaces::revoke_invitation(&state, &m, id).await
}

#[server(prefix = "/rpc", endpoint = "change_member_role")]
pub async fn change_member_role(
    ws: WorkspaceId,
    member: UserId,
    role: Role,
) -> Result<(), AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::workspaces::change_role(&state, &m, member, role).await
}

#[server(prefix = "/rpc", endpoint = "remove_member")]
pub async fn remove_member(ws: WorkspaceId, member: UserId) -> Result<(), AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::workspaces::remove_member(&state, &m, member).await
}

#[server(prefix = "/rpc", endpoint = "reset_member_password")]
pub async fn reset_member_password(ws: WorkspaceId, member: UserId) -> Result<String, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::workspaces::reset_password(&state, &m, member).await
}

#[server(prefix = "/rpc", endpoint = "invitation_preview")]
pub async fn get_invitation_preview(secret: String) -> Result<InvitationPreview, AppError> {
    let state = super::ctx::state()?;
    crate::server::workspaces::preview_invitation(&state, &secret).await
}

/// Accepts as the signed-in account, or creates an account with the given
/// name and password; signs in and returns where to go.
#[server(prefix = "/rpc", endpoint = "accept_invitation")]
pub async fn accept_invitation(
    secret: String,
    display_name: Option<String>,
    password: Option<String>,
) -> Result<String, AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let req = ctx::request()?;
    let new_account = match (display_name, password) {
        (Some(n), Some(p)) if req.user.is_none() => Some((n, p)),
        _ => None,
    };
    let (user, ws) = crate::server::workspaces::accept_invitation(
        &state,
        &secret,
        req.user.as_ref(),
        new_account,
    )
    .await?;
    if req.user.is_none() {
        crate::server::auth::session::sign_in(&ctx::session().await?, &user, state.now()).await?;
    }
    let path = format!("/w/{ws}/calendar");
    ctx::redirect_form_post(&path);
    Ok(path)
}
