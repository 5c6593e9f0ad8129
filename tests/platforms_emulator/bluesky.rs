//! The Bluesky client against the emulator's PDS: sign-in from a handle,
//! posts under kept record keys, and the ledger as the oracle that a lost
//! answer, a hang or a retry never makes a second post.

use super::{committed, cover, emulator, Recorder};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tongbu::emulator::{EmuPlatform, Fault, FaultRule, FaultScope, RunningEmulator, DEMO};
use tongbu::platforms::{
    self, bluesky, Credentials, Endpoints, MemoryCredentials, PlatformClient, PlatformError,
    PublishRequest, Reconciled, RemotePost,
};

async fn signed_in(
    emu: &RunningEmulator,
    timeout: Duration,
) -> (Arc<dyn PlatformClient>, Arc<MemoryCredentials>) {
    let mut endpoints = Endpoints::single_host(&emu.base_url);
    endpoints.timeout = timeout;
    let http = platforms::http::build(&endpoints).unwrap();
    let creds = bluesky::sign_in(
        &http,
        &endpoints,
        &format!("@{}", DEMO.bluesky.handle),
        DEMO.bluesky.app_password,
    )
    .await
    .unwrap();
    let store = MemoryCredentials::new(creds);
    let c = platforms::client_for(EmuPlatform::Bluesky, &endpoints, store.clone()).unwrap();
    (c, store)
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

const POST: &str = "bluesky.post";

#[tokio::test]
async fn bluesky_signs_in_from_a_handle_and_publishes_a_thread_with_an_image_and_a_mention() {
    let emu = emulator().await;
    let (c, creds) = signed_in(&emu, Duration::from_secs(10)).await;
    match creds.0.lock().await.clone() {
        Credentials::Bluesky { did, pds, .. } => {
            assert_eq!(did, DEMO.bluesky.did);
            // The DID document names this same host.
            assert_eq!(pds, None);
        }
        _ => unreachable!(),
    }
    assert_eq!(
        c.account().await.unwrap().name,
        format!("@{}", DEMO.bluesky.handle)
    );
    let mut r = request(
        "b1",
        &format!(
            "新茶上市 @{} #tea https://example.com/tea {}",
            DEMO.bluesky.friend_handle,
            "Spring leaves, picked by hand. ".repeat(12)
        ),
    );
    r.thread = true;
    r.media = vec![cover()];
    let p = c.publish(&r, &Recorder::default()).await.unwrap();
    let uris = p.extra["uris"].as_array().unwrap();
    assert!(uris.len() >= 2, "{p:?}");
    assert_eq!(committed(&emu, POST), uris.len());
    assert_eq!(committed(&emu, "bluesky.blob"), 1);
    assert!(p
        .remote_id
        .starts_with(&format!("at://{}/app.bsky.feed.post/", DEMO.bluesky.did)));

    // The figures grow and keep Bluesky's names.
    emu.emulator.advance(Duration::from_secs(6 * 3600));
    let reports = c
        .metrics(&[RemotePost {
            remote_id: p.remote_id.clone(),
            published_at: Utc::now(),
            extra: p.extra.clone(),
        }])
        .await
        .unwrap();
    let likes = reports[0].metrics.reactions.clone().unwrap();
    assert_eq!(likes.source, "likeCount");
    assert!(likes.value > 0);
}

#[tokio::test]
async fn bluesky_a_lost_answer_is_adopted_from_the_repository_not_posted_twice() {
    let emu = emulator().await;
    let (c, _) = signed_in(&emu, Duration::from_secs(10)).await;
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::Bluesky, Fault::ErrorAfterCommit).times(1));
    let p = c
        .publish(
            &request("b2", "Created, then answered 500"),
            &Recorder::default(),
        )
        .await
        .unwrap();
    assert_eq!(committed(&emu, POST), 1);
    assert!(p.remote_id.starts_with("at://"));
}

#[tokio::test]
async fn bluesky_a_hang_is_sent_again_under_the_same_key_and_reconciles_exactly() {
    let emu = emulator().await;
    let (c, _) = signed_in(&emu, Duration::from_millis(500)).await;
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::Bluesky, Fault::Hang).times(1));
    let kept = Recorder::default();
    let mut r = request("b3", "Hangs once");
    let err = c.publish(&r, &kept).await.unwrap_err();
    assert!(
        matches!(
            err,
            PlatformError::RetryAt { .. } | PlatformError::Unknown { .. }
        ),
        "{err:?}"
    );
    assert_eq!(committed(&emu, POST), 0);
    r.resume = kept.last();
    assert_eq!(
        c.reconcile(&r, Utc::now()).await.unwrap(),
        Reconciled::Absent
    );
    let p = c.publish(&r, &Recorder::default()).await.unwrap();
    // Sent twice, created once; a third try lands on the same record.
    let again = c.publish(&r, &Recorder::default()).await.unwrap();
    assert_eq!(again.remote_id, p.remote_id);
    assert_eq!(committed(&emu, POST), 1);
    match c.reconcile(&r, Utc::now()).await.unwrap() {
        Reconciled::Found(found) => assert_eq!(found.remote_id, p.remote_id),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bluesky_an_expired_session_is_renewed_and_a_revoked_app_password_asks_to_reconnect() {
    let emu = emulator().await;
    let (c, creds) = signed_in(&emu, Duration::from_secs(10)).await;
    let before = match creds.0.lock().await.clone() {
        Credentials::Bluesky { refresh_jwt, .. } => refresh_jwt,
        _ => unreachable!(),
    };
    emu.emulator.inject(
        FaultRule::new(EmuPlatform::Bluesky, Fault::TokenExpired)
            .scope(FaultScope::All)
            .times(1),
    );
    c.publish(&request("b4", "After a renewal"), &Recorder::default())
        .await
        .unwrap();
    match creds.0.lock().await.clone() {
        Credentials::Bluesky { refresh_jwt, .. } => {
            assert_ne!(refresh_jwt, before, "the rotated refresh token was kept")
        }
        _ => unreachable!(),
    }
    emu.emulator.inject(
        FaultRule::new(EmuPlatform::Bluesky, Fault::TokenRevoked)
            .scope(FaultScope::All)
            .times(1),
    );
    let err = c
        .publish(&request("b5", "Revoked"), &Recorder::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
    assert_eq!(committed(&emu, POST), 1);
}
