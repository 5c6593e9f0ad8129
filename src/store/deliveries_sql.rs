//! The SQL of `DeliveryStore`, shared by both backends except how rows are
//! claimed and locked: PostgreSQL skips rows other processes hold (`FOR
//! UPDATE SKIP LOCKED` in a materialized CTE, so the planner cannot update
//! more rows than the limit) and locks a post's row before its deliveries;
//! SQLite has one writer, which `BEGIN IMMEDIATE` already holds.
//!
//! Lock order, everywhere a transaction takes both: the post's row first,
//! then its deliveries (as a person's edit does), posts in id order, so
//! concurrent workers and people never deadlock.

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

/// UNKNOWN deliveries nobody holds, settled long enough for the platform's
/// reads to show a post the attempt may have created. `$5`: settled before.
pub const IN_DOUBT: &str = "SELECT pc.post_id, pc.channel_id FROM post_channels pc
     WHERE pc.delivery_state = 'unknown' AND (pc.lease_until IS NULL OR pc.lease_until < $1)
       AND pc.updated_at <= $5
     ORDER BY pc.updated_at, pc.post_id, pc.channel_id
     LIMIT $4";

/// Published deliveries whose follow-up is due and that nobody holds.
pub const FOLLOWUPS: &str = "SELECT pc.post_id, pc.channel_id FROM post_channels pc
     WHERE pc.delivery_state = 'published' AND pc.followup_at <= $1
       AND (pc.lease_until IS NULL OR pc.lease_until < $1)
     ORDER BY pc.followup_at, pc.post_id, pc.channel_id
     LIMIT $4";

pub const CLAIM_SET: &str = "delivery_state = 'claimed', lease_owner = $2, lease_until = $3,
     fence = fence + 1, updated_at = $1";

/// A hold for reconciling or following up: the state stays, the lease and
/// the fence move. `updated_at` stays too: it dates the doubt.
pub const HOLD_SET: &str = "lease_owner = $2, lease_until = $3, fence = fence + 1";

pub const CLAIM_RETURNING: &[&str] = &[
    "post_id",
    "channel_id",
    "revision",
    "fence",
    "attempts",
    "attempt_base",
    "due_at",
    "progress_json",
];

pub const HOLD_RETURNING: &[&str] = &[
    "post_id",
    "channel_id",
    "fence",
    "remote_id",
    "remote_extra_json",
    "progress_json",
];

/// PostgreSQL: lock the chosen rows, skipping those another process holds.
pub fn claim_postgres(select: &str, set: &str, returning: &[&str]) -> String {
    let cols: Vec<String> = returning
        .iter()
        .map(|c| format!("post_channels.{c}"))
        .collect();
    format!(
        "WITH c AS MATERIALIZED ({select} FOR UPDATE OF pc SKIP LOCKED)
         UPDATE post_channels SET {set} FROM c
         WHERE post_channels.post_id = c.post_id AND post_channels.channel_id = c.channel_id
         RETURNING {}",
        cols.join(", ")
    )
}

/// SQLite: the transaction already holds the only write lock.
pub fn claim_sqlite(select: &str, set: &str, returning: &[&str]) -> String {
    format!(
        "UPDATE post_channels SET {set} WHERE (post_id, channel_id) IN ({select}) RETURNING {}",
        returning.join(", ")
    )
}

/// Where each post ends up and who hears about it.
pub fn notice_for(state: crate::domain::workflow::PostState) -> Option<&'static str> {
    use crate::domain::post::NotificationKind as N;
    use crate::domain::workflow::PostState as P;
    match state {
        P::Failed | P::PartlyPublished => Some(N::Failed.as_str()),
        P::NeedsAttention => Some(N::AttentionNeeded.as_str()),
        P::Published => Some(N::Published.as_str()),
        _ => None,
    }
}

/// The post states the scheduler moves; a person's states (drafts, review,
/// cancelled) are never overwritten by a delivery's outcome.
pub const SCHEDULER_POST_STATES: [crate::domain::workflow::PostState; 6] = {
    use crate::domain::workflow::PostState as P;
    [
        P::Scheduled,
        P::Publishing,
        P::Published,
        P::PartlyPublished,
        P::Failed,
        P::NeedsAttention,
    ]
};

