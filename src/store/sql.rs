//! The SQL both backends share. The statements are portable (`$n`
//! placeholders, `RETURNING`, `ON CONFLICT`), so one body serves SQLite and
//! PostgreSQL; what differs (how a write transaction begins, how a row is
//! locked) comes in as macro arguments. Backend-only queries live in
//! `sqlite.rs` and `postgres.rs`.

use super::{Conflict, StoreError};

/// Turns a unique-constraint violation into a named conflict.
pub(super) fn unique_as(err: sqlx::Error, conflict: Conflict) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(conflict),
        _ => StoreError::Other(err),
    }
}

macro_rules! impl_store {
    (
        store = $store:ident,
        db = $db:ty,
        backend = $backend:expr,
        begin_write = $begin:literal,
        lock_workspace = $lock_ws:literal,
        lock_setup = $lock_setup:literal $(,)?
    ) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> $crate::store::Backend {
                $backend
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn count_users(&self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM users")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn create_first_owner(
                &self,
                user: NewUser,
                workspace_name: &str,
                now: DateTime<Utc>,
            ) -> StoreResult<(UserRow, WorkspaceRow)> {
                let mut tx = self.pool.begin_with($begin).await?;
                // Two set-up forms submitted at once must not both see "no
                // users yet" and both create an owner.
                sqlx::query($lock_setup).execute(&mut *tx).await?;
                let users: i64 = sqlx::query_scalar::<$db, i64>("SELECT COUNT(*) FROM users")
                    .fetch_one(&mut *tx)
                    .await?;
                if users > 0 {
                    return Err(StoreError::Conflict(Conflict::AlreadySetUp));
                }
                let u = sqlx::query_as::<$db, UserRow>(INSERT_USER)
                    .bind(&user.email)
                    .bind(&user.display_name)
                    .bind(&user.password_hash)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| unique_as(e, Conflict::EmailTaken))?;
                let w = sqlx::query_as::<$db, WorkspaceRow>(INSERT_WORKSPACE)
                    .bind(workspace_name)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(INSERT_MEMBERSHIP)
                    .bind(w.id)
                    .bind(u.id)
                    .bind(Role::Owner.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok((u, w))
            }

            async fn create_user(&self, user: NewUser, now: DateTime<Utc>) -> StoreResult<UserRow> {
                sqlx::query_as::<$db, UserRow>(INSERT_USER)
                    .bind(&user.email)
                    .bind(&user.display_name)
                    .bind(&user.password_hash)
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| unique_as(e, Conflict::EmailTaken))
            }

            async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRow>> {
                Ok(sqlx::query_as::<$db, UserRow>(
                    "SELECT id, email, display_name, password_hash, locale, session_epoch, created_at
                     FROM users WHERE id = $1",
                )
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn user_by_email(&self, email: &crate::domain::Email) -> StoreResult<Option<UserRow>> {
                Ok(sqlx::query_as::<$db, UserRow>(
                    "SELECT id, email, display_name, password_hash, locale, session_epoch, created_at
                     FROM users WHERE email = $1",
                )
                .bind(email)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn set_password(&self, id: UserId, hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
                let r = sqlx::query(
                    "UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = $3
                     WHERE id = $1",
                )
                .bind(id.0)
                .bind(hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if r.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn set_display_name(&self, id: UserId, name: &str, now: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query("UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(name)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn set_locale(&self, id: UserId, locale: Option<&str>, now: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query("UPDATE users SET locale = $2, updated_at = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(locale)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_workspace(
                &self,
                name: &str,
                owner: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<WorkspaceRow> {
                let mut tx = self.pool.begin_with($begin).await?;
                let w = sqlx::query_as::<$db, WorkspaceRow>(INSERT_WORKSPACE)
                    .bind(name)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(INSERT_MEMBERSHIP)
                    .bind(w.id)
                    .bind(owner.0)
                    .bind(Role::Owner.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(w)
            }

            async fn workspace_by_name(&self, name: &str) -> StoreResult<Option<WorkspaceRow>> {
                Ok(sqlx::query_as::<$db, WorkspaceRow>(
                    "SELECT id, name, created_at FROM workspaces WHERE name = $1 ORDER BY id LIMIT 1",
                )
                .bind(name)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn workspace_for_member(
                &self,
                ws: WorkspaceId,
                user: UserId,
            ) -> StoreResult<Option<(WorkspaceRow, Role)>> {
                let row = sqlx::query_as::<$db, WorkspaceMembershipRow>(
                    "SELECT w.id, w.name, w.created_at, m.role
                     FROM workspaces w JOIN memberships m ON m.workspace_id = w.id
                     WHERE w.id = $1 AND m.user_id = $2",
                )
                .bind(ws.0)
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(WorkspaceMembershipRow::split))
            }

            async fn workspaces_of(&self, user: UserId) -> StoreResult<Vec<(WorkspaceRow, Role)>> {
                Ok(sqlx::query_as::<$db, WorkspaceMembershipRow>(
                    "SELECT w.id, w.name, w.created_at, m.role
                     FROM workspaces w JOIN memberships m ON m.workspace_id = w.id
                     WHERE m.user_id = $1 ORDER BY w.name, w.id",
                )
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(WorkspaceMembershipRow::split)
                .collect::<Vec<_>>())
            }

            async fn members(&self, ws: WorkspaceId) -> StoreResult<Vec<MemberRow>> {
                Ok(sqlx::query_as::<$db, MemberRow>(
                    "SELECT u.id AS user_id, u.email, u.display_name, m.role, m.created_at
                     FROM memberships m JOIN users u ON u.id = m.user_id
                     WHERE m.workspace_id = $1 ORDER BY u.display_name, u.id",
                )
                .bind(ws.0)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn add_member(
                &self,
                ws: WorkspaceId,
                user: UserId,
                role: Role,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                sqlx::query(INSERT_MEMBERSHIP)
                    .bind(ws.0)
                    .bind(user.0)
                    .bind(role.as_str())
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| unique_as(e, Conflict::AlreadyMember))?;
                Ok(())
            }

            async fn set_member_role(&self, ws: WorkspaceId, user: UserId, role: Role) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                // Serialises owner changes of one workspace, so two owners
                // demoting each other at once cannot leave it ownerless.
                sqlx::query($lock_ws).bind(ws.0).execute(&mut *tx).await?;
                let current = current_role(&mut *tx, ws, user).await?;
                if current == Role::Owner && role != Role::Owner && owner_count(&mut *tx, ws).await? <= 1 {
                    return Err(StoreError::Conflict(Conflict::LastOwner));
                }
                sqlx::query("UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2")
                    .bind(ws.0)
                    .bind(user.0)
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn remove_member(&self, ws: WorkspaceId, user: UserId) -> StoreResult<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query($lock_ws).bind(ws.0).execute(&mut *tx).await?;
                let current = current_role(&mut *tx, ws, user).await?;
                if current == Role::Owner && owner_count(&mut *tx, ws).await? <= 1 {
                    return Err(StoreError::Conflict(Conflict::LastOwner));
                }
                sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
                    .bind(ws.0)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_invitation(&self, inv: NewInvitation) -> StoreResult<InvitationRow> {
                Ok(sqlx::query_as::<$db, InvitationRow>(
                    "INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     RETURNING id, workspace_id, email, role, created_at, expires_at",
                )
                .bind(inv.workspace_id.0)
                .bind(&inv.email)
                .bind(inv.role.as_str())
                .bind(&inv.token_hash)
                .bind(inv.invited_by.0)
                .bind(inv.created_at)
                .bind(inv.expires_at)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn invitations(&self, ws: WorkspaceId, now: DateTime<Utc>) -> StoreResult<Vec<InvitationRow>> {
                Ok(sqlx::query_as::<$db, InvitationRow>(
                    "SELECT id, workspace_id, email, role, created_at, expires_at FROM invitations
                     WHERE workspace_id = $1 AND accepted_at IS NULL AND expires_at > $2
                     ORDER BY created_at DESC, id DESC",
                )
                .bind(ws.0)
                .bind(now)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn invitation_by_token(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<(InvitationRow, WorkspaceRow)>> {
                let inv = sqlx::query_as::<$db, InvitationRow>(
                    "SELECT id, workspace_id, email, role, created_at, expires_at FROM invitations
                     WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                let Some(inv) = inv else { return Ok(None) };
                let ws = sqlx::query_as::<$db, WorkspaceRow>(
                    "SELECT id, name, created_at FROM workspaces WHERE id = $1",
                )
                .bind(inv.workspace_id)
                .fetch_one(&self.pool)
                .await?;
                Ok(Some((inv, ws)))
            }

            async fn delete_invitation(&self, ws: WorkspaceId, id: i64) -> StoreResult<()> {
                let r = sqlx::query(
                    "DELETE FROM invitations WHERE workspace_id = $1 AND id = $2 AND accepted_at IS NULL",
                )
                .bind(ws.0)
                .bind(id)
                .execute(&self.pool)
                .await?;
                if r.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn accept_invitation(
                &self,
                invitation_id: i64,
                user: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<WorkspaceId> {
                let mut tx = self.pool.begin_with($begin).await?;
                let claimed = sqlx::query_as::<$db, (i64, String)>(
                    "UPDATE invitations SET accepted_at = $2, accepted_by = $3
                     WHERE id = $1 AND accepted_at IS NULL AND expires_at > $2
                     RETURNING workspace_id, role",
                )
                .bind(invitation_id)
                .bind(now)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((ws, role)) = claimed else {
                    return Err(StoreError::NotFound);
                };
                sqlx::query(INSERT_MEMBERSHIP)
                    .bind(ws)
                    .bind(user.0)
                    .bind(role)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| unique_as(e, Conflict::AlreadyMember))?;
                tx.commit().await?;
                Ok(WorkspaceId(ws))
            }

            async fn create_api_token(
                &self,
                user: UserId,
                name: &str,
                token_hash: &str,
                prefix: &str,
                now: DateTime<Utc>,
            ) -> StoreResult<ApiTokenRow> {
                sqlx::query_as::<$db, ApiTokenRow>(
                    "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at)
                     VALUES ($1, $2, $3, $4, $5)
                     RETURNING id, user_id, name, prefix, created_at, last_used_at",
                )
                .bind(user.0)
                .bind(name)
                .bind(token_hash)
                .bind(prefix)
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| unique_as(e, Conflict::Duplicate))
            }

            async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiTokenRow>> {
                Ok(sqlx::query_as::<$db, ApiTokenRow>(
                    "SELECT id, user_id, name, prefix, created_at, last_used_at FROM api_tokens
                     WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
                )
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn revoke_api_token(&self, user: UserId, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
                let r = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $3
                     WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL",
                )
                .bind(user.0)
                .bind(id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if r.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn user_by_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<UserRow>> {
                let user_id = sqlx::query_scalar::<$db, i64>(
                    "UPDATE api_tokens SET last_used_at = $2
                     WHERE token_hash = $1 AND revoked_at IS NULL
                     RETURNING user_id",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                match user_id {
                    Some(id) => self.user_by_id(UserId(id)).await,
                    None => Ok(None),
                }
            }

            async fn record_login_failure(&self, key: &str, at: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                    .bind(key)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn login_failures(
                &self,
                key: &str,
                since: DateTime<Utc>,
            ) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
                let times = sqlx::query_scalar::<$db, DateTime<Utc>>(
                    "SELECT at FROM login_failures WHERE key = $1 AND at >= $2 ORDER BY at LIMIT 1000",
                )
                .bind(key)
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                Ok((times.len() as i64, times.first().copied()))
            }

            async fn clear_login_failures(&self, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM login_failures WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn prune_login_failures(&self, before: DateTime<Utc>) -> StoreResult<u64> {
                Ok(sqlx::query("DELETE FROM login_failures WHERE at < $1")
                    .bind(before)
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }

            async fn session_load(&self, id: &str, now: DateTime<Utc>) -> StoreResult<Option<String>> {
                Ok(sqlx::query_scalar::<$db, String>(
                    "SELECT data FROM sessions WHERE id = $1 AND expires_at > $2",
                )
                .bind(id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn session_save(&self, id: &str, data: &str, expires_at: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_create(&self, id: &str, data: &str, expires_at: DateTime<Utc>) -> StoreResult<bool> {
                let r = sqlx::query(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(data)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(r.rows_affected() == 1)
            }

            async fn session_delete(&self, id: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session_delete_expired(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
            }

            async fn append_audit(&self, entry: NewAudit) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO audit_log (workspace_id, actor_user_id, action, subject, detail, at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(entry.workspace_id.map(|w| w.0))
                .bind(entry.actor.map(|u| u.0))
                .bind(entry.action)
                .bind(&entry.subject)
                .bind(entry.detail.to_string())
                .bind(entry.at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audit_log(&self, ws: WorkspaceId, limit: i64) -> StoreResult<Vec<AuditRow>> {
                Ok(sqlx::query_as::<$db, AuditRow>(
                    "SELECT id, workspace_id, actor_user_id, action, subject, detail, at FROM audit_log
                     WHERE workspace_id = $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(ws.0)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }

        const INSERT_USER: &str = "INSERT INTO users (email, display_name, password_hash, session_epoch, created_at, updated_at)
             VALUES ($1, $2, $3, 0, $4, $4)
             RETURNING id, email, display_name, password_hash, locale, session_epoch, created_at";
        const INSERT_WORKSPACE: &str = "INSERT INTO workspaces (name, created_at) VALUES ($1, $2)
             RETURNING id, name, created_at";
        const INSERT_MEMBERSHIP: &str = "INSERT INTO memberships (workspace_id, user_id, role, created_at)
             VALUES ($1, $2, $3, $4)";

        #[derive(sqlx::FromRow)]
        struct WorkspaceMembershipRow {
            id: i64,
            name: String,
            created_at: DateTime<Utc>,
            role: Role,
        }

        impl WorkspaceMembershipRow {
            fn split(self) -> (WorkspaceRow, Role) {
                (
                    WorkspaceRow {
                        id: WorkspaceId(self.id),
                        name: self.name,
                        created_at: self.created_at,
                    },
                    self.role,
                )
            }
        }

        async fn current_role(
            conn: &mut <$db as sqlx::Database>::Connection,
            ws: WorkspaceId,
            user: UserId,
        ) -> StoreResult<Role> {
            sqlx::query_scalar::<$db, Role>(
                "SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2",
            )
            .bind(ws)
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)
        }

        async fn owner_count(conn: &mut <$db as sqlx::Database>::Connection, ws: WorkspaceId) -> StoreResult<i64> {
            Ok(sqlx::query_scalar::<$db, i64>(
                "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'",
            )
            .bind(ws.0)
            .fetch_one(&mut *conn)
            .await?)
        }
    };
}

pub(super) use impl_store;
