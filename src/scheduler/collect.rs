//! Reach collection: every published delivery's figures, on the schedule
//! (`CollectionSchedule`), batched per channel the way each platform
//! allows (the client splits a batch: X 100 ids a lookup, Facebook 50
//! requests a batch, WeChat one call per publish date).
//!
//! Tracks are claimed under a lease with a fencing token like deliveries,
//! so processes sharing a database never collect the same one; a result is
//! recorded only under the fence it was claimed with, and snapshots are
//! unique per slot, so a retry never stores a second one. A failed
//! collection stores nothing and touches no earlier snapshot: the track
//! waits (until the platform's reset time when it gave one) and tries again;
//! a slot that keeps failing is skipped for the next one.

use super::Scheduler;
use crate::domain::metrics::CollectionSchedule;
use crate::domain::{ChannelId, WorkspaceId};
use crate::platforms::{PlatformError, RemotePost};
use crate::store::{ClaimedTrack, Collected, CollectionResult, NewTrack};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Tracks claimed per pass.
const BATCH: i64 = 200;
/// Published deliveries given a track per pass.
const TRACK_BATCH: i64 = 500;
/// Failed tries of one slot before it is skipped for the next.
pub const MAX_SLOT_FAILURES: i64 = 5;

/// What one collection pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Collection {
    /// Deliveries that got a track.
    pub tracked: u64,
    pub claimed: usize,
    /// Snapshots stored.
    pub stored: u64,
    /// Tracks that got no figures this time (they try again).
    pub failed: usize,
}

impl Scheduler {
    /// Starts tracks for newly published deliveries, then collects every
    /// due track once.
    pub async fn collect(&self) -> anyhow::Result<Collection> {
        let mut out = Collection {
            tracked: self.track_published().await?,
            ..Collection::default()
        };
        loop {
            let now = self.now();
            let claimed = self
                .ports
                .store
                .claim_tracks(now, &self.owner, now + self.cfg.lease, BATCH)
                .await?;
            if claimed.is_empty() {
                break;
            }
            out.claimed += claimed.len();
            let mut by_channel: BTreeMap<(WorkspaceId, ChannelId), Vec<ClaimedTrack>> =
                BTreeMap::new();
            for t in claimed {
                by_channel
                    .entry((t.workspace_id, t.channel_id))
                    .or_default()
                    .push(t);
            }
            let passes = by_channel
                .into_iter()
                .map(|((ws, channel), tracks)| self.collect_channel(ws, channel, tracks));
            let results: Vec<CollectionResult> = futures::future::join_all(passes)
                .await
                .into_iter()
                .flatten()
                .collect();
            out.failed += results
                .iter()
                .filter(|r| matches!(r.collected, Collected::Failed { .. }))
                .count();
            out.stored += self
                .ports
                .store
                .record_collections(&self.owner, &results, self.now())
                .await?;
        }
        Ok(out)
    }

    /// The schedule for a channel: the emulator's clock runs
    /// `emulator_speed` times faster, so its channels are collected that
    /// much sooner (the demo shows growth within minutes).
    fn schedule_for(&self, emulated: bool) -> CollectionSchedule {
        match (emulated, self.cfg.emulator_speed) {
            (true, Some(speed)) => self.cfg.collection.compressed(speed),
            _ => self.cfg.collection.clone(),
        }
    }

    async fn track_published(&self) -> anyhow::Result<u64> {
        let found = self.ports.store.untracked(TRACK_BATCH).await?;
        if found.is_empty() {
            return Ok(0);
        }
        let tracks: Vec<NewTrack> = found
            .into_iter()
            .map(|u| {
                let title =
                    serde_json::from_str::<crate::domain::post::PostContent>(&u.content_json)
                        .map(|c| crate::domain::post::excerpt(&c, 80))
                        .unwrap_or_default();
                let schedule = self.schedule_for(u.emulated);
                let first_at = schedule.due(u.published_at, 0).unwrap_or(u.published_at);
                NewTrack {
                    from: u,
                    title,
                    first_at,
                }
            })
            .collect();
        Ok(self.ports.store.start_tracks(&tracks).await?)
    }

