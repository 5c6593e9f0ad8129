//! Reach collection as jobs, and the reads reports are made of.
//!
//! Every published delivery gets a track (`metric_tracks`): when its next
//! snapshot is due, under which lease and fence it is being collected, and
//! its latest figures. A collector claims due tracks (several processes
//! never hold the same one), asks the platform, and records each result
//! fenced by the token it claimed with; snapshots are unique per schedule
//! slot, so a retried or repeated collection never stores a second one.

use super::StoreResult;
use crate::domain::reports::{ChannelMetrics, DeliveryFigures, GrowthBucket};
use crate::domain::{ChannelId, PostId, WorkspaceId};
use chrono::{DateTime, Utc};

/// A published delivery that has no track yet.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Untracked {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub workspace_id: WorkspaceId,
    pub platform: String,
    pub remote_id: String,
    pub remote_extra_json: Option<String>,
    pub published_at: DateTime<Utc>,
    pub content_json: String,
    pub campaign: Option<String>,
    /// The channel talks to the built-in emulator (whose clock may run fast).
    pub emulated: bool,
}

/// A track to start: when its first snapshot is due, and the post's label.
#[derive(Clone, Debug)]
pub struct NewTrack {
    pub from: Untracked,
    pub title: String,
    pub first_at: DateTime<Utc>,
}

/// A track a collector now holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedTrack {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub workspace_id: WorkspaceId,
    pub platform: String,
    pub remote_id: String,
    pub remote_extra_json: Option<String>,
    pub published_at: DateTime<Utc>,
    pub next_slot: i64,
    pub fence: i64,
    /// Failed tries of `next_slot` so far.
    pub failures: i64,
    /// The latest stored figures, in `Metric::ALL` order.
    pub latest: [Option<i64>; 7],
}

/// What one collection of a track came to.
// Short-lived, a batch at a time: boxing the figures would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Collected {
    /// Figures for `slot`: stored as a snapshot, and as the track's latest.
    Snapshot {
        slot: i64,
        values: [Option<i64>; 7],
        /// What each figure gained since the previous snapshot.
        gains: [Option<i64>; 7],
        sources_json: String,
        raw_json: String,
    },
    /// Nothing stored; the reason is kept for people to see.
    Failed { error: String, failures: i64 },
}

/// A fenced result: applied only if the collector still holds the track.
#[derive(Clone, Debug)]
pub struct CollectionResult {
    pub track: ClaimedTrack,
    pub collected: Collected,
    /// The slot the next snapshot fills and when it is due; `None`: done.
    pub next_slot: i64,
    pub next_at: Option<DateTime<Utc>>,
}

#[async_trait::async_trait]
pub trait MetricStore {
    /// Published deliveries (settled, with a remote id) without a track.
    async fn untracked(&self, limit: i64) -> StoreResult<Vec<Untracked>>;
    /// Starts tracks; one already started is left as it is.
    async fn start_tracks(&self, tracks: &[NewTrack]) -> StoreResult<u64>;
    /// Takes up to `limit` due tracks nobody holds (or whose lease ran out)
    /// until `lease_until`, bumping each one's fence.
    async fn claim_tracks(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedTrack>>;
    /// Records results in one transaction; each applies only under the
    /// fence it was claimed with. Returns the snapshots stored.
    async fn record_collections(
        &self,
        owner: &str,
        results: &[CollectionResult],
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Gives back tracks `owner` holds (a graceful stop).
    async fn release_tracks(&self, owner: &str) -> StoreResult<u64>;

    /// Every tracked delivery of the workspace published in `[start, end)`
    /// (epoch seconds), with its latest figures.
    async fn report_deliveries(
        &self,
        ws: WorkspaceId,
        start: i64,
        end: i64,
    ) -> StoreResult<Vec<DeliveryFigures>>;
    /// What the figures of those deliveries gained, per platform and
    /// quarter hour of collection.
    async fn report_growth(
        &self,
        ws: WorkspaceId,
        start: i64,
        end: i64,
    ) -> StoreResult<Vec<GrowthBucket>>;
    /// One post's tracks with all their snapshots, oldest first.
    async fn post_metrics(
        &self,
        ws: WorkspaceId,
        post_id: PostId,
    ) -> StoreResult<Vec<ChannelMetrics>>;
    /// Snapshots stored for the workspace (for the page's footer and tests).
    async fn count_snapshots(&self, ws: WorkspaceId) -> StoreResult<i64>;
}

/// Parses a stored `sources_json` into seven optional names.
pub fn parse_sources(json: Option<&str>) -> Vec<Option<String>> {
    json.and_then(|j| serde_json::from_str::<Vec<Option<String>>>(j).ok())
        .filter(|v| v.len() == 7)
        .unwrap_or_else(|| vec![None; 7])
}

/// The seven figure columns, named as in both tables.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct FigureCols {
    pub views: Option<i64>,
    pub reach: Option<i64>,
    pub reactions: Option<i64>,
    pub comments: Option<i64>,
    pub shares: Option<i64>,
    pub link_clicks: Option<i64>,
    pub saves: Option<i64>,
}

impl FigureCols {
    pub fn values(self) -> [Option<i64>; 7] {
        [
            self.views,
            self.reach,
            self.reactions,
            self.comments,
            self.shares,
            self.link_clicks,
            self.saves,
        ]
    }

