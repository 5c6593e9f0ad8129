//! REST API v1: JSON over `/api/v1/...`, authenticated by a personal token
//! (`Authorization: Bearer tb_...`) or by the browser session. Handlers are
//! thin: authenticate, parse, call one use case.

mod channels;
pub mod common;
mod deliveries;
mod me;
pub mod posts;
mod reports;
mod tokens;
mod workspaces;

use super::error::ApiError;
use super::state::AppState;
use crate::domain::AppError;
use axum::routing::get;
use axum::Router;
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
        .routes(routes!(channels::connect_bluesky))
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
