//! The HTTP surface: pages (Leptos SSR), server functions, the REST API,
//! health and static files, behind the middleware that every request passes:
//! tracing → cross-site refusal → session → request context → page gate.

use super::auth::{csrf, session};
use super::channels::credentials::ChannelClients;
use super::config::Config;
use super::request::{self, RequestCtx};
use super::state::AppState;
use super::{channels, health, rest, secrets};
use crate::app::{shell, App};
use crate::clock::Clock;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Builds the state: opens (and migrates) the database and loads the key.
pub async fn build_state(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let store = crate::store::connect(&config.database_url).await?;
    let master_key = secrets::load_or_create(config.secret_key.as_deref(), &config.data_dir)?;
    let leptos = LeptosOptions::builder()
        // Set for every build by .cargo/config.toml (and by cargo-leptos).
        .output_name(env!("LEPTOS_OUTPUT_NAME"))
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    let clients = Arc::new(ChannelClients::new(
        store.clone(),
        master_key.clone(),
        clock.clone(),
        std::time::Duration::from_millis(config.platform_timeout_ms.max(1) as u64),
    ));
    Ok(AppState {
        store,
        config: Arc::new(config),
        clock,
        master_key,
        leptos,
        emulator_url: None,
        clients,
    })
}

/// Serves the app on `listener` until `shutdown` completes; in-flight
/// requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = build(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}

pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let ctx_state = state.clone();
    let context = move || provide_context(ctx_state.clone());
    let options = state.leptos.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/oauth/{platform}/start", get(channels::connect::start))
        .route(
            "/oauth/{platform}/callback",
            get(channels::connect::callback),
        )
        .route("/oauth/{platform}/pick", post(channels::connect::pick_page))
        .nest("/api/v1", rest::routes())
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(rpc_error_status))
        .layer(middleware::from_fn_with_state(state.clone(), gate_pages))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request::resolve,
        ))
        .layer(session::layer(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            csrf::refuse_cross_site,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Sends people to the right page before any HTML is rendered: set-up while
/// nobody exists, sign-in when the dashboard needs an account, their first
/// workspace from `/`.
async fn gate_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let dashboard = path == "/" || path.starts_with("/w/") || path == "/account";
    if !(dashboard || path == "/setup" || path == "/login") {
        return next.run(req).await;
    }
    let ctx = req.extensions().get::<RequestCtx>().cloned();
    let user = ctx.and_then(|c| c.user);
    let users_exist = match state.store.count_users().await {
        Ok(n) => n > 0,
        Err(e) => return super::error::ApiError(e.into()).into_response(),
    };
    match (path.as_str(), users_exist, &user) {
        ("/setup", false, _) => next.run(req).await,
        ("/setup", true, _) => Redirect::to("/login").into_response(),
        (_, false, _) => Redirect::to("/setup").into_response(),
        ("/login", true, None) => next.run(req).await,
        ("/login", true, Some(_)) => Redirect::to("/").into_response(),
        (_, true, None) => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next_param: String =
                url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
            if path == "/" {
                Redirect::to("/login").into_response()
            } else {
                Redirect::to(&format!("/login?next={next_param}")).into_response()
            }
        }
        ("/", true, Some(user)) => match state.store.workspaces_of(user.id()).await {
            Ok(list) => match list.first() {
                Some((w, _)) => Redirect::to(&format!("/w/{}/calendar", w.id)).into_response(),
                None => Redirect::to("/account").into_response(),
            },
            Err(e) => super::error::ApiError(e.into()).into_response(),
        },
        _ => next.run(req).await,
    }
}

/// Server functions answer every error with 500 (and mark it with their
/// error header); the error itself knows better (a wrong password is a 401,
/// a refused role a 403). The body, the serialized `AppError`, is left as it is.
async fn rpc_error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if !res
        .headers()
        .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 1 << 20).await {
        Ok(b) => b,
        Err(_) => return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    if let Ok(err) = serde_json::from_slice::<crate::domain::AppError>(&bytes) {
        if let Ok(status) = axum::http::StatusCode::from_u16(err.status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}
