//! Clients for the platforms' real HTTP APIs, behind one trait the
//! scheduler and the connect flows use.
//!
//! Invariants every client keeps:
//! - It speaks the platform's documented API and defaults to the platform's
//!   real base URLs; nothing here knows about the emulator. Base URLs and an
//!   optional egress proxy come from the channel ([`Endpoints`]).
//! - Errors say what the caller must do ([`PlatformError`]), following
//!   "could the platform have processed it?": a request that never left is
//!   `RetryAt`, one that may have landed is `Unknown`.
//! - Secrets never appear in `Debug` output, logs or error texts.
//! - A rotated credential (X refresh tokens, WeChat access tokens) is handed
//!   to the [`CredentialStore`] and persisted *before* it is used, and
//!   refreshes are single-flight per channel.

pub mod bluesky;
pub mod facebook;
pub mod http;
pub mod linkedin;
pub mod mastodon;
pub mod oauth;
pub mod renewal;
pub mod wechat;
pub mod x;

use crate::domain::content::{self, Draft, Issue, MediaInfo, MediaKind, Platform};
use crate::domain::metrics::MetricSet;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Where one channel's client sends its requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// The API host, e.g. `https://api.x.com` (no trailing slash).
    pub api_base: String,
    /// Where people are sent to consent (OAuth), e.g. `https://x.com`.
    pub auth_base: String,
    /// `http://`, `https://` or `socks5://` proxy for this channel's traffic.
    pub proxy: Option<String>,
    /// Whole-request timeout; a request that exceeds it after being sent is
    /// `Unknown` for creates.
    #[serde(with = "duration_ms")]
    pub timeout: Duration,
}

