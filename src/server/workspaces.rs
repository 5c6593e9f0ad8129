//! Workspace use cases: members, roles, invitations and admin password
//! resets. Each takes the caller's proven membership (`access::Member`)
//! and states what it needs of it; roles are only ever granted, changed or
//! removed within the caller's own rank (`Role::may_assign`).

use super::access::{Member, Need};
use super::accounts::{audit, create_user};
use super::auth::password;
use super::error::internal;
use super::state::AppState;
use super::tokens::{hash_secret, random_secret};
use crate::domain::{
    parse_email, parse_workspace_name, AppError, Invitation, InvitationPreview,
    Member as MemberView, Role, UserId, WorkspaceId, WorkspaceSummary,
};
use crate::i18n::Msg;
use crate::store::{NewInvitation, UserRow};
use chrono::Duration;

pub const INVITATION_DAYS: i64 = 7;

pub fn summary(m: &Member) -> WorkspaceSummary {
    m.workspace.summary(m.role)
}

pub async fn create(
    state: &AppState,
    actor: &UserRow,
    name: &str,
) -> Result<WorkspaceSummary, AppError> {
    let name = parse_workspace_name(name)?;
    let w = state
        .store
        .create_workspace(&name, actor.id(), state.now())
        .await?;
    audit(
        state,
        Some(&w),
        Some(actor.id()),
        "workspace.create",
        &w.name,
        serde_json::json!({}),
    )
    .await;
    Ok(w.summary(Role::Owner))
}

/// Any member may see who else is in the workspace.
pub async fn members(state: &AppState, m: &Member) -> Result<Vec<MemberView>, AppError> {
    m.require(Need::Read)?;
    let rows = state.store.members(m.ws()).await?;
    Ok(rows.into_iter().map(|m| m.into_member()).collect())
}

/// The target member's current role; NotFound when they are not a member.
async fn member_role(
    state: &AppState,
    ws: WorkspaceId,
    user: UserId,
) -> Result<(UserRow, Role), AppError> {
    let target = state
        .store
        .user_by_id(user)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, role) = state
        .store
        .workspace_for_member(ws, user)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((target, role))
}

pub async fn change_role(
    state: &AppState,
    m: &Member,
    user: UserId,
    role: Role,
) -> Result<(), AppError> {
    m.require(Need::ManageMembers)?;
    if user == m.id() {
        return Err(AppError::invalid(None, Msg::ErrCannotChangeOwnRole));
    }
    let (target, current) = member_role(state, m.ws(), user).await?;
    m.require_assign(current)?;
    m.require_assign(role)?;
    state.store.set_member_role(m.ws(), user, role).await?;
    audit(
        state,
        Some(&m.workspace),
        Some(m.id()),
        "member.role_change",
        target.email.as_str(),
        serde_json::json!({"from": current, "to": role}),
    )
    .await;
    Ok(())
}

pub async fn remove_member(state: &AppState, m: &Member, user: UserId) -> Result<(), AppError> {
    m.require(Need::ManageMembers)?;
    if user == m.id() {
        return Err(AppError::invalid(None, Msg::ErrCannotChangeOwnRole));
    }
    let (target, current) = member_role(state, m.ws(), user).await?;
    m.require_assign(current)?;
    state.store.remove_member(m.ws(), user).await?;
    audit(
        state,
        Some(&m.workspace),
        Some(m.id()),
        "member.remove",
        target.email.as_str(),
        serde_json::json!({"role": current}),
    )
    .await;
    Ok(())
}

/// Sets a random temporary password for a member and returns it once. The
/// member's sessions end. Only for members ranked at or below the actor.
pub async fn reset_password(
    state: &AppState,
    m: &Member,
    user: UserId,
) -> Result<String, AppError> {
    m.require(Need::ManageMembers)?;
    if user == m.id() {
        return Err(AppError::invalid(None, Msg::ErrCannotChangeOwnRole));
    }
    let (target, current) = member_role(state, m.ws(), user).await?;
    m.require_assign(current)?;
    let temporary = random_secret(12);
    let hash = password::hash(temporary.clone()).await.map_err(internal)?;
    state.store.set_password(user, &hash, state.now()).await?;
    audit(
        state,
        Some(&m.workspace),
        Some(m.id()),
        "member.password_reset",
        target.email.as_str(),
        serde_json::json!({}),
    )
    .await;
    Ok(temporary)
}

