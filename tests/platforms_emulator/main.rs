//! The platform clients against the built-in emulator: both sides were
//! written from the platforms' documentation, and here they must agree.
//! Every create is checked against the emulator's ledger, so "published
//! once" means one create request reached the platform.

mod bluesky;
mod linkedin;
mod mastodon;

use chrono::{Duration as ChronoDuration, Utc};
use std::sync::Arc;
use std::time::Duration;
use tongbu::domain::content::Platform;
use tongbu::emulator::{
    EmuPlatform, Emulator, EmulatorOptions, Fault, FaultRule, FaultScope, RunningEmulator, DEMO,
};
use tongbu::platforms::{
    self, Credentials, Endpoints, MediaFile, MemoryCredentials, NoCheckpoint, PlatformClient,
    PlatformError, PublishRequest, Reconciled, RemotePost, Settled,
};

async fn emulator() -> RunningEmulator {
    Emulator::new(EmulatorOptions {
        publish_delay: Duration::ZERO,
        ..Default::default()
    })
    .unwrap()
    .serve("127.0.0.1:0".parse().unwrap())
    .await
    .unwrap()
}

fn credentials(platform: Platform) -> Credentials {
    match platform {
        Platform::Wechat => Credentials::Wechat {
            app_id: DEMO.wechat.app_id.into(),
            app_secret: DEMO.wechat.app_secret.into(),
        },
        Platform::Facebook => Credentials::Facebook {
            page_id: DEMO.facebook.page_id.into(),
            page_token: DEMO.facebook.page_token.into(),
        },
        _ => Credentials::X {
            user_id: DEMO.x.user_id.into(),
            client_id: DEMO.x.client_id.into(),
            client_secret: None,
            access_token: DEMO.x.access_token.into(),
            refresh_token: DEMO.x.refresh_token.into(),
            expires_at: Utc::now() + ChronoDuration::hours(1),
        },
    }
}

fn client(
    emu: &RunningEmulator,
    platform: Platform,
    timeout: Duration,
) -> (Arc<dyn PlatformClient>, Arc<MemoryCredentials>) {
    let mut endpoints = Endpoints::single_host(&emu.base_url);
    endpoints.timeout = timeout;
    let creds = MemoryCredentials::new(credentials(platform));
    let c = platforms::client_for(platform, &endpoints, creds.clone()).unwrap();
    (c, creds)
}

fn cover() -> MediaFile {
    // A 1×1 PNG.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    MediaFile {
        content_type: "image/png".into(),
        file_name: "cover.png".into(),
        alt: "cover".into(),
        bytes: Arc::new(PNG.to_vec()),
    }
}

fn request(key: &str, text: &str) -> PublishRequest {
    PublishRequest {
        delivery_key: key.into(),
        text: text.into(),
        title: Some(format!("Title {key}")),
        digest: None,
        link: None,
        media: Vec::new(),
        thread: false,
        resume: None,
    }
}

fn committed(emu: &RunningEmulator, kind: &str) -> usize {
    emu.emulator
        .ledger()
        .iter()
        .filter(|e| e.committed && e.kind == kind)
        .count()
}

