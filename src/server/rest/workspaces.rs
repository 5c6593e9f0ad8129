use super::common::{member_of, parse_id, tag, ApiJson, ApiUser, ErrorBody};
use crate::domain::{parse_role, Invitation, Member, Role, UserId, WorkspaceSummary};
use crate::server::error::ApiError;
use crate::server::{workspaces, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

#[utoipa::path(get, path = "/workspaces", tag = tag::WORKSPACES, responses((status = 200, body = Vec<WorkspaceSummary>), (status = 401, body = ErrorBody)))]
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

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateWorkspace {
    name: String,
}

#[utoipa::path(post, path = "/workspaces", tag = tag::WORKSPACES, request_body = CreateWorkspace, responses((status = 201, body = WorkspaceSummary), (status = 422, body = ErrorBody)))]
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

#[utoipa::path(get, path = "/workspaces/{ws}", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id")), responses((status = 200, body = WorkspaceSummary), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<WorkspaceSummary>, ApiError> {
    Ok(Json(workspaces::summary(
        &member_of(&state, &user, &ws).await?,
    )))
}

#[utoipa::path(get, path = "/workspaces/{ws}/members", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id")), responses((status = 200, body = Vec<Member>), (status = 404, body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Vec<Member>>, ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    Ok(Json(workspaces::members(&state, &m).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangeRole {
    role: String,
}

#[utoipa::path(patch, path = "/workspaces/{ws}/members/{user}", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id"), ("user" = i64, Path, description = "User id")), request_body = ChangeRole, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, member)): Path<(String, String)>,
    ApiJson(body): ApiJson<ChangeRole>,
) -> Result<StatusCode, ApiError> {
    // Prove membership before judging the body, so outsiders learn nothing.
    let m = member_of(&state, &user, &ws).await?;
    let member = parse_id::<UserId>(&member)?;
    let role: Role = parse_role(&body.role)?;
    workspaces::change_role(&state, &m, member, role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/workspaces/{ws}/members/{user}", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id"), ("user" = i64, Path, description = "User id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, member)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    workspaces::remove_member(&state, &m, parse_id::<UserId>(&member)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TemporaryPassword {
    temporary_password: String,
}

#[utoipa::path(post, path = "/workspaces/{ws}/members/{user}/reset-password", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id"), ("user" = i64, Path, description = "User id")), responses((status = 200, body = TemporaryPassword), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, member)): Path<(String, String)>,
) -> Result<Json<TemporaryPassword>, ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    let temporary_password =
        workspaces::reset_password(&state, &m, parse_id::<UserId>(&member)?).await?;
    Ok(Json(TemporaryPassword { temporary_password }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Invite {
    email: String,
    role: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InvitationCreated {
    invitation: Invitation,
    /// Path of the one-time acceptance page; send it to the invitee.
    accept_path: String,
}

#[utoipa::path(post, path = "/workspaces/{ws}/invitations", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id")), request_body = Invite, responses((status = 201, body = InvitationCreated), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
    ApiJson(body): ApiJson<Invite>,
) -> Result<(StatusCode, Json<InvitationCreated>), ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    let role = parse_role(&body.role)?;
    let created = workspaces::invite(&state, &m, &body.email, role).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationCreated {
            invitation: created.invitation,
            accept_path: created.path,
        }),
    ))
}

#[utoipa::path(get, path = "/workspaces/{ws}/invitations", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id")), responses((status = 200, body = Vec<Invitation>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn invitations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    Ok(Json(workspaces::invitations(&state, &m).await?))
}

#[utoipa::path(delete, path = "/workspaces/{ws}/invitations/{id}", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id"), ("id" = i64, Path, description = "Invitation id")), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    workspaces::revoke_invitation(&state, &m, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    id: i64,
    actor_user_id: Option<UserId>,
    action: String,
    subject: String,
    #[schema(value_type = Object)]
    detail: serde_json::Value,
    at: chrono::DateTime<chrono::Utc>,
}

/// The workspace's audit log, newest first; admins and owners only.
#[utoipa::path(get, path = "/workspaces/{ws}/audit", tag = tag::WORKSPACES, params(("ws" = i64, Path, description = "Workspace id")), responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let m = member_of(&state, &user, &ws).await?;
    let rows = workspaces::audit_log(&state, &m, 200).await?;
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