    pub fn figures(self) -> crate::domain::reports::Figures {
        crate::domain::reports::Figures::from_values(self.values())
    }
}

#[derive(sqlx::FromRow)]
pub struct TrackRow {
    post_id: PostId,
    channel_id: ChannelId,
    workspace_id: WorkspaceId,
    platform: String,
    remote_id: String,
    remote_extra_json: Option<String>,
    published_at: DateTime<Utc>,
    next_slot: i64,
    fence: i64,
    failures: i64,
    #[sqlx(flatten)]
    f: FigureCols,
}

impl TrackRow {
    pub fn into_claimed(self) -> ClaimedTrack {
        ClaimedTrack {
            post_id: self.post_id,
            channel_id: self.channel_id,
            workspace_id: self.workspace_id,
            platform: self.platform,
            remote_id: self.remote_id,
            remote_extra_json: self.remote_extra_json,
            published_at: self.published_at,
            next_slot: self.next_slot,
            fence: self.fence,
            failures: self.failures,
            latest: self.f.values(),
        }
    }
}

fn platform_of(s: &str) -> StoreResult<crate::domain::content::Platform> {
    crate::domain::content::Platform::parse(s)
        .ok_or_else(|| super::StoreError::Corrupt(format!("unknown platform {s:?}")))
}

#[derive(sqlx::FromRow)]
pub struct ReportDeliveryRow {
    post_id: PostId,
    title: String,
    campaign: Option<String>,
    channel_id: ChannelId,
    channel_name: String,
    platform: String,
    published_at: DateTime<Utc>,
    #[sqlx(flatten)]
    f: FigureCols,
    sources_json: Option<String>,
    collected_at: Option<DateTime<Utc>>,
}

impl ReportDeliveryRow {
    pub fn into_figures(self) -> StoreResult<DeliveryFigures> {
        Ok(DeliveryFigures {
            post_id: self.post_id,
            title: self.title,
            campaign: self.campaign.filter(|c| !c.is_empty()),
            channel_id: self.channel_id,
            channel_name: self.channel_name,
            platform: platform_of(&self.platform)?,
            published_at: self.published_at,
            figures: self.f.figures(),
            sources: parse_sources(self.sources_json.as_deref()),
            collected_at: self.collected_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct GrowthRow {
    platform: String,
    quarter: i64,
    #[sqlx(flatten)]
    f: FigureCols,
}

impl GrowthRow {
    pub fn into_bucket(self) -> StoreResult<GrowthBucket> {
        Ok(GrowthBucket {
            platform: platform_of(&self.platform)?,
            quarter: self.quarter,
            gains: self.f.values(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct PostTrackRow {
    channel_id: ChannelId,
    channel_name: String,
    platform: String,
    published_at: DateTime<Utc>,
    #[sqlx(flatten)]
    f: FigureCols,
    sources_json: Option<String>,
    collected_at: Option<DateTime<Utc>>,
    next_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

#[derive(sqlx::FromRow)]
pub struct SnapshotRow {
    channel_id: ChannelId,
    collected_at: DateTime<Utc>,
    #[sqlx(flatten)]
    f: FigureCols,
}

/// A post's tracks with their snapshots attached, oldest first.
pub fn channel_metrics(
    tracks: Vec<PostTrackRow>,
    snapshots: &[SnapshotRow],
) -> StoreResult<Vec<ChannelMetrics>> {
    tracks
        .into_iter()
        .map(|t| {
            Ok(ChannelMetrics {
                channel_id: t.channel_id,
                channel_name: t.channel_name,
                platform: platform_of(&t.platform)?,
                published_at: t.published_at,
                latest: t.f.figures(),
                sources: parse_sources(t.sources_json.as_deref()),
                collected_at: t.collected_at,
                next_at: t.next_at,
                last_error: t.last_error,
                snapshots: snapshots
                    .iter()
                    .filter(|s| s.channel_id == t.channel_id)
                    .map(|s| crate::domain::reports::Snapshot {
                        collected_at: s.collected_at,
                        figures: s.f.figures(),
                    })
                    .collect(),
            })
        })
        .collect()
}