#[tokio::test]
async fn wechat_publishes_a_cover_draft_and_submit_then_settles_with_the_article_url() {
    let emu = emulator().await;
    let (c, _) = client(&emu, Platform::Wechat, Duration::from_secs(10));
    let mut req = request("w1", "第一段\n\n第二段");
    req.media = vec![cover()];
    assert!(c.validate(&req).is_empty(), "{:?}", c.validate(&req));
    let published = c.publish(&req, &NoCheckpoint).await.unwrap();
    assert!(published.pending);
    assert_eq!(committed(&emu, "wechat.submit"), 1);
    let settled = c.settle(&published).await.unwrap();
    let Settled::Done(done) = settled else {
        panic!("{settled:?}")
    };
    assert!(
        done.url.as_deref().unwrap_or("").starts_with("http"),
        "{done:?}"
    );
    // The draft is consumed; reconciling by title finds the article.
    let mut retry = req.clone();
    retry.resume = Some(published.extra.clone());
    match c
        .reconcile(&retry, Utc::now() - ChronoDuration::minutes(1))
        .await
        .unwrap()
    {
        Reconciled::Found(_) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(c.account().await.unwrap().id, DEMO.wechat.app_id);
}

#[tokio::test]
async fn wechat_busy_on_submit_is_unknown_and_the_surviving_draft_proves_it_absent() {
    let emu = emulator().await;
    let (c, _) = client(&emu, Platform::Wechat, Duration::from_secs(10));
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::Wechat, Fault::ErrorBeforeCommit).times(1));
    let mut req = request("w2", "正文");
    req.media = vec![cover()];
    let progress = Arc::new(Recorder::default());
    let err = c.publish(&req, progress.as_ref()).await.unwrap_err();
    assert!(
        matches!(
            err,
            PlatformError::Unknown { .. } | PlatformError::RetryAt { .. }
        ),
        "{err:?}"
    );
    assert_eq!(committed(&emu, "wechat.submit"), 0);
    req.resume = progress.last();
    assert_eq!(
        c.reconcile(&req, Utc::now()).await.unwrap(),
        Reconciled::Absent
    );
    // Publishing again from the recorded progress creates it once.
    c.publish(&req, &NoCheckpoint).await.unwrap();
    assert_eq!(committed(&emu, "wechat.submit"), 1);
}

#[tokio::test]
async fn facebook_posts_reconciles_and_reads_growing_insights() {
    let emu = emulator().await;
    let (c, _) = client(&emu, Platform::Facebook, Duration::from_secs(10));
    let started = Utc::now() - ChronoDuration::minutes(2);
    let published = c
        .publish(&request("f1", "Launch day at the harbour"), &NoCheckpoint)
        .await
        .unwrap();
    assert!(published
        .remote_id
        .starts_with(&format!("{}_", DEMO.facebook.page_id)));
    assert_eq!(committed(&emu, "facebook.feed"), 1);
    match c
        .reconcile(&request("f1", "Launch day at the harbour"), started)
        .await
        .unwrap()
    {
        Reconciled::Found(found) => assert_eq!(found.remote_id, published.remote_id),
        other => panic!("{other:?}"),
    }
    let post = RemotePost {
        remote_id: published.remote_id.clone(),
        published_at: Utc::now(),
        extra: published.extra.clone(),
    };
    emu.emulator.advance(Duration::from_secs(6 * 3600));
    let early = c.metrics(std::slice::from_ref(&post)).await.unwrap();
    emu.emulator.advance(Duration::from_secs(48 * 3600));
    let later = c.metrics(std::slice::from_ref(&post)).await.unwrap();
    let views = |r: &[platforms::MetricsReport]| r[0].metrics.views.as_ref().map(|f| f.value);
    assert!(views(&early).unwrap_or(0) > 0, "{early:?}");
    assert!(views(&later) >= views(&early));
    assert_eq!(
        later[0].metrics.reach.as_ref().map(|f| f.source.as_str()),
        Some("post_total_media_view_unique")
    );
    assert!(
        later[0].metrics.saves.is_none(),
        "Facebook reports no saves"
    );
}

#[tokio::test]
async fn facebook_throttling_says_when_to_come_back() {
    let emu = emulator().await;
    let (c, _) = client(&emu, Platform::Facebook, Duration::from_secs(10));
    emu.emulator.inject(
        FaultRule::new(
            EmuPlatform::Facebook,
            Fault::RateLimit {
                reset_after_secs: 600,
            },
        )
        .times(1),
    );
    let err = c
        .publish(&request("f2", "Throttled"), &NoCheckpoint)
        .await
        .unwrap_err();
    let PlatformError::RetryAt { at: Some(at), .. } = err else {
        panic!("{err:?}")
    };
    assert!(at > Utc::now() + ChronoDuration::minutes(5), "{at}");
    assert_eq!(committed(&emu, "facebook.feed"), 0);
}