macro_rules! impl_delivery_store {
    (
        store = $store:ident,
        db = $db:ty,
        begin_write = $begin:literal,
        claim_sql = $claim_sql:path,
        for_update = $for_update:literal $(,)?
    ) => {
        /// The posts' states from their deliveries, with notifications when
        /// one changes to an outcome people must hear about.
        async fn settle_posts(
            tx: &mut sqlx::Transaction<'_, $db>,
            ids: &[$crate::domain::PostId],
            now: DateTime<Utc>,
        ) -> StoreResult<()> {
            use $crate::domain::delivery::{post_state, DeliveryState};
            if ids.is_empty() {
                return Ok(());
            }
            let mut qb = sqlx::QueryBuilder::<$db>::new(
                "SELECT id, state, workspace_id, author_id FROM posts WHERE id IN (",
            );
            let mut list = qb.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(")");
            type Head = ($crate::domain::PostId, $crate::domain::workflow::PostState, i64, i64);
            let heads: Vec<Head> = qb.build_query_as().fetch_all(&mut **tx).await?;
            let managed: Vec<&Head> = heads
                .iter()
                .filter(|h| $crate::store::deliveries_sql::SCHEDULER_POST_STATES.contains(&h.1))
                .collect();
            if managed.is_empty() {
                return Ok(());
            }
            let mut qb = sqlx::QueryBuilder::<$db>::new(
                "SELECT post_id, delivery_state FROM post_channels WHERE post_id IN (",
            );
            let mut list = qb.separated(", ");
            for h in &managed {
                list.push_bind(h.0);
            }
            qb.push(")");
            let rows: Vec<($crate::domain::PostId, DeliveryState)> =
                qb.build_query_as().fetch_all(&mut **tx).await?;
            let mut states: std::collections::HashMap<$crate::domain::PostId, Vec<DeliveryState>> =
                std::collections::HashMap::new();
            for (post, state) in rows {
                states.entry(post).or_default().push(state);
            }
            for (post_id, current, ws, author) in managed {
                let Some(next) = post_state(*current, states.get(post_id).map(Vec::as_slice).unwrap_or(&[])) else {
                    continue;
                };
                if next == *current {
                    continue;
                }
                sqlx::query(
                    "UPDATE posts SET state = $2, version = version + 1, updated_at = $3 WHERE id = $1",
                )
                .bind(*post_id)
                .bind(next)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                if let Some(kind) = $crate::store::deliveries_sql::notice_for(next) {
                    let mut people: Vec<i64> =
                        sqlx::query_scalar("SELECT user_id FROM approvals WHERE post_id = $1")
                            .bind(*post_id)
                            .fetch_all(&mut **tx)
                            .await?;
                    people.push(*author);
                    people.sort_unstable();
                    people.dedup();
                    for user in people {
                        sqlx::query(
                            "INSERT INTO notifications (workspace_id, user_id, post_id, kind, actor_id, created_at)
                             VALUES ($1, $2, $3, $4, NULL, $5)",
                        )
                        .bind(*ws)
                        .bind(user)
                        .bind(*post_id)
                        .bind(kind)
                        .bind(now)
                        .execute(&mut **tx)
                        .await?;
                    }
                }
            }
            Ok(())
        }

        /// Locks the posts' rows in id order (PostgreSQL; SQLite holds the
        /// database already).
        async fn lock_posts(
            tx: &mut sqlx::Transaction<'_, $db>,
            mut ids: Vec<$crate::domain::PostId>,
        ) -> StoreResult<()> {
            ids.sort_unstable();
            ids.dedup();
            let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT id FROM posts WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY id");
            qb.push($for_update);
            qb.build().execute(&mut **tx).await?;
            Ok(())
        }

        async fn hold(
            store: &$store,
            select: &str,
            binds: (DateTime<Utc>, &str, DateTime<Utc>, i64, Option<DateTime<Utc>>),
        ) -> StoreResult<Vec<$crate::store::HeldDelivery>> {
            let sql = $claim_sql(
                select,
                $crate::store::deliveries_sql::HOLD_SET,
                $crate::store::deliveries_sql::HOLD_RETURNING,
            );
            let _turn = store.write_turn().await;
            let mut tx = store.pool.begin_with($begin).await?;
            type Held = (
                $crate::domain::PostId,
                $crate::domain::ChannelId,
                i64,
                Option<String>,
                Option<String>,
                Option<String>,
            );
            let mut q = sqlx::query_as::<$db, Held>(&sql)
                .bind(binds.0)
                .bind(binds.1)
                .bind(binds.2)
                .bind(binds.3);
            if let Some(extra) = binds.4 {
                q = q.bind(extra);
            }
            let rows = q.fetch_all(&mut *tx).await?;
            tx.commit().await?;
            let mut out = Vec::with_capacity(rows.len());
            for (post_id, channel_id, fence, remote_id, remote_extra_json, progress_json) in rows {
                let (workspace_id, started, request) =
                    sqlx::query_as::<$db, (WorkspaceId, Option<DateTime<Utc>>, Option<String>)>(
                        "SELECT p.workspace_id, a.started_at, a.request_json FROM posts p
                         LEFT JOIN delivery_attempts a ON a.post_id = p.id AND a.channel_id = $2
                             AND a.number = (SELECT MAX(number) FROM delivery_attempts
                                             WHERE post_id = $1 AND channel_id = $2)
                         WHERE p.id = $1",
                    )
                    .bind(post_id)
                    .bind(channel_id)
                    .fetch_one(&store.pool)
                    .await?;
                out.push($crate::store::HeldDelivery {
                    post_id,
                    channel_id,
                    fence,
                    workspace_id,
                    remote_id,
                    remote_extra_json,
                    attempt_started_at: started,
                    request_json: request,
                    progress_json,
                });
            }
            Ok(out)
        }

        #[async_trait::async_trait]
        impl $crate::store::DeliveryStore for $store {
            async fn claim_due(
                &self,
                now: DateTime<Utc>,
                owner: &str,
                lease_until: DateTime<Utc>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::ClaimedDelivery>> {
                let sql = $claim_sql(
                    $crate::store::deliveries_sql::claimable!(),
                    $crate::store::deliveries_sql::CLAIM_SET,
                    $crate::store::deliveries_sql::CLAIM_RETURNING,
                );
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                let rows = sqlx::query_as::<$db, $crate::store::ClaimedDelivery>(&sql)
                    .bind(now)
                    .bind(owner)
                    .bind(lease_until)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(rows)
            }

            async fn begin_attempts(
                &self,
                intents: &[$crate::store::Intent<'_>],
                now: DateTime<Utc>,
            ) -> StoreResult<Vec<Option<i64>>> {
                let mut out = vec![None; intents.len()];
                if intents.is_empty() {
                    return Ok(out);
                }
                // The batch shares one lease: the latest asked for.
                let lease_until = intents.iter().map(|i| i.lease_until).max().unwrap_or(now);
                let mut posts: Vec<$crate::domain::PostId> = intents.iter().map(|i| i.post_id).collect();
                posts.sort_unstable();
                posts.dedup();
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                // The posts' rows first, in id order (locked on PostgreSQL):
                // an edit, unapproval or cancel either committed before, and
                // fences these attempts out, or waits until they are sent.
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id FROM posts WHERE state IN ('scheduled', 'publishing') AND id IN (",
                );
                let mut ids = qb.separated(", ");
                for id in &posts {
                    ids.push_bind(*id);
                }
                qb.push(") ORDER BY id");
                qb.push($for_update);
                let open: Vec<$crate::domain::PostId> = qb.build_query_scalar().fetch_all(&mut *tx).await?;
                let eligible: Vec<usize> = (0..intents.len())
                    .filter(|&i| open.binary_search(&intents[i].post_id).is_ok())
                    .collect();
                if eligible.is_empty() {
                    tx.commit().await?;
                    return Ok(out);
                }
                // Still claimed under this fence, at the post's revision. The
                // claims as a VALUES table joined on the key, so each row is
                // found by its primary key.
                let mut qb = sqlx::QueryBuilder::<$db>::new("WITH v (p, c, f) AS (");
                qb.push_values(&eligible, |mut row, &i| {
                    let it = &intents[i];
                    row.push_bind(it.post_id)
                        .push_bind(it.channel_id)
                        .push_bind(it.fence);
                });
                qb.push(
                    ") UPDATE post_channels SET delivery_state = 'sending', attempts = attempts + 1,
                         lease_until = ",
                );
                qb.push_bind(lease_until);
                qb.push(", updated_at = ");
                qb.push_bind(now);
                qb.push(
                    " FROM v WHERE post_id = v.p AND channel_id = v.c AND fence = v.f
                       AND delivery_state = 'claimed'
                       AND revision = (SELECT p.revision FROM posts p WHERE p.id = post_channels.post_id)",
                );
                qb.push(" RETURNING post_id, channel_id, attempts, revision");
                let held: Vec<($crate::domain::PostId, $crate::domain::ChannelId, i64, i64)> =
                    qb.build_query_as().fetch_all(&mut *tx).await?;
                if held.is_empty() {
                    tx.commit().await?;
                    return Ok(out);
                }
                let index: std::collections::HashMap<($crate::domain::PostId, $crate::domain::ChannelId), usize> = eligible
                    .iter()
                    .map(|&i| ((intents[i].post_id, intents[i].channel_id), i))
                    .collect();
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO delivery_attempts (post_id, channel_id, number, fence, revision,
                         idempotency_key, request_json, started_at) ",
                );
                qb.push_values(&held, |mut b, (post, channel, number, revision)| {
                    let it = &intents[index[&(*post, *channel)]];
                    b.push_bind(*post)
                        .push_bind(*channel)
                        .push_bind(*number)
                        .push_bind(it.fence)
                        .push_bind(*revision)
                        .push_bind(it.idempotency_key)
                        .push_bind(it.request_json)
                        .push_bind(now);
                });
                qb.build().execute(&mut *tx).await?;
                // The posts are on their way: no longer editable, and a
                // person's change decided on an older version conflicts.
                let mut started: Vec<$crate::domain::PostId> = held.iter().map(|h| h.0).collect();
                started.sort_unstable();
                started.dedup();
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "UPDATE posts SET state = 'publishing', version = version + 1, updated_at = ",
                );
                qb.push_bind(now);
                qb.push(" WHERE id IN (");
                let mut ids = qb.separated(", ");
                for id in &started {
                    ids.push_bind(*id);
                }
                qb.push(")");
                qb.build().execute(&mut *tx).await?;
                tx.commit().await?;
                for (post, channel, number, _) in held {
                    out[index[&(post, channel)]] = Some(number);
                }
                Ok(out)
            }

            async fn apply_moves(
                &self,
                moves: &[$crate::store::Move<'_>],
                now: DateTime<Utc>,
            ) -> StoreResult<Vec<bool>> {
                let mut out = vec![false; moves.len()];
                if moves.is_empty() {
                    return Ok(out);
                }
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                let mut posts: Vec<$crate::domain::PostId> = moves.iter().map(|m| m.post_id).collect();
                lock_posts(&mut tx, posts.clone()).await?;
                // Every move in one statement: the new values as a VALUES
                // table `v` joined on (post, channel, fence, state moved from),
                // so a fenced-out move simply matches no row. (VALUES, not a
                // UNION ALL of SELECTs: PostgreSQL plans a union of hundreds
                // of arms in tens of milliseconds, a VALUES list in one.)
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "WITH v (p, c, f, fr, st, rid, rurl, rx, pub, err, nxt, fup) AS (",
                );
                qb.push_values(moves, |mut row, m| {
                    let o = &m.outcome;
                    let published = o.state == $crate::domain::delivery::DeliveryState::Published;
                    row.push_bind(m.post_id)
                        .push_bind(m.channel_id)
                        .push_bind(m.fence)
                        .push_bind(m.from.as_str())
                        .push_bind(o.state.as_str())
                        .push_bind(o.remote_id)
                        .push_bind(o.remote_url)
                        .push_bind(o.remote_extra_json)
                        .push_bind(i64::from(published))
                        .push_bind(o.error)
                        .push_bind(o.next_attempt_at)
                        .push_bind(o.followup_at);
                });
                qb.push(
                    ") UPDATE post_channels SET delivery_state = v.st,
                         remote_id = COALESCE(v.rid, remote_id),
                         remote_url = COALESCE(v.rurl, remote_url),
                         remote_extra_json = COALESCE(v.rx, remote_extra_json),
                         published_at = CASE WHEN v.pub = 1 THEN COALESCE(published_at, ",
                );
                qb.push_bind(now);
                qb.push(
                    ") ELSE published_at END,
                         last_error = v.err, next_attempt_at = v.nxt, followup_at = v.fup,
                         lease_owner = NULL, lease_until = NULL, updated_at = ",
                );
                qb.push_bind(now);
                qb.push(
                    " FROM v WHERE post_id = v.p AND channel_id = v.c AND fence = v.f
                       AND delivery_state = v.fr
                     RETURNING post_id, channel_id, fence, attempts",
                );
                let moved: Vec<($crate::domain::PostId, $crate::domain::ChannelId, i64, i64)> =
                    qb.build_query_as().fetch_all(&mut *tx).await?;
                let index: std::collections::HashMap<($crate::domain::PostId, $crate::domain::ChannelId, i64), usize> = moves
                    .iter()
                    .enumerate()
                    .map(|(i, m)| ((m.post_id, m.channel_id, m.fence), i))
                    .collect();
                // The attempts these moves end (or re-judge), in one statement.
                let mut closing = Vec::new();
                for (post, channel, fence, number) in moved {
                    if let Some(&i) = index.get(&(post, channel, fence)) {
                        out[i] = true;
                        if moves[i].closes_attempt {
                            closing.push((i, number));
                        }
                    }
                }
                if !closing.is_empty() {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "WITH v (p, c, n, st, err, rid) AS (",
                    );
                    qb.push_values(&closing, |mut row, &(i, number)| {
                        let m = &moves[i];
                        row.push_bind(m.post_id)
                            .push_bind(m.channel_id)
                            .push_bind(number)
                            .push_bind(m.outcome.state.as_str())
                            .push_bind(m.outcome.error)
                            .push_bind(m.outcome.remote_id);
                    });
                    qb.push(") UPDATE delivery_attempts SET finished_at = COALESCE(finished_at, ");
                    qb.push_bind(now);
                    qb.push(
                        "), outcome = v.st, error = v.err, remote_id = COALESCE(v.rid, remote_id)
                         FROM v WHERE post_id = v.p AND channel_id = v.c AND number = v.n",
                    );
                    qb.build().execute(&mut *tx).await?;
                }
                posts.sort_unstable();
                posts.dedup();
                // A post cancelled while a delivery was being sent: an answer
                // that would arm it again ("try later", or proven absent)
                // ends it cancelled, as the person asked.
                let rearmed = moves.iter().enumerate().any(|(i, m)| {
                    out[i] && m.outcome.state == $crate::domain::delivery::DeliveryState::RetryWait
                });
                if rearmed {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "UPDATE post_channels SET delivery_state = 'cancelled', fence = fence + 1,
                             next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL,
                             updated_at = ",
                    );
                    qb.push_bind(now);
                    qb.push(
                        " WHERE delivery_state = 'retry_wait' AND post_id IN
                             (SELECT id FROM posts WHERE state = 'cancelled' AND id IN (",
                    );
                    let mut list = qb.separated(", ");
                    for id in &posts {
                        list.push_bind(*id);
                    }
                    qb.push("))");
                    qb.build().execute(&mut *tx).await?;
                }
                settle_posts(&mut tx, &posts, now).await?;
                tx.commit().await?;
                Ok(out)
            }

            async fn delivery_contexts(
                &self,
                post_ids: &[$crate::domain::PostId],
            ) -> StoreResult<std::collections::HashMap<$crate::domain::PostId, $crate::store::DeliveryContext>> {
                if post_ids.is_empty() {
                    return Ok(Default::default());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, workspace_id, state, revision, content_json, campaign FROM posts WHERE id IN (",
                );
                let mut list = qb.separated(", ");
                for id in post_ids {
                    list.push_bind(*id);
                }
                qb.push(")");
                let rows: Vec<$crate::store::DeliveryContext> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|r| (r.id, r)).collect())
            }

            async fn claim_in_doubt(
                &self,
                now: DateTime<Utc>,
                owner: &str,
                lease_until: DateTime<Utc>,
                settled_before: DateTime<Utc>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::HeldDelivery>> {
                hold(
                    self,
                    $crate::store::deliveries_sql::IN_DOUBT,
                    (now, owner, lease_until, limit, Some(settled_before)),
                )
                .await
            }

            async fn claim_followups(
                &self,
                now: DateTime<Utc>,
                owner: &str,
                lease_until: DateTime<Utc>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::HeldDelivery>> {
                hold(
                    self,
                    $crate::store::deliveries_sql::FOLLOWUPS,
                    (now, owner, lease_until, limit, None),
                )
                .await
            }

            async fn release_claims(&self, owner: &str, now: DateTime<Utc>) -> StoreResult<u64> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                let n = sqlx::query(
                    "UPDATE post_channels SET delivery_state = 'scheduled', lease_owner = NULL,
                         lease_until = NULL, fence = fence + 1, updated_at = $2
                     WHERE delivery_state = 'claimed' AND lease_owner = $1",
                )
                .bind(owner)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // Holds for reconciling and follow-ups simply end.
                sqlx::query(
                    "UPDATE post_channels SET lease_owner = NULL, lease_until = NULL, fence = fence + 1
                     WHERE delivery_state IN ('unknown', 'published') AND lease_owner = $1",
                )
                .bind(owner)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(n)
            }

            async fn resolve_delivery(
                &self,
                ws: WorkspaceId,
                post_id: $crate::domain::PostId,
                channel_id: $crate::domain::ChannelId,
                from: $crate::domain::delivery::DeliveryState,
                fence: i64,
                resolution: &$crate::store::Resolution,
                actor: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                use $crate::store::Resolution as R;
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                lock_posts(&mut tx, vec![post_id]).await?;
                let (sql, url, action) = match resolution {
                    R::Published { url } => (
                        "UPDATE post_channels SET delivery_state = 'published', remote_url = $5,
                             published_at = COALESCE(published_at, $6), last_error = NULL,
                             fence = fence + 1, updated_at = $6
                         WHERE post_id = $1 AND channel_id = $2 AND delivery_state = $3 AND fence = $4
                           AND post_id IN (SELECT id FROM posts WHERE workspace_id = $7)",
                        Some(url.as_str()),
                        "delivery.resolved_published",
                    ),
                    R::Retry => (
                        "UPDATE post_channels SET delivery_state = 'scheduled', next_attempt_at = $6,
                             remote_url = COALESCE($5, remote_url),
                             attempt_base = attempts, last_error = NULL, fence = fence + 1, updated_at = $6
                         WHERE post_id = $1 AND channel_id = $2 AND delivery_state = $3 AND fence = $4
                           AND post_id IN (SELECT id FROM posts WHERE workspace_id = $7)",
                        None,
                        "delivery.resolved_retry",
                    ),
                    R::Cancel => (
                        "UPDATE post_channels SET delivery_state = 'cancelled', fence = fence + 1,
                             remote_url = COALESCE($5, remote_url), updated_at = $6
                         WHERE post_id = $1 AND channel_id = $2 AND delivery_state = $3 AND fence = $4
                           AND post_id IN (SELECT id FROM posts WHERE workspace_id = $7)",
                        None,
                        "delivery.resolved_cancel",
                    ),
                };
                let done = sqlx::query(sql)
                    .bind(post_id)
                    .bind(channel_id)
                    .bind(from.as_str())
                    .bind(fence)
                    .bind(url)
                    .bind(now)
                    .bind(ws.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done != 1 {
                    return Err(StoreError::Conflict($crate::store::Conflict::Stale));
                }
                sqlx::query(
                    "INSERT INTO audit_log (workspace_id, actor_user_id, action, subject, detail, at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(ws.0)
                .bind(actor.0)
                .bind(action)
                .bind(format!("post:{post_id}"))
                .bind(serde_json::json!({ "channel_id": channel_id, "url": url }).to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                settle_posts(&mut tx, &[post_id], now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delivery_fence(
                &self,
                ws: WorkspaceId,
                post_id: $crate::domain::PostId,
                channel_id: $crate::domain::ChannelId,
            ) -> StoreResult<Option<($crate::domain::delivery::DeliveryState, i64)>> {
                Ok(sqlx::query_as::<$db, ($crate::domain::delivery::DeliveryState, i64)>(
                    "SELECT pc.delivery_state, pc.fence FROM post_channels pc JOIN posts p ON p.id = pc.post_id
                     WHERE p.workspace_id = $1 AND pc.post_id = $2 AND pc.channel_id = $3",
                )
                .bind(ws.0)
                .bind(post_id)
                .bind(channel_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn post_attempts(
                &self,
                ws: WorkspaceId,
                post_id: $crate::domain::PostId,
            ) -> StoreResult<Vec<$crate::store::AttemptRow>> {
                Ok(sqlx::query_as::<$db, $crate::store::AttemptRow>(
                    "SELECT a.post_id, a.channel_id, a.number, a.started_at, a.finished_at, a.outcome,
                         a.error, a.remote_id
                     FROM delivery_attempts a JOIN posts p ON p.id = a.post_id
                     WHERE p.workspace_id = $1 AND a.post_id = $2
                     ORDER BY a.started_at, a.channel_id, a.number",
                )
                .bind(ws.0)
                .bind(post_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn channel_attempts(
                &self,
                ws: WorkspaceId,
                channel_id: $crate::domain::ChannelId,
                limit: i64,
            ) -> StoreResult<Vec<$crate::store::AttemptRow>> {
                Ok(sqlx::query_as::<$db, $crate::store::AttemptRow>(
                    "SELECT a.post_id, a.channel_id, a.number, a.started_at, a.finished_at, a.outcome,
                         a.error, a.remote_id
                     FROM delivery_attempts a JOIN channels c ON c.id = a.channel_id
                     WHERE c.workspace_id = $1 AND a.channel_id = $2
                     ORDER BY a.started_at DESC, a.id DESC LIMIT $3",
                )
                .bind(ws.0)
                .bind(channel_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn move_all_due(&self, due: DateTime<Utc>) -> StoreResult<u64> {
                let moved = sqlx::query(
                    "UPDATE post_channels SET due_at = $1, updated_at = $1
                     WHERE delivery_state = 'scheduled'",
                )
                .bind(due)
                .execute(&self.pool)
                .await?
                .rows_affected();
                sqlx::query("ANALYZE").execute(&self.pool).await?;
                Ok(moved)
            }

            async fn audit_deliveries(&self) -> StoreResult<Vec<$crate::store::DeliveryAuditRow>> {
                Ok(sqlx::query_as::<$db, $crate::store::DeliveryAuditRow>(
                    "SELECT pc.post_id, pc.channel_id, c.platform, c.account_id, pc.delivery_state,
                         pc.due_at, pc.revision, pc.remote_id, p.state AS post_state,
                         p.revision AS post_revision, p.content_json, p.campaign
                     FROM post_channels pc JOIN posts p ON p.id = pc.post_id
                     JOIN channels c ON c.id = pc.channel_id
                     ORDER BY pc.post_id, pc.channel_id",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn record_progress(
                &self,
                post_id: $crate::domain::PostId,
                channel_id: $crate::domain::ChannelId,
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
                    Err(StoreError::Conflict($crate::store::Conflict::Fenced))
                }
            }

            async fn expire_leases(
                &self,
                before: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> StoreResult<$crate::store::Expired> {
                let _turn = self.write_turn().await;
                let mut tx = self.pool.begin_with($begin).await?;
                // Nothing was sent under a lapsed claim: free it. The fence
                // moves so the vanished worker can change nothing.
                let freed = sqlx::query(
                    "UPDATE post_channels SET delivery_state = 'retry_wait', next_attempt_at = $2,
                         lease_owner = NULL, lease_until = NULL, fence = fence + 1, updated_at = $2
                     WHERE delivery_state = 'claimed' AND lease_until < $1",
                )
                .bind(before)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // An attempt may have reached the platform: never a blind
                // retry, reconcile first.
                let unknown = sqlx::query(
                    "UPDATE post_channels SET delivery_state = 'unknown',
                         last_error = 'the worker stopped while publishing',
                         lease_owner = NULL, lease_until = NULL, fence = fence + 1, updated_at = $2
                     WHERE delivery_state = 'sending' AND lease_until < $1",
                )
                .bind(before)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if unknown > 0 {
                    sqlx::query(
                        "UPDATE delivery_attempts SET outcome = 'unknown',
                             error = 'the worker stopped while publishing'
                         WHERE outcome IS NULL AND (post_id, channel_id, number) IN (
                             SELECT post_id, channel_id, attempts FROM post_channels
                             WHERE delivery_state = 'unknown' AND updated_at = $1)",
                    )
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                // Holds of a reconciliation or a follow-up that lapsed.
                sqlx::query(
                    "UPDATE post_channels SET lease_owner = NULL, lease_until = NULL, fence = fence + 1
                     WHERE delivery_state IN ('unknown', 'published') AND lease_until < $1",
                )
                .bind(before)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::store::Expired { freed, unknown })
            }

            async fn open_deliveries(&self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM post_channels WHERE delivery_state NOT IN
                         ('published', 'failed', 'failed_auth', 'needs_attention', 'cancelled')",
                )
                .fetch_one(&self.pool)
                .await?)
            }

            async fn delivery_health(
                &self,
                now: DateTime<Utc>,
                ws: Option<WorkspaceId>,
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
                             'unknown', 'needs_attention')
                           AND ($4 = 0 OR p.workspace_id = $4)",
                    )
                    .bind(now - chrono::Duration::minutes(2))
                    .bind(now - chrono::Duration::minutes(1))
                    .bind(now - chrono::Duration::minutes(15))
                    .bind(ws.map(|w| w.0).unwrap_or(0))
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
