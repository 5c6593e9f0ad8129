//! The SQL of `ContentStore`, shared by both backends like `sql.rs`.

macro_rules! impl_content_store {
    (
        store = $store:ident,
        db = $db:ty,
        begin_write = $begin:literal $(,)?
    ) => {
        #[async_trait::async_trait]
        impl $crate::store::ContentStore for $store {
            async fn policy(&self, ws: WorkspaceId) -> StoreResult<Policy> {
                let row = sqlx::query_as::<$db, (i64, bool, bool)>(
                    "SELECT approvals_required, author_may_approve, reschedule_needs_approval
                     FROM workspaces WHERE id = $1",
                )
                .bind(ws.0)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
                Ok(Policy {
                    approvals_required: u8::try_from(row.0)
                        .map_err(|_| StoreError::Corrupt(format!("approvals_required {}", row.0)))?,
                    author_may_approve: row.1,
                    reschedule_needs_approval: row.2,
                })
            }

            async fn set_policy(
                &self,
                ws: WorkspaceId,
                policy: Policy,
                actor: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query(
                    "UPDATE workspaces SET approvals_required = $2, author_may_approve = $3,
                     reschedule_needs_approval = $4 WHERE id = $1",
                )
                .bind(ws.0)
                .bind(i64::from(policy.approvals_required))
                .bind(policy.author_may_approve)
                .bind(policy.reschedule_needs_approval)
                .execute(&mut *tx)
                .await?;
                audit_in(
                    &mut *tx,
                    ws,
                    actor,
                    "workspace.policy",
                    format!("workspace:{}", ws.0),
                    serde_json::to_value(policy).unwrap_or_default(),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_channel(
                &self,
                ws: WorkspaceId,
                channel: NewChannel,
                actor: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<ChannelRow> {
                let mut tx = self.pool.begin_with($begin).await?;
                let row = sqlx::query_as::<$db, ChannelRow>(&format!(
                    "INSERT INTO channels (workspace_id, platform, name, time_zone, slots, emulated, created_at, api_base, auth_base)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     RETURNING {}", $crate::store::CHANNEL_COLUMNS
                ))
                .bind(ws.0)
                .bind(channel.platform)
                .bind(&channel.name)
                .bind(&channel.time_zone)
                .bind(&channel.slots)
                .bind(channel.emulated)
                .bind(now)
                .bind(&channel.api_base)
                .bind(&channel.auth_base)
                .fetch_one(&mut *tx)
                .await?;
                audit_in(
                    &mut *tx,
                    ws,
                    actor,
                    "channel.create",
                    format!("channel:{}", row.id),
                    serde_json::json!({ "platform": channel.platform, "name": channel.name }),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(row)
            }

            async fn channels(&self, ws: WorkspaceId) -> StoreResult<Vec<ChannelRow>> {
                Ok(sqlx::query_as::<$db, ChannelRow>(&format!(
                    "SELECT {} FROM channels WHERE workspace_id = $1 AND archived_at IS NULL ORDER BY id",
                    $crate::store::CHANNEL_COLUMNS
                ))
                .bind(ws.0)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn update_channel(
                &self,
                ws: WorkspaceId,
                id: $crate::domain::ChannelId,
                name: &str,
                time_zone: &str,
                slots: &str,
                actor: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<ChannelRow> {
                let mut tx = self.pool.begin_with($begin).await?;
                let row = sqlx::query_as::<$db, ChannelRow>(&format!(
                    "UPDATE channels SET name = $3, time_zone = $4, slots = $5
                     WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL
                     RETURNING {}", $crate::store::CHANNEL_COLUMNS
                ))
                .bind(ws.0)
                .bind(id)
                .bind(name)
                .bind(time_zone)
                .bind(slots)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                audit_in(
                    &mut *tx,
                    ws,
                    actor,
                    "channel.update",
                    format!("channel:{id}"),
                    serde_json::json!({ "name": name, "time_zone": time_zone, "slots": slots }),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(row)
            }

            async fn insert_media(&self, m: NewMedia) -> StoreResult<MediaRow> {
                Ok(sqlx::query_as::<$db, MediaRow>(
                    "INSERT INTO media (workspace_id, uploaded_by, kind, content_type, bytes, sha256, file_name, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     RETURNING id, workspace_id, kind, content_type, bytes, sha256, file_name, created_at",
                )
                .bind(m.workspace_id.0)
                .bind(m.uploaded_by.0)
                .bind(m.kind)
                .bind(&m.content_type)
                .bind(m.bytes)
                .bind(&m.sha256)
                .bind(&m.file_name)
                .bind(m.at)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn media(&self, ws: WorkspaceId, id: $crate::domain::MediaId) -> StoreResult<Option<MediaRow>> {
                Ok(sqlx::query_as::<$db, MediaRow>(
                    "SELECT id, workspace_id, kind, content_type, bytes, sha256, file_name, created_at
                     FROM media WHERE workspace_id = $1 AND id = $2",
                )
                .bind(ws.0)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn write_post(&self, w: PostWrite) -> StoreResult<PostWritten> {
                let mut tx = self.pool.begin_with($begin).await?;

                // Tenant scoping of the targets: every channel must be a live
                // channel of this workspace.
                if !w.targets.is_empty() {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "SELECT COUNT(*) FROM channels WHERE archived_at IS NULL AND workspace_id = ",
                    );
                    qb.push_bind(w.ws.0).push(" AND id IN (");
                    let mut ids = qb.separated(", ");
                    for (id, _) in &w.targets {
                        ids.push_bind(*id);
                    }
                    qb.push(")");
                    let found: i64 = qb.build_query_scalar().fetch_one(&mut *tx).await?;
                    let mut distinct: Vec<$crate::domain::ChannelId> = w.targets.iter().map(|t| t.0).collect();
                    distinct.sort_unstable();
                    distinct.dedup();
                    if found != distinct.len() as i64 || distinct.len() != w.targets.len() {
                        return Err(StoreError::Conflict(Conflict::UnknownChannel));
                    }
                }

                let written = match w.id {
                    None => {
                        let id = sqlx::query_scalar::<$db, $crate::domain::PostId>(
                            "INSERT INTO posts (workspace_id, author_id, state, campaign, schedule_json,
                                 content_json, search_text, revision, version, first_due_at, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 1, $8, $9, $9) RETURNING id",
                        )
                        .bind(w.ws.0)
                        .bind(w.actor.0)
                        .bind(w.head.state)
                        .bind(&w.head.campaign)
                        .bind(&w.head.schedule_json)
                        .bind(&w.head.content_json)
                        .bind(&w.head.search_text)
                        .bind(w.head.first_due_at)
                        .bind(w.now)
                        .fetch_one(&mut *tx)
                        .await?;
                        PostWritten { id, version: 1, revision: 1 }
                    }
                    Some(id) => {
                        let bumped = sqlx::query_as::<$db, (i64, i64)>(
                            "UPDATE posts SET state = $3, campaign = $4, schedule_json = $5, content_json = $6,
                                 search_text = $7, first_due_at = $8, updated_at = $9,
                                 revision = revision + $10, version = version + 1
                             WHERE workspace_id = $1 AND id = $2 AND version = $11
                             RETURNING version, revision",
                        )
                        .bind(w.ws.0)
                        .bind(id)
                        .bind(w.head.state)
                        .bind(&w.head.campaign)
                        .bind(&w.head.schedule_json)
                        .bind(&w.head.content_json)
                        .bind(&w.head.search_text)
                        .bind(w.head.first_due_at)
                        .bind(w.now)
                        .bind(i64::from(w.new_revision))
                        .bind(w.expected_version)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match bumped {
                            Some((version, revision)) => PostWritten { id, version, revision },
                            None => {
                                let exists = sqlx::query_scalar::<$db, i64>(
                                    "SELECT id FROM posts WHERE workspace_id = $1 AND id = $2",
                                )
                                .bind(w.ws.0)
                                .bind(id)
                                .fetch_optional(&mut *tx)
                                .await?;
                                return Err(match exists {
                                    Some(_) => StoreError::Conflict(Conflict::Stale),
                                    None => StoreError::NotFound,
                                });
                            }
                        }
                    }
                };

                if w.id.is_none() || w.new_revision {
                    let channel_ids: Vec<$crate::domain::ChannelId> = w.targets.iter().map(|t| t.0).collect();
                    sqlx::query(
                        "INSERT INTO post_revisions (post_id, number, author_id, content_json, channels_json,
                             schedule_json, campaign, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(written.id)
                    .bind(written.revision)
                    .bind(w.actor.0)
                    .bind(&w.head.content_json)
                    .bind($crate::store::Json(&channel_ids))
                    .bind(&w.head.schedule_json)
                    .bind(&w.head.campaign)
                    .bind(w.now)
                    .execute(&mut *tx)
                    .await?;
                }

                // Targets: drop channels no longer targeted, upsert the rest
                // so their delivery columns survive a reschedule.
                let mut qb = sqlx::QueryBuilder::<$db>::new("DELETE FROM post_channels WHERE post_id = ");
                qb.push_bind(written.id);
                if !w.targets.is_empty() {
                    qb.push(" AND channel_id NOT IN (");
                    let mut ids = qb.separated(", ");
                    for (id, _) in &w.targets {
                        ids.push_bind(*id);
                    }
                    qb.push(")");
                }
                qb.build().execute(&mut *tx).await?;
                for (channel, due) in &w.targets {
                    sqlx::query(
                        "INSERT INTO post_channels (post_id, channel_id, due_at) VALUES ($1, $2, $3)
                         ON CONFLICT (post_id, channel_id) DO UPDATE SET due_at = excluded.due_at",
                    )
                    .bind(written.id)
                    .bind(*channel)
                    .bind(*due)
                    .execute(&mut *tx)
                    .await?;
                }

                // The deliveries follow the post. Every change moves the
                // fence, so a worker holding an older claim changes nothing.
                // Rows that may have been sent (sending, unknown, needs
                // attention) or are done are never touched here.
                // The edges are `domain::delivery::next`'s: the states each
                // event moves, and where to.
                use $crate::domain::delivery::{self as delivery, DeliveryState as D, Event};
                use $crate::domain::workflow::PostState as P;
                let change = match w.head.state {
                    // Approved (again), rescheduled, or retried: armed at the
                    // revision just written.
                    P::Scheduled => Some((D::Scheduled, Event::Schedule)),
                    P::Cancelled => Some((D::Cancelled, Event::Cancel)),
                    P::Draft | P::InReview | P::ChangesRequested => {
                        Some((D::Pending, Event::Unschedule))
                    }
                    // Publishing and its outcomes are the scheduler's.
                    _ => None,
                };
                if let Some((to, event)) = change {
                    let from = $crate::store::types::in_list(&delivery::sources(event));
                    sqlx::query(&format!(
                        "UPDATE post_channels SET delivery_state = $2, revision = $3, fence = fence + 1,
                             next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $4
                         WHERE post_id = $1 AND delivery_state IN {from}"
                    ))
                    .bind(written.id)
                    .bind(to)
                    .bind(written.revision)
                    .bind(w.now)
                    .execute(&mut *tx)
                    .await?;
                }

                match w.approvals {
                    ApprovalChange::Keep => {}
                    ApprovalChange::Clear => {
                        sqlx::query("DELETE FROM approvals WHERE post_id = $1")
                            .bind(written.id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    ApprovalChange::Add(user) => {
                        sqlx::query(
                            "INSERT INTO approvals (post_id, user_id, revision, created_at) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(written.id)
                        .bind(user)
                        .bind(written.revision)
                        .bind(w.now)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| unique_as(e, Conflict::Duplicate))?;
                    }
                }

                if let Some((kind, body)) = &w.comment {
                    sqlx::query(
                        "INSERT INTO comments (post_id, author_id, kind, body, revision, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(written.id)
                    .bind(w.actor.0)
                    .bind(kind.as_str())
                    .bind(body)
                    .bind(written.revision)
                    .bind(w.now)
                    .execute(&mut *tx)
                    .await?;
                }

                for (user, kind) in &w.notify {
                    notify_in(&mut *tx, w.ws, user.0, written.id, kind.as_str(), w.actor.0, w.now).await?;
                }

                audit_in(
                    &mut *tx,
                    w.ws,
                    w.actor,
                    w.audit_action,
                    format!("post:{}", written.id),
                    w.audit_detail.clone(),
                    w.now,
                )
                .await?;
                tx.commit().await?;
                Ok(written)
            }

            async fn post(&self, ws: WorkspaceId, id: $crate::domain::PostId) -> StoreResult<Option<PostRecord>> {
                let Some(post) = sqlx::query_as::<$db, PostRow>(&format!(
                    "{POST_COLUMNS} WHERE p.workspace_id = $1 AND p.id = $2"
                ))
                .bind(ws.0)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                else {
                    return Ok(None);
                };
                let channels = sqlx::query_as::<$db, PostChannelRow>(&format!(
                    "{POST_CHANNEL_COLUMNS} WHERE c.workspace_id = $1 AND pc.post_id = $2 ORDER BY c.id"
                ))
                .bind(ws.0)
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let approvals = sqlx::query_as::<$db, ApprovalRow>(
                    "SELECT a.user_id, u.display_name AS user_name, a.revision, a.created_at
                     FROM approvals a JOIN users u ON u.id = a.user_id
                     WHERE a.post_id = $1 ORDER BY a.created_at, a.user_id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(Some(PostRecord { post, channels, approvals }))
            }

            async fn post_workspace_for_member(
                &self,
                id: $crate::domain::PostId,
                user: UserId,
            ) -> StoreResult<Option<WorkspaceId>> {
                Ok(sqlx::query_scalar::<$db, i64>(
                    "SELECT p.workspace_id FROM posts p
                     JOIN memberships m ON m.workspace_id = p.workspace_id AND m.user_id = $2
                     WHERE p.id = $1",
                )
                .bind(id)
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await?
                .map(WorkspaceId))
            }

            async fn posts(
                &self,
                ws: WorkspaceId,
                filter: &PostFilter,
                limit: i64,
            ) -> StoreResult<Vec<(PostRow, Vec<PostChannelRow>)>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(POST_COLUMNS);
                qb.push(" WHERE p.workspace_id = ").push_bind(ws.0);
                if !filter.states.is_empty() {
                    qb.push(" AND p.state IN (");
                    let mut states = qb.separated(", ");
                    for s in &filter.states {
                        states.push_bind(s.as_str());
                    }
                    qb.push(")");
                }
                if filter.from.is_some() || filter.to.is_some() {
                    qb.push(" AND EXISTS (SELECT 1 FROM post_channels r WHERE r.post_id = p.id AND r.due_at IS NOT NULL");
                    if let Some(from) = filter.from {
                        qb.push(" AND r.due_at >= ").push_bind(from);
                    }
                    if let Some(to) = filter.to {
                        qb.push(" AND r.due_at < ").push_bind(to);
                    }
                    qb.push(")");
                }
                if let Some(channel) = filter.channel {
                    qb.push(" AND EXISTS (SELECT 1 FROM post_channels f WHERE f.post_id = p.id AND f.channel_id = ")
                        .push_bind(channel)
                        .push(")");
                }
                if let Some(campaign) = filter.campaign.as_deref().filter(|c| !c.trim().is_empty()) {
                    qb.push(" AND p.campaign = ").push_bind(campaign.trim().to_owned());
                }
                if let Some(q) = filter.q.as_deref() {
                    for word in q.split_whitespace().take(8) {
                        let escaped = word
                            .to_lowercase()
                            .replace('\\', "\\\\")
                            .replace('%', "\\%")
                            .replace('_', "\\_");
                        qb.push(" AND p.search_text LIKE ")
                            .push_bind(format!("%{escaped}%"))
                            .push(" ESCAPE '\\'");
                    }
                }
                qb.push(
                    " ORDER BY CASE WHEN p.first_due_at IS NULL THEN 1 ELSE 0 END, p.first_due_at, p.id DESC LIMIT ",
                )
                .push_bind(limit);
                let posts: Vec<PostRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                if posts.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(POST_CHANNEL_COLUMNS);
                qb.push(" WHERE c.workspace_id = ").push_bind(ws.0).push(" AND pc.post_id IN (");
                let mut ids = qb.separated(", ");
                for p in &posts {
                    ids.push_bind(p.id);
                }
                qb.push(") ORDER BY pc.post_id, c.id");
                let channels: Vec<PostChannelRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(posts
                    .into_iter()
                    .map(|p| {
                        let mine = channels.iter().filter(|c| c.post_id == p.id).cloned().collect();
                        (p, mine)
                    })
                    .collect())
            }

            async fn taken_times(
                &self,
                ws: WorkspaceId,
                channel: $crate::domain::ChannelId,
                from: DateTime<Utc>,
                except: Option<$crate::domain::PostId>,
            ) -> StoreResult<Vec<DateTime<Utc>>> {
                Ok(sqlx::query_scalar::<$db, DateTime<Utc>>(
                    "SELECT pc.due_at FROM post_channels pc JOIN posts p ON p.id = pc.post_id
                     WHERE p.workspace_id = $1 AND pc.channel_id = $2 AND pc.due_at >= $3
                       AND p.id <> $4 AND p.state <> 'cancelled'
                     ORDER BY pc.due_at",
                )
                .bind(ws.0)
                .bind(channel)
                .bind(from)
                .bind(except.unwrap_or($crate::domain::PostId(-1)))
                .fetch_all(&self.pool)
                .await?)
            }

            async fn revisions(&self, ws: WorkspaceId, post: $crate::domain::PostId) -> StoreResult<Vec<RevisionRow>> {
                Ok(sqlx::query_as::<$db, RevisionRow>(
                    "SELECT r.number, r.author_id, u.display_name AS author_name, r.content_json,
                         r.channels_json, r.schedule_json, r.campaign, r.created_at
                     FROM post_revisions r JOIN posts p ON p.id = r.post_id JOIN users u ON u.id = r.author_id
                     WHERE p.workspace_id = $1 AND r.post_id = $2 ORDER BY r.number",
                )
                .bind(ws.0)
                .bind(post)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn comments(&self, ws: WorkspaceId, post: $crate::domain::PostId) -> StoreResult<Vec<CommentRow>> {
                Ok(sqlx::query_as::<$db, CommentRow>(
                    "SELECT c.id, c.author_id, u.display_name AS author_name, c.kind, c.body, c.revision, c.created_at
                     FROM comments c JOIN posts p ON p.id = c.post_id JOIN users u ON u.id = c.author_id
                     WHERE p.workspace_id = $1 AND c.post_id = $2 ORDER BY c.id",
                )
                .bind(ws.0)
                .bind(post)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn add_comment(
                &self,
                ws: WorkspaceId,
                post: $crate::domain::PostId,
                author: UserId,
                body: &str,
                notify: &[UserId],
                now: DateTime<Utc>,
            ) -> StoreResult<i64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let revision = sqlx::query_scalar::<$db, i64>(
                    "SELECT revision FROM posts WHERE workspace_id = $1 AND id = $2",
                )
                .bind(ws.0)
                .bind(post)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                let id = sqlx::query_scalar::<$db, i64>(
                    "INSERT INTO comments (post_id, author_id, kind, body, revision, created_at)
                     VALUES ($1, $2, 'comment', $3, $4, $5) RETURNING id",
                )
                .bind(post)
                .bind(author.0)
                .bind(body)
                .bind(revision)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for user in notify {
                    notify_in(&mut *tx, ws, user.0, post, "comment", author.0, now).await?;
                }
                audit_in(
                    &mut *tx,
                    ws,
                    author,
                    "post.comment",
                    format!("post:{post}"),
                    serde_json::json!({ "comment": id }),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn post_audit(&self, ws: WorkspaceId, post: $crate::domain::PostId) -> StoreResult<Vec<AuditRow>> {
                Ok(sqlx::query_as::<$db, AuditRow>(
                    "SELECT id, workspace_id, actor_user_id, action, subject, detail, at FROM audit_log
                     WHERE workspace_id = $1 AND subject = $2 ORDER BY id",
                )
                .bind(ws.0)
                .bind(format!("post:{post}"))
                .fetch_all(&self.pool)
                .await?)
            }

            async fn notifications(&self, user: UserId, limit: i64) -> StoreResult<Vec<NotificationRow>> {
                Ok(sqlx::query_as::<$db, NotificationRow>(
                    "SELECT n.id, n.workspace_id, n.post_id, n.kind, n.actor_id, u.display_name AS actor_name,
                         p.content_json, n.created_at, n.read_at
                     FROM notifications n
                     JOIN posts p ON p.id = n.post_id
                     JOIN memberships m ON m.workspace_id = n.workspace_id AND m.user_id = n.user_id
                     LEFT JOIN users u ON u.id = n.actor_id
                     WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT $2",
                )
                .bind(user.0)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn unread_notifications(&self, user: UserId) -> StoreResult<i64> {
                Ok(sqlx::query_scalar::<$db, i64>(
                    "SELECT COUNT(*) FROM notifications n
                     JOIN memberships m ON m.workspace_id = n.workspace_id AND m.user_id = n.user_id
                     WHERE n.user_id = $1 AND n.read_at IS NULL",
                )
                .bind(user.0)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn mark_notifications_read(
                &self,
                user: UserId,
                ids: Option<&[i64]>,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("UPDATE notifications SET read_at = ");
                qb.push_bind(now)
                    .push(" WHERE read_at IS NULL AND user_id = ")
                    .push_bind(user.0);
                if let Some(ids) = ids {
                    if ids.is_empty() {
                        return Ok(());
                    }
                    qb.push(" AND id IN (");
                    let mut list = qb.separated(", ");
                    for id in ids {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                }
                qb.build().execute(&self.pool).await?;
                Ok(())
            }
        }

        const POST_COLUMNS: &str = "SELECT p.id, p.workspace_id, p.author_id, u.display_name AS author_name,
                 p.state, p.campaign, p.schedule_json, p.content_json, p.revision, p.version,
                 p.first_due_at, p.created_at, p.updated_at
             FROM posts p JOIN users u ON u.id = p.author_id";

        const POST_CHANNEL_COLUMNS: &str = "SELECT pc.post_id, pc.channel_id, c.platform, c.name, c.time_zone,
                 pc.due_at, pc.delivery_state, pc.remote_id, pc.remote_url, pc.last_error, pc.attempts
             FROM post_channels pc JOIN channels c ON c.id = pc.channel_id";

        async fn audit_in(
            conn: &mut <$db as sqlx::Database>::Connection,
            ws: WorkspaceId,
            actor: UserId,
            action: &'static str,
            subject: String,
            detail: serde_json::Value,
            at: DateTime<Utc>,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO audit_log (workspace_id, actor_user_id, action, subject, detail, at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(ws.0)
            .bind(actor.0)
            .bind(action)
            .bind(subject)
            .bind(detail.to_string())
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }

        async fn notify_in(
            conn: &mut <$db as sqlx::Database>::Connection,
            ws: WorkspaceId,
            user: i64,
            post: $crate::domain::PostId,
            kind: &str,
            actor: i64,
            at: DateTime<Utc>,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO notifications (workspace_id, user_id, post_id, kind, actor_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(ws.0)
            .bind(user)
            .bind(post)
            .bind(kind)
            .bind(actor)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
    };
}

pub(super) use impl_content_store;
