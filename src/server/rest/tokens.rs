use super::{parse_id, ApiJson, ApiUser};
use crate::domain::{ApiTokenView, NewApiToken};
use crate::server::error::ApiError;
use crate::server::{tokens, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<ApiTokenView>>, ApiError> {
    Ok(Json(tokens::list(&state, &user).await?))
}

#[derive(Deserialize)]
pub struct CreateToken {
    name: String,
}

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

pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    tokens::revoke(&state, &user, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
