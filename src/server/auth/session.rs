//! Cookie sessions on the active database (tower-sessions).
//!
//! A session remembers the user, the user's session epoch (bumped on every
//! password change, which ends all other sessions), when the person signed
//! in (for the absolute timeout) and when it was last refreshed (the idle
//! timeout slides, but the row is only rewritten once a minute).

use super::super::state::AppState;
use crate::domain::AppError;
use crate::store::session_store::DbSessionStore;
use crate::store::UserRow;
use chrono::{DateTime, Duration, Utc};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

pub const COOKIE_NAME: &str = "tongbu_session";
const USER: &str = "uid";
const EPOCH: &str = "epoch";
const SIGNED_IN_AT: &str = "auth_at";
const REFRESHED_AT: &str = "seen";
const REFRESH_EVERY_SECS: i64 = 60;

pub fn layer(state: &AppState) -> SessionManagerLayer<DbSessionStore> {
    let store = DbSessionStore::new(state.store.clone(), state.clock.clone());
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            state.config.session_idle_minutes,
        )))
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    super::super::error::internal(format!("session: {e}"))
}

/// Starts an authenticated session under a new id (the old id, which an
/// attacker might have planted, dies).
pub async fn sign_in(
    session: &Session,
    user: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(USER, user.id).await.map_err(session_error)?;
    session
        .insert(EPOCH, user.session_epoch)
        .await
        .map_err(session_error)?;
    session
        .insert(SIGNED_IN_AT, now.timestamp())
        .await
        .map_err(session_error)?;
    session
        .insert(REFRESHED_AT, now.timestamp())
        .await
        .map_err(session_error)?;
    Ok(())
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// Re-reads the user's epoch after a password change so the session that
/// made the change stays signed in while all others end.
pub async fn adopt_epoch(session: &Session, epoch: i64) -> Result<(), AppError> {
    session.insert(EPOCH, epoch).await.map_err(session_error)
}

/// The signed-in user, or None. Ends the session when it outlived the
/// absolute timeout or the user's password changed since.
pub async fn current_user(
    session: &Session,
    state: &AppState,
) -> Result<Option<UserRow>, AppError> {
    let Some(uid) = session.get::<i64>(USER).await.map_err(session_error)? else {
        return Ok(None);
    };
    let now = state.now();
    let epoch = session
        .get::<i64>(EPOCH)
        .await
        .map_err(session_error)?
        .unwrap_or(-1);
    let signed_in = session
        .get::<i64>(SIGNED_IN_AT)
        .await
        .map_err(session_error)?
        .unwrap_or(0);
    let absolute = Duration::hours(state.config.session_absolute_hours);
    let too_old = DateTime::from_timestamp(signed_in, 0).is_none_or(|t| t + absolute <= now);
    let user = state.store.user_by_id(crate::domain::UserId(uid)).await?;
    match user {
        Some(user) if user.session_epoch == epoch && !too_old => {
            let refreshed = session
                .get::<i64>(REFRESHED_AT)
                .await
                .map_err(session_error)?
                .unwrap_or(0);
            if now.timestamp() - refreshed >= REFRESH_EVERY_SECS {
                // Marks the session modified, so the store row and the
                // cookie get a fresh idle expiry.
                session
                    .insert(REFRESHED_AT, now.timestamp())
                    .await
                    .map_err(session_error)?;
            }
            Ok(Some(user))
        }
        _ => {
            session.flush().await.map_err(session_error)?;
            Ok(None)
        }
    }
}
