//! REST API v1: JSON over `/api/v1/...`, authenticated by a personal token
//! (`Authorization: Bearer tb_...`) or by the browser session. Handlers are
//! thin: authenticate, parse, call one use case.

mod me;
mod tokens;
mod workspaces;

use super::error::ApiError;
use super::request::RequestCtx;
use super::state::AppState;
use crate::domain::AppError;
use crate::i18n::Msg;
use crate::store::UserRow;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use axum::routing::{delete, get, patch, post};
use axum::Router;
use serde::de::DeserializeOwned;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me::me))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", delete(tokens::revoke))
        .route(
            "/workspaces",
            get(workspaces::list).post(workspaces::create),
        )
        .route("/workspaces/{ws}", get(workspaces::get_one))
        .route("/workspaces/{ws}/members", get(workspaces::members))
        .route(
            "/workspaces/{ws}/members/{user}",
            patch(workspaces::change_role).delete(workspaces::remove),
        )
        .route(
            "/workspaces/{ws}/members/{user}/reset-password",
            post(workspaces::reset_password),
        )
        .route(
            "/workspaces/{ws}/invitations",
            get(workspaces::invitations).post(workspaces::invite),
        )
        .route(
            "/workspaces/{ws}/invitations/{id}",
            delete(workspaces::revoke_invitation),
        )
        .route("/workspaces/{ws}/audit", get(workspaces::audit))
        .fallback(|| async { ApiError(AppError::NotFound) })
}

/// The caller of an API route: a bearer token's owner, else the session's.
pub struct ApiUser(pub UserRow);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if let Some(value) = auth {
            let token = value
                .strip_prefix("Bearer ")
                .map(str::trim)
                .ok_or(AppError::Unauthenticated)?;
            return super::tokens::authenticate(state, token)
                .await?
                .map(ApiUser)
                .ok_or(ApiError(AppError::Unauthenticated));
        }
        parts
            .extensions
            .get::<RequestCtx>()
            .and_then(|c| c.user.clone())
            .map(ApiUser)
            .ok_or(ApiError(AppError::Unauthenticated))
    }
}

/// A JSON body whose rejections are answered in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError(AppError::Invalid {
                field: None,
                key: Msg::ErrInvalidBody.key().to_owned(),
                message: format!(
                    "The request body is not valid JSON for this route: {}",
                    rejection.body_text()
                ),
            })),
        }
    }
}

/// Path ids that do not parse name nothing that exists.
pub fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().map_err(|_| ApiError(AppError::NotFound))
}
