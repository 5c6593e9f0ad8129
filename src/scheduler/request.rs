//! What one delivery sends: the channel's effective content of the approved
//! revision, and the record of it committed with the attempt's intent (the
//! exact request, minus the media bytes, which are named by id and hash).

use super::ports::Ports;
use crate::domain::content::Platform;
use crate::domain::post::{self, PostContent};
use crate::domain::{ChannelId, MediaId, PostId, WorkspaceId};
use crate::platforms::{MediaFile, PublishRequest};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The request as committed before it is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub delivery_key: String,
    pub platform: String,
    pub text: String,
    pub title: Option<String>,
    pub digest: Option<String>,
    pub link: Option<String>,
    pub media: Vec<MediaRecord>,
    pub thread: bool,
    /// What earlier attempts already created (resumed, not repeated).
    #[serde(default)]
    pub resume: Option<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRecord {
    pub id: MediaId,
    pub content_type: String,
    pub sha256: String,
    pub alt: String,
}

/// The key that names one delivery of one revision on every attempt: the
/// idempotency key where a platform takes one.
pub fn delivery_key(post_id: PostId, channel_id: ChannelId, revision: i64) -> String {
    format!("tongbu-{post_id}-{channel_id}-r{revision}")
}

impl RequestRecord {
    /// The request again, for reconciliation (which matches text, never
    /// media, so the files are not read).
    pub fn to_request(&self) -> PublishRequest {
        PublishRequest {
            delivery_key: self.delivery_key.clone(),
            text: self.text.clone(),
            title: self.title.clone(),
            digest: self.digest.clone(),
            link: self.link.clone(),
            media: Vec::new(),
            thread: self.thread,
            resume: self.resume.clone(),
        }
    }
}

/// Builds the request for `channel_id` from the post's content (the
/// approved revision: the claim checked it) and reads its media.
#[allow(clippy::too_many_arguments)]
pub async fn build(
    ports: &Ports,
    ws: WorkspaceId,
    post_id: PostId,
    channel_id: ChannelId,
    revision: i64,
    platform: Platform,
    content: &PostContent,
    campaign: Option<&str>,
    resume: Option<serde_json::Value>,
) -> Result<(PublishRequest, RequestRecord), crate::domain::AppError> {
    let eff = post::effective(content, channel_id, platform, campaign);
    let mut media = Vec::with_capacity(eff.media.len());
    let mut records = Vec::with_capacity(eff.media.len());
    for m in &eff.media {
        let (row, bytes) = ports.media.file(ws, m.id).await?;
        records.push(MediaRecord {
            id: row.id,
            content_type: row.content_type.clone(),
            sha256: row.sha256.clone(),
            alt: m.alt.clone(),
        });
        media.push(MediaFile {
            content_type: row.content_type,
            file_name: row.file_name,
            alt: m.alt.clone(),
            bytes: Arc::new(bytes),
        });
    }
    let record = RequestRecord {
        delivery_key: delivery_key(post_id, channel_id, revision),
        platform: platform.as_str().to_owned(),
        text: eff.text,
        title: eff.title,
        digest: eff.digest,
        link: eff.link,
        media: records,
        thread: content.allow_thread,
        resume,
    };
    let mut request = record.to_request();
    request.media = media;
    Ok((request, record))
}