    async fn collect_channel(
        &self,
        ws: WorkspaceId,
        channel_id: ChannelId,
        tracks: Vec<ClaimedTrack>,
    ) -> Vec<CollectionResult> {
        let row = match self.ports.store.channel(ws, channel_id).await {
            Ok(Some(row)) => row,
            Ok(None) => {
                return failed_all(
                    tracks,
                    "the channel was removed",
                    self.now(),
                    None,
                    &self.cfg.collection,
                )
            }
            Err(e) => {
                return failed_all(
                    tracks,
                    &e.to_string(),
                    self.now(),
                    None,
                    &self.cfg.collection,
                )
            }
        };
        let schedule = self.schedule_for(row.emulated);
        let client = match self.ports.clients.client(ws, &row).await {
            Ok(c) => c,
            Err(e) => return failed_all(tracks, &e.to_string(), self.now(), None, &schedule),
        };
        let posts: Vec<RemotePost> = tracks
            .iter()
            .map(|t| RemotePost {
                remote_id: t.remote_id.clone(),
                published_at: t.published_at,
                extra: t
                    .remote_extra_json
                    .as_deref()
                    .and_then(|j| serde_json::from_str(j).ok())
                    .unwrap_or(serde_json::Value::Null),
            })
            .collect();
        let answer = {
            let _permits = self.limits.permit(channel_id).await;
            client.metrics(&posts).await
        };
        let now = self.now();
        match answer {
            Ok(reports) => {
                let mut by_id: BTreeMap<String, crate::platforms::MetricsReport> = reports
                    .into_iter()
                    .map(|r| (r.remote_id.clone(), r))
                    .collect();
                tracks
                    .into_iter()
                    .map(|t| match by_id.remove(&t.remote_id) {
                        Some(report) => snapshot(t, report, now, &schedule),
                        None => failed(
                            t,
                            "the platform gave no figures for this post (not counted yet, or deleted)",
                            now,
                            None,
                            &schedule,
                        ),
                    })
                    .collect()
            }
            Err(e) => {
                tracing::info!(channel = %channel_id, error = %e, "metrics collection postponed");
                let (reason, wait_until) = match &e {
                    // Waiting for a rate limit or quota is not the post's
                    // failure: the slot keeps its tries.
                    PlatformError::RetryAt { at: Some(at), .. } => (e.to_string(), Some(*at)),
                    PlatformError::QuotaExhausted { until, .. } => (e.to_string(), Some(*until)),
                    _ => (e.to_string(), None),
                };
                failed_all(tracks, &reason, now, wait_until, &schedule)
            }
        }
    }
}

fn snapshot(
    t: ClaimedTrack,
    report: crate::platforms::MetricsReport,
    now: DateTime<Utc>,
    schedule: &CollectionSchedule,
) -> CollectionResult {
    let values = report.metrics.values();
    let gains: [Option<i64>; 7] = std::array::from_fn(|i| match (values[i], t.latest[i]) {
        (Some(v), Some(prev)) => Some(v - prev),
        (Some(v), None) => Some(v),
        (None, _) => None,
    });
    let from = t.next_slot.max(0) as usize;
    let slot = schedule.slot_at(t.published_at, from, now).unwrap_or(from);
    let next_slot = slot + 1;
    let next_at = schedule.due(t.published_at, next_slot);
    let sources_json = serde_json::to_string(&report.metrics.sources()).unwrap_or_default();
    CollectionResult {
        collected: Collected::Snapshot {
            slot: slot as i64,
            values,
            gains,
            sources_json,
            raw_json: report.raw.to_string(),
        },
        next_slot: next_slot as i64,
        next_at,
        track: t,
    }
}

/// How long a failed slot waits: 1, 4, 16, 64 minutes, then 4 hours.
fn backoff(failures: i64) -> Duration {
    Duration::minutes(4_i64.pow(failures.clamp(0, 4) as u32)).min(Duration::hours(4))
}

