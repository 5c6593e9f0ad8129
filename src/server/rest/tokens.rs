use super::common::{parse_id, tag, ApiJson, ApiUser, ErrorBody};
use crate::domain::{ApiTokenView, NewApiToken};
use crate::server::error::ApiError;
use crate::server::{tokens, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

#[utoipa::path(get, path = "/tokens", tag = tag::ACCOUNT, responses((status = 200, body = Vec<ApiTokenView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<ApiTokenView>>, ApiError> {
    Ok(Json(tokens::list(&state, &user).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateToken {
    name: String,
}

#[utoipa::path(post, path = "/tokens", tag = tag::ACCOUNT, request_body = CreateToken, responses((status = 201, body = NewApiToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CreateToken>,
) -> Result<(StatusCode, Json<NewApiToken>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(tokens::create(&state, &user, &body.name).await?),
    ))
}

#[utoipa::path(delete, path = "/tokens/{id}", tag = tag::ACCOUNT, params(("id" = i64, Path, description = "Token id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    tokens::revoke(&state, &user, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
