//! Everything that only runs on the server: configuration, the HTTP router,
//! authentication, the REST API and the use cases they share.

pub mod accounts;
pub mod auth;
pub mod clock;
pub mod config;
pub mod error;
pub mod health;
pub mod media;
pub mod posts;
pub mod request;
pub mod rest;
pub mod router;
pub mod secrets;
pub mod state;
pub mod tokens;
pub mod workspaces;

pub use state::AppState;

/// Serves the app on `listener` until `shutdown` completes; in-flight
/// requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router::build(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
