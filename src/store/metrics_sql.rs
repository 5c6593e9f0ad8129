//! The SQL of `MetricStore`, shared by both backends except the claim:
//! PostgreSQL skips tracks another process has locked (`FOR UPDATE SKIP
//! LOCKED` in a materialized CTE); SQLite's `BEGIN IMMEDIATE` already holds
//! the only write lock.

/// Due tracks nobody holds. `$1` now, `$4` the limit.
macro_rules! claimable_tracks {
    () => {
        "SELECT post_id, channel_id FROM metric_tracks
         WHERE next_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
         ORDER BY next_at, post_id, channel_id
         LIMIT $4"
    };
}

pub const CLAIM_TRACKS_POSTGRES: &str = concat!(
    "WITH c AS MATERIALIZED (",
    claimable_tracks!(),
    " FOR UPDATE SKIP LOCKED)
     UPDATE metric_tracks t SET lease_owner = $2, lease_until = $3, fence = t.fence + 1 FROM c
     WHERE t.post_id = c.post_id AND t.channel_id = c.channel_id
     RETURNING t.post_id, t.channel_id, t.workspace_id, t.platform, t.remote_id,
         t.remote_extra_json, t.published_at, t.next_slot, t.fence, t.failures,
         t.views, t.reach, t.reactions, t.comments, t.shares, t.link_clicks, t.saves"
);