fn failed(
    t: ClaimedTrack,
    reason: &str,
    now: DateTime<Utc>,
    wait_until: Option<DateTime<Utc>>,
    schedule: &CollectionSchedule,
) -> CollectionResult {
    let (failures, mut next_slot) = match wait_until {
        Some(_) => (t.failures, t.next_slot),
        None => (t.failures + 1, t.next_slot),
    };
    let mut next_at = match wait_until {
        Some(at) => Some(at.max(now + Duration::seconds(1))),
        None => Some(now + backoff(failures - 1)),
    };
    let mut failures_kept = failures;
    if failures >= MAX_SLOT_FAILURES {
        // Give this slot up: the next one is due on its own time (or now,
        // when the collector is already past it).
        let from = t.next_slot.max(0) as usize;
        let passed = schedule.slot_at(t.published_at, from, now).unwrap_or(from);
        next_slot = passed as i64 + 1;
        next_at = schedule
            .due(t.published_at, next_slot as usize)
            .map(|d| d.max(now + Duration::minutes(1)));
        failures_kept = 0;
    }
    CollectionResult {
        collected: Collected::Failed {
            error: reason.to_owned(),
            failures: failures_kept,
        },
        next_slot,
        next_at,
        track: t,
    }
}

fn failed_all(
    tracks: Vec<ClaimedTrack>,
    reason: &str,
    now: DateTime<Utc>,
    wait_until: Option<DateTime<Utc>>,
    schedule: &CollectionSchedule,
) -> Vec<CollectionResult> {
    tracks
        .into_iter()
        .map(|t| failed(t, reason, now, wait_until, schedule))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PostId;

    fn track(failures: i64) -> ClaimedTrack {
        ClaimedTrack {
            post_id: PostId(1),
            channel_id: ChannelId(2),
            workspace_id: WorkspaceId(3),
            platform: "x".into(),
            remote_id: "9".into(),
            remote_extra_json: None,
            published_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            next_slot: 0,
            fence: 1,
            failures,
            latest: [Some(10), None, Some(1), None, None, None, None],
        }
    }

    #[test]
    fn gains_are_measured_from_the_latest_snapshot_and_absent_stays_absent() {
        let now: DateTime<Utc> = "2026-01-01T07:00:00Z".parse().unwrap();
        let mut metrics = crate::domain::metrics::MetricSet::default();
        metrics.views = Some(crate::domain::metrics::Figure::new(25, "impression_count"));
        metrics.reach = Some(crate::domain::metrics::Figure::new(7, "x"));
        let r = snapshot(
            track(0),
            crate::platforms::MetricsReport {
                remote_id: "9".into(),
                metrics,
                raw: serde_json::json!({}),
            },
            now,
            &CollectionSchedule::default(),
        );
        let Collected::Snapshot { slot, gains, .. } = r.collected else {
            panic!("a snapshot")
        };
        // 7 hours after publishing: the +6 h slot (index 1), +1 h skipped.
        assert_eq!(slot, 1);
        assert_eq!(gains, [Some(15), Some(7), None, None, None, None, None]);
        assert_eq!(r.next_slot, 2);
    }

    #[test]
    fn rate_limits_wait_without_spending_tries_and_failures_skip_a_slot() {
        let now: DateTime<Utc> = "2026-01-01T01:00:00Z".parse().unwrap();
        let s = CollectionSchedule::default();
        let reset = now + Duration::minutes(15);
        let r = failed(track(2), "429", now, Some(reset), &s);
        assert_eq!((r.next_at, r.next_slot), (Some(reset), 0));
        assert!(matches!(r.collected, Collected::Failed { failures: 2, .. }));
        let r = failed(track(0), "500", now, None, &s);
        assert_eq!(r.next_at, Some(now + Duration::minutes(1)));
        let r = failed(track(MAX_SLOT_FAILURES - 1), "500", now, None, &s);
        assert_eq!(r.next_slot, 1);
        assert_eq!(r.next_at, s.due(track(0).published_at, 1));
        assert!(matches!(r.collected, Collected::Failed { failures: 0, .. }));
    }
}
