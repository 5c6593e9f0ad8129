//! Sealed credentials and the per-channel platform clients.
//!
//! A channel's client is built once and kept (it caches access tokens and
//! holds the single-flight lock for refreshes); connecting again or
//! changing the egress drops it. The client reads and writes credentials
//! through [`SealedCredentials`], which decrypts on load and encrypts on
//! save, and saves with compare-and-swap so a token rotated by another
//! process is never overwritten.

use super::super::crypto::{self, CryptoError};
use super::super::error::internal;
use super::super::secrets::MasterKey;
use crate::clock::Clock;
use crate::domain::content::Platform;
use crate::domain::{AppError, ChannelId, WorkspaceId};
use crate::platforms::{
    self, CredentialStore, Credentials, Endpoints, PlatformClient, PlatformError,
};
use crate::scheduler::ports::ClientSource;
use crate::store::{ChannelRow, Conflict, Store, StoreError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The channels' live platform clients, by channel id, and what building
/// one takes: the store and the master key its credentials are sealed
/// with. The scheduler reaches clients through this (as its
/// `ClientSource`), the connect flows and health checks too.
pub struct ChannelClients {
    store: Arc<dyn Store>,
    key: MasterKey,
    clock: Arc<dyn Clock>,
    /// Whole-request timeout of every platform call.
    timeout: std::time::Duration,
    live: Mutex<HashMap<ChannelId, Arc<dyn PlatformClient>>>,
}

impl ChannelClients {
    pub fn new(
        store: Arc<dyn Store>,
        key: MasterKey,
        clock: Arc<dyn Clock>,
        timeout: std::time::Duration,
    ) -> ChannelClients {
        ChannelClients {
            store,
            key,
            clock,
            timeout,
            live: Mutex::new(HashMap::new()),
        }
    }

    /// Drops the channel's client (it was reconnected, its egress changed,
    /// or its authorization failed): the next use builds a fresh one.
    pub fn forget(&self, channel_id: ChannelId) {
        if let Ok(mut m) = self.live.lock() {
            m.remove(&channel_id);
        }
    }

    /// Where this channel's client sends its requests.
    pub fn endpoints(&self, row: &ChannelRow, platform: Platform) -> Endpoints {
        let mut e = Endpoints::real(platform);
        e.timeout = self.timeout;
        if let Some(api) = &row.api_base {
            e.api_base = api.clone();
            e.auth_base = row.auth_base.clone().unwrap_or_else(|| api.clone());
        }
        e.proxy = row.proxy.clone();
        e
    }

    /// The client for a connected channel, built on first use and kept
    /// (it caches access tokens and holds the single-flight refresh lock).
    pub async fn client(
        &self,
        ws: WorkspaceId,
        row: &ChannelRow,
    ) -> Result<Arc<dyn PlatformClient>, AppError> {
        if let Some(c) = self.live.lock().ok().and_then(|m| m.get(&row.id).cloned()) {
            return Ok(c);
        }
        let platform = row.platform;
        let store: Arc<dyn CredentialStore> = Arc::new(SealedCredentials {
            store: self.store.clone(),
            key: self.key.clone(),
            clock: self.clock.clone(),
            ws,
            channel_id: row.id,
            version: Mutex::new(None),
            refresher: format!("{}:{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            recent: Mutex::new(None),
        });
        let client = platforms::client_for(platform, &self.endpoints(row, platform), store)
            .map_err(|e| platform_refusal(&e))?;
        if let Ok(mut m) = self.live.lock() {
            m.insert(row.id, client.clone());
        }
        Ok(client)
    }

    /// Seals credentials for storage on `channel_id`'s row.
    pub fn seal(&self, channel_id: ChannelId, c: &Credentials) -> Result<String, AppError> {
        seal(&self.key, channel_id, c)
    }

    pub fn unseal(&self, channel_id: ChannelId, sealed: &str) -> Result<Credentials, CryptoError> {
        unseal(&self.key, channel_id, sealed)
    }
}

#[async_trait]
impl ClientSource for ChannelClients {
    async fn client(
        &self,
        ws: WorkspaceId,
        channel: &ChannelRow,
    ) -> Result<Arc<dyn PlatformClient>, AppError> {
        ChannelClients::client(self, ws, channel).await
    }

    fn forget(&self, channel_id: ChannelId) {
        ChannelClients::forget(self, channel_id)
    }
}

/// A platform's refusal as an error for the person who asked.
pub fn platform_refusal(e: &PlatformError) -> AppError {
    AppError::Invalid {
        field: None,
        key: crate::i18n::Msg::ErrPlatformRefused.key().into(),
        message: e.to_string(),
    }
}

fn seal(key: &MasterKey, channel_id: ChannelId, c: &Credentials) -> Result<String, AppError> {
    let json = serde_json::to_vec(c).map_err(internal)?;
    Ok(crypto::encrypt(key, channel_id, &json))
}

fn unseal(
    key: &MasterKey,
    channel_id: ChannelId,
    sealed: &str,
) -> Result<Credentials, CryptoError> {
    let plain = crypto::decrypt(key, channel_id, sealed)?;
    serde_json::from_slice(&plain).map_err(|_| CryptoError::Format)
}

/// Re-encrypts every channel's credentials from `old` to `new` in one
/// transaction; returns how many. Rows already under `new` (a rotation
/// interrupted after its commit) are left as they are. A row neither key
/// opens stops the rotation before anything is written.
pub async fn reseal_all(
    store: &dyn crate::store::Store,
    old: &MasterKey,
    new: &MasterKey,
) -> anyhow::Result<usize> {
    let new_id = crypto::key_id(new);
    let mut rows = Vec::new();
    for r in store.all_credentials().await? {
        let Some(sealed) = r.credentials else {
            continue;
        };
        if sealed.split('.').nth(1) == Some(new_id.as_str()) {
            continue;
        }
        let plain = crypto::decrypt(old, r.id, &sealed)
            .map_err(|e| anyhow::anyhow!("channel {} (workspace {}): {e}", r.id, r.workspace_id))?;
        rows.push((
            r.id,
            r.credentials_version,
            crypto::encrypt(new, r.id, &plain),
        ));
    }
    store.reseal_all(&rows).await?;
    Ok(rows.len())
}

/// One channel's credentials in the database, sealed.
struct SealedCredentials {
    store: Arc<dyn Store>,
    key: MasterKey,
    clock: Arc<dyn Clock>,
    ws: WorkspaceId,
    channel_id: ChannelId,
    /// The version last loaded: a save must replace exactly that one.
    version: Mutex<Option<i64>>,
    /// Names this client when it holds the channel's refresh lease.
    refresher: String,
    /// The last read or saved credentials and when, reused by `load` for
    /// [`REUSE_READ_FOR`].
    recent: Mutex<Option<(std::time::Instant, Credentials)>>,
}

/// How long a read of the credentials serves further publishes. Short
/// enough that a reconnect elsewhere is seen at once in practice; a token
/// rotated by another process meanwhile is refused and then refreshed from
/// a fresh read (`load_latest`).
const REUSE_READ_FOR: std::time::Duration = std::time::Duration::from_secs(1);

impl SealedCredentials {
    fn loaded_version(&self) -> Option<i64> {
        self.version.lock().ok().and_then(|v| *v)
    }

    fn set_version(&self, version: i64) {
        if let Ok(mut v) = self.version.lock() {
            *v = Some(version);
        }
    }

    fn remember(&self, c: &Credentials) {
        if let Ok(mut r) = self.recent.lock() {
            *r = Some((std::time::Instant::now(), c.clone()));
        }
    }

    fn recent(&self) -> Option<Credentials> {
        let r = self.recent.lock().ok()?;
        r.as_ref()
            .filter(|(at, _)| at.elapsed() < REUSE_READ_FOR)
            .map(|(_, c)| c.clone())
    }
}

#[async_trait]
impl CredentialStore for SealedCredentials {
    async fn load(&self) -> Result<Credentials, PlatformError> {
        match self.recent() {
            Some(c) => Ok(c),
            None => self.load_latest().await,
        }
    }

    async fn load_latest(&self) -> Result<Credentials, PlatformError> {
        let row = self
            .store
            .channel_credentials(self.ws, self.channel_id)
            .await
            .map_err(|e| PlatformError::retry(format!("database: {e}")))?
            .ok_or_else(|| PlatformError::reauthorize("the channel no longer exists"))?;
        let sealed = row
            .credentials
            .ok_or_else(|| PlatformError::reauthorize("the channel is not connected"))?;
        let c = unseal(&self.key, self.channel_id, &sealed).map_err(|e| {
            tracing::error!(channel = %self.channel_id, error = %e, "cannot open stored credentials");
            match e {
                // The key was rotated under this process: a restart with the
                // new key fixes it, the account is fine.
                CryptoError::WrongKey { .. } => PlatformError::retry(format!(
                    "{e}; restart Tongbu with the current secret key"
                )),
                // Altered or moved between channels: only connecting again
                // can be trusted.
                _ => PlatformError::reauthorize(e.to_string()),
            }
        })?;
        self.set_version(row.credentials_version);
        self.remember(&c);
        Ok(c)
    }

    async fn save(&self, credentials: &Credentials) -> Result<(), PlatformError> {
        let expected = match self.loaded_version() {
            Some(v) => v,
            None => {
                self.load_latest().await?;
                self.loaded_version().unwrap_or_default()
            }
        };
        let sealed = seal(&self.key, self.channel_id, credentials)
            .map_err(|_| PlatformError::retry("could not seal the new credentials"))?;
        match self
            .store
            .rotate_credentials(
                self.ws,
                self.channel_id,
                expected,
                &sealed,
                credentials.expires_at(),
            )
            .await
        {
            Ok(v) => {
                self.set_version(v);
                self.remember(credentials);
                Ok(())
            }
            Err(StoreError::Conflict(Conflict::Stale)) => Err(PlatformError::retry(
                "the credentials were changed by another process; reload them",
            )),
            Err(e) => Err(PlatformError::retry(format!("database: {e}"))),
        }
    }

    async fn lock_refresh(&self) -> Result<(), PlatformError> {
        // A refresh takes a second or two; a minute covers a slow platform,
        // and a holder that died frees the channel after it.
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let now = self.clock.now();
            let got = self
                .store
                .try_refresh_lease(
                    self.ws,
                    self.channel_id,
                    &self.refresher,
                    now + chrono::Duration::minutes(1),
                    now,
                )
                .await
                .map_err(|e| PlatformError::retry(format!("database: {e}")))?;
            if got {
                return Ok(());
            }
            if std::time::Instant::now() > give_up {
                return Err(PlatformError::retry(
                    "another process is renewing this channel's tokens",
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    async fn unlock_refresh(&self) {
        if let Err(e) = self
            .store
            .end_refresh_lease(self.ws, self.channel_id, &self.refresher)
            .await
        {
            tracing::warn!(channel = %self.channel_id, error = %e, "could not end the refresh lease");
        }
    }
}
