//! Sign-in throttling, per account and per client address, stored in the
//! database so every process sees the same counts.

use crate::domain::AppError;
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;

pub const WINDOW_MINUTES: i64 = 15;
/// Failures for one account within the window before it is locked.
pub const MAX_PER_ACCOUNT: i64 = 5;
/// Failures from one address within the window (it may try many accounts).
pub const MAX_PER_ADDRESS: i64 = 20;

pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

pub fn address_key(ip: IpAddr) -> String {
    format!("address:{ip}")
}

/// Refuses with `Throttled` when either the account or the address has used
/// up its failures; the error says how long until the oldest one expires.
pub async fn check(
    store: &dyn Store,
    email: &str,
    ip: IpAddr,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let window = Duration::minutes(WINDOW_MINUTES);
    for (key, max) in [
        (account_key(email), MAX_PER_ACCOUNT),
        (address_key(ip), MAX_PER_ADDRESS),
    ] {
        let (count, oldest) = store.login_failures(&key, now - window).await?;
        if count >= max {
            let until = oldest.unwrap_or(now) + window;
            let secs = (until - now).num_seconds().max(1) as u64;
            return Err(AppError::Throttled {
                retry_after_secs: secs,
            });
        }
    }
    Ok(())
}

pub async fn record_failure(
    store: &dyn Store,
    email: &str,
    ip: IpAddr,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    store.record_login_failure(&account_key(email), now).await?;
    store.record_login_failure(&address_key(ip), now).await?;
    Ok(())
}

pub async fn record_success(store: &dyn Store, email: &str) -> Result<(), AppError> {
    store.clear_login_failures(&account_key(email)).await?;
    Ok(())
}