impl Endpoints {
    /// The real platform's endpoints.
    pub fn real(platform: Platform) -> Endpoints {
        let (api, auth) = match platform {
            Platform::Wechat => ("https://api.weixin.qq.com", "https://mp.weixin.qq.com"),
            Platform::Facebook => ("https://graph.facebook.com", "https://www.facebook.com"),
            Platform::X => ("https://api.x.com", "https://x.com"),
            Platform::Linkedin => ("https://api.linkedin.com", "https://www.linkedin.com"),
            Platform::Instagram => ("https://graph.facebook.com", "https://www.facebook.com"),
            Platform::Mastodon => ("https://mastodon.social", "https://mastodon.social"),
            Platform::Bluesky => ("https://bsky.social", "https://bsky.social"),
        };
        Endpoints {
            api_base: api.to_owned(),
            auth_base: auth.to_owned(),
            proxy: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// Both bases at one host (how the emulator serves every platform).
    pub fn single_host(base: &str) -> Endpoints {
        let base = base.trim_end_matches('/').to_owned();
        Endpoints {
            api_base: base.clone(),
            auth_base: base,
            proxy: None,
            timeout: Duration::from_secs(30),
        }
    }
}

mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// A channel's secrets, decrypted only in memory. Stored encrypted (see
/// `server::crypto`); `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "platform", rename_all = "snake_case")]
pub enum Credentials {
    /// WeChat Official Account: the app's id and secret; access tokens are
    /// derived from them (and cached) by the client.
    Wechat { app_id: String, app_secret: String },
    /// Facebook Page: the page id and the long-lived page access token.
    Facebook { page_id: String, page_token: String },
    /// X: OAuth 2.0 user-context tokens. The refresh token is single-use.
    X {
        user_id: String,
        client_id: String,
        /// Confidential clients only; public clients use PKCE alone.
        client_secret: Option<String>,
        access_token: String,
        refresh_token: String,
        expires_at: DateTime<Utc>,
    },
    /// Bluesky: a session made with an app password. The app password is
    /// kept (sealed like the rest) so a session whose refresh token expired
    /// is renewed without a person; revoking the app password ends it.
    Bluesky {
        did: String,
        handle: String,
        /// The account's PDS, when it is not the channel's API base (found
        /// in the DID document at sign-in).
        pds: Option<String>,
        app_password: String,
        access_jwt: String,
        refresh_jwt: String,
        access_expires_at: DateTime<Utc>,
    },
    /// Mastodon: the token of the app Tongbu registered on the account's
    /// instance (Mastodon tokens do not expire), and how this channel's
    /// statuses go out.
    Mastodon {
        account_id: String,
        username: String,
        /// The account's instance, when it is not the channel's API base.
        instance: Option<String>,
        client_id: String,
        client_secret: String,
        access_token: String,
        #[serde(default)]
        options: mastodon::StatusOptions,
    },
    /// LinkedIn organization page: the token of the member who connected
    /// it (60 days), and a refresh token when the app is an approved
    /// partner (it keeps its first expiry: refreshing does not extend it).
    Linkedin {
        organization_id: String,
        client_id: String,
        client_secret: String,
        access_token: String,
        expires_at: DateTime<Utc>,
        #[serde(default)]
        refresh_token: Option<String>,
        #[serde(default)]
        refresh_expires_at: Option<DateTime<Utc>>,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Wechat { app_id, .. } => {
                write!(
                    f,
                    "Credentials::Wechat {{ app_id: {app_id:?}, .. [redacted] }}"
                )
            }
            Credentials::Facebook { page_id, .. } => {
                write!(
                    f,
                    "Credentials::Facebook {{ page_id: {page_id:?}, .. [redacted] }}"
                )
            }
            Credentials::X {
                user_id,
                expires_at,
                ..
            } => write!(
                f,
                "Credentials::X {{ user_id: {user_id:?}, expires_at: {expires_at}, .. [redacted] }}"
            ),
            Credentials::Bluesky { did, handle, .. } => write!(
                f,
                "Credentials::Bluesky {{ did: {did:?}, handle: {handle:?}, .. [redacted] }}"
            ),
            Credentials::Mastodon {
                account_id,
                username,
                instance,
                ..
            } => write!(
                f,
                "Credentials::Mastodon {{ account_id: {account_id:?}, username: {username:?}, instance: {instance:?}, .. [redacted] }}"
            ),
            Credentials::Linkedin {
                organization_id,
                expires_at,
                ..
            } => write!(
                f,
                "Credentials::Linkedin {{ organization_id: {organization_id:?}, expires_at: {expires_at}, .. [redacted] }}"
            ),
        }
    }
}

impl Credentials {
    pub fn platform(&self) -> Platform {
        match self {
            Credentials::Wechat { .. } => Platform::Wechat,
            Credentials::Facebook { .. } => Platform::Facebook,
            Credentials::X { .. } => Platform::X,
            Credentials::Bluesky { .. } => Platform::Bluesky,
            Credentials::Mastodon { .. } => Platform::Mastodon,
            Credentials::Linkedin { .. } => Platform::Linkedin,
        }
    }

    /// The platform's id of the account (app id, page id, user id).
    pub fn account_id(&self) -> &str {
        match self {
            Credentials::Wechat { app_id, .. } => app_id,
            Credentials::Facebook { page_id, .. } => page_id,
            Credentials::X { user_id, .. } => user_id,
            Credentials::Bluesky { did, .. } => did,
            Credentials::Mastodon { account_id, .. } => account_id,
            Credentials::Linkedin {
                organization_id, ..
            } => organization_id,
        }
    }

    /// When the stored token stops working, if the platform says.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Credentials::X { expires_at, .. } | Credentials::Linkedin { expires_at, .. } => {
                Some(*expires_at)
            }
            _ => None,
        }
    }
}

