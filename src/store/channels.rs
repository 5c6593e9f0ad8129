//! Channel connections: the encrypted credentials, endpoints, egress proxy
//! and health of each channel. The store never sees a plaintext secret: the
//! server encrypts before writing (`server::crypto`).
//!
//! Credentials are written with compare-and-swap on `credentials_version`,
//! so when two processes refresh the same single-use token at once, exactly
//! one write lands and the other re-reads instead of overwriting it.

use super::StoreResult;
use crate::domain::{ChannelId, UserId, WorkspaceId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A channel's sealed credentials and their version.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SealedCredentials {
    pub id: ChannelId,
    pub workspace_id: WorkspaceId,
    pub platform: crate::domain::content::Platform,
    pub credentials: Option<String>,
    pub credentials_version: i64,
}

/// What a successful connect flow writes.
pub struct Connection {
    pub account_id: String,
    pub account_name: String,
    /// Sealed by `server::crypto::encrypt` with this channel's id.
    pub credentials: String,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// The account's server's own text limit, when it sets one.
    pub text_limit: Option<i64>,
}

/// The outcome of a call to the platform, for the channel's health.
pub enum Health<'a> {
    Success,
    /// A failure that does not concern the credentials.
    Failure(&'a str),
    /// The credentials stopped working: the channel must be reconnected.
    AuthFailure(&'a str),
}

/// Where a channel's traffic goes. `None` fields mean the real platform,
/// and no proxy.
pub struct Egress {
    pub api_base: Option<String>,
    pub auth_base: Option<String>,
    pub proxy: Option<String>,
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// One live channel of the workspace.
    async fn channel(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
    ) -> StoreResult<Option<super::ChannelRow>>;

    async fn channel_credentials(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
    ) -> StoreResult<Option<SealedCredentials>>;

    /// Connects (or reconnects) the channel to an account; audited.
    async fn connect_channel(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
        connection: Connection,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<super::ChannelRow>;

    /// Replaces the sealed credentials if they are still at
    /// `expected_version` (else the `STALE` conflict); returns the new version.
    async fn rotate_credentials(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
        expected_version: i64,
        credentials: &str,
        token_expires_at: Option<DateTime<Utc>>,
    ) -> StoreResult<i64>;

    async fn record_health(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
        health: Health<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Takes the right to refresh the channel's tokens for `owner` until
    /// `until`: `false` while another owner holds an unexpired one. X
    /// refresh tokens are single use, so two processes must never both
    /// spend the same one.
    async fn try_refresh_lease(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
        owner: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Gives the right back (only `owner`'s own).
    async fn end_refresh_lease(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
        owner: &str,
    ) -> StoreResult<()>;

    async fn set_egress(
        &self,
        ws: WorkspaceId,
        id: ChannelId,
        egress: Egress,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<super::ChannelRow>;

    /// Points every emulated channel at the emulator's current address (it
    /// may listen on another port after a restart).
    async fn retarget_emulated(&self, base_url: &str) -> StoreResult<()>;

    /// Every channel's sealed credentials, across workspaces (key rotation).
    async fn all_credentials(&self) -> StoreResult<Vec<SealedCredentials>>;

    /// Writes re-sealed credentials for many channels in one transaction;
    /// each row must still be at its version (else `STALE` and nothing is
    /// written).
    async fn reseal_all(&self, rows: &[(ChannelId, i64, String)]) -> StoreResult<()>;
}
