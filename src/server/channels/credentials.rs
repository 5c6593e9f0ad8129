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
use super::super::state::AppState;
use crate::domain::content::Platform;
use crate::domain::{AppError, WorkspaceId};
use crate::platforms::{self, CredentialStore, Credentials, PlatformClient, PlatformError};
use crate::store::{conflict, ChannelRow, StoreError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The live clients, by channel id.
#[derive(Default)]
pub struct ClientCache(Mutex<HashMap<i64, Arc<dyn PlatformClient>>>);

impl ClientCache {
    pub fn forget(&self, channel_id: i64) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&channel_id);
        }
    }

    fn get(&self, channel_id: i64) -> Option<Arc<dyn PlatformClient>> {
        self.0.lock().ok()?.get(&channel_id).cloned()
    }

    fn put(&self, channel_id: i64, client: Arc<dyn PlatformClient>) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(channel_id, client);
        }
    }
}

/// The client for a connected channel.
pub async fn client(
    state: &AppState,
    ws: WorkspaceId,
    row: &ChannelRow,
) -> Result<Arc<dyn PlatformClient>, AppError> {
    if let Some(c) = state.clients.get(row.id) {
        return Ok(c);
    }
    let platform = Platform::parse(&row.platform)
        .ok_or_else(|| internal(format!("unknown platform {:?}", row.platform)))?;
    let store: Arc<dyn CredentialStore> = Arc::new(SealedCredentials {
        state: state.clone(),
        ws,
        channel_id: row.id,
        version: Mutex::new(None),
        refresher: format!("{}:{}", std::process::id(), uuid::Uuid::new_v4().simple()),
        recent: Mutex::new(None),
    });
    let client = platforms::client_for(platform, &super::endpoints(state, row, platform), store)
        .map_err(|e| platform_refusal(&e))?;
    state.clients.put(row.id, client.clone());
    Ok(client)
}

/// A platform's refusal as an error for the person who asked.
pub fn platform_refusal(e: &PlatformError) -> AppError {
    AppError::Invalid {
        field: None,
        key: crate::i18n::Msg::ErrPlatformRefused.key().into(),
        message: e.to_string(),
    }
}

/// Seals credentials for storage on `channel_id`'s row.
pub fn seal(state: &AppState, channel_id: i64, c: &Credentials) -> Result<String, AppError> {
    let json = serde_json::to_vec(c).map_err(internal)?;
    Ok(crypto::encrypt(&state.master_key, channel_id, &json))
}

pub fn unseal(state: &AppState, channel_id: i64, sealed: &str) -> Result<Credentials, CryptoError> {
    let plain = crypto::decrypt(&state.master_key, channel_id, sealed)?;
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
pub struct SealedCredentials {
    state: AppState,
    ws: WorkspaceId,
    channel_id: i64,
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
            .state
            .store
            .channel_credentials(self.ws, self.channel_id)
            .await
            .map_err(|e| PlatformError::retry(format!("database: {e}")))?
            .ok_or_else(|| PlatformError::reauthorize("the channel no longer exists"))?;
        let sealed = row
            .credentials
            .ok_or_else(|| PlatformError::reauthorize("the channel is not connected"))?;
        let c = unseal(&self.state, self.channel_id, &sealed).map_err(|e| {
            tracing::error!(channel = self.channel_id, error = %e, "cannot open stored credentials");
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
        let sealed = seal(&self.state, self.channel_id, credentials)
            .map_err(|_| PlatformError::retry("could not seal the new credentials"))?;
        match self
            .state
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
            Err(StoreError::Conflict(c)) if c == conflict::STALE => Err(PlatformError::retry(
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
            let now = self.state.now();
            let got = self
                .state
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
            .state
            .store
            .end_refresh_lease(self.ws, self.channel_id, &self.refresher)
            .await
        {
            tracing::warn!(channel = self.channel_id, error = %e, "could not end the refresh lease");
        }
    }
}
