//! The demo: channels a new user gets on the first run, connected to the
//! built-in platform emulator's seeded accounts.
//!
//! This is the one place outside the emulator that knows those accounts
//! (`emulator::DEMO`): connect flows, clients and the scheduler treat an
//! emulated channel like any other, and only learn its OAuth app from here.

use super::access::Member;
use super::channels::{create_channel, store_connection};
use super::state::AppState;
use crate::domain::content::Platform;
use crate::domain::post::ChannelView;
use crate::domain::{AppError, ChannelId};
use crate::emulator::{Emulator, DEMO};
use crate::i18n::Msg;
use crate::platforms::Credentials;

/// The demo's channels: the three platforms of the product's promise,
/// Bluesky, Mastodon and LinkedIn, each with its audience's zone and
/// typical posting slots, connected to the built-in emulator's demo
/// accounts when it runs.
pub async fn add_demo_channels(state: &AppState, m: &Member) -> Result<(), AppError> {
    let demo = [
        (
            Platform::Wechat,
            "Harbour Tea 公众号",
            "Asia/Shanghai",
            "Mon-Fri 08:00, 20:00",
        ),
        (
            Platform::Facebook,
            "Harbour Tea US",
            "America/New_York",
            "Mon-Fri 09:00, 18:00",
        ),
        (
            Platform::X,
            "@harbourtea",
            "America/Los_Angeles",
            "Mon-Sun 09:00, 12:00, 17:00",
        ),
        (
            Platform::Bluesky,
            "Harbour Tea on Bluesky",
            "America/Vancouver",
            "Mon-Fri 10:00, 16:00",
        ),
        (
            Platform::Mastodon,
            "Harbour Tea on Mastodon",
            "Europe/London",
            "Mon-Fri 08:30, 19:00",
        ),
        (
            Platform::Linkedin,
            "Harbour Tea on LinkedIn",
            "Asia/Singapore",
            "Tue-Thu 09:00, 12:30",
        ),
    ];
    let emulated = state.emulator_url.is_some();
    for (platform, name, zone, slots) in demo {
        let ch = create_channel(state, m, platform, name, zone, slots, emulated).await?;
        if emulated {
            connect_demo(state, m, ch.id, platform).await?;
        }
    }
    Ok(())
}

/// Connects a demo channel to the emulator's seeded account of its
/// platform, so a new user can publish without signing in anywhere.
pub async fn connect_demo(
    state: &AppState,
    m: &Member,
    id: ChannelId,
    platform: Platform,
) -> Result<ChannelView, AppError> {
    let (creds, name) = match platform {
        Platform::Wechat => (
            Credentials::Wechat {
                app_id: DEMO.wechat.app_id.into(),
                app_secret: DEMO.wechat.app_secret.into(),
            },
            DEMO.wechat.name.to_owned(),
        ),
        Platform::Facebook => (
            Credentials::Facebook {
                page_id: DEMO.facebook.page_id.into(),
                page_token: DEMO.facebook.page_token.into(),
            },
            DEMO.facebook.page_name.to_owned(),
        ),
        Platform::X => (
            Credentials::X {
                user_id: DEMO.x.user_id.into(),
                client_id: DEMO.x.client_id.into(),
                client_secret: None,
                access_token: DEMO.x.access_token.into(),
                refresh_token: DEMO.x.refresh_token.into(),
                // Refreshed (and rotated) on first use.
                expires_at: state.now(),
            },
            DEMO.x.name.to_owned(),
        ),
        Platform::Bluesky => (
            Credentials::Bluesky {
                did: DEMO.bluesky.did.into(),
                handle: DEMO.bluesky.handle.into(),
                pds: None,
                app_password: DEMO.bluesky.app_password.into(),
                // No session yet: the first call finds none and signs in
                // with the app password, as after an expired session.
                access_jwt: String::new(),
                refresh_jwt: String::new(),
                access_expires_at: state.now(),
            },
            format!("@{}", DEMO.bluesky.handle),
        ),
        Platform::Mastodon => (
            Credentials::Mastodon {
                account_id: DEMO.mastodon.account_id.into(),
                username: DEMO.mastodon.username.into(),
                instance: None,
                // The seeded token was granted without an app of ours; a
                // reconnect registers one.
                client_id: String::new(),
                client_secret: String::new(),
                access_token: DEMO.mastodon.access_token.into(),
                options: Default::default(),
            },
            format!("@{}", DEMO.mastodon.username),
        ),
        Platform::Linkedin => (
            Credentials::Linkedin {
                organization_id: DEMO.linkedin.organization_id.into(),
                client_id: DEMO.linkedin.client_id.into(),
                client_secret: DEMO.linkedin.client_secret.into(),
                access_token: DEMO.linkedin.access_token.into(),
                // The seeded token's lifetime, from the emulator's seeding.
                expires_at: state.now() + chrono::Duration::days(59),
                refresh_token: Some(DEMO.linkedin.refresh_token.into()),
                refresh_expires_at: Some(state.now() + chrono::Duration::days(364)),
            },
            DEMO.linkedin.organization_name.to_owned(),
        ),
        _ => return Err(AppError::invalid(None, Msg::ErrWrongPlatform)),
    };
    store_connection(state, m, id, creds, name).await
}

