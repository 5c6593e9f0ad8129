//! Channels: a workspace's accounts on each platform. Creating and editing
//! them, connecting them to an account (`connect`), their sealed
//! credentials and per-channel platform clients (`credentials`), their
//! egress (API base URLs and proxy) and health.
//!
//! Only admins and owners configure channels; every member may list them.
//! Nothing secret leaves this module towards the browser: views carry the
//! account's name and the channel's health, never a token, and a proxy's
//! password is masked.

pub mod connect;
pub mod credentials;

use super::access::{Member, Need};
use super::error::schedule_error;
use super::state::AppState;
use crate::domain::content::Platform;
use crate::domain::post::{ChannelView, Connection, ConnectionStatus};
use crate::domain::schedule;
use crate::domain::{AppError, ChannelId, WorkspaceId};
use crate::i18n::Msg;
use crate::platforms::Credentials;
use crate::platforms::PlatformError;
use crate::store::{ChannelRow, Egress, Health};

pub fn channel_view(row: &ChannelRow) -> Result<ChannelView, AppError> {
    Ok(ChannelView {
        id: row.id,
        platform: row.platform,
        name: row.name.clone(),
        time_zone: row.time_zone.clone(),
        slots: row.slots.clone(),
        emulated: row.emulated,
        created_at: row.created_at,
        connection: Connection {
            status: row.auth_status,
            account_name: row.account_name.clone(),
            account_id: row.account_id.clone(),
            token_expires_at: row.token_expires_at,
            connected_at: row.connected_at,
            last_success_at: row.last_success_at,
            last_error: row.last_error.clone(),
            last_error_at: row.last_error_at,
            api_base: row.api_base.clone(),
            auth_base: row.auth_base.clone(),
            proxy: row.proxy.as_deref().map(mask_password),
        },
        text_limit: row
            .text_limit
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n > 0),
    })
}

/// `socks5://user:secret@host:1080` → `socks5://user:***@host:1080`.
pub fn mask_password(url: &str) -> String {
    super::config::mask_url_password(url, "***")
}

pub async fn channels(state: &AppState, m: &Member) -> Result<Vec<ChannelView>, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    state
        .store
        .channels(ws)
        .await?
        .iter()
        .map(channel_view)
        .collect()
}

/// One live channel of the workspace, or `NotFound`.
pub async fn channel_row(
    state: &AppState,
    ws: WorkspaceId,
    id: ChannelId,
) -> Result<ChannelRow, AppError> {
    state.store.channel(ws, id).await?.ok_or(AppError::NotFound)
}

fn parse_channel_fields(
    name: &str,
    zone: &str,
    slots: &str,
) -> Result<(String, String, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(Some("name"), Msg::ErrChannelName));
    }
    let zone = zone.trim();
    schedule::parse_zone(zone).map_err(|e| match schedule_error(&e) {
        // The channel's field, not a post's schedule.
        AppError::Invalid { key, message, .. } => AppError::Invalid {
            field: Some("time_zone".into()),
            key,
            message,
        },
        other => other,
    })?;
    let slots = slots.trim();
    if !slots.is_empty() {
        schedule::parse_slots(slots).map_err(|e| schedule_error(&e))?;
    }
    Ok((name.to_owned(), zone.to_owned(), slots.to_owned()))
}

/// Adds a channel of `platform`, not yet connected to an account. With
/// `emulated`, its traffic goes to the built-in platform emulator (refused
/// when none is running).
pub async fn create_channel(
    state: &AppState,
    m: &Member,
    platform: Platform,
    name: &str,
    zone: &str,
    slots: &str,
    emulated: bool,
) -> Result<ChannelView, AppError> {
    m.require(Need::Configure)?;
    let ws = m.ws();
    let (name, zone, slots) = parse_channel_fields(name, zone, slots)?;
    let base = if emulated {
        Some(
            state
                .emulator_url
                .clone()
                .ok_or_else(|| AppError::invalid(Some("emulated"), Msg::ErrNoEmulator))?,
        )
    } else {
        None
    };
    let row = state
        .store
        .create_channel(
            ws,
            crate::store::NewChannel {
                platform,
                name,
                time_zone: zone,
                slots,
                emulated,
                api_base: base.clone(),
                auth_base: base,
            },
            m.id(),
            state.now(),
        )
        .await?;
    channel_view(&row)
}

pub async fn update_channel(
    state: &AppState,
    m: &Member,
    id: ChannelId,
    name: &str,
    zone: &str,
    slots: &str,
) -> Result<ChannelView, AppError> {
    m.require(Need::Configure)?;
    let ws = m.ws();
    let (name, zone, slots) = parse_channel_fields(name, zone, slots)?;
    let row = state
        .store
        .update_channel(ws, id, &name, &zone, &slots, m.id(), state.now())
        .await?;
    channel_view(&row)
}

