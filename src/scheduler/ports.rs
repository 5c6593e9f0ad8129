//! What the scheduler needs from the rest of the server, and nothing more:
//! the store, a client per channel, the attached files, and the clock.
//!
//! The server implements these (its channel clients seal and unseal
//! credentials; its media folder holds the files) and hands them over when
//! it starts a scheduler, so the scheduler never reaches into the server's
//! state and a test can drive it with any store, clients and clock.

use crate::clock::Clock;
use crate::domain::{AppError, ChannelId, MediaId, WorkspaceId};
use crate::platforms::PlatformClient;
use crate::store::{ChannelRow, MediaRow, Store};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The platform client of a connected channel.
#[async_trait]
pub trait ClientSource: Send + Sync {
    async fn client(
        &self,
        ws: WorkspaceId,
        channel: &ChannelRow,
    ) -> Result<Arc<dyn PlatformClient>, AppError>;

    /// Drops a channel's client whose authorization failed, so the next
    /// use reads the credentials afresh.
    fn forget(&self, channel_id: ChannelId);
}

/// An attached file, for publishing on the workspace's behalf.
#[async_trait]
pub trait MediaSource: Send + Sync {
    async fn file(&self, ws: WorkspaceId, id: MediaId) -> Result<(MediaRow, Vec<u8>), AppError>;
}

/// Everything one scheduler works with.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn Store>,
    pub clients: Arc<dyn ClientSource>,
    pub media: Arc<dyn MediaSource>,
    pub clock: Arc<dyn Clock>,
}

impl Ports {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
