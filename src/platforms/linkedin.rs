//! LinkedIn client for organization pages: the versioned REST API (Posts,
//! Images, Organization Access Control, Organizations and
//! organizationalEntityShareStatistics) with a member's OAuth token
//! (`platform-apis.md` §4, checked against learn.microsoft.com/linkedin
//! `marketing/community-management/shares/posts-api`, `images-api`,
//! `organizations/organization-access-control`, `share-statistics`,
//! `little-text-format` and `shared/authentication/programmatic-refresh-tokens`).
//!
//! Invariants:
//! - Every REST call carries `LinkedIn-Version` ([`VERSION`]) and
//!   `X-Restli-Protocol-Version: 2.0.0`; LinkedIn refuses calls without
//!   them and sunsets each version after about a year.
//! - Commentary is written in LinkedIn's "little text" format: every
//!   reserved character is escaped and hashtags become hashtag templates,
//!   because an unescaped one makes LinkedIn cut the post short while
//!   answering 201 ([`little_text`]).
//! - The post's URN comes from the `x-restli-id` header of an empty 201; a
//!   201 without it is `Unknown`, never a success without an id.
//! - LinkedIn has no idempotency key. An attempt in doubt is reconciled by
//!   listing the organization's posts back to the attempt's time (matched
//!   by text, or by the uploaded image's URN); the duplicate detector's
//!   422 `DUPLICATE_POST` names the post already made and is taken as
//!   already done.
//! - Access tokens live 60 days. Only approved partners get refresh tokens
//!   (which do not slide); with one, an expiring token is renewed
//!   single-flight and stored before use, without one a 401 asks a person
//!   to reconnect.

use super::http::{exchange, id_string, Answer, Call};
use super::renewal::{self, Need};
use super::*;
use crate::domain::content::{Draft, Issue, MediaKind};
use crate::domain::metrics::Figure;
use chrono::Duration as TimeDelta;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The API version sent with every call (`YYYYMM`); LinkedIn keeps each
/// version for at least twelve months after its release.
pub const VERSION: &str = "202611";

/// Scopes asked for at consent: post as the organization, read its posts,
/// and read its statistics (and its access-control list).
pub const SCOPES: &str = "w_organization_social r_organization_social rw_organization_admin";

/// Page roles that may post for an organization (`w_organization_social`).
const POSTING_ROLES: &[&str] = &[
    "ADMINISTRATOR",
    "CONTENT_ADMINISTRATOR",
    "DIRECT_SPONSORED_CONTENT_POSTER",
];

/// Renew this long before the access token expires.
const EXPIRY_MARGIN_SECS: i64 = 3600;

/// Posts per page when reconciling, and how many pages at most.
const RECONCILE_PAGE: usize = 50;
const RECONCILE_PAGES: usize = 20;

/// Posts per statistics call.
const STATS_BATCH: usize = 20;

/// How long to wait for an uploaded image to become available.
const MEDIA_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Where a post is seen.
pub fn post_url(urn: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{urn}/")
}

pub struct LinkedinClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    credentials: Arc<dyn CredentialStore>,
    refresh_lock: tokio::sync::Mutex<()>,
}

/// The LinkedIn fields of [`Credentials`]. No `Debug`: tokens and the
/// app's secret are secret.
#[derive(Clone)]
struct Tokens {
    organization_id: String,
    client_id: String,
    client_secret: String,
    access_token: String,
    expires_at: DateTime<Utc>,
    refresh_token: Option<String>,
    refresh_expires_at: Option<DateTime<Utc>>,
}

impl Tokens {
    fn from_credentials(c: Credentials) -> Result<Tokens, PlatformError> {
        match c {
            Credentials::Linkedin {
                organization_id,
                client_id,
                client_secret,
                access_token,
                expires_at,
                refresh_token,
                refresh_expires_at,
            } => Ok(Tokens {
                organization_id,
                client_id,
                client_secret,
                access_token,
                expires_at,
                refresh_token,
                refresh_expires_at,
            }),
            other => Err(PlatformError::permanent(format!(
                "this channel holds {} credentials, not LinkedIn's",
                other.platform().as_str()
            ))),
        }
    }

