//! The SQL of `DeliveryStore`, shared by both backends except the claim:
//! PostgreSQL skips rows other processes hold (`FOR UPDATE SKIP LOCKED`
//! in a materialized CTE, so the planner cannot update more rows than the
//! limit); SQLite has one writer, which `BEGIN IMMEDIATE` already holds.

/// The rows a claim may take: due, armed, and still approved at the
/// revision the delivery was scheduled with. `$1` is now, `$4` the limit.
macro_rules! claimable {
    () => {
        "SELECT pc.post_id, pc.channel_id FROM post_channels pc JOIN posts p ON p.id = pc.post_id
         WHERE pc.delivery_state IN ('scheduled', 'retry_wait')
           AND COALESCE(pc.next_attempt_at, pc.due_at) <= $1
           AND p.state IN ('scheduled', 'publishing')
           AND pc.revision = p.revision
         ORDER BY COALESCE(pc.next_attempt_at, pc.due_at), pc.post_id, pc.channel_id
         LIMIT $4"
    };
}
pub(super) use claimable;

pub const CLAIM_SET: &str = "delivery_state = 'claimed', lease_owner = $2, lease_until = $3,
     fence = fence + 1, updated_at = $1";

pub const CLAIM_RETURNING: &str =
    "post_id, channel_id, revision, fence, attempts, due_at, progress_json";

