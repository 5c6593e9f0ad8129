//! Bluesky client (AT Protocol XRPC with an app password,
//! `platform-apis.md` §7, checked against the lexicons of
//! `com.atproto.server.*`, `com.atproto.repo.*` and `app.bsky.feed.*`).
//!
//! Invariants:
//! - A session (access and refresh JWT) is made once at connect and then
//!   renewed with `refreshSession`, whose refresh token rotates: the new pair
//!   is saved through the credential store before it is used, and renewals
//!   are single-flight. Only when the refresh token itself is refused is a
//!   new session made from the stored app password (`createSession` is the
//!   tightly limited call: 30 per 5 minutes, 300 a day).
//! - Every post has a record key (`rkey`, a TID) chosen before its first
//!   request and checkpointed first: a retry writes the same record key, so
//!   the repository cannot hold the post twice. A repeated create answers
//!   HTTP 500 today (not a conflict), so after a 500 the record is looked up
//!   with `getRecord`: found means it was created.
//! - Reconciling is exact: the checkpointed record keys are looked up one by
//!   one. A record that is not there is absent, and sending again reuses its
//!   key, so even a create still in flight cannot make a second post.
//! - Facets (links, mentions, hashtags) are UTF-8 byte ranges of the text.

mod richtext;

use super::http::{self, exchange, Answer, Call};
use super::renewal::{self, Need};
use super::*;
use crate::domain::content::{self, Draft, Issue, MediaKind};
use crate::domain::metrics::Figure;
use base64::Engine;
use chrono::Duration as TimeDelta;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub use richtext::{facets, tid, Facet};

/// The record collection of posts.
const POST: &str = "app.bsky.feed.post";

/// Graphemes in one post.
const POST_LIMIT: usize = 300;

/// Renew an access token this long before it expires.
const EXPIRY_MARGIN_SECS: i64 = 60;

/// URIs per `app.bsky.feed.getPosts` call.
const GET_POSTS_LIMIT: usize = 25;

/// Images per post, and the size of each (`app.bsky.embed.images`).
const MAX_IMAGES: usize = 4;
const MAX_IMAGE_BYTES: usize = 1_000_000;

pub struct BlueskyClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    credentials: Arc<dyn CredentialStore>,
    refresh_lock: tokio::sync::Mutex<()>,
}

/// The Bluesky fields of [`Credentials`]. No `Debug`: the JWTs and the app
/// password are secret.
#[derive(Clone)]
struct Session {
    did: String,
    handle: String,
    pds: Option<String>,
    app_password: String,
    access_jwt: String,
    refresh_jwt: String,
    access_expires_at: DateTime<Utc>,
}

impl Session {
    fn from_credentials(c: Credentials) -> Result<Session, PlatformError> {
        match c {
            Credentials::Bluesky {
                did,
                handle,
                pds,
                app_password,
                access_jwt,
                refresh_jwt,
                access_expires_at,
            } => Ok(Session {
                did,
                handle,
                pds,
                app_password,
                access_jwt,
                refresh_jwt,
                access_expires_at,
            }),
            other => Err(PlatformError::permanent(format!(
                "this channel holds {} credentials, not Bluesky's",
                other.platform().as_str()
            ))),
        }
    }

    fn into_credentials(self) -> Credentials {
        Credentials::Bluesky {
            did: self.did,
            handle: self.handle,
            pds: self.pds,
            app_password: self.app_password,
            access_jwt: self.access_jwt,
            refresh_jwt: self.refresh_jwt,
            access_expires_at: self.access_expires_at,
        }
    }

    fn fresh(&self, now: DateTime<Utc>) -> bool {
        self.access_expires_at - TimeDelta::seconds(EXPIRY_MARGIN_SECS) > now
    }

    /// Where this account's repository is served.
    fn pds<'a>(&'a self, endpoints: &'a Endpoints) -> &'a str {
        self.pds.as_deref().unwrap_or(&endpoints.api_base)
    }
}

/// A post's progress as checkpointed: the record keys chosen before the
/// first request (one per thread part), the `createdAt` every attempt
/// replays, and the parts created so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Progress {
    rkeys: Vec<String>,
    created_at: String,
    /// `(uri, cid)` of each part created, in order.
    posts: Vec<(String, String)>,
}