/// Checks an `http(s)://` base URL: scheme and host only matter.
fn parse_base(field: &'static str, text: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match url::Url::parse(t) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(Some(t.trim_end_matches('/').to_owned()))
        }
        _ => Err(AppError::invalid(Some(field), Msg::ErrBaseUrl)),
    }
}

/// Sets where the channel's traffic goes: custom API and sign-in base URLs
/// (empty: the platform's own) and an egress proxy (`http://`, `https://`
/// or `socks5://`; empty: direct). A proxy given with its password masked
/// (as the page shows it) keeps the stored password.
pub async fn set_egress(
    state: &AppState,
    m: &Member,
    id: ChannelId,
    api_base: Option<&str>,
    auth_base: Option<&str>,
    proxy: Option<&str>,
) -> Result<ChannelView, AppError> {
    m.require(Need::Configure)?;
    let ws = m.ws();
    let current = channel_row(state, ws, id).await?;
    let api_base = parse_base("api_base", api_base)?;
    let auth_base = parse_base("auth_base", auth_base)?.or_else(|| api_base.clone());
    let proxy = match proxy.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => {
            let p = match &current.proxy {
                Some(stored) if mask_password(stored) == p => stored.clone(),
                _ => p.to_owned(),
            };
            crate::platforms::http::parse_proxy(&p).map_err(|reason| AppError::Invalid {
                field: Some("proxy".into()),
                key: Msg::ErrProxy.key().into(),
                message: reason,
            })?;
            Some(p)
        }
    };
    let row = state
        .store
        .set_egress(
            ws,
            id,
            Egress {
                api_base,
                auth_base,
                proxy,
            },
            m.id(),
            state.now(),
        )
        .await?;
    state.clients.forget(id);
    channel_view(&row)
}

/// Asks the platform who the channel's credentials belong to and records
/// the answer as the channel's health.
pub async fn check_health(
    state: &AppState,
    m: &Member,
    id: ChannelId,
) -> Result<ChannelView, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    let row = channel_row(state, ws, id).await?;
    if row.auth_status == ConnectionStatus::NotConnected {
        return Err(AppError::conflict(Msg::ErrNotConnected));
    }
    let client = state.clients.client(ws, &row).await?;
    let outcome = client.account().await;
    record(state, ws, id, outcome.as_ref().map(|_| ())).await;
    if let Err(e) = &outcome {
        return Err(credentials::platform_refusal(e));
    }
    channel_view(&channel_row(state, ws, id).await?)
}

/// Records a call's outcome as the channel's health. Only an authorization
/// failure flags the channel for reconnecting; transient errors never do.
pub async fn record(
    state: &AppState,
    ws: WorkspaceId,
    id: ChannelId,
    outcome: Result<(), &PlatformError>,
) {
    let text;
    let health = match outcome {
        Ok(()) => Health::Success,
        Err(PlatformError::Reauthorize { reason }) => {
            text = reason.clone();
            Health::AuthFailure(&text)
        }
        Err(e) => {
            text = e.to_string();
            Health::Failure(&text)
        }
    };
    if let Err(e) = state.store.record_health(ws, id, health, state.now()).await {
        tracing::warn!(channel = %id, error = %e, "could not record channel health");
    }
}

/// The account's server's own text limit, asked through the channel's
/// client (only Mastodon instances say); none when it cannot be read.
async fn server_text_limit(
    state: &AppState,
    m: &Member,
    id: ChannelId,
    creds: &Credentials,
) -> Result<Option<usize>, AppError> {
    let row = channel_row(state, m.ws(), id).await?;
    let client = crate::platforms::client_for(
        row.platform,
        &state.clients.endpoints(&row, row.platform),
        crate::platforms::MemoryCredentials::new(creds.clone()),
    );
    Ok(match client {
        Ok(c) => c.text_limit().await,
        Err(_) => None,
    })
}

/// Seals `creds` onto the channel and records whose account it is now
/// connected to; the channel's old client is dropped.
pub async fn store_connection(
    state: &AppState,
    m: &Member,
    id: ChannelId,
    creds: Credentials,
    account_name: String,
) -> Result<ChannelView, AppError> {
    m.require(Need::Configure)?;
    let text_limit = server_text_limit(state, m, id, &creds).await?;
    let row = state
        .store
        .connect_channel(
            m.ws(),
            id,
            crate::store::Connection {
                account_id: creds.account_id().to_owned(),
                account_name,
                credentials: state.clients.seal(id, &creds)?,
                token_expires_at: creds.expires_at(),
                text_limit: text_limit.and_then(|n| i64::try_from(n).ok()),
            },
            m.id(),
            state.now(),
        )
        .await?;
    state.clients.forget(id);
    tracing::info!(
        channel = %id,
        platform = row.platform.as_str(),
        "channel connected"
    );
    channel_view(&row)
}