/// Connects an X channel to the emulator's demo account with a token
/// family of its own, as a completed consent grants one, without a
/// browser: channels sharing one family would spend each other's
/// single-use refresh tokens, and a revoked family stays revoked.
pub async fn connect_demo_consent(
    state: &AppState,
    m: &Member,
    id: ChannelId,
    emulator: &Emulator,
) -> Result<ChannelView, AppError> {
    let (access_token, refresh_token, expires_at) = emulator.grant_demo_x_tokens();
    let creds = Credentials::X {
        user_id: DEMO.x.user_id.into(),
        client_id: DEMO.x.client_id.into(),
        client_secret: None,
        access_token,
        refresh_token,
        expires_at,
    };
    store_connection(state, m, id, creds, DEMO.x.name.to_owned()).await
}

/// The OAuth app (client id, secret) an emulated channel of `platform`
/// connects with: the emulator's seeded one.
pub fn oauth_app(platform: Platform) -> Option<(String, Option<String>)> {
    match platform {
        Platform::Facebook => Some((
            DEMO.facebook.app_id.to_owned(),
            Some(DEMO.facebook.app_secret.to_owned()),
        )),
        Platform::X => Some((DEMO.x.client_id.to_owned(), None)),
        Platform::Linkedin => Some((
            DEMO.linkedin.client_id.to_owned(),
            Some(DEMO.linkedin.client_secret.to_owned()),
        )),
        _ => None,
    }
}

/// Starts the built-in platform emulator beside the app and points the
/// emulated channels at it. Its state lives in the data folder so demo
/// channels keep working across restarts; its metrics age at the configured
/// speed (an hour per minute by default) so a new user sees reach grow
/// while they watch. Dropping the returned handle stops it.
pub async fn attach_emulator(
    state: &mut AppState,
) -> anyhow::Result<crate::emulator::RunningEmulator> {
    let config = &state.config;
    let emulator = crate::emulator::Emulator::new(crate::emulator::EmulatorOptions {
        speed: config.emulator_speed,
        state_file: Some(config.data_dir.join("emulator.json")),
        ..Default::default()
    })?;
    let running = emulator.serve(config.emulator_addr).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot start the platform emulator on {}: {e} (set TONGBU_EMULATOR_ADDR)",
            config.emulator_addr
        )
    })?;
    tracing::info!(url = %running.base_url, "platform emulator running");
    state.emulator_url = Some(running.base_url.clone());
    state.store.retarget_emulated(&running.base_url).await?;
    Ok(running)
}
