//! REST API v1: JSON over `/api/v1/...`, authenticated by a personal token
//! (`Authorization: Bearer tb_...`) or by the browser session. Handlers are
//! thin: authenticate, parse, call one use case.

mod channels;
mod deliveries;
mod me;
pub mod posts;
mod reports;
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
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The API's routes and its OpenAPI document, built from the same list of
/// annotated handlers, so the document cannot miss or invent a route.
pub fn routes_and_doc() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::me))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(workspaces::list, workspaces::create))
        .routes(routes!(workspaces::get_one))
        .routes(routes!(workspaces::members))
        .routes(routes!(workspaces::change_role, workspaces::remove))
        .routes(routes!(workspaces::reset_password))
        .routes(routes!(workspaces::invitations, workspaces::invite))
        .routes(routes!(workspaces::revoke_invitation))
        .routes(routes!(workspaces::audit))
        .routes(routes!(channels::list_channels, channels::create_channel))
        .routes(routes!(channels::update_channel))
        .routes(routes!(channels::connect_wechat))
        .routes(routes!(channels::set_egress))
        .routes(routes!(channels::check))
        .routes(routes!(deliveries::post_attempts))
        .routes(routes!(deliveries::resolve))
        .routes(routes!(deliveries::channel_attempts))
        .routes(routes!(deliveries::health))
        .routes(routes!(reports::reach))
        .routes(routes!(reports::reach_csv))
        .routes(routes!(reports::post_metrics))
        .routes(routes!(posts::list_posts, posts::create_post))
        .routes(routes!(posts::get_post, posts::patch_post))
        .routes(routes!(posts::submit))
        .routes(routes!(posts::approve))
        .routes(routes!(posts::reject))
        .routes(routes!(posts::cancel))
        .routes(routes!(posts::withdraw))
        .routes(routes!(posts::comments, posts::add_comment))
        .routes(routes!(posts::post_audit))
        .routes(routes!(posts::upload_media))
        .routes(routes!(posts::get_media))
        .routes(routes!(posts::notifications))
        .routes(routes!(posts::mark_read))
        .split_for_parts();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    (router, doc)
}

pub fn routes() -> Router<AppState> {
    let (router, doc) = routes_and_doc();
    let doc = std::sync::Arc::new(doc);
    router
        .route(
            "/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { axum::Json((*doc).clone()) }
            }),
        )
        // Uploads are larger than the 2 MB default body limit.
        .layer(axum::extract::DefaultBodyLimit::max(
            super::media::MAX_UPLOAD_BYTES + 64 * 1024,
        ))
        .fallback(|| async { ApiError(AppError::NotFound) })
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Tongbu API",
        version = "1",
        description = "Compose, schedule, approve and publish one post to every channel. Authenticate with `Authorization: Bearer <token>` (Settings → API tokens). Errors are `{\"error\":{\"code\",\"message\"}}` with a 4xx or 5xx status."
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
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
