//! Persistence. `Store` is the only way the rest of the server touches the
//! database; `SqliteStore` and `PostgresStore` implement it with runtime
//! queries (compile-time checked macros can only serve one backend).
//!
//! Invariants:
//! - every workspace-owned row is read and written with its workspace id in
//!   the WHERE clause, so one tenant can never reach another's rows;
//! - "now" is always bound from Rust (the caller's clock), never taken from
//!   the database, so SQLite's text timestamps compare correctly;
//! - multi-statement writes run in one short transaction (`BEGIN IMMEDIATE`
//!   on SQLite, so concurrent writers queue instead of failing with BUSY).

mod channels;
mod channels_sql;
mod deliveries;
mod deliveries_sql;
mod metrics;
mod metrics_sql;
mod postgres;
mod posts;
mod posts_sql;
mod rows;
pub mod session_store;
mod sql;
mod sqlite;
pub(crate) mod types;
pub use types::Json;

pub use channels::*;
pub use deliveries::*;
pub use metrics::*;
pub use postgres::PostgresStore;
pub use posts::*;
pub use rows::*;
pub use sqlite::SqliteStore;

use crate::domain::{Role, UserId, WorkspaceId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or invariant rule refused the write.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Other(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The rules the store enforces, named so callers match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("email taken")]
    EmailTaken,
    #[error("already set up")]
    AlreadySetUp,
    #[error("already a member")]
    AlreadyMember,
    #[error("the last owner")]
    LastOwner,
    #[error("duplicate")]
    Duplicate,
    /// Someone else changed the row since it was read.
    #[error("stale")]
    Stale,
    /// A target channel is not a live channel of the workspace.
    #[error("unknown channel")]
    UnknownChannel,
    /// A worker's claim on a delivery is no longer held (its lease lapsed,
    /// or a person changed the post since).
    #[error("fenced")]
    Fenced,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[async_trait]
pub trait Store:
    ContentStore + ChannelStore + DeliveryStore + MetricStore + Send + Sync + 'static
{
    fn backend(&self) -> Backend;
    /// Round trip to the database, for `/healthz`.
    async fn ping(&self) -> StoreResult<()>;

    // Users
    async fn count_users(&self) -> StoreResult<i64>;
    /// Creates the very first user, a workspace and the owner membership in
    /// one transaction; refuses with `ALREADY_SET_UP` if any user exists, so
    /// two racing set-up forms cannot both win.
    async fn create_first_owner(
        &self,
        user: NewUser,
        workspace_name: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<(UserRow, WorkspaceRow)>;
    async fn create_user(&self, user: NewUser, now: DateTime<Utc>) -> StoreResult<UserRow>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<UserRow>>;
    async fn user_by_email(&self, email: &crate::domain::Email) -> StoreResult<Option<UserRow>>;
    /// Replaces the password hash and bumps the session epoch, which signs
    /// out every existing session of the user.
    async fn set_password(&self, id: UserId, hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    async fn set_display_name(&self, id: UserId, name: &str, now: DateTime<Utc>)
        -> StoreResult<()>;
    async fn set_locale(
        &self,
        id: UserId,
        locale: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    // Workspaces and memberships
    async fn create_workspace(
        &self,
        name: &str,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<WorkspaceRow>;
    async fn workspace_by_name(&self, name: &str) -> StoreResult<Option<WorkspaceRow>>;
    /// The workspace, only if `user` is a member of it (tenant scoping).
    async fn workspace_for_member(
        &self,
        ws: WorkspaceId,
        user: UserId,
    ) -> StoreResult<Option<(WorkspaceRow, Role)>>;
    async fn workspaces_of(&self, user: UserId) -> StoreResult<Vec<(WorkspaceRow, Role)>>;
    async fn members(&self, ws: WorkspaceId) -> StoreResult<Vec<MemberRow>>;
    async fn add_member(
        &self,
        ws: WorkspaceId,
        user: UserId,
        role: Role,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Changes a role; refuses with `LAST_OWNER` when it would leave the
    /// workspace without an owner.
    async fn set_member_role(&self, ws: WorkspaceId, user: UserId, role: Role) -> StoreResult<()>;
    /// Removes a member; refuses with `LAST_OWNER` likewise.
    async fn remove_member(&self, ws: WorkspaceId, user: UserId) -> StoreResult<()>;

    // Invitations
    async fn create_invitation(&self, inv: NewInvitation) -> StoreResult<InvitationRow>;
    async fn invitations(
        &self,
        ws: WorkspaceId,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<InvitationRow>>;
    async fn invitation_by_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(InvitationRow, WorkspaceRow)>>;
    async fn delete_invitation(&self, ws: WorkspaceId, id: i64) -> StoreResult<()>;
    /// Marks the invitation used and adds the membership in one transaction;
    /// a second acceptance of the same invitation finds nothing to accept.
    async fn accept_invitation(
        &self,
        invitation_id: i64,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<WorkspaceId>;

    // API tokens
    async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        token_hash: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ApiTokenRow>;
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiTokenRow>>;
    async fn revoke_api_token(&self, user: UserId, id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    /// The owner of a live token, recording its use.
    async fn user_by_api_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserRow>>;

    // Sign-in throttling
    async fn record_login_failure(&self, key: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Failures for `key` since `since`: how many, and the oldest one's time.
    async fn login_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<(i64, Option<DateTime<Utc>>)>;
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;
    async fn prune_login_failures(&self, before: DateTime<Utc>) -> StoreResult<u64>;

    // Sessions (backing tower-sessions)
    async fn session_load(&self, id: &str, now: DateTime<Utc>) -> StoreResult<Option<String>>;
    async fn session_save(
        &self,
        id: &str,
        data: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Inserts only if the id is free; false when it was taken.
    async fn session_create(
        &self,
        id: &str,
        data: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn session_delete(&self, id: &str) -> StoreResult<()>;
    async fn session_delete_expired(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    // Audit log (append-only)
    async fn append_audit(&self, entry: NewAudit) -> StoreResult<()>;
    async fn audit_log(&self, ws: WorkspaceId, limit: i64) -> StoreResult<Vec<AuditRow>>;
}

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`) and
/// applies pending migrations.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        anyhow::bail!("unsupported database URL: it must start with sqlite:// or postgres://")
    }
}