impl Progress {
    fn from_resume(resume: Option<&Value>) -> Option<Progress> {
        let r = resume?;
        let rkeys: Vec<String> = r
            .get("rkeys")?
            .as_array()?
            .iter()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect();
        if rkeys.is_empty() {
            return None;
        }
        let posts = r
            .get("posts")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        Some((
                            p.get("uri")?.as_str()?.to_owned(),
                            p.get("cid")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Progress {
            rkeys,
            created_at: r.get("created_at")?.as_str()?.to_owned(),
            posts,
        })
    }

    fn to_json(&self) -> Value {
        json!({
            "rkeys": self.rkeys,
            "created_at": self.created_at,
            "posts": self.posts.iter().map(|(uri, cid)| json!({ "uri": uri, "cid": cid })).collect::<Vec<_>>(),
        })
    }

    fn published(&self, did: &str) -> Published {
        let (uri, _) = &self.posts[0];
        Published {
            remote_id: uri.clone(),
            url: Some(post_url(did, &self.rkeys[0])),
            extra: json!({
                "uris": self.posts.iter().map(|(u, _)| u).collect::<Vec<_>>(),
                "cids": self.posts.iter().map(|(_, c)| c).collect::<Vec<_>>(),
            }),
            pending: false,
        }
    }
}

impl BlueskyClient {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        credentials: Arc<dyn CredentialStore>,
    ) -> Self {
        BlueskyClient {
            http,
            endpoints,
            credentials,
            refresh_lock: tokio::sync::Mutex::new(()),
        }
    }

    async fn load(&self) -> Result<Session, PlatformError> {
        Session::from_credentials(self.credentials.load().await?)
    }

    async fn usable(&self) -> Result<Session, PlatformError> {
        let s = self.load().await?;
        if s.fresh(Utc::now()) {
            return Ok(s);
        }
        self.refresh(Need::Expiring).await
    }

    async fn refresh(&self, need: Need<'_>) -> Result<Session, PlatformError> {
        renewal::single_flight(
            &self.refresh_lock,
            self.credentials.as_ref(),
            self.refresh_held(need),
        )
        .await
    }

    /// Renews the session once this client holds the refresh locks: with
    /// the refresh token, or when that is refused, with the app password.
    async fn refresh_held(&self, need: Need<'_>) -> Result<Session, PlatformError> {
        let stored = Session::from_credentials(self.credentials.load_latest().await?)?;
        let now = Utc::now();
        if need.met_by(stored.fresh(now), &stored.access_jwt) {
            return Ok(stored);
        }
        let pds = stored.pds(&self.endpoints).to_owned();
        let answer = exchange(
            self.http
                .post(xrpc(&pds, "com.atproto.server.refreshSession"))
                .bearer_auth(&stored.refresh_jwt),
            Call::Read,
        )
        .await?;
        let body = if answer.status.is_success() {
            answer.into_json(Call::Read, "Bluesky", |a| classify(a, Call::Read))?
        } else if session_refused(&answer) {
            // The refresh token expired or was revoked: a new session from
            // the app password, which only fails if the password was.
            create_session(&self.http, &pds, &stored.did, &stored.app_password).await?
        } else {
            return Err(match classify(&answer, Call::Read) {
                PlatformError::Permanent { reason } => PlatformError::reauthorize(reason),
                other => other,
            });
        };
        let renewed = Session {
            access_expires_at: jwt_expiry(str_at(&body, "accessJwt")?, now),
            access_jwt: str_at(&body, "accessJwt")?.to_owned(),
            refresh_jwt: str_at(&body, "refreshJwt")?.to_owned(),
            handle: body
                .get("handle")
                .and_then(Value::as_str)
                .unwrap_or(&stored.handle)
                .to_owned(),
            ..stored
        };
        // Persist before use: the old refresh token is spent now.
        self.credentials
            .save(&renewed.clone().into_credentials())
            .await?;
        Ok(renewed)
    }