    fn into_credentials(self) -> Credentials {
        Credentials::Linkedin {
            organization_id: self.organization_id,
            client_id: self.client_id,
            client_secret: self.client_secret,
            access_token: self.access_token,
            expires_at: self.expires_at,
            refresh_token: self.refresh_token,
            refresh_expires_at: self.refresh_expires_at,
        }
    }

    fn fresh(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - TimeDelta::seconds(EXPIRY_MARGIN_SECS) > now
    }

    /// A refresh token that has not expired yet.
    fn refreshable(&self, now: DateTime<Utc>) -> Option<&str> {
        let usable = self.refresh_expires_at.is_none_or(|t| t > now);
        self.refresh_token
            .as_deref()
            .filter(|t| usable && !t.is_empty())
    }

    fn author(&self) -> String {
        organization_urn(&self.organization_id)
    }
}

/// `urn:li:organization:<id>`.
pub fn organization_urn(id: &str) -> String {
    format!("urn:li:organization:{id}")
}

/// Progress as checkpointed: the uploaded images' URNs.
fn images_of(resume: Option<&Value>) -> Vec<String> {
    resume
        .and_then(|r| r.get("images"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl LinkedinClient {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        credentials: Arc<dyn CredentialStore>,
    ) -> Self {
        LinkedinClient {
            http,
            endpoints,
            credentials,
            refresh_lock: tokio::sync::Mutex::new(()),
        }
    }

    fn url(&self, path: &str) -> String {
        rest_url(&self.endpoints, path)
    }

    async fn load(&self) -> Result<Tokens, PlatformError> {
        Tokens::from_credentials(self.credentials.load().await?)
    }

    /// Tokens whose access token is not about to expire, renewed first
    /// when that is possible.
    async fn usable_tokens(&self) -> Result<Tokens, PlatformError> {
        let tokens = self.load().await?;
        let now = Utc::now();
        if tokens.fresh(now) || tokens.refreshable(now).is_none() {
            // Without a refresh token there is nothing to do before LinkedIn
            // says no; channel health shows the expiry meanwhile.
            return Ok(tokens);
        }
        self.refresh(Need::Expiring).await
    }

    async fn refresh(&self, need: Need<'_>) -> Result<Tokens, PlatformError> {
        renewal::single_flight(
            &self.refresh_lock,
            self.credentials.as_ref(),
            self.refresh_held(need),
        )
        .await
    }

    async fn refresh_held(&self, need: Need<'_>) -> Result<Tokens, PlatformError> {
        let stored = Tokens::from_credentials(self.credentials.load_latest().await?)?;
        let now = Utc::now();
        if need.met_by(stored.fresh(now), &stored.access_token) {
            return Ok(stored);
        }
        let Some(refresh_token) = stored.refreshable(now).map(str::to_owned) else {
            return Err(PlatformError::reauthorize(
                "LinkedIn's access token expired and this app has no refresh token: reconnect the page",
            ));
        };
        let grant = token_request(
            &self.http,
            &self.endpoints,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.as_str()),
                ("client_id", stored.client_id.as_str()),
                ("client_secret", stored.client_secret.as_str()),
            ],
        )
        .await?;
        let renewed = Tokens {
            access_token: grant.access_token.clone(),
            expires_at: now + TimeDelta::seconds(grant.expires_in.unwrap_or(60 * 86_400)),
            // The refresh token keeps its first expiry; LinkedIn may still
            // hand back the same one.
            refresh_token: grant.refresh_token.clone().or(Some(refresh_token)),
            refresh_expires_at: grant
                .refresh_token_expires_in
                .map(|s| now + TimeDelta::seconds(s))
                .or(stored.refresh_expires_at),
            ..stored
        };
        self.credentials
            .save(&renewed.clone().into_credentials())
            .await?;
        Ok(renewed)
    }

    /// Sends a versioned REST request built for the current token; on a 401
    /// renews once (when it can) and sends it once more. Returns successful
    /// answers only; anything else is classified.
    async fn send(
        &self,
        call: Call,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<Answer, PlatformError> {
        let tokens = self.usable_tokens().await?;
        let versioned = |token: &str| {
            build(token)
                .bearer_auth(token)
                .header("LinkedIn-Version", VERSION)
                .header("X-Restli-Protocol-Version", "2.0.0")
        };
        let mut answer = exchange(versioned(&tokens.access_token), call).await?;
        if answer.status == StatusCode::UNAUTHORIZED && tokens.refreshable(Utc::now()).is_some() {
            // LinkedIn did not process a request it refused.
            let renewed = self.refresh(Need::Replace(&tokens.access_token)).await?;
            answer = exchange(versioned(&renewed.access_token), call).await?;
        }
        if answer.status.is_success() {
            Ok(answer)
        } else {
            Err(classify(&answer, call, Utc::now()))
        }
    }

    async fn json(
        &self,
        call: Call,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<Value, PlatformError> {
        let answer = self.send(call, build).await?;
        answer.into_json(call, "LinkedIn", |a| classify(a, call, Utc::now()))
    }

    /// Initializes an upload, sends the bytes and waits until LinkedIn has
    /// processed the image. An image that was uploaded but never used is
    /// only an unattached asset, so every step retries like a read.
    async fn upload_image(&self, owner: &str, file: &MediaFile) -> Result<String, PlatformError> {
        let url = self.url("images?action=initializeUpload");
        let init = self
            .json(Call::Read, |_| {
                self.http
                    .post(&url)
                    .json(&json!({ "initializeUploadRequest": { "owner": owner } }))
            })
            .await?;
        let upload_url = init
            .pointer("/value/uploadUrl")
            .and_then(Value::as_str)
            .ok_or_else(|| PlatformError::retry("LinkedIn's upload answer had no upload URL"))?
            .to_owned();
        let image = init
            .pointer("/value/image")
            .and_then(Value::as_str)
            .ok_or_else(|| PlatformError::retry("LinkedIn's upload answer had no image URN"))?
            .to_owned();
        let tokens = self.load().await?;
        let answer = exchange(
            self.http
                .put(&upload_url)
                .bearer_auth(&tokens.access_token)
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(file.bytes.as_ref().clone()),
            Call::Read,
        )
        .await?;
        if !answer.status.is_success() {
            return Err(classify(&answer, Call::Read, Utc::now()));
        }
        self.wait_available(&image).await?;
        Ok(image)
    }

    /// Polls `GET /rest/images/{urn}` until the image is `AVAILABLE`.
    async fn wait_available(&self, image: &str) -> Result<(), PlatformError> {
        let url = self.url(&format!("images/{}", encode(image)));
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(250);
        loop {
            let v = self.json(Call::Read, |_| self.http.get(&url)).await?;
            match v.get("status").and_then(Value::as_str) {
                Some("AVAILABLE") => return Ok(()),
                Some("PROCESSING_FAILED") => {
                    return Err(PlatformError::permanent(
                        "LinkedIn could not process the attached image",
                    ))
                }
                _ => {}
            }
            if started.elapsed() > MEDIA_WAIT {
                return Err(PlatformError::retry(
                    "LinkedIn is still processing the attached image",
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_secs(4));
        }
    }

    /// The organization's posts newest first, paged back until one was
    /// created before `since`; `complete` when the listing reached that far.
    async fn posts_since(&self, since: DateTime<Utc>) -> Result<(Vec<Value>, bool), PlatformError> {
        let author = self.load().await?.author();
        let mut all = Vec::new();
        for page in 0..RECONCILE_PAGES {
            let url = self.url(&format!(
                "posts?q=author&author={}&count={RECONCILE_PAGE}&start={}&sortBy=CREATED",
                encode(&author),
                page * RECONCILE_PAGE
            ));
            let answer = self.json(Call::Read, |_| self.http.get(&url)).await?;
            let items = answer
                .get("elements")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let last_page = items.len() < RECONCILE_PAGE
                || !answer
                    .pointer("/paging/links")
                    .and_then(Value::as_array)
                    .is_some_and(|l| {
                        l.iter()
                            .any(|x| x.get("rel").and_then(Value::as_str) == Some("next"))
                    });
            let reached = items.last().and_then(created_at).is_some_and(|t| t < since);
            all.extend(items);
            if last_page || reached {
                return Ok((all, true));
            }
        }
        Ok((all, false))
    }
}

fn created_at(post: &Value) -> Option<DateTime<Utc>> {
    let ms = post.get("createdAt").and_then(Value::as_i64)?;
    DateTime::from_timestamp_millis(ms)
}

#[async_trait]
impl PlatformClient for LinkedinClient {
    fn platform(&self) -> Platform {
        Platform::Linkedin
    }

    fn validate(&self, request: &PublishRequest) -> Vec<Issue> {
        let mut issues = request.issues(Platform::Linkedin, false);
        // Videos go through a multi-part upload this version does not do.
        for (index, m) in request.media.iter().enumerate() {
            if m.kind() == MediaKind::Video {
                issues.push(Issue::UnsupportedMedia {
                    index,
                    kind: MediaKind::Video,
                });
            }
        }
        issues
    }

    async fn publish(
        &self,
        request: &PublishRequest,
        checkpoint: &dyn Checkpoint,
    ) -> Result<Published, PlatformError> {
        if request.media.iter().any(|m| m.kind() == MediaKind::Video) {
            return Err(PlatformError::permanent(
                "videos cannot be published to LinkedIn by this version yet",
            ));
        }
        let text = commentary_text(request);
        if text.trim().is_empty() && request.media.is_empty() && request.link.is_none() {
            return Err(PlatformError::permanent("nothing to post"));
        }
        let length = content::char_count(&text);
        if length > Platform::Linkedin.text_limit() {
            return Err(PlatformError::permanent(format!(
                "the post is {length} characters; LinkedIn takes {}",
                Platform::Linkedin.text_limit()
            )));
        }
        let tokens = self.load().await?;
        let author = tokens.author();
        let mut images = images_of(request.resume.as_ref());
        if images.len() > request.media.len() {
            return Err(PlatformError::permanent(
                "the recorded progress lists more images than the post has",
            ));
        }
        for file in &request.media[images.len()..] {
            let urn = self.upload_image(&author, file).await?;
            images.push(urn);
            checkpoint.record(&json!({ "images": images })).await?;
        }
        let body = post_body(&author, &text, request, &images);
        let url = self.url("posts");
        let answer = self
            .send(Call::Create, |_| self.http.post(&url).json(&body))
            .await?;
        let urn = answer
            .header("x-restli-id")
            .or_else(|| answer.header("x-linkedin-id"))
            .filter(|u| u.starts_with("urn:li:"))
            .map(str::to_owned)
            .ok_or_else(|| {
                PlatformError::unknown("LinkedIn accepted the post but named no post URN")
            })?;
        Ok(Published {
            url: Some(post_url(&urn)),
            remote_id: urn,
            extra: json!({ "images": images }),
            pending: false,
        })
    }

    async fn reconcile(
        &self,
        request: &PublishRequest,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, PlatformError> {
        let wanted = plain_text(&little_text(&commentary_text(request)));
        let images = images_of(request.resume.as_ref());
        let (posts, complete) = self.posts_since(since - TimeDelta::minutes(5)).await?;
        let found = posts.iter().find(|p| {
            let text = p.get("commentary").and_then(Value::as_str).unwrap_or("");
            let same_text = !wanted.trim().is_empty() && plain_text(text).trim() == wanted.trim();
            let same_image = images
                .first()
                .is_some_and(|first| image_ids(p).iter().any(|id| id == first));
            same_text || same_image
        });
        if let Some(post) = found {
            let urn = post
                .get("id")
                .and_then(id_string)
                .ok_or_else(|| PlatformError::retry("LinkedIn listed a post without its URN"))?;
            return Ok(Reconciled::Found(Published {
                url: Some(post_url(&urn)),
                remote_id: urn,
                extra: json!({ "images": images }),
                pending: false,
            }));
        }
        if !complete {
            return Ok(Reconciled::Undecided {
                reason: "the page posted more since the attempt than the listing covers".into(),
            });
        }
        if wanted.trim().is_empty() && images.is_empty() && !posts.is_empty() {
            return Ok(Reconciled::Undecided {
                reason: "the post has no text or image to recognise it by among the recent posts"
                    .into(),
            });
        }
        Ok(Reconciled::Absent)
    }

    async fn metrics(&self, posts: &[RemotePost]) -> Result<Vec<MetricsReport>, PlatformError> {
        let author = self.load().await?.author();
        let mut found: std::collections::HashMap<String, Value> = Default::default();
        for chunk in posts.chunks(STATS_BATCH) {
            let (ugc, shares): (Vec<&RemotePost>, Vec<&RemotePost>) = chunk
                .iter()
                .partition(|p| p.remote_id.starts_with("urn:li:ugcPost:"));
            let list = |ps: &[&RemotePost]| {
                ps.iter()
                    .map(|p| encode(&p.remote_id))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            // Rest.li lists: the URNs encoded, `List(`, `,` and `)` not.
            let mut path = format!(
                "organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={}",
                encode(&author)
            );
            if !shares.is_empty() {
                path.push_str(&format!("&shares=List({})", list(&shares)));
            }
            if !ugc.is_empty() {
                path.push_str(&format!("&ugcPosts=List({})", list(&ugc)));
            }
            let url = self.url(&path);
            let answer = self.json(Call::Read, |_| self.http.get(&url)).await?;
            for e in answer
                .get("elements")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let urn = e
                    .get("share")
                    .or_else(|| e.get("ugcPost"))
                    .and_then(Value::as_str);
                if let Some(urn) = urn {
                    found.insert(urn.to_owned(), e.clone());
                }
            }
        }
        Ok(posts
            .iter()
            .filter_map(|p| {
                let e = found.get(&p.remote_id)?;
                Some(MetricsReport {
                    remote_id: p.remote_id.clone(),
                    metrics: metric_set(e.get("totalShareStatistics")?),
                    raw: e.clone(),
                })
            })
            .collect())
    }

    async fn refresh_credentials(&self) -> Result<(), PlatformError> {
        let tokens = self.load().await?;
        if tokens.refreshable(Utc::now()).is_none() {
            // Nothing to renew with; checking the token is all that is left.
            return self.account().await.map(|_| ());
        }
        self.refresh(Need::Replace(&tokens.access_token))
            .await
            .map(|_| ())
    }

    async fn account(&self) -> Result<AccountInfo, PlatformError> {
        let tokens = self.load().await?;
        let url = self.url(&format!("organizations/{}", tokens.organization_id));
        let org = self.json(Call::Read, |_| self.http.get(&url)).await?;
        organization_info(&org, &tokens.organization_id)
    }
}

fn organization_info(org: &Value, id: &str) -> Result<AccountInfo, PlatformError> {
    let name = org
        .get("localizedName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .or_else(|| org.get("vanityName").and_then(Value::as_str))
        .ok_or_else(|| PlatformError::retry("LinkedIn's answer had no organization name"))?;
    Ok(AccountInfo {
        id: org
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| id.to_owned()),
        name: name.to_owned(),
    })
}

// ---------------------------------------------------------------------------
// Connect flow
// ---------------------------------------------------------------------------

/// Where to send a person to authorize the app.
pub fn authorize_url(
    endpoints: &Endpoints,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
) -> String {
    format!(
        "{}/oauth/v2/authorization?{}",
        endpoints.auth_base.trim_end_matches('/'),
        oauth::query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("state", state),
            ("scope", SCOPES),
        ])
    )
}

/// A member's grant, before an organization is chosen. No `Debug`.
#[derive(Clone, Deserialize)]
pub struct Grant {
    pub access_token: String,
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub refresh_token_expires_in: Option<i64>,
}

/// An organization the member may post for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub name: String,
}

/// Trades the consent `code` for the member's tokens.
pub async fn exchange_code(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    client_id: &str,
    client_secret: &str,
    redirect_uri: &str,
    code: &str,
) -> Result<Grant, PlatformError> {
    token_request(
        http,
        endpoints,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ],
    )
    .await
}

/// The credentials of one organization from a member's grant.
pub fn credentials_for(
    grant: &Grant,
    organization_id: &str,
    client_id: &str,
    client_secret: &str,
    granted_at: DateTime<Utc>,
) -> Credentials {
    Credentials::Linkedin {
        organization_id: organization_id.to_owned(),
        client_id: client_id.to_owned(),
        client_secret: client_secret.to_owned(),
        access_token: grant.access_token.clone(),
        expires_at: granted_at + TimeDelta::seconds(grant.expires_in.unwrap_or(60 * 86_400)),
        refresh_token: grant.refresh_token.clone().filter(|t| !t.is_empty()),
        refresh_expires_at: grant
            .refresh_token_expires_in
            .map(|s| granted_at + TimeDelta::seconds(s)),
    }
}

/// The organizations the member holds an approved posting role on, with
/// their names.
pub async fn posting_organizations(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    access_token: &str,
) -> Result<Vec<Organization>, PlatformError> {
    let get = |path: String| {
        http.get(rest_url(endpoints, &path))
            .bearer_auth(access_token)
            .header("LinkedIn-Version", VERSION)
            .header("X-Restli-Protocol-Version", "2.0.0")
    };
    let read = |answer: Answer| {
        answer.into_json(Call::Read, "LinkedIn", |a| {
            classify(a, Call::Read, Utc::now())
        })
    };
    let acls = read(
        exchange(
            get("organizationAcls?q=roleAssignee&state=APPROVED".to_owned()),
            Call::Read,
        )
        .await?,
    )?;
    let mut ids: Vec<String> = Vec::new();
    for e in acls
        .get("elements")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let role = e.get("role").and_then(Value::as_str).unwrap_or("");
        let state = e.get("state").and_then(Value::as_str).unwrap_or("APPROVED");
        let id = e
            .get("organization")
            .or_else(|| e.get("organizationTarget"))
            .and_then(Value::as_str)
            .and_then(|u| u.strip_prefix("urn:li:organization:"));
        if let Some(id) = id.filter(|_| POSTING_ROLES.contains(&role) && state == "APPROVED") {
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_owned());
            }
        }
    }
    let mut orgs = Vec::new();
    for id in ids {
        let org = read(exchange(get(format!("organizations/{id}")), Call::Read).await?)?;
        let info = organization_info(&org, &id)?;
        orgs.push(Organization {
            id,
            name: info.name,
        });
    }
    Ok(orgs)
}

