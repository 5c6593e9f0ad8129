//! The SQL of `ChannelStore`, shared by both backends.

macro_rules! impl_channel_store {
    (
        store = $store:ident,
        db = $db:ty,
        begin_write = $begin:literal $(,)?
    ) => {
        #[async_trait::async_trait]
        impl $crate::store::ChannelStore for $store {
            async fn channel(&self, ws: WorkspaceId, id: $crate::domain::ChannelId) -> StoreResult<Option<ChannelRow>> {
                Ok(sqlx::query_as::<$db, ChannelRow>(&format!(
                    "SELECT {} FROM channels WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL",
                    $crate::store::CHANNEL_COLUMNS
                ))
                .bind(ws.0)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn channel_credentials(
                &self,
                ws: WorkspaceId,
                id: $crate::domain::ChannelId,
            ) -> StoreResult<Option<$crate::store::SealedCredentials>> {
                Ok(sqlx::query_as::<$db, $crate::store::SealedCredentials>(
                    "SELECT id, workspace_id, platform, credentials, credentials_version FROM channels
                     WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL",
                )
                .bind(ws.0)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn connect_channel(
                &self,
                ws: WorkspaceId,
                id: $crate::domain::ChannelId,
                c: $crate::store::Connection,
                actor: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<ChannelRow> {
                let mut tx = self.pool.begin_with($begin).await?;
                let row = sqlx::query_as::<$db, ChannelRow>(&format!(
                    "UPDATE channels SET account_id = $3, account_name = $4, credentials = $5,
                         credentials_version = credentials_version + 1, token_expires_at = $6,
                         auth_status = 'connected', connected_at = $7, last_success_at = $7,
                         last_error = NULL, last_error_at = NULL, text_limit = $8
                     WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL
                     RETURNING {}",
                    $crate::store::CHANNEL_COLUMNS
                ))
                .bind(ws.0)
                .bind(id)
                .bind(&c.account_id)
                .bind(&c.account_name)
                .bind(&c.credentials)
                .bind(c.token_expires_at)
                .bind(now)
                .bind(c.text_limit)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                audit_in(
                    &mut *tx,
                    ws,
                    actor,
                    "channel.connect",
                    format!("channel:{id}"),
                    serde_json::json!({ "account_id": c.account_id, "account_name": c.account_name }),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(row)
            }

            async fn rotate_credentials(
                &self,
                ws: WorkspaceId,
                id: $crate::domain::ChannelId,
                expected_version: i64,
                credentials: &str,
                token_expires_at: Option<DateTime<Utc>>,
            ) -> StoreResult<i64> {
                let v: Option<i64> = sqlx::query_scalar(
                    "UPDATE channels SET credentials = $4, credentials_version = credentials_version + 1,
                         token_expires_at = $5
                     WHERE workspace_id = $1 AND id = $2 AND credentials_version = $3
                     RETURNING credentials_version",
                )
                .bind(ws.0)
                .bind(id)
                .bind(expected_version)
                .bind(credentials)
                .bind(token_expires_at)
                .fetch_optional(&self.pool)
                .await?;
                v.ok_or(StoreError::Conflict($crate::store::Conflict::Stale))
            }

            async fn record_health(
                &self,
                ws: WorkspaceId,
                id: $crate::domain::ChannelId,
                health: $crate::store::Health<'_>,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                use $crate::store::Health;
                let q = match health {
                    Health::Success => sqlx::query(
                        "UPDATE channels SET last_success_at = $3,
                             auth_status = CASE WHEN auth_status = 'reconnect' THEN 'connected' ELSE auth_status END
                         WHERE workspace_id = $1 AND id = $2",
                    )
                    .bind(ws.0)
                    .bind(id)
                    .bind(now),
                    Health::Failure(e) => sqlx::query(
                        "UPDATE channels SET last_error = $3, last_error_at = $4
                         WHERE workspace_id = $1 AND id = $2",
                    )
                    .bind(ws.0)
                    .bind(id)
                    .bind(e.to_owned())
                    .bind(now),
                    Health::AuthFailure(e) => sqlx::query(
                        "UPDATE channels SET last_error = $3, last_error_at = $4, auth_status = 'reconnect'
                         WHERE workspace_id = $1 AND id = $2 AND auth_status <> 'not_connected'",
                    )
                    .bind(ws.0)
                    .bind(id)
                    .bind(e.to_owned())
                    .bind(now),
                };
                q.execute(&self.pool).await?;
                Ok(())
            }

            async fn try_refresh_lease(
                &self,
                ws: WorkspaceId,
                id: $crate::domain::ChannelId,
                owner: &str,
                until: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE channels SET refresh_owner = $3, refresh_until = $4
                     WHERE workspace_id = $1 AND id = $2
                       AND (refresh_until IS NULL OR refresh_until < $5 OR refresh_owner = $3)",
                )
                .bind(ws.0)
                .bind(id)
                .bind(owner)
                .bind(until)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn end_refresh_lease(
                &self,
                ws: WorkspaceId,
                id: $crate::domain::ChannelId,
                owner: &str,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE channels SET refresh_owner = NULL, refresh_until = NULL
                     WHERE workspace_id = $1 AND id = $2 AND refresh_owner = $3",
                )
                .bind(ws.0)
                .bind(id)
                .bind(owner)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn set_egress(
                &self,
                ws: WorkspaceId,
                id: $crate::domain::ChannelId,
                e: $crate::store::Egress,
                actor: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<ChannelRow> {
                let mut tx = self.pool.begin_with($begin).await?;
                let row = sqlx::query_as::<$db, ChannelRow>(&format!(
                    "UPDATE channels SET api_base = $3, auth_base = $4, proxy = $5
                     WHERE workspace_id = $1 AND id = $2 AND archived_at IS NULL
                     RETURNING {}",
                    $crate::store::CHANNEL_COLUMNS
                ))
                .bind(ws.0)
                .bind(id)
                .bind(&e.api_base)
                .bind(&e.auth_base)
                .bind(&e.proxy)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                audit_in(
                    &mut *tx,
                    ws,
                    actor,
                    "channel.egress",
                    format!("channel:{id}"),
                    // The proxy address may carry a password: audit only
                    // whether one is set.
                    serde_json::json!({
                        "api_base": e.api_base,
                        "auth_base": e.auth_base,
                        "proxy": e.proxy.is_some(),
                    }),
                    now,
                )
                .await?;
                tx.commit().await?;
                Ok(row)
            }

            async fn retarget_emulated(&self, base_url: &str) -> StoreResult<()> {
                sqlx::query("UPDATE channels SET api_base = $1, auth_base = $1 WHERE emulated")
                    .bind(base_url)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn all_credentials(&self) -> StoreResult<Vec<$crate::store::SealedCredentials>> {
                Ok(sqlx::query_as::<$db, $crate::store::SealedCredentials>(
                    "SELECT id, workspace_id, platform, credentials, credentials_version FROM channels
                     WHERE credentials IS NOT NULL ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn reseal_all(&self, rows: &[($crate::domain::ChannelId, i64, String)]) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                for (id, version, sealed) in rows {
                    let done = sqlx::query(
                        "UPDATE channels SET credentials = $3, credentials_version = credentials_version + 1
                         WHERE id = $1 AND credentials_version = $2",
                    )
                    .bind(id)
                    .bind(version)
                    .bind(sealed)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        // Dropping the transaction rolls every row back.
                        return Err(StoreError::Conflict($crate::store::Conflict::Stale));
                    }
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(super) use impl_channel_store;