/// Where a client reads and persists its channel's credentials. The
/// server's implementation encrypts and writes them to the database; tests
/// use [`MemoryCredentials`].
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// The current credentials. A store may hand out a read from the last
    /// second (publishing thousands of posts a minute must not read and
    /// decrypt the same row for each); a token that turns out to have been
    /// rotated meanwhile is refused and refreshed from
    /// [`CredentialStore::load_latest`].
    async fn load(&self) -> Result<Credentials, PlatformError>;

    /// The credentials as stored at this moment, never an earlier read: a
    /// refresh starts from the pair another process may have just rotated.
    async fn load_latest(&self) -> Result<Credentials, PlatformError> {
        self.load().await
    }
    /// Persist rotated credentials. Called before the new token is used; an
    /// error here means the new token must not be used.
    async fn save(&self, credentials: &Credentials) -> Result<(), PlatformError>;

    /// Waits until this client alone, across every process sharing the
    /// store, may refresh the tokens; [`CredentialStore::unlock_refresh`]
    /// ends it (a process that dies holding it loses it after a minute).
    /// Stores used by one process only need nothing beyond the client's own
    /// single-flight lock.
    async fn lock_refresh(&self) -> Result<(), PlatformError> {
        Ok(())
    }

    async fn unlock_refresh(&self) {}
}

/// Credentials held in memory: for tests and the emulator's own checks.
pub struct MemoryCredentials(pub tokio::sync::Mutex<Credentials>);

impl MemoryCredentials {
    pub fn new(c: Credentials) -> Arc<MemoryCredentials> {
        Arc::new(MemoryCredentials(tokio::sync::Mutex::new(c)))
    }
}

#[async_trait]
impl CredentialStore for MemoryCredentials {
    async fn load(&self) -> Result<Credentials, PlatformError> {
        Ok(self.0.lock().await.clone())
    }
    async fn save(&self, credentials: &Credentials) -> Result<(), PlatformError> {
        *self.0.lock().await = credentials.clone();
        Ok(())
    }
}

/// One attached file, read from media storage by the caller.
#[derive(Clone, Debug)]
pub struct MediaFile {
    pub content_type: String,
    pub file_name: String,
    pub alt: String,
    pub bytes: Arc<Vec<u8>>,
}

impl MediaFile {
    /// Its kind by content type (the uploads Tongbu accepts are PNG, JPEG,
    /// GIF, WebP and MP4).
    pub fn kind(&self) -> MediaKind {
        let ct = self.content_type.trim().to_ascii_lowercase();
        if ct.starts_with("video/") {
            MediaKind::Video
        } else if ct == "image/gif" {
            MediaKind::Gif
        } else {
            MediaKind::Image
        }
    }

    /// What the shared content rules need to know of it.
    pub fn info(&self) -> MediaInfo {
        MediaInfo {
            kind: self.kind(),
            bytes: self.bytes.len() as u64,
            alt: self.alt.clone(),
        }
    }

    /// The file as a multipart part, with its name and content type.
    pub fn part(&self) -> Result<reqwest::multipart::Part, PlatformError> {
        reqwest::multipart::Part::bytes(self.bytes.as_ref().clone())
            .file_name(self.file_name.clone())
            .mime_str(&self.content_type)
            .map_err(|_| {
                PlatformError::permanent(format!(
                    "\"{}\" is not a valid media type",
                    self.content_type
                ))
            })
    }
}

/// What to publish on one channel: the channel's effective content (the
/// shared rules already applied) and the material that makes a retry safe.
#[derive(Clone, Debug)]
pub struct PublishRequest {
    /// Stable for the delivery across every attempt: the idempotency key
    /// where the platform has one, and the seed of any deterministic id.
    pub delivery_key: String,
    pub text: String,
    pub title: Option<String>,
    pub digest: Option<String>,
    pub link: Option<String>,
    pub media: Vec<MediaFile>,
    /// Split into a thread when too long (X only).
    pub thread: bool,
    /// Progress recorded by an earlier attempt (see [`Checkpoint`]); a
    /// multi-step publish resumes from it instead of repeating steps that
    /// created something.
    pub resume: Option<serde_json::Value>,
}

