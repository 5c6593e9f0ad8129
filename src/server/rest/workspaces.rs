use super::{parse_id, ApiJson, ApiUser};
use crate::domain::{
    parse_role, AppError, Invitation, Member, Role, UserId, WorkspaceId, WorkspaceSummary,
};
use crate::server::error::ApiError;
use crate::server::{workspaces, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<WorkspaceSummary>>, ApiError> {
    Ok(Json(
        crate::server::accounts::viewer(&state, &user)
            .await?
            .workspaces,
    ))
}

#[derive(Deserialize)]
pub struct CreateWorkspace {
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CreateWorkspace>,
) -> Result<(StatusCode, Json<WorkspaceSummary>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(workspaces::create(&state, &user, &body.name).await?),
    ))
}

pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<WorkspaceSummary>, ApiError> {
    Ok(Json(
        workspaces::summary(&state, &user, WorkspaceId(parse_id(&ws)?)).await?,
    ))
}

pub async fn members(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Vec<Member>>, ApiError> {
    Ok(Json(
        workspaces::members(&state, &user, WorkspaceId(parse_id(&ws)?)).await?,
    ))
}

#[derive(Deserialize)]
pub struct ChangeRole {
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, member)): Path<(String, String)>,
    ApiJson(body): ApiJson<ChangeRole>,
) -> Result<StatusCode, ApiError> {
    let ws = WorkspaceId(parse_id(&ws)?);
    let member = UserId(parse_id(&member)?);
    // Prove membership before judging the body, so outsiders learn nothing.
    workspaces::membership(&state, &user, ws).await?;
    let role: Role = parse_role(&body.role)?;
    workspaces::change_role(&state, &user, ws, member, role).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, member)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let ws = WorkspaceId(parse_id(&ws)?);
    workspaces::remove_member(&state, &user, ws, UserId(parse_id(&member)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
pub struct TemporaryPassword {
    temporary_password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, member)): Path<(String, String)>,
) -> Result<Json<TemporaryPassword>, ApiError> {
    let ws = WorkspaceId(parse_id(&ws)?);
    let temporary_password =
        workspaces::reset_password(&state, &user, ws, UserId(parse_id(&member)?)).await?;
    Ok(Json(TemporaryPassword { temporary_password }))
}

#[derive(Deserialize)]
pub struct Invite {
    email: String,
    role: String,
}

#[derive(Serialize)]
pub struct InvitationCreated {
    invitation: Invitation,
    /// Path of the one-time acceptance page; send it to the invitee.
    accept_path: String,
}

pub async fn invite(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
    ApiJson(body): ApiJson<Invite>,
) -> Result<(StatusCode, Json<InvitationCreated>), ApiError> {
    let ws = WorkspaceId(parse_id(&ws)?);
    workspaces::membership(&state, &user, ws).await?;
    let role = parse_role(&body.role)?;
    let created = workspaces::invite(&state, &user, ws, &body.email, role).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationCreated {
            invitation: created.invitation,
            accept_path: created.path,
        }),
    ))
}

pub async fn invitations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    Ok(Json(
        workspaces::invitations(&state, &user, WorkspaceId(parse_id(&ws)?)).await?,
    ))
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let ws = WorkspaceId(parse_id(&ws)?);
    workspaces::revoke_invitation(&state, &user, ws, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
pub struct AuditEntry {
    id: i64,
    actor_user_id: Option<i64>,
    action: String,
    subject: String,
    detail: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
}

/// The workspace's audit log, newest first; admins and owners only.
pub async fn audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let ws = WorkspaceId(parse_id(&ws)?);
    let (_, role) = workspaces::membership(&state, &user, ws).await?;
    if !role.can_configure() {
        return Err(ApiError(AppError::Forbidden));
    }
    let rows = state.store.audit_log(ws, 200).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                actor_user_id: r.actor_user_id,
                action: r.action,
                subject: r.subject,
                detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
                at: r.at,
            })
            .collect(),
    ))
}