    /// Sends a request built for the current session; when Bluesky refuses
    /// the access token, renews it once and sends the request once more
    /// (a refused request was not processed).
    async fn call(
        &self,
        call: Call,
        build: impl Fn(&str, &str) -> reqwest::RequestBuilder,
    ) -> Result<Value, PlatformError> {
        let s = self.usable().await?;
        let mut answer = exchange(build(s.pds(&self.endpoints), &s.access_jwt), call).await?;
        if session_refused(&answer) {
            let renewed = self.refresh(Need::Replace(&s.access_jwt)).await?;
            answer = exchange(
                build(renewed.pds(&self.endpoints), &renewed.access_jwt),
                call,
            )
            .await?;
            if session_refused(&answer) {
                return Err(PlatformError::reauthorize(format!(
                    "Bluesky refused the renewed session ({}): reconnect the account with a new app password",
                    xrpc_error(&answer).1
                )));
            }
        }
        answer.into_json(call, "Bluesky", |a| classify(a, call))
    }

    async fn upload_blob(&self, file: &MediaFile) -> Result<Value, PlatformError> {
        if file.bytes.len() > MAX_IMAGE_BYTES {
            return Err(PlatformError::permanent(format!(
                "\"{}\" is {} bytes; Bluesky takes images up to {MAX_IMAGE_BYTES} bytes",
                file.file_name,
                file.bytes.len()
            )));
        }
        // An upload that may have landed leaves only an unreferenced blob,
        // which the PDS removes by itself: retried like a read.
        let answer = self
            .call(Call::Read, |pds, token| {
                self.http
                    .post(xrpc(pds, "com.atproto.repo.uploadBlob"))
                    .bearer_auth(token)
                    .header(reqwest::header::CONTENT_TYPE, &file.content_type)
                    .body(file.bytes.as_ref().clone())
            })
            .await?;
        answer
            .get("blob")
            .filter(|b| b.pointer("/ref/$link").is_some())
            .cloned()
            .ok_or_else(|| PlatformError::retry("Bluesky's upload answer had no blob"))
    }

    /// `com.atproto.repo.getRecord` of one of this account's posts: its
    /// `(uri, cid)`, or `None` when the repository has no such record.
    async fn get_record(
        &self,
        did: &str,
        rkey: &str,
    ) -> Result<Option<(String, String)>, PlatformError> {
        let s = self.usable().await?;
        let answer = exchange(
            self.http
                .get(xrpc(s.pds(&self.endpoints), "com.atproto.repo.getRecord"))
                .bearer_auth(&s.access_jwt)
                .query(&[("repo", did), ("collection", POST), ("rkey", rkey)]),
            Call::Read,
        )
        .await?;
        if answer.status == StatusCode::BAD_REQUEST && xrpc_error(&answer).0 == "RecordNotFound" {
            return Ok(None);
        }
        let v = answer.into_json(Call::Read, "Bluesky", |a| classify(a, Call::Read))?;
        Ok(Some((
            str_at(&v, "uri")?.to_owned(),
            str_at(&v, "cid")?.to_owned(),
        )))
    }

    /// Handles to DIDs for mention facets; a handle that does not resolve
    /// stays plain text, as in Bluesky's own app.
    async fn resolve_mentions(&self, text: &str) -> Vec<(String, String)> {
        let mut resolved = Vec::new();
        for handle in richtext::mentioned_handles(text) {
            if resolved
                .iter()
                .any(|(h, _): &(String, String)| *h == handle)
            {
                continue;
            }
            let answer = self
                .call(Call::Read, |pds, token| {
                    self.http
                        .get(xrpc(pds, "com.atproto.identity.resolveHandle"))
                        .bearer_auth(token)
                        .query(&[("handle", handle.as_str())])
                })
                .await;
            if let Some(did) = answer
                .ok()
                .and_then(|v| v.get("did").and_then(Value::as_str).map(str::to_owned))
            {
                resolved.push((handle.clone(), did));
            }
        }
        resolved
    }

