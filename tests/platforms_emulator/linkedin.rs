//! The LinkedIn client against the emulator's LinkedIn: versioned calls,
//! little text, images, the duplicate detector, reconciling, token renewal
//! and share statistics, with the ledger as the oracle.

use super::{committed, cover, emulator, Recorder};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tongbu::emulator::{EmuPlatform, Fault, FaultRule, FaultScope, RunningEmulator, DEMO};
use tongbu::platforms::{
    self, CredentialStore, Credentials, Endpoints, MemoryCredentials, PlatformClient,
    PlatformError, PublishRequest, Reconciled, RemotePost,
};

fn demo_creds(expires_in: chrono::Duration) -> Credentials {
    Credentials::Linkedin {
        organization_id: DEMO.linkedin.organization_id.into(),
        client_id: DEMO.linkedin.client_id.into(),
        client_secret: DEMO.linkedin.client_secret.into(),
        access_token: DEMO.linkedin.access_token.into(),
        expires_at: Utc::now() + expires_in,
        refresh_token: Some(DEMO.linkedin.refresh_token.into()),
        refresh_expires_at: Some(Utc::now() + chrono::Duration::days(300)),
    }
}

fn demo_with(
    emu: &RunningEmulator,
    creds: Credentials,
) -> (Arc<dyn PlatformClient>, Arc<MemoryCredentials>) {
    let mut endpoints = Endpoints::single_host(&emu.base_url);
    endpoints.timeout = Duration::from_secs(5);
    let store = MemoryCredentials::new(creds);
    (
        platforms::client_for(EmuPlatform::Linkedin, &endpoints, store.clone()).unwrap(),
        store,
    )
}

fn demo(emu: &RunningEmulator) -> Arc<dyn PlatformClient> {
    demo_with(emu, demo_creds(chrono::Duration::days(30))).0
}

fn request(text: &str) -> PublishRequest {
    PublishRequest {
        delivery_key: "li-1".into(),
        text: text.into(),
        title: None,
        digest: None,
        link: None,
        media: Vec::new(),
        thread: false,
        resume: None,
    }
}

const POST: &str = "linkedin.post";

fn ledger_texts(emu: &RunningEmulator) -> Vec<String> {
    emu.emulator
        .ledger()
        .iter()
        .filter(|e| e.committed && e.kind == POST)
        .filter_map(|e| e.text.clone())
        .collect()
}

#[tokio::test]
async fn linkedin_publishes_reserved_characters_whole_with_an_image_and_its_figures_grow() {
    let emu = emulator().await;
    let c = demo(&emu);
    assert_eq!(
        c.account().await.unwrap().name,
        DEMO.linkedin.organization_name
    );
    // Unescaped, LinkedIn would cut this at the first parenthesis.
    let text = "新茶上市 (limited) — 50% off *today* #tea #茶 @ the shop [HK] 🍵";
    let mut r = request(text);
    r.media = vec![cover()];
    let kept = Recorder::default();
    let p = c.publish(&r, &kept).await.unwrap();
    assert!(p.remote_id.starts_with("urn:li:share:"), "{p:?}");
    assert_eq!(ledger_texts(&emu), vec![text.to_owned()], "published whole");
    assert_eq!(committed(&emu, "linkedin.image"), 1);
    assert!(kept.last().unwrap()["images"][0]
        .as_str()
        .unwrap()
        .starts_with("urn:li:image:"));

    emu.emulator.advance(Duration::from_secs(8 * 3600));
    let reports = c
        .metrics(&[RemotePost {
            remote_id: p.remote_id.clone(),
            published_at: Utc::now(),
            extra: p.extra.clone(),
        }])
        .await
        .unwrap();
    let views = reports[0].metrics.views.clone().unwrap();
    assert_eq!(views.source, "impressionCount");
    assert!(views.value > 0);
    let reach = reports[0].metrics.reach.clone().unwrap();
    assert_eq!(reach.source, "uniqueImpressionsCount");
    assert!(reach.value <= views.value);
}

#[tokio::test]
async fn linkedin_a_post_made_before_a_500_is_found_and_a_resend_is_named_a_duplicate() {
    let emu = emulator().await;
    let c = demo(&emu);
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::Linkedin, Fault::ErrorAfterCommit).times(1));
    let r = request("Made, then answered 500");
    let started = Utc::now();
    let err = c.publish(&r, &Recorder::default()).await.unwrap_err();
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
    let found = match c.reconcile(&r, started).await.unwrap() {
        Reconciled::Found(p) => p,
        other => panic!("{other:?}"),
    };
    // Sent again anyway, LinkedIn's duplicate detector names the same post.
    match c.publish(&r, &Recorder::default()).await.unwrap_err() {
        PlatformError::AlreadyDone { remote_id, .. } => assert_eq!(remote_id, found.remote_id),
        other => panic!("{other:?}"),
    }
    assert_eq!(committed(&emu, POST), 1);
    // A post that was never made is proven absent.
    assert_eq!(
        c.reconcile(&request("Never sent"), started).await.unwrap(),
        Reconciled::Absent
    );
}

#[tokio::test]
async fn linkedin_an_expired_token_is_renewed_and_a_revoked_one_asks_to_reconnect() {
    let emu = emulator().await;
    let (c, store) = demo_with(&emu, demo_creds(chrono::Duration::days(30)));
    emu.emulator.inject(
        FaultRule::new(EmuPlatform::Linkedin, Fault::TokenExpired)
            .scope(FaultScope::All)
            .times(1),
    );
    c.publish(&request("After a renewal"), &Recorder::default())
        .await
        .unwrap();
    let Credentials::Linkedin { access_token, .. } = store.load().await.unwrap() else {
        panic!()
    };
    assert_ne!(
        access_token, DEMO.linkedin.access_token,
        "renewed and stored"
    );
    assert_eq!(committed(&emu, POST), 1);

    emu.emulator
        .inject(FaultRule::new(EmuPlatform::Linkedin, Fault::TokenRevoked).scope(FaultScope::All));
    let err = c
        .publish(&request("Revoked"), &Recorder::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
    assert_eq!(committed(&emu, POST), 1);
}

#[tokio::test]
async fn linkedin_a_throttled_post_is_tried_again_later_and_nothing_is_made() {
    let emu = emulator().await;
    let c = demo(&emu);
    emu.emulator.inject(
        FaultRule::new(
            EmuPlatform::Linkedin,
            Fault::RateLimit {
                reset_after_secs: 30,
            },
        )
        .times(1),
    );
    let err = c
        .publish(&request("Throttled"), &Recorder::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::RetryAt { .. }), "{err:?}");
    assert_eq!(committed(&emu, POST), 0);
}
