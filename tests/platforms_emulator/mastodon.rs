//! The Mastodon client against the emulator's instance: idempotency keys,
//! asynchronous media, threads, reconciling, with the ledger as the oracle.

use super::{committed, cover, emulator, Recorder};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tongbu::emulator::{EmuPlatform, Fault, FaultRule, FaultScope, RunningEmulator, DEMO};
use tongbu::platforms::mastodon::StatusOptions;
use tongbu::platforms::{
    self, Credentials, Endpoints, MemoryCredentials, PlatformClient, PlatformError, PublishRequest,
    Reconciled, RemotePost,
};

fn demo(emu: &RunningEmulator, timeout: Duration) -> Arc<dyn PlatformClient> {
    let mut endpoints = Endpoints::single_host(&emu.base_url);
    endpoints.timeout = timeout;
    let creds = MemoryCredentials::new(Credentials::Mastodon {
        account_id: DEMO.mastodon.account_id.into(),
        username: DEMO.mastodon.username.into(),
        instance: None,
        client_id: String::new(),
        client_secret: String::new(),
        access_token: DEMO.mastodon.access_token.into(),
        options: StatusOptions {
            visibility: Some("unlisted".into()),
            spoiler_text: None,
        },
    });
    platforms::client_for(EmuPlatform::Mastodon, &endpoints, creds).unwrap()
}

fn request(key: &str, text: &str) -> PublishRequest {
    PublishRequest {
        delivery_key: key.into(),
        text: text.into(),
        title: None,
        digest: None,
        link: None,
        media: Vec::new(),
        thread: false,
        resume: None,
    }
}

const STATUS: &str = "mastodon.status";

#[tokio::test]
async fn mastodon_publishes_a_thread_with_processed_media_and_its_figures_grow() {
    let emu = emulator().await;
    let c = demo(&emu, Duration::from_secs(10));
    assert!(c.account().await.unwrap().name.starts_with("@tongbu_demo@"));
    let mut r = request(
        "m1",
        &"Spring oolong, picked by hand on the hills. ".repeat(14),
    );
    r.thread = true;
    r.media = vec![cover()];
    let p = c.publish(&r, &Recorder::default()).await.unwrap();
    let ids = p.extra["status_ids"].as_array().unwrap();
    assert!(ids.len() >= 2, "{p:?}");
    assert_eq!(committed(&emu, STATUS), ids.len());
    assert_eq!(committed(&emu, "mastodon.media"), 1);
    emu.emulator.advance(Duration::from_secs(6 * 3600));
    let reports = c
        .metrics(&[RemotePost {
            remote_id: p.remote_id.clone(),
            published_at: Utc::now(),
            extra: p.extra.clone(),
        }])
        .await
        .unwrap();
    let favourites = reports[0].metrics.reactions.clone().unwrap();
    assert_eq!(favourites.source, "favourites_count");
    assert!(favourites.value > 0);
}

#[tokio::test]
async fn mastodon_a_repeat_with_the_same_key_is_answered_with_the_original() {
    let emu = emulator().await;
    let c = demo(&emu, Duration::from_secs(10));
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::Mastodon, Fault::ErrorAfterCommit).times(1));
    let r = request("m2", "Created, then answered 503");
    let err = c.publish(&r, &Recorder::default()).await.unwrap_err();
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
    let found = match c.reconcile(&r, Utc::now()).await.unwrap() {
        Reconciled::Found(p) => p,
        other => panic!("{other:?}"),
    };
    // Even sent again, the key brings back the same status.
    let again = c.publish(&r, &Recorder::default()).await.unwrap();
    assert_eq!(again.remote_id, found.remote_id);
    assert_eq!(committed(&emu, STATUS), 1);
}

#[tokio::test]
async fn mastodon_a_revoked_token_asks_to_reconnect() {
    let emu = emulator().await;
    let c = demo(&emu, Duration::from_secs(10));
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::Mastodon, Fault::TokenRevoked).scope(FaultScope::All));
    let err = c
        .publish(&request("m3", "Revoked"), &Recorder::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
    assert_eq!(committed(&emu, STATUS), 0);
}