    /// The post record of thread part `i`.
    async fn record(
        &self,
        request: &PublishRequest,
        progress: &Progress,
        text: &str,
        i: usize,
        images: &[Value],
    ) -> Value {
        let mentions = self.resolve_mentions(text).await;
        let mut record = json!({
            "$type": POST,
            "text": text,
            "createdAt": progress.created_at,
        });
        let facets = facets(text, &mentions);
        if !facets.is_empty() {
            record["facets"] = json!(facets.iter().map(Facet::to_json).collect::<Vec<_>>());
        }
        if i > 0 {
            let (root_uri, root_cid) = &progress.posts[0];
            let (parent_uri, parent_cid) = &progress.posts[i - 1];
            record["reply"] = json!({
                "root": { "uri": root_uri, "cid": root_cid },
                "parent": { "uri": parent_uri, "cid": parent_cid },
            });
        }
        if i == 0 {
            if !images.is_empty() {
                record["embed"] = json!({
                    "$type": "app.bsky.embed.images",
                    "images": images,
                });
            } else if let Some(link) = request
                .link
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                // The link card. Bluesky's own app fills it from the page's
                // Open Graph tags; the post's title and summary are what the
                // editor wrote for it.
                record["embed"] = json!({
                    "$type": "app.bsky.embed.external",
                    "external": {
                        "uri": link,
                        "title": request.title.as_deref().unwrap_or(link),
                        "description": request.digest.as_deref().unwrap_or(""),
                    },
                });
            }
        }
        record
    }

    /// Creates one record under its chosen key. A 500 may be the repeated
    /// key of an earlier attempt that did create it: the record is looked up.
    async fn create(
        &self,
        did: &str,
        rkey: &str,
        record: &Value,
    ) -> Result<(String, String), PlatformError> {
        let body = json!({ "repo": did, "collection": POST, "rkey": rkey, "record": record });
        let created = self
            .call(Call::Create, |pds, token| {
                self.http
                    .post(xrpc(pds, "com.atproto.repo.createRecord"))
                    .bearer_auth(token)
                    .json(&body)
            })
            .await;
        match created {
            Ok(v) => Ok((str_at(&v, "uri")?.to_owned(), str_at(&v, "cid")?.to_owned())),
            Err(PlatformError::Unknown { reason }) => match self.get_record(did, rkey).await {
                Ok(Some(found)) => Ok(found),
                // Not there: sending again reuses the key, so it is safe
                // whether the failed request was processed or not.
                Ok(None) => Err(PlatformError::RetryAt {
                    at: None,
                    reason: format!("{reason}; the post is not in the repository, so it is sent again under the same record key"),
                }),
                Err(_) => Err(PlatformError::Unknown { reason }),
            },
            Err(e) => Err(e),
        }
    }
}

#[async_trait]
impl PlatformClient for BlueskyClient {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    fn validate(&self, request: &PublishRequest) -> Vec<Issue> {
        request.issues(Platform::Bluesky, request.thread)
    }

    async fn publish(
        &self,
        request: &PublishRequest,
        checkpoint: &dyn Checkpoint,
    ) -> Result<Published, PlatformError> {
        if request.media.iter().any(|m| m.kind() != MediaKind::Image) {
            return Err(PlatformError::permanent(
                "Bluesky posts from this version take images only (no video or GIF)",
            ));
        }
        if request.media.len() > MAX_IMAGES {
            return Err(PlatformError::permanent(format!(
                "Bluesky takes at most {MAX_IMAGES} images per post"
            )));
        }
        let parts = post_texts(request);
        if parts.is_empty() && request.media.is_empty() {
            return Err(PlatformError::permanent("nothing to post"));
        }
        let parts = if parts.is_empty() {
            vec![String::new()]
        } else {
            parts
        };
        let did = self.load().await?.did;
        let mut progress = match Progress::from_resume(request.resume.as_ref()) {
            Some(p) if p.rkeys.len() == parts.len() && p.posts.len() <= parts.len() => p,
            Some(_) => {
                return Err(PlatformError::permanent(
                    "the recorded progress does not match the post's thread",
                ))
            }
            None => {
                let now = Utc::now();
                let p = Progress {
                    rkeys: (0..parts.len())
                        .map(|i| tid(now, &request.delivery_key, i))
                        .collect(),
                    created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    posts: Vec::new(),
                };
                // The keys must be kept before anything is sent: they are
                // what makes a retry land on the same records.
                checkpoint.record(&p.to_json()).await.map_err(|e| {
                    PlatformError::retry(format!("the record keys could not be kept: {e}"))
                })?;
                p
            }
        };
        let mut images = Vec::new();
        if progress.posts.is_empty() {
            for file in &request.media {
                let blob = self.upload_blob(file).await?;
                let mut image = json!({ "image": blob, "alt": file.alt });
                if let Some((_, w, h)) = crate::domain::image::image_info(&file.bytes) {
                    if w > 0 && h > 0 {
                        image["aspectRatio"] = json!({ "width": w, "height": h });
                    }
                }
                images.push(image);
            }
        }
        for i in progress.posts.len()..parts.len() {
            let record = self.record(request, &progress, &parts[i], i, &images).await;
            let created = self.create(&did, &progress.rkeys[i], &record).await?;
            progress.posts.push(created);
            if i + 1 < parts.len() {
                // Later parts reply to this one, and need its cid after a
                // crash; a failure here is harmless (the keys are kept).
                let _ = checkpoint.record(&progress.to_json()).await;
            }
        }
        Ok(progress.published(&did))
    }