macro_rules! impl_delivery_store {
    (
        store = $store:ident,
        db = $db:ty,
        begin_write = $begin:literal,
        claim = $claim:expr $(,)?
    ) => {
        #[async_trait::async_trait]
        impl $crate::store::DeliveryStore for $store {
            async fn claim_due(
                &self,
                now: DateTime<Utc>,
                owner: &str,
                lease_until: DateTime<Utc>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::ClaimedDelivery>> {
                let mut tx = self.pool.begin_with($begin).await?;
                let rows = sqlx::query_as::<$db, $crate::store::ClaimedDelivery>(&$claim)
                    .bind(now)
                    .bind(owner)
                    .bind(lease_until)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(rows)
            }

            async fn begin_attempt(
                &self,
                i: $crate::store::Intent<'_>,
                now: DateTime<Utc>,
            ) -> StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let held = sqlx::query_as::<$db, (i64, i64)>(
                    "UPDATE post_channels SET delivery_state = 'sending', attempts = attempts + 1,
                         lease_until = $4, updated_at = $5
                     WHERE post_id = $1 AND channel_id = $2 AND fence = $3 AND delivery_state = 'claimed'
                     RETURNING attempts, revision",
                )
                .bind(i.post_id)
                .bind(i.channel_id)
                .bind(i.fence)
                .bind(i.lease_until)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((number, revision)) = held else {
                    return Err(StoreError::Conflict($crate::store::conflict::FENCED));
                };
                sqlx::query(
                    "INSERT INTO delivery_attempts (post_id, channel_id, number, fence, revision,
                         idempotency_key, request_json, started_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(i.post_id)
                .bind(i.channel_id)
                .bind(number)
                .bind(i.fence)
                .bind(revision)
                .bind(i.idempotency_key)
                .bind(i.request_json)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(number)
            }

            async fn finish_attempt(
                &self,
                post_id: i64,
                channel_id: i64,
                fence: i64,
                o: $crate::store::Outcome<'_>,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let number: Option<i64> = sqlx::query_scalar(
                    "UPDATE post_channels SET delivery_state = $4,
                         remote_id = COALESCE($5, remote_id), remote_url = COALESCE($6, remote_url),
                         last_error = $7, next_attempt_at = $8,
                         lease_owner = NULL, lease_until = NULL, updated_at = $9
                     WHERE post_id = $1 AND channel_id = $2 AND fence = $3 AND delivery_state = 'sending'
                     RETURNING attempts",
                )
                .bind(post_id)
                .bind(channel_id)
                .bind(fence)
                .bind(o.state.as_str())
                .bind(o.remote_id)
                .bind(o.remote_url)
                .bind(o.error)
                .bind(o.next_attempt_at)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(number) = number else {
                    return Err(StoreError::Conflict($crate::store::conflict::FENCED));
                };
                sqlx::query(
                    "UPDATE delivery_attempts SET finished_at = $4, outcome = $5, error = $6, remote_id = $7
                     WHERE post_id = $1 AND channel_id = $2 AND number = $3",
                )
                .bind(post_id)
                .bind(channel_id)
                .bind(number)
                .bind(now)
                .bind(o.state.as_str())
                .bind(o.error)
                .bind(o.remote_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn record_progress(
                &self,
                post_id: i64,
                channel_id: i64,
                fence: i64,
                progress_json: &str,
            ) -> StoreResult<()> {
                let done = sqlx::query(
                    "UPDATE post_channels SET progress_json = $4
                     WHERE post_id = $1 AND channel_id = $2 AND fence = $3 AND delivery_state = 'sending'",
                )
                .bind(post_id)
                .bind(channel_id)
                .bind(fence)
                .bind(progress_json)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 1 {
                    Ok(())
                } else {
                    Err(StoreError::Conflict($crate::store::conflict::FENCED))
                }
            }

            async fn expire_leases(&self, now: DateTime<Utc>) -> StoreResult<$crate::store::Expired> {
                let mut tx = self.pool.begin_with($begin).await?;
                // Nothing was sent under a lapsed claim: free it. The fence
                // moves so the vanished worker can change nothing.
                let freed = sqlx::query(
                    "UPDATE post_channels SET delivery_state = 'retry_wait', next_attempt_at = $1,
                         lease_owner = NULL, lease_until = NULL, fence = fence + 1, updated_at = $1
                     WHERE delivery_state = 'claimed' AND lease_until < $1",
                )
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // An attempt may have reached the platform: never a blind
                // retry, reconcile first.
                let unknown = sqlx::query(
                    "UPDATE post_channels SET delivery_state = 'unknown',
                         last_error = 'the worker stopped while publishing',
                         lease_owner = NULL, lease_until = NULL, fence = fence + 1, updated_at = $1
                     WHERE delivery_state = 'sending' AND lease_until < $1",
                )
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok($crate::store::Expired { freed, unknown })
            }

            async fn delivery_health(
                &self,
                now: DateTime<Utc>,
            ) -> StoreResult<$crate::store::DeliveryHealth> {
                let (overdue, stuck, unknown, needs_attention) =
                    sqlx::query_as::<$db, (i64, i64, i64, i64)>(
                        "SELECT
                             COALESCE(SUM(CASE WHEN pc.delivery_state IN ('scheduled', 'retry_wait')
                                 AND p.state IN ('scheduled', 'publishing') AND pc.revision = p.revision
                                 AND COALESCE(pc.next_attempt_at, pc.due_at) < $1 THEN 1 ELSE 0 END), 0),
                             COALESCE(SUM(CASE WHEN pc.delivery_state IN ('claimed', 'sending')
                                 AND pc.lease_until < $2 THEN 1 ELSE 0 END), 0),
                             COALESCE(SUM(CASE WHEN pc.delivery_state = 'unknown'
                                 AND pc.updated_at < $3 THEN 1 ELSE 0 END), 0),
                             COALESCE(SUM(CASE WHEN pc.delivery_state = 'needs_attention' THEN 1 ELSE 0 END), 0)
                         FROM post_channels pc JOIN posts p ON p.id = pc.post_id
                         WHERE pc.delivery_state IN ('scheduled', 'retry_wait', 'claimed', 'sending',
                             'unknown', 'needs_attention')",
                    )
                    .bind(now - chrono::Duration::minutes(2))
                    .bind(now - chrono::Duration::minutes(1))
                    .bind(now - chrono::Duration::minutes(15))
                    .fetch_one(&self.pool)
                    .await?;
                Ok($crate::store::DeliveryHealth {
                    overdue,
                    stuck,
                    unknown,
                    needs_attention,
                })
            }
        }
    };
}

pub(super) use impl_delivery_store;