pub struct CreatedInvitation {
    pub invitation: Invitation,
    /// `/invite/<secret>`: the only copy of the secret.
    pub path: String,
}

pub async fn invite(
    state: &AppState,
    m: &Member,
    email: &str,
    role: Role,
) -> Result<CreatedInvitation, AppError> {
    m.require(Need::ManageMembers)?;
    m.require_assign(role)?;
    let ws = m.ws();
    let email = parse_email(email)?;
    if let Some(existing) = state.store.user_by_email(&email).await? {
        if state
            .store
            .workspace_for_member(ws, existing.id())
            .await?
            .is_some()
        {
            return Err(AppError::conflict(Msg::ErrAlreadyMember));
        }
    }
    let secret = random_secret(32);
    let now = state.now();
    let row = state
        .store
        .create_invitation(NewInvitation {
            workspace_id: ws,
            email: email.clone(),
            role,
            token_hash: hash_secret(&secret),
            invited_by: m.id(),
            created_at: now,
            expires_at: now + Duration::days(INVITATION_DAYS),
        })
        .await?;
    audit(
        state,
        Some(&m.workspace),
        Some(m.id()),
        "member.invite",
        email.as_str(),
        serde_json::json!({"role": role}),
    )
    .await;
    Ok(CreatedInvitation {
        invitation: row.view(),
        path: format!("/invite/{secret}"),
    })
}

pub async fn invitations(state: &AppState, m: &Member) -> Result<Vec<Invitation>, AppError> {
    m.require(Need::ManageMembers)?;
    let rows = state.store.invitations(m.ws(), state.now()).await?;
    Ok(rows.iter().map(|i| i.view()).collect())
}

pub async fn revoke_invitation(state: &AppState, m: &Member, id: i64) -> Result<(), AppError> {
    m.require(Need::ManageMembers)?;
    state.store.delete_invitation(m.ws(), id).await?;
    audit(
        state,
        Some(&m.workspace),
        Some(m.id()),
        "member.invite_revoke",
        &id.to_string(),
        serde_json::json!({}),
    )
    .await;
    Ok(())
}

/// The workspace's audit log, newest first (admins and owners).
pub async fn audit_log(
    state: &AppState,
    m: &Member,
    limit: i64,
) -> Result<Vec<crate::store::AuditRow>, AppError> {
    m.require(Need::Configure)?;
    Ok(state.store.audit_log(m.ws(), limit).await?)
}

pub async fn preview_invitation(
    state: &AppState,
    secret: &str,
) -> Result<InvitationPreview, AppError> {
    let (inv, ws) = state
        .store
        .invitation_by_token(&hash_secret(secret), state.now())
        .await?
        .ok_or_else(|| AppError::invalid(None, Msg::ErrInvitationInvalid))?;
    let account_exists = state.store.user_by_email(&inv.email).await?.is_some();
    Ok(InvitationPreview {
        workspace_name: ws.name,
        email: inv.email.clone(),
        role: inv.role,
        account_exists,
    })
}

/// Accepts an invitation. A signed-in user accepts for their own account
/// (which must have the invited email); otherwise a new account is created
/// from `new_account` (name, password). Returns the user and workspace.
pub async fn accept_invitation(
    state: &AppState,
    secret: &str,
    signed_in: Option<&UserRow>,
    new_account: Option<(String, String)>,
) -> Result<(UserRow, WorkspaceId), AppError> {
    let (inv, ws) = state
        .store
        .invitation_by_token(&hash_secret(secret), state.now())
        .await?
        .ok_or_else(|| AppError::invalid(None, Msg::ErrInvitationInvalid))?;
    let user = match (signed_in, new_account) {
        (Some(u), _) => {
            if u.email != inv.email {
                return Err(AppError::invalid(None, Msg::ErrInvitationOtherAccount));
            }
            u.clone()
        }
        (None, Some((name, password))) => create_user(state, &inv.email, &name, password).await?,
        (None, None) => return Err(AppError::Unauthenticated),
    };
    let ws_id = state
        .store
        .accept_invitation(inv.id, user.id(), state.now())
        .await?;
    audit(
        state,
        Some(&ws),
        Some(user.id()),
        "member.join",
        user.email.as_str(),
        serde_json::json!({"role": inv.role}),
    )
    .await;
    Ok((user, ws_id))
}