    async fn reconcile(
        &self,
        request: &PublishRequest,
        _since: DateTime<Utc>,
    ) -> Result<Reconciled, PlatformError> {
        // Record keys are kept before anything is sent: without them,
        // nothing was.
        let Some(mut progress) = Progress::from_resume(request.resume.as_ref()) else {
            return Ok(Reconciled::Absent);
        };
        let did = self.load().await?.did;
        progress.posts.clear();
        for rkey in &progress.rkeys {
            match self.get_record(&did, rkey).await? {
                Some(found) => progress.posts.push(found),
                // Publishing again resumes under the same keys, so a part
                // (or a whole post) that is missing cannot be duplicated.
                None => return Ok(Reconciled::Absent),
            }
        }
        Ok(Reconciled::Found(progress.published(&did)))
    }

    async fn metrics(&self, posts: &[RemotePost]) -> Result<Vec<MetricsReport>, PlatformError> {
        let mut found = std::collections::HashMap::new();
        for chunk in posts.chunks(GET_POSTS_LIMIT) {
            let uris: Vec<(&str, &str)> = chunk
                .iter()
                .map(|p| ("uris", p.remote_id.as_str()))
                .collect();
            let answer = self
                .call(Call::Read, |pds, token| {
                    self.http
                        .get(xrpc(pds, "app.bsky.feed.getPosts"))
                        .bearer_auth(token)
                        .query(&uris)
                })
                .await?;
            for post in answer
                .get("posts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(uri) = post.get("uri").and_then(Value::as_str) {
                    found.insert(uri.to_owned(), post.clone());
                }
            }
        }
        // Deleted posts are left out of Bluesky's answer, and so of ours.
        Ok(posts
            .iter()
            .filter_map(|p| {
                let post = found.get(&p.remote_id)?;
                Some(MetricsReport {
                    remote_id: p.remote_id.clone(),
                    metrics: metric_set(post),
                    raw: post.clone(),
                })
            })
            .collect())
    }

    async fn refresh_credentials(&self) -> Result<(), PlatformError> {
        let current = self.load().await?;
        self.refresh(Need::Replace(&current.access_jwt)).await?;
        Ok(())
    }

    async fn account(&self) -> Result<AccountInfo, PlatformError> {
        let session = self
            .call(Call::Read, |pds, token| {
                self.http
                    .get(xrpc(pds, "com.atproto.server.getSession"))
                    .bearer_auth(token)
            })
            .await?;
        let did = str_at(&session, "did")?.to_owned();
        let handle = str_at(&session, "handle")?.to_owned();
        Ok(AccountInfo {
            id: did,
            name: format!("@{handle}"),
        })
    }
}

// ---------------------------------------------------------------------------
// Connect flow
// ---------------------------------------------------------------------------

