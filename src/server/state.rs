//! What every request handler and server function can reach.

use super::channels::credentials::ChannelClients;
use super::config::Config;
use super::files::MediaFiles;
use super::secrets::MasterKey;
use crate::clock::Clock;
use crate::scheduler::ports::Ports;
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
    pub clients: Arc<ChannelClients>,
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

    /// What a scheduler of this server works with.
    pub fn scheduler_ports(&self) -> Ports {
        Ports {
            store: self.store.clone(),
            clients: self.clients.clone(),
            media: Arc::new(MediaFiles {
                store: self.store.clone(),
                data_dir: self.config.data_dir.clone(),
            }),
            clock: self.clock.clone(),
        }
    }
}
