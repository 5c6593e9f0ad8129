//! Everything that only runs on the server: configuration, the HTTP router,
//! authentication, the REST API and the use cases they share.

pub mod accounts;
pub mod auth;
pub mod channels;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod deliveries;
pub mod error;
pub mod health;
pub mod media;
pub mod posts;
pub mod reports;
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

/// Starts the built-in platform emulator beside the app and points the
/// emulated channels at it. Its state lives in the data folder so demo
/// channels keep working across restarts; its metrics age at the configured
/// speed (an hour per minute by default) so a new user sees reach grow
/// while they watch. Dropping the returned handle stops it.
pub async fn attach_emulator(
    state: &mut AppState,
) -> anyhow::Result<crate::emulator::RunningEmulator> {
    let config = &state.config;
    let emulator = crate::emulator::Emulator::new(crate::emulator::EmulatorOptions {
        speed: config.emulator_speed,
        state_file: Some(config.data_dir.join("emulator.json")),
        ..Default::default()
    })?;
    let running = emulator.serve(config.emulator_addr).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot start the platform emulator on {}: {e} (set TONGBU_EMULATOR_ADDR)",
            config.emulator_addr
        )
    })?;
    tracing::info!(url = %running.base_url, "platform emulator running");
    state.emulator_url = Some(running.base_url.clone());
    state.store.retarget_emulated(&running.base_url).await?;
    Ok(running)
}