#[tokio::test]
async fn x_threads_are_chained_and_metrics_grow() {
    let emu = emulator().await;
    let (c, _) = client(&emu, Platform::X, Duration::from_secs(10));
    let long = "Tea harvest notes. ".repeat(30);
    let mut req = request("x1", &long);
    req.thread = true;
    let published = c.publish(&req, &NoCheckpoint).await.unwrap();
    let ids = published.extra["tweet_ids"].as_array().unwrap().len();
    assert!(ids >= 2, "{published:?}");
    assert_eq!(committed(&emu, "x.tweet"), ids);
    let post = RemotePost {
        remote_id: published.remote_id.clone(),
        published_at: Utc::now(),
        extra: published.extra.clone(),
    };
    emu.emulator.advance(Duration::from_secs(24 * 3600));
    let m = c.metrics(&[post]).await.unwrap();
    assert!(m[0].metrics.views.as_ref().unwrap().value > 0);
    assert!(m[0].metrics.reach.is_none(), "X has no reach metric");
}

#[tokio::test]
async fn x_error_after_commit_is_unknown_and_reconciles_to_the_one_post() {
    let emu = emulator().await;
    let (c, _) = client(&emu, Platform::X, Duration::from_secs(10));
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::X, Fault::ErrorAfterCommit).times(1));
    let started = Utc::now() - ChronoDuration::minutes(2);
    let req = request("x2", "Succeeded, then failed");
    let err = c.publish(&req, &NoCheckpoint).await.unwrap_err();
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
    assert_eq!(committed(&emu, "x.tweet"), 1);
    match c.reconcile(&req, started).await.unwrap() {
        Reconciled::Found(_) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(committed(&emu, "x.tweet"), 1, "reconciling creates nothing");
}

#[tokio::test]
async fn x_expired_token_is_refreshed_and_the_rotated_pair_kept() {
    let emu = emulator().await;
    let (c, creds) = client(&emu, Platform::X, Duration::from_secs(10));
    emu.emulator.inject(
        FaultRule::new(EmuPlatform::X, Fault::TokenExpired)
            .scope(FaultScope::All)
            .times(1),
    );
    c.publish(&request("x3", "After a refresh"), &NoCheckpoint)
        .await
        .unwrap();
    let Credentials::X { refresh_token, .. } = creds.0.lock().await.clone() else {
        unreachable!()
    };
    assert_ne!(
        refresh_token, DEMO.x.refresh_token,
        "the rotated pair was saved"
    );
    assert_eq!(committed(&emu, "x.tweet"), 1);
}

#[tokio::test]
async fn x_revoked_token_asks_for_reconnecting() {
    let emu = emulator().await;
    let (c, _) = client(&emu, Platform::X, Duration::from_secs(10));
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::X, Fault::TokenRevoked).scope(FaultScope::All));
    let err = c
        .publish(&request("x4", "Revoked"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Reauthorize { .. }), "{err:?}");
    assert_eq!(committed(&emu, "x.tweet"), 0);
}

#[tokio::test]
async fn a_hang_or_a_dropped_connection_on_create_is_unknown() {
    let emu = emulator().await;
    let (c, _) = client(&emu, Platform::X, Duration::from_millis(400));
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::X, Fault::Hang).times(1));
    let err = c
        .publish(&request("x5", "Hangs"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
    emu.emulator
        .inject(FaultRule::new(EmuPlatform::X, Fault::DropConnection).times(1));
    let err = c
        .publish(&request("x6", "Dropped"), &NoCheckpoint)
        .await
        .unwrap_err();
    assert!(matches!(err, PlatformError::Unknown { .. }), "{err:?}");
    assert_eq!(committed(&emu, "x.tweet"), 0);
}

/// Keeps the last progress a publish recorded.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Option<serde_json::Value>>);

impl Recorder {
    fn last(&self) -> Option<serde_json::Value> {
        self.0.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl platforms::Checkpoint for Recorder {
    async fn record(&self, progress: &serde_json::Value) -> Result<(), PlatformError> {
        *self.0.lock().unwrap() = Some(progress.clone());
        Ok(())
    }
}
