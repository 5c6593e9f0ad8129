use super::common::{tag, ApiUser, ErrorBody};
use crate::server::error::ApiError;
use crate::server::{accounts, AppState};
use axum::extract::State;
use axum::Json;

/// `GET /api/v1/me`: the caller and their workspaces with roles.
#[utoipa::path(get, path = "/me", tag = tag::ACCOUNT, responses((status = 200, body = crate::domain::Viewer), (status = 401, body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<crate::domain::Viewer>, ApiError> {
    Ok(Json(accounts::viewer(&state, &user).await?))
}