/// Whether `password` has the shape of a Bluesky app password
/// (`xxxx-xxxx-xxxx-xxxx`). The account's main password also opens a
/// session, but it must not be stored by a third-party tool.
pub fn is_app_password(password: &str) -> bool {
    let groups: Vec<&str> = password.trim().split('-').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Signs in with a handle (or DID) and an app password at the channel's
/// hosting provider (`endpoints.api_base`, `https://bsky.social` unless
/// configured): the handle is resolved to its DID, a session is made, and
/// the account's own PDS is read from the DID document the session returns.
pub async fn sign_in(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    identifier: &str,
    app_password: &str,
) -> Result<Credentials, PlatformError> {
    let identifier = identifier.trim().trim_start_matches('@');
    let host = endpoints.api_base.trim_end_matches('/');
    let did = if identifier.starts_with("did:") {
        identifier.to_owned()
    } else {
        let answer = exchange(
            http.get(xrpc(host, "com.atproto.identity.resolveHandle"))
                .query(&[("handle", identifier)]),
            Call::Read,
        )
        .await?;
        if answer.status == StatusCode::BAD_REQUEST {
            return Err(PlatformError::reauthorize(format!(
                "no Bluesky account has the handle @{identifier}"
            )));
        }
        let v = answer.into_json(Call::Read, "Bluesky", |a| classify(a, Call::Read))?;
        str_at(&v, "did")?.to_owned()
    };
    let started = Utc::now();
    let session = create_session(http, host, &did, app_password.trim()).await?;
    if str_at(&session, "did")? != did {
        return Err(PlatformError::reauthorize(
            "the session Bluesky opened is for another account than the handle names",
        ));
    }
    let pds = pds_of(&session).filter(|p| p.trim_end_matches('/') != host);
    Ok(Credentials::Bluesky {
        did,
        handle: str_at(&session, "handle")?.to_owned(),
        pds,
        app_password: app_password.trim().to_owned(),
        access_expires_at: jwt_expiry(str_at(&session, "accessJwt")?, started),
        access_jwt: str_at(&session, "accessJwt")?.to_owned(),
        refresh_jwt: str_at(&session, "refreshJwt")?.to_owned(),
    })
}

async fn create_session(
    http: &reqwest::Client,
    pds: &str,
    identifier: &str,
    password: &str,
) -> Result<Value, PlatformError> {
    let answer = exchange(
        http.post(xrpc(pds, "com.atproto.server.createSession"))
            .json(&json!({ "identifier": identifier, "password": password })),
        Call::Read,
    )
    .await?;
    if answer.status == StatusCode::UNAUTHORIZED {
        let (name, message) = xrpc_error(&answer);
        return Err(PlatformError::reauthorize(match name.as_str() {
            "AuthFactorTokenRequired" => "Bluesky asks for a sign-in code: use an app password instead of the account's password".to_owned(),
            "AccountTakedown" => "the Bluesky account has been taken down".to_owned(),
            _ => format!("Bluesky refused the handle or app password ({message}): create a new app password and reconnect"),
        }));
    }
    answer.into_json(Call::Read, "Bluesky", |a| {
        match classify(a, Call::Read) {
            // A refused sign-in is never a content problem.
            PlatformError::Permanent { reason } => PlatformError::reauthorize(reason),
            other => other,
        }
    })
}

/// The `#atproto_pds` service endpoint of the session's DID document.
fn pds_of(session: &Value) -> Option<String> {
    session
        .pointer("/didDoc/service")?
        .as_array()?
        .iter()
        .find(|s| {
            s.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.ends_with("#atproto_pds"))
        })?
        .get("serviceEndpoint")?
        .as_str()
        .map(|s| s.trim_end_matches('/').to_owned())
}

// ---------------------------------------------------------------------------
// Requests and errors
// ---------------------------------------------------------------------------

fn xrpc(base: &str, method: &str) -> String {
    format!("{}/xrpc/{method}", base.trim_end_matches('/'))
}

/// Where people see a post: the app's URL of the record.
fn post_url(did: &str, rkey: &str) -> String {
    format!("https://bsky.app/profile/{did}/post/{rkey}")
}

fn str_at<'a>(v: &'a Value, key: &str) -> Result<&'a str, PlatformError> {
    http::text_field(v, key, "Bluesky")
}

/// When an access JWT expires, from its `exp` claim (read, not verified:
/// the PDS verifies it); a token without one is renewed after an hour.
fn jwt_expiry(jwt: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    jwt.split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p.trim_end_matches('='))
                .ok()
        })
        .and_then(|raw| serde_json::from_slice::<Value>(&raw).ok())
        .and_then(|claims| claims.get("exp")?.as_i64())
        .and_then(|exp| DateTime::from_timestamp(exp, 0))
        .unwrap_or(now + TimeDelta::hours(1))
}

