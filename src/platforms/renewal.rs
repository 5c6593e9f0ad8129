//! Renewing a channel's rotating token pair (X's OAuth tokens, Bluesky's
//! session) once, however many tasks and processes find it stale at once.
//!
//! Invariants: a renewal runs with the client's own lock and the credential
//! store's cross-process lease held, and starts by re-reading the stored
//! pair: whoever waited uses the pair another renewal just stored instead
//! of spending the same single-use refresh token again.

use super::{CredentialStore, PlatformError};
use std::future::Future;

/// Why a renewal is asked for.
#[derive(Clone, Copy, Debug)]
pub enum Need<'a> {
    /// The access token is about to expire: any fresh pair will do.
    Expiring,
    /// The platform refused this access token (or the caller wants it
    /// replaced): only a different, fresh pair will do.
    Replace(&'a str),
}

impl Need<'_> {
    /// Whether a stored pair (fresh or not, with this access token) already
    /// answers the need, so nothing must be renewed.
    pub fn met_by(self, fresh: bool, access_token: &str) -> bool {
        match self {
            Need::Expiring => fresh,
            Need::Replace(refused) => fresh && access_token != refused,
        }
    }
}

/// Runs `renew` single-flight: under `lock` (this client) and the store's
/// refresh lease (every process sharing the store), released either way.
pub async fn single_flight<T, F>(
    lock: &tokio::sync::Mutex<()>,
    store: &dyn CredentialStore,
    renew: F,
) -> Result<T, PlatformError>
where
    F: Future<Output = Result<T, PlatformError>>,
{
    let _guard = lock.lock().await;
    store.lock_refresh().await?;
    let result = renew.await;
    store.unlock_refresh().await;
    result
}