impl PublishRequest {
    /// The shared content rules (`domain::content::check`) applied to this
    /// request on `platform`: every client's `validate`.
    pub fn issues(&self, platform: Platform, thread_allowed: bool) -> Vec<Issue> {
        let media: Vec<MediaInfo> = self.media.iter().map(MediaFile::info).collect();
        let draft = Draft {
            text: &self.text,
            title: self.title.as_deref(),
            digest: self.digest.as_deref(),
            media: &media,
            link: self.link.as_deref(),
        };
        content::check(platform, &draft, thread_allowed).issues
    }

    /// A stable fingerprint of what is published, used to recognise the
    /// post among the account's recent posts when reconciling.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.text.trim().as_bytes());
        h.update([0]);
        h.update(self.title.as_deref().unwrap_or("").as_bytes());
        hex::encode(&h.finalize()[..16])
    }
}

/// Where a multi-step publish records what it already created (the X
/// thread's earlier tweets, WeChat's cover and draft ids), so a retry after
/// a crash resumes instead of repeating them.
#[async_trait]
pub trait Checkpoint: Send + Sync {
    async fn record(&self, progress: &serde_json::Value) -> Result<(), PlatformError>;
}

/// A checkpoint that keeps nothing (single-step publishes, tests).
pub struct NoCheckpoint;

#[async_trait]
impl Checkpoint for NoCheckpoint {
    async fn record(&self, _: &serde_json::Value) -> Result<(), PlatformError> {
        Ok(())
    }
}

/// The platform accepted the post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The id to keep: tweet id, `{page}_{post}`, WeChat `msg_data_id`
    /// (the analytics join key; `publish_id` travels in `extra`).
    pub remote_id: String,
    /// Where people see it, when already known.
    pub url: Option<String>,
    /// Further ids the platform returned (thread ids, `msg_data_id`, ...).
    #[serde(default)]
    pub extra: serde_json::Value,
    /// The platform still processes it (WeChat's asynchronous publish);
    /// [`PlatformClient::settle`] follows it up.
    #[serde(default)]
    pub pending: bool,
}

/// The outcome of following up an accepted but still processing publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    Done(Published),
    /// Still processing; look again at about this time.
    Pending {
        check_at: DateTime<Utc>,
    },
    /// The platform accepted, then rejected it (review, originality check).
    Rejected {
        reason: String,
    },
}

/// The answer to "did this attempt create a post?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reconciled {
    Found(Published),
    /// Proven absent: publishing again cannot duplicate.
    Absent,
    /// The platform cannot tell yet (or at all): a person decides.
    Undecided {
        reason: String,
    },
}

/// A published post whose figures are wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemotePost {
    pub remote_id: String,
    pub published_at: DateTime<Utc>,
    /// [`Published::extra`] as stored at publish time.
    pub extra: serde_json::Value,
}

/// Figures for one remote post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsReport {
    pub remote_id: String,
    pub metrics: MetricSet,
    /// The platform's payload for this post, kept as received.
    pub raw: serde_json::Value,
}

/// The account a credential belongs to (connect flows, health checks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub id: String,
    pub name: String,
}

/// What the caller must do after a failed call (`platform-apis.md` §9.2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    /// Nothing happened on the platform; try again at (or after) `at`.
    #[error("try again later: {reason}")]
    RetryAt {
        at: Option<DateTime<Utc>>,
        reason: String,
    },
    /// The credentials no longer work (after one refresh): a person must
    /// reconnect the channel.
    #[error("the channel must be reconnected: {reason}")]
    Reauthorize { reason: String },
    /// A daily or plan quota is used up until `until`.
    #[error("quota used up until {until}: {reason}")]
    QuotaExhausted {
        until: DateTime<Utc>,
        reason: String,
    },
    /// The platform refused the content or the request for good.
    #[error("rejected: {reason}")]
    Permanent { reason: String },
    /// The platform says this was already published.
    #[error("already published as {remote_id}")]
    AlreadyDone {
        remote_id: String,
        url: Option<String>,
    },
    /// The request may or may not have been processed (timeout after
    /// sending, connection reset, 5xx on a create).
    #[error("unknown whether it was published: {reason}")]
    Unknown { reason: String },
}