/// The XRPC error envelope: `(error, message)`.
fn xrpc_error(answer: &Answer) -> (String, String) {
    let v: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let message = text("message");
    (
        text("error"),
        if message.is_empty() {
            format!("HTTP {}", answer.status.as_u16())
        } else {
            message
        },
    )
}

/// Whether Bluesky refused the session token (expired, revoked, invalid):
/// the request was not processed.
fn session_refused(answer: &Answer) -> bool {
    let (name, _) = xrpc_error(answer);
    answer.status == StatusCode::UNAUTHORIZED
        || (answer.status == StatusCode::BAD_REQUEST
            && matches!(name.as_str(), "ExpiredToken" | "InvalidToken"))
}

/// Turns an XRPC error answer into what the caller must do.
fn classify(answer: &Answer, call: Call) -> PlatformError {
    let (name, message) = xrpc_error(answer);
    let status = answer.status.as_u16();
    let reset = http::epoch_header(&answer.headers, "ratelimit-reset");
    match status {
        429 => {
            // A daily window (`35000;w=86400`) is a quota, an hourly or
            // shorter one a pause.
            let daily = answer
                .header("ratelimit-policy")
                .and_then(|p| p.split("w=").nth(1))
                .and_then(|w| w.trim().parse::<i64>().ok())
                .is_some_and(|w| w >= 86_400);
            match (daily, reset) {
                (true, Some(until)) => PlatformError::QuotaExhausted {
                    until,
                    reason: "the Bluesky account's daily write limit is used up".to_owned(),
                },
                _ => PlatformError::RetryAt {
                    at: reset,
                    reason: format!("Bluesky rate limit: {message}"),
                },
            }
        }
        401 => PlatformError::reauthorize(format!("Bluesky refused the session: {message}")),
        400 if matches!(name.as_str(), "ExpiredToken" | "InvalidToken") => {
            PlatformError::reauthorize(format!("Bluesky refused the session: {message}"))
        }
        400 | 413 => PlatformError::permanent(format!("Bluesky rejected the post: {message}")),
        403 => PlatformError::permanent(format!("Bluesky refused the request: {message}")),
        500..=599 => match call {
            Call::Create => PlatformError::unknown(format!(
                "Bluesky answered HTTP {status}; the post may have been created"
            )),
            Call::Read => PlatformError::retry(format!("Bluesky answered HTTP {status}")),
        },
        _ => PlatformError::permanent(format!("Bluesky answered HTTP {status}: {message}")),
    }
}

// ---------------------------------------------------------------------------
// Content and metrics
// ---------------------------------------------------------------------------

/// The posts to create: the published text (link included), split into a
/// thread when it is too long and threads are allowed, as the composer
/// showed it.
fn post_texts(request: &PublishRequest) -> Vec<String> {
    let draft = Draft {
        text: &request.text,
        link: request.link.as_deref(),
        ..Draft::default()
    };
    let text = content::published_text(Platform::Bluesky, &draft);
    if text.is_empty() {
        return Vec::new();
    }
    if request.thread && content::graphemes(&text) > POST_LIMIT {
        content::split_thread(&text, POST_LIMIT)
    } else {
        vec![text.into_owned()]
    }
}

fn metric_set(post: &Value) -> MetricSet {
    let count = |name: &'static str| {
        post.get(name)
            .and_then(Value::as_i64)
            .map(|v| Figure::new(v, name))
    };
    let shares = match (count("repostCount"), count("quoteCount")) {
        (Some(r), Some(q)) => Some(Figure::new(r.value + q.value, "repostCount+quoteCount")),
        (r, q) => r.or(q),
    };
    MetricSet {
        // Bluesky counts interactions only: no views or reach.
        views: None,
        reach: None,
        reactions: count("likeCount"),
        comments: count("replyCount"),
        shares,
        link_clicks: None,
        saves: count("bookmarkCount"),
    }
}

#[cfg(test)]
mod tests;