pub const CLAIM_TRACKS_SQLITE: &str = concat!(
    "UPDATE metric_tracks SET lease_owner = $2, lease_until = $3, fence = fence + 1
     WHERE (post_id, channel_id) IN (",
    claimable_tracks!(),
    ") RETURNING post_id, channel_id, workspace_id, platform, remote_id,
         remote_extra_json, published_at, next_slot, fence, failures,
         views, reach, reactions, comments, shares, link_clicks, saves"
);

macro_rules! impl_metric_store {
    (
        store = $store:ident,
        db = $db:ty,
        begin_write = $begin:literal,
        claim_tracks = $claim:path $(,)?
    ) => {
        #[async_trait::async_trait]
        impl $crate::store::MetricStore for $store {
            async fn untracked(&self, limit: i64) -> StoreResult<Vec<$crate::store::Untracked>> {
                Ok(sqlx::query_as::<$db, $crate::store::Untracked>(
                    "SELECT pc.post_id, pc.channel_id, p.workspace_id, ch.platform, pc.remote_id,
                            pc.remote_extra_json, pc.published_at, p.content_json, p.campaign,
                            ch.emulated
                     FROM post_channels pc
                     JOIN posts p ON p.id = pc.post_id
                     JOIN channels ch ON ch.id = pc.channel_id
                     WHERE pc.delivery_state = 'published' AND pc.remote_id IS NOT NULL
                       AND pc.published_at IS NOT NULL AND pc.followup_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM metric_tracks t
                                       WHERE t.post_id = pc.post_id AND t.channel_id = pc.channel_id)
                     ORDER BY pc.published_at, pc.post_id, pc.channel_id
                     LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn start_tracks(&self, tracks: &[$crate::store::NewTrack]) -> StoreResult<u64> {
                if tracks.is_empty() {
                    return Ok(0);
                }
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                // One statement for the batch: another process that found
                // the same deliveries waits on the conflict once, not per row.
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO metric_tracks (post_id, channel_id, workspace_id, platform,
                         remote_id, remote_extra_json, published_at, published_s, title, campaign,
                         next_slot, next_at) ",
                );
                qb.push_values(tracks, |mut b, t| {
                    let u = &t.from;
                    b.push_bind(u.post_id)
                        .push_bind(u.channel_id)
                        .push_bind(u.workspace_id)
                        .push_bind(&u.platform)
                        .push_bind(&u.remote_id)
                        .push_bind(&u.remote_extra_json)
                        .push_bind(u.published_at)
                        .push_bind(u.published_at.timestamp())
                        .push_bind(&t.title)
                        .push_bind(&u.campaign)
                        .push_bind(0_i64)
                        .push_bind(t.first_at);
                });
                qb.push(" ON CONFLICT (post_id, channel_id) DO NOTHING");
                let n = qb.build().execute(&mut *tx).await?.rows_affected();
                tx.commit().await?;
                Ok(n)
            }

            async fn claim_tracks(
                &self,
                now: DateTime<Utc>,
                owner: &str,
                lease_until: DateTime<Utc>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::ClaimedTrack>> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                let rows = sqlx::query_as::<$db, $crate::store::metrics::TrackRow>($claim)
                    .bind(now)
                    .bind(owner)
                    .bind(lease_until)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(rows
                    .into_iter()
                    .map($crate::store::metrics::TrackRow::into_claimed)
                    .collect())
            }

            async fn record_collections(
                &self,
                owner: &str,
                results: &[$crate::store::CollectionResult],
                now: DateTime<Utc>,
            ) -> StoreResult<u64> {
                use $crate::store::Collected;
                if results.is_empty() {
                    return Ok(0);
                }
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                let mut stored = 0;
                for r in results {
                    let t = &r.track;
                    let held = match &r.collected {
                        Collected::Snapshot { values: v, sources_json, .. } => sqlx::query(
                            "UPDATE metric_tracks SET next_slot = $5, next_at = $6,
                                 lease_owner = NULL, lease_until = NULL, failures = 0,
                                 last_error = NULL, last_error_at = NULL,
                                 collected_at = $7, snapshots = snapshots + 1,
                                 views = $8, reach = $9, reactions = $10, comments = $11,
                                 shares = $12, link_clicks = $13, saves = $14, sources_json = $15
                             WHERE post_id = $1 AND channel_id = $2 AND fence = $3 AND lease_owner = $4",
                        )
                        .bind(t.post_id)
                        .bind(t.channel_id)
                        .bind(t.fence)
                        .bind(owner)
                        .bind(r.next_slot)
                        .bind(r.next_at)
                        .bind(now)
                        .bind(v[0])
                        .bind(v[1])
                        .bind(v[2])
                        .bind(v[3])
                        .bind(v[4])
                        .bind(v[5])
                        .bind(v[6])
                        .bind(sources_json)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                        Collected::Failed { error, failures } => sqlx::query(
                            "UPDATE metric_tracks SET next_slot = $5, next_at = $6,
                                 lease_owner = NULL, lease_until = NULL, failures = $7,
                                 last_error = $8, last_error_at = $9
                             WHERE post_id = $1 AND channel_id = $2 AND fence = $3 AND lease_owner = $4",
                        )
                        .bind(t.post_id)
                        .bind(t.channel_id)
                        .bind(t.fence)
                        .bind(owner)
                        .bind(r.next_slot)
                        .bind(r.next_at)
                        .bind(*failures)
                        .bind(error)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected(),
                    };
                    // Fenced out: another collector holds the track now.
                    if held == 0 {
                        continue;
                    }
                    if let Collected::Snapshot {
                        slot,
                        values: v,
                        gains: g,
                        sources_json,
                        raw_json,
                    } = &r.collected
                    {
                        stored += sqlx::query(
                            "INSERT INTO metric_snapshots (workspace_id, post_id, channel_id, platform,
                                 slot, collected_at, collected_s, published_s,
                                 views, reach, reactions, comments, shares, link_clicks, saves,
                                 views_gain, reach_gain, reactions_gain, comments_gain, shares_gain,
                                 link_clicks_gain, saves_gain, sources_json, raw_json)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                                 $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
                             ON CONFLICT (post_id, channel_id, slot) DO NOTHING",
                        )
                        .bind(t.workspace_id)
                        .bind(t.post_id)
                        .bind(t.channel_id)
                        .bind(&t.platform)
                        .bind(*slot)
                        .bind(now)
                        .bind(now.timestamp())
                        .bind(t.published_at.timestamp())
                        .bind(v[0])
                        .bind(v[1])
                        .bind(v[2])
                        .bind(v[3])
                        .bind(v[4])
                        .bind(v[5])
                        .bind(v[6])
                        .bind(g[0])
                        .bind(g[1])
                        .bind(g[2])
                        .bind(g[3])
                        .bind(g[4])
                        .bind(g[5])
                        .bind(g[6])
                        .bind(sources_json)
                        .bind(raw_json)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    }
                }
                tx.commit().await?;
                Ok(stored)
            }

            async fn release_tracks(&self, owner: &str) -> StoreResult<u64> {
                let _turn = self.write_turn().await;
                Ok(sqlx::query(
                    "UPDATE metric_tracks SET lease_owner = NULL, lease_until = NULL
                     WHERE lease_owner = $1",
                )
                .bind(owner)
                .execute(&self.pool)
                .await?
                .rows_affected())
            }

            async fn report_deliveries(
                &self,
                ws: $crate::domain::WorkspaceId,
                start: i64,
                end: i64,
            ) -> StoreResult<Vec<$crate::domain::reports::DeliveryFigures>> {
                sqlx::query_as::<$db, $crate::store::metrics::ReportDeliveryRow>(
                    "SELECT t.post_id, t.title, t.campaign, t.channel_id, ch.name AS channel_name,
                            t.platform, t.published_at, t.views, t.reach, t.reactions, t.comments,
                            t.shares, t.link_clicks, t.saves, t.sources_json, t.collected_at
                     FROM metric_tracks t JOIN channels ch ON ch.id = t.channel_id
                     WHERE t.workspace_id = $1 AND t.published_s >= $2 AND t.published_s < $3
                     ORDER BY t.published_s, t.post_id, t.channel_id",
                )
                .bind(ws.0)
                .bind(start)
                .bind(end)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::store::metrics::ReportDeliveryRow::into_figures)
                .collect()
            }

            async fn report_growth(
                &self,
                ws: $crate::domain::WorkspaceId,
                start: i64,
                end: i64,
            ) -> StoreResult<Vec<$crate::domain::reports::GrowthBucket>> {
                sqlx::query_as::<$db, $crate::store::metrics::GrowthRow>(
                    "SELECT platform, collected_s / 900 AS quarter,
                            CAST(SUM(views_gain) AS BIGINT) AS views,
                            CAST(SUM(reach_gain) AS BIGINT) AS reach,
                            CAST(SUM(reactions_gain) AS BIGINT) AS reactions,
                            CAST(SUM(comments_gain) AS BIGINT) AS comments,
                            CAST(SUM(shares_gain) AS BIGINT) AS shares,
                            CAST(SUM(link_clicks_gain) AS BIGINT) AS link_clicks,
                            CAST(SUM(saves_gain) AS BIGINT) AS saves
                     FROM metric_snapshots
                     WHERE workspace_id = $1 AND published_s >= $2 AND published_s < $3
                     GROUP BY platform, collected_s / 900",
                )
                .bind(ws.0)
                .bind(start)
                .bind(end)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map($crate::store::metrics::GrowthRow::into_bucket)
                .collect()
            }

            async fn post_metrics(
                &self,
                ws: $crate::domain::WorkspaceId,
                post_id: $crate::domain::PostId,
            ) -> StoreResult<Vec<$crate::domain::reports::ChannelMetrics>> {
                let tracks = sqlx::query_as::<$db, $crate::store::metrics::PostTrackRow>(
                    "SELECT t.channel_id, ch.name AS channel_name, t.platform, t.published_at,
                            t.views, t.reach, t.reactions, t.comments, t.shares, t.link_clicks, t.saves,
                            t.sources_json, t.collected_at, t.next_at, t.last_error
                     FROM metric_tracks t JOIN channels ch ON ch.id = t.channel_id
                     WHERE t.workspace_id = $1 AND t.post_id = $2
                     ORDER BY t.channel_id",
                )
                .bind(ws.0)
                .bind(post_id)
                .fetch_all(&self.pool)
                .await?;
                let snapshots = sqlx::query_as::<$db, $crate::store::metrics::SnapshotRow>(
                    "SELECT channel_id, collected_at, views, reach, reactions, comments, shares,
                            link_clicks, saves
                     FROM metric_snapshots WHERE workspace_id = $1 AND post_id = $2
                     ORDER BY channel_id, collected_s, slot",
                )
                .bind(ws.0)
                .bind(post_id)
                .fetch_all(&self.pool)
                .await?;
                $crate::store::metrics::channel_metrics(tracks, &snapshots)
            }

            async fn count_snapshots(&self, ws: $crate::domain::WorkspaceId) -> StoreResult<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM metric_snapshots WHERE workspace_id = $1")
                    .bind(ws.0)
                    .fetch_one(&self.pool)
                    .await?)
            }
        }
    };
}
pub(super) use impl_metric_store;
