//! What every request handler and server function can reach.

use super::clock::Clock;
use super::config::Config;
use super::secrets::MasterKey;
use crate::store::Store;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub master_key: MasterKey,
    pub leptos: LeptosOptions,
    /// Base URL of the built-in platform emulator, when this process runs one.
    pub emulator_url: Option<String>,
    /// Platform clients of the channels, built on first use.
    pub clients: Arc<super::channels::credentials::ClientCache>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

impl AppState {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
