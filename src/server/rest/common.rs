//! What every REST resource shares: the caller ([`ApiUser`]), the
//! workspace a route acts on (resolved once into an `access::Member`),
//! body and query extractors that answer in the API's error shape, and
//! that shape itself ([`ErrorBody`]). Resource files hold only their routes.

use crate::domain::{AppError, PostId, WorkspaceId};
use crate::i18n::Msg;
use crate::server::access::Member;
use crate::server::error::ApiError;
use crate::server::request::RequestCtx;
use crate::server::AppState;
use crate::store::UserRow;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::{header, request::Parts, HeaderMap};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The OpenAPI tags, one per area of the API.
pub mod tag {
    pub const ACCOUNT: &str = "account";
    pub const WORKSPACES: &str = "workspaces";
    pub const POSTS: &str = "posts";
    pub const REPORTS: &str = "reports";
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
            return crate::server::tokens::authenticate(state, token)
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
pub fn parse_id<T: From<i64>>(raw: &str) -> Result<T, ApiError> {
    match raw.parse::<i64>() {
        // Ids start at 1: zero and negatives name nothing either.
        Ok(id) if id >= 1 => Ok(T::from(id)),
        _ => Err(ApiError(AppError::NotFound)),
    }
}

/// The workspace named by a path segment, if the caller is a member of it.
pub async fn member_of(state: &AppState, user: &UserRow, raw: &str) -> Result<Member, ApiError> {
    let ws: WorkspaceId = parse_id(raw)?;
    Ok(Member::resolve(state, user, ws).await?)
}

/// The workspace a route without one in its path acts on.
pub async fn pick_workspace(
    state: &AppState,
    user: &UserRow,
    explicit: Option<i64>,
    headers: &HeaderMap,
) -> Result<Member, ApiError> {
    let from_header = headers
        .get("tongbu-workspace")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError(AppError::NotFound))
        })
        .transpose()?;
    if let Some(id) = explicit.or(from_header) {
        return Ok(Member::resolve(state, user, WorkspaceId(id)).await?);
    }
    let mine = state.store.workspaces_of(user.id()).await?;
    match mine.as_slice() {
        [(only, role)] => Ok(Member {
            user: user.clone(),
            workspace: only.clone(),
            role: *role,
        }),
        [] => Err(ApiError(AppError::NotFound)),
        _ => Err(ApiError(AppError::invalid(
            Some("workspace"),
            Msg::ErrWorkspaceAmbiguous,
        ))),
    }
}

/// The workspace of a post, if the caller is a member of it.
pub async fn post_workspace(
    state: &AppState,
    user: &UserRow,
    id: &str,
) -> Result<(Member, PostId), ApiError> {
    let id = parse_id(id)?;
    let ws = state
        .store
        .post_workspace_for_member(id, user.id())
        .await?
        .ok_or(ApiError(AppError::NotFound))?;
    Ok((Member::resolve(state, user, ws).await?, id))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkspaceQuery {
    /// Workspace id; optional for members of a single workspace.
    pub workspace: Option<i64>,
}

/// A query string whose rejections are answered in the API's error shape
/// (axum's own answer is a plain-text 400).
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(ApiError(AppError::Invalid {
                field: None,
                key: Msg::ErrInvalidBody.key().to_owned(),
                message: format!(
                    "The query string is not valid for this route: {}",
                    rejection.body_text()
                ),
            })),
        }
    }
}

/// A JSON body that may be left out entirely.
pub fn optional_json<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError(AppError::Invalid {
            field: None,
            key: Msg::ErrInvalidBody.key().to_owned(),
            message: format!("The request body is not valid JSON for this route: {e}"),
        })
    })
}

/// The error body every route answers with.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid`, `forbidden`, `conflict`.
    code: String,
    /// What went wrong, in English.
    message: String,
    /// The offending field, for `invalid`.
    field: Option<String>,
}
