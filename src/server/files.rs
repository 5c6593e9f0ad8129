//! Where uploaded files live on disk: `<data dir>/media/<workspace>/`,
//! each named by its SHA-256, written once and never changed. The media
//! use cases write here; the scheduler reads through [`MediaFiles`].

use super::error::internal;
use crate::domain::{AppError, MediaId, WorkspaceId};
use crate::scheduler::ports::MediaSource;
use crate::store::{MediaRow, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a workspace's uploads live.
pub fn media_folder(data_dir: &Path, ws: WorkspaceId) -> PathBuf {
    data_dir.join("media").join(ws.0.to_string())
}

/// The stored files, for the scheduler, which publishes on the
/// workspace's behalf (no member is asking).
pub struct MediaFiles {
    pub store: Arc<dyn Store>,
    pub data_dir: PathBuf,
}

#[async_trait::async_trait]
impl MediaSource for MediaFiles {
    async fn file(&self, ws: WorkspaceId, id: MediaId) -> Result<(MediaRow, Vec<u8>), AppError> {
        let row = self.store.media(ws, id).await?.ok_or(AppError::NotFound)?;
        let bytes = tokio::fs::read(media_folder(&self.data_dir, ws).join(&row.file_name))
            .await
            .map_err(|e| internal(format!("media file {} unreadable: {e}", row.id)))?;
        Ok((row, bytes))
    }
}