async fn token_request(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    form: &[(&str, &str)],
) -> Result<Grant, PlatformError> {
    let url = format!(
        "{}/oauth/v2/accessToken",
        endpoints.auth_base.trim_end_matches('/')
    );
    let answer = exchange(http.post(url).form(form), Call::Read).await?;
    if answer.status.is_success() {
        return serde_json::from_str(&answer.body)
            .map_err(|_| PlatformError::retry("LinkedIn's token answer could not be read"));
    }
    let v: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    let error = v.get("error").and_then(Value::as_str);
    match (answer.status.as_u16(), error) {
        (400 | 401, _) => Err(PlatformError::reauthorize(format!(
            "LinkedIn no longer accepts this authorization ({}): reconnect the page",
            error.unwrap_or("refused")
        ))),
        _ => Err(match classify(&answer, Call::Read, Utc::now()) {
            PlatformError::Permanent { reason } => PlatformError::reauthorize(reason),
            other => other,
        }),
    }
}

// ---------------------------------------------------------------------------
// Requests and errors
// ---------------------------------------------------------------------------

fn rest_url(endpoints: &Endpoints, path: &str) -> String {
    format!(
        "{}/rest/{}",
        endpoints.api_base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// A URN as one query value or path segment.
fn encode(urn: &str) -> String {
    url::form_urlencoded::byte_serialize(urn.as_bytes()).collect()
}

fn error_message(answer: &Answer) -> String {
    serde_json::from_str::<Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {}", answer.status.as_u16()))
}

/// The post a `DUPLICATE_POST` refusal names ("... duplicate of urn:li:share:7").
fn duplicate_of(answer: &Answer) -> Option<String> {
    let v: Value = serde_json::from_str(&answer.body).ok()?;
    let duplicate = v
        .pointer("/errorDetails/inputErrors")
        .and_then(Value::as_array)
        .is_some_and(|e| {
            e.iter()
                .any(|x| x.get("code").and_then(Value::as_str) == Some("DUPLICATE_POST"))
        });
    if !duplicate {
        return None;
    }
    let message = v.get("message").and_then(Value::as_str)?;
    let start = message.find("urn:li:")?;
    let urn: String = message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
        .collect();
    (urn.matches(':').count() >= 3).then_some(urn)
}

/// The next midnight UTC, when LinkedIn's daily limits reset.
fn next_midnight_utc(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = now.date_naive() + chrono::Days::new(1);
    tomorrow
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now + TimeDelta::days(1))
}

/// Turns a LinkedIn error answer into what the caller must do.
fn classify(answer: &Answer, call: Call, now: DateTime<Utc>) -> PlatformError {
    let message = error_message(answer);
    let status = answer.status.as_u16();
    match status {
        422 if call == Call::Create => match duplicate_of(answer) {
            Some(urn) => PlatformError::AlreadyDone {
                url: Some(post_url(&urn)),
                remote_id: urn,
            },
            None => PlatformError::permanent(format!("LinkedIn refused the post: {message}")),
        },
        429 if message.contains(" DAY ") => PlatformError::QuotaExhausted {
            until: next_midnight_utc(now),
            reason: format!("LinkedIn's daily limit: {message}"),
        },
        429 => PlatformError::RetryAt {
            at: None,
            reason: format!("LinkedIn is throttling: {message}"),
        },
        401 => PlatformError::reauthorize(format!(
            "LinkedIn refused the access token ({message}): reconnect the page"
        )),
        403 => PlatformError::reauthorize(format!(
            "LinkedIn refused the request ({message}): the member who connected the page needs an administrator or content role and the page permissions"
        )),
        426 => PlatformError::permanent(format!(
            "LinkedIn no longer serves API version {VERSION} ({message}): update Tongbu"
        )),
        500..=599 => match call {
            Call::Create => PlatformError::unknown(format!(
                "LinkedIn answered HTTP {status}; the post may have been created"
            )),
            Call::Read => PlatformError::retry(format!("LinkedIn answered HTTP {status}")),
        },
        _ => PlatformError::permanent(format!("LinkedIn answered HTTP {status}: {message}")),
    }
}

// ---------------------------------------------------------------------------
// Content and metrics
// ---------------------------------------------------------------------------

/// Characters LinkedIn's little text format reserves.
const RESERVED: &[char] = &[
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// The text as it is published: the draft's text, with its link appended
/// when the link cannot be the post's article (an image is attached).
fn commentary_text(request: &PublishRequest) -> String {
    let draft = Draft {
        text: &request.text,
        link: request.link.as_deref(),
        ..Draft::default()
    };
    let text = content::published_text(Platform::Linkedin, &draft).into_owned();
    match request.link.as_deref().map(str::trim) {
        Some(link) if !request.media.is_empty() && !link.is_empty() && !text.contains(link) => {
            if text.is_empty() {
                link.to_owned()
            } else {
                format!("{text}\n\n{link}")
            }
        }
        _ => text,
    }
}

/// `text` in LinkedIn's little text format: reserved characters escaped,
/// `#word` as a hashtag template so it stays a hashtag.
pub fn little_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            let after_space = i == 0 || !chars[i - 1].is_alphanumeric();
            let word: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_alphanumeric())
                .collect();
            if after_space && !word.is_empty() {
                out.push_str("{hashtag|\\#|");
                out.push_str(&word);
                out.push('}');
                i += 1 + word.chars().count();
                continue;
            }
        }
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Little text as readers see it: escapes removed, hashtag templates as
/// `#word`, mentions as the name.
pub fn plain_text(little: &str) -> String {
    let chars: Vec<char> = little.chars().collect();
    let mut out = String::with_capacity(little.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '{' {
            let rest: String = chars[i..].iter().collect();
            if let Some(tag) = rest.strip_prefix("{hashtag|\\#|") {
                if let Some(end) = tag.find('}') {
                    out.push('#');
                    out.push_str(&tag[..end]);
                    i += "{hashtag|\\#|".chars().count() + tag[..end].chars().count() + 1;
                    continue;
                }
            }
        }
        if c == '@' && chars.get(i + 1) == Some(&'[') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(close) = rest.find("](") {
                if let Some(end) = rest[close..].find(')') {
                    out.push_str(&rest[..close]);
                    i += 2 + rest[..close + end + 1].chars().count();
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The body of `POST /rest/posts`.
fn post_body(author: &str, text: &str, request: &PublishRequest, images: &[String]) -> Value {
    let mut body = json!({
        "author": author,
        "commentary": little_text(text),
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": false,
    });
    let alt = |i: usize| {
        request
            .media
            .get(i)
            .map(|m| m.alt.trim().to_owned())
            .unwrap_or_default()
    };
    match images {
        [] => {
            if let Some(link) = request
                .link
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                let mut article = json!({
                    "source": link,
                    "title": request.title.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or(link),
                });
                if let Some(d) = request
                    .digest
                    .as_deref()
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                {
                    article["description"] = json!(d);
                }
                body["content"] = json!({ "article": article });
            }
        }
        [one] => body["content"] = json!({ "media": { "id": one, "altText": alt(0) } }),
        many => {
            let list: Vec<Value> = many
                .iter()
                .enumerate()
                .map(|(i, id)| json!({ "id": id, "altText": alt(i) }))
                .collect();
            body["content"] = json!({ "multiImage": { "images": list } });
        }
    }
    body
}

/// The image URNs a listed post carries.
fn image_ids(post: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    if let Some(id) = post.pointer("/content/media/id").and_then(Value::as_str) {
        ids.push(id.to_owned());
    }
    for i in post
        .pointer("/content/multiImage/images")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(id) = i.get("id").and_then(Value::as_str) {
            ids.push(id.to_owned());
        }
    }
    ids
}

fn metric_set(stats: &Value) -> MetricSet {
    let count = |name: &'static str| {
        stats
            .get(name)
            .and_then(Value::as_i64)
            .map(|v| Figure::new(v, name))
    };
    MetricSet {
        views: count("impressionCount"),
        reach: count("uniqueImpressionsCount"),
        reactions: count("likeCount"),
        comments: count("commentCount"),
        shares: count("shareCount"),
        link_clicks: count("clickCount"),
        saves: None,
    }
}

#[cfg(test)]
mod tests;