impl PlatformError {
    pub fn retry(reason: impl Into<String>) -> PlatformError {
        PlatformError::RetryAt {
            at: None,
            reason: reason.into(),
        }
    }
    pub fn permanent(reason: impl Into<String>) -> PlatformError {
        PlatformError::Permanent {
            reason: reason.into(),
        }
    }
    pub fn unknown(reason: impl Into<String>) -> PlatformError {
        PlatformError::Unknown {
            reason: reason.into(),
        }
    }
    pub fn reauthorize(reason: impl Into<String>) -> PlatformError {
        PlatformError::Reauthorize {
            reason: reason.into(),
        }
    }
}

/// One channel's client. Instances are per channel (they cache tokens).
#[async_trait]
pub trait PlatformClient: Send + Sync {
    fn platform(&self) -> Platform;

    /// The shared content rules for this platform (`domain::content::check`)
    /// applied to the request; an empty list means publishable.
    fn validate(&self, request: &PublishRequest) -> Vec<Issue>;

    /// Create the post. Steps that create something are recorded through
    /// `checkpoint` as soon as their id is known.
    async fn publish(
        &self,
        request: &PublishRequest,
        checkpoint: &dyn Checkpoint,
    ) -> Result<Published, PlatformError>;

    /// Follow up a publish the platform still processes.
    async fn settle(&self, published: &Published) -> Result<Settled, PlatformError> {
        Ok(Settled::Done(published.clone()))
    }

    /// Whether an attempt that ended in `Unknown` created the post, using the
    /// strongest tool the platform has. `since` is when the attempt began.
    async fn reconcile(
        &self,
        request: &PublishRequest,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, PlatformError>;

    /// Current figures for a batch of published posts (the client splits the
    /// batch as the platform requires). A post the platform no longer knows
    /// is left out of the answer rather than failing the batch.
    async fn metrics(&self, posts: &[RemotePost]) -> Result<Vec<MetricsReport>, PlatformError>;

    /// Renew the access token now (single-flight); the result is persisted
    /// through the credential store before it is used.
    async fn refresh_credentials(&self) -> Result<(), PlatformError>;

    /// Who the credentials belong to; doubles as the health check.
    async fn account(&self) -> Result<AccountInfo, PlatformError>;

    /// The account's server's own limit for a post's text, when it sets one
    /// (a Mastodon instance's configured characters); `None` means the
    /// platform's usual limit.
    async fn text_limit(&self) -> Option<usize> {
        None
    }
}

/// Builds the client for one channel.
pub fn client_for(
    platform: Platform,
    endpoints: &Endpoints,
    credentials: Arc<dyn CredentialStore>,
) -> Result<Arc<dyn PlatformClient>, PlatformError> {
    let http = http::build(endpoints)?;
    Ok(match platform {
        Platform::Wechat => Arc::new(wechat::WechatClient::new(
            http,
            endpoints.clone(),
            credentials,
        )),
        Platform::Facebook => Arc::new(facebook::FacebookClient::new(
            http,
            endpoints.clone(),
            credentials,
        )),
        Platform::X => Arc::new(x::XClient::new(http, endpoints.clone(), credentials)),
        Platform::Bluesky => Arc::new(bluesky::BlueskyClient::new(
            http,
            endpoints.clone(),
            credentials,
        )),
        Platform::Mastodon => Arc::new(mastodon::MastodonClient::new(
            http,
            endpoints.clone(),
            credentials,
        )),
        Platform::Linkedin => Arc::new(linkedin::LinkedinClient::new(
            http,
            endpoints.clone(),
            credentials,
        )),
        other => {
            return Err(PlatformError::permanent(format!(
                "publishing to {} is not supported yet",
                other.as_str()
            )))
        }
    })
}
