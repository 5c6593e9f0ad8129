//! Uploaded images and videos: type sniffed from the bytes (never trusted
//! from the client), size limited per kind, stored in the data folder under
//! the workspace, named by content hash so a re-upload costs nothing.

use super::access::{Member, Need};
use super::error::internal;
use super::files::media_folder;
use super::state::AppState;
use crate::domain::content::MediaKind;
use crate::domain::post::MediaRef;
use crate::domain::{AppError, MediaId, WorkspaceId};
use crate::i18n::Msg;
use crate::store::{MediaRow, NewMedia};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Largest upload accepted by the route (the largest kind below).
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// What the bytes are, by their magic numbers.
pub fn sniff(bytes: &[u8]) -> Option<(MediaKind, &'static str, &'static str)> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some((MediaKind::Image, "image/png", "png"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some((MediaKind::Image, "image/jpeg", "jpg"))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some((MediaKind::Gif, "image/gif", "gif"))
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some((MediaKind::Image, "image/webp", "webp"))
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        Some((MediaKind::Video, "video/mp4", "mp4"))
    } else {
        None
    }
}

/// The strictest limit among the platforms Tongbu publishes to, so that an
/// accepted file is accepted everywhere (X: images 5 MB, GIFs 15 MB).
pub fn max_bytes(kind: MediaKind) -> usize {
    match kind {
        MediaKind::Image => 5 * 1024 * 1024,
        MediaKind::Gif => 15 * 1024 * 1024,
        MediaKind::Video => MAX_UPLOAD_BYTES,
    }
}

fn kind_str(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
        MediaKind::Gif => "gif",
    }
}

pub fn media_ref(row: &MediaRow, alt: &str) -> Result<MediaRef, AppError> {
    let kind = match row.kind.as_str() {
        "image" => MediaKind::Image,
        "video" => MediaKind::Video,
        "gif" => MediaKind::Gif,
        other => return Err(internal(format!("unknown media kind {other:?}"))),
    };
    Ok(MediaRef {
        id: row.id,
        kind,
        content_type: row.content_type.clone(),
        bytes: u64::try_from(row.bytes).unwrap_or(0),
        alt: alt.chars().take(1_000).collect(),
    })
}

fn folder(state: &AppState, ws: WorkspaceId) -> PathBuf {
    media_folder(&state.config.data_dir, ws)
}

pub async fn upload(state: &AppState, m: &Member, bytes: &[u8]) -> Result<MediaRef, AppError> {
    m.require(Need::Write)?;
    let ws = m.ws();
    if bytes.is_empty() {
        return Err(AppError::invalid(Some("file"), Msg::ErrMediaEmpty));
    }
    let (kind, content_type, ext) =
        sniff(bytes).ok_or_else(|| AppError::invalid(Some("file"), Msg::ErrMediaType))?;
    if bytes.len() > max_bytes(kind) {
        return Err(AppError::invalid(Some("file"), Msg::ErrMediaTooLarge));
    }
    let sha = hex::encode(Sha256::digest(bytes));
    let file_name = format!("{sha}.{ext}");
    let dir = folder(state, ws);
    let path = dir.join(&file_name);
    if tokio::fs::metadata(&path).await.is_err() {
        tokio::fs::create_dir_all(&dir).await.map_err(internal)?;
        // Write then rename, so a crash never leaves half a file under the
        // final name.
        let tmp = dir.join(format!(".{file_name}.{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&tmp, bytes).await.map_err(internal)?;
        tokio::fs::rename(&tmp, &path).await.map_err(internal)?;
    }
    let row = state
        .store
        .insert_media(NewMedia {
            workspace_id: ws,
            uploaded_by: m.id(),
            kind: kind_str(kind),
            content_type: content_type.to_owned(),
            bytes: bytes.len() as i64,
            sha256: sha,
            file_name,
            at: state.now(),
        })
        .await?;
    media_ref(&row, "")
}

/// The file's type and bytes, for members of its workspace.
pub async fn read(
    state: &AppState,
    m: &Member,
    id: MediaId,
) -> Result<(String, Vec<u8>), AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    let row = state.store.media(ws, id).await?.ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(folder(state, ws).join(&row.file_name))
        .await
        .map_err(|e| internal(format!("media file {} unreadable: {e}", row.id)))?;
    Ok((row.content_type, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").unwrap().1, "image/png");
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0").unwrap().1, "image/jpeg");
        assert_eq!(sniff(b"GIF89a...").unwrap().0, MediaKind::Gif);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap().1, "image/webp");
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42").unwrap().0, MediaKind::Video);
        assert!(sniff(b"<svg xmlns=...>").is_none());
        assert!(sniff(b"MZ\x90\0").is_none());
    }
}
