//! Facebook Page client (Graph API, `platform-apis.md` §2).
//!
//! Invariants:
//! - The page token travels only as the `access_token` query parameter or
//!   form field; transport errors are described through
//!   [`http::transport_error`], which never prints the URL.
//! - Errors are classified on the Graph error `code`/`error_subcode`, not
//!   on the HTTP status (throttling and auth failures both come back as 400).
//! - A create whose answer is lost or unreadable is `Unknown`: Graph has no
//!   idempotency key, so only [`FacebookClient::reconcile`] (reading the
//!   page's recent posts) may decide that publishing again is safe.
//! - Uploading an *unpublished* photo creates nothing anyone sees, so those
//!   uploads are retried like reads; their ids are checkpointed so a resumed
//!   attempt does not upload them twice.
//! - Page tokens cannot be refreshed: when one stops working a person must
//!   reconnect the page.

use super::http::{self, Call};
use super::*;
use crate::domain::content::{Issue, MediaKind};
use chrono::Duration as TimeDelta;
use reqwest::header::HeaderMap;
use reqwest::multipart::Form;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;

/// The Graph API version every path starts with.
pub const GRAPH_VERSION: &str = "v23.0";

/// Permissions asked for at consent: posting, reading posts back, listing
/// the managed pages and reading insights.
pub const SCOPES: &str = "pages_manage_posts,pages_read_engagement,pages_show_list,read_insights";

/// Post insights asked for, in order of preference. All were valid in 2026;
/// any one Meta retires fails the whole request, hence the fallback.
const INSIGHT_METRICS: [&str; 4] = [
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_reactions_by_type_total",
];

/// Engagement counters readable without the insights permission.
const ENGAGEMENT_FIELDS: &str =
    "shares,comments.limit(0).summary(true),reactions.limit(0).summary(true)";

/// Graph's limit on sub-requests in one batch call.
const BATCH_LIMIT: usize = 50;

/// One page of `published_posts` when reconciling (Graph's maximum), and
/// how many pages at most: a Page that published more than that since the
/// attempt cannot be told apart from "absent".
const RECONCILE_PAGE: usize = 100;
const RECONCILE_PAGES: usize = 10;

/// How long after an attempt began a missing post proves it was not made.
const SETTLE_SECS: i64 = 60;

/// Clock slack when asking for posts since an attempt began.
const SINCE_SLACK_MINUTES: i64 = 5;

/// One managed page returned by [`list_pages`]. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct PageGrant {
    pub id: String,
    pub name: String,
    pub page_token: String,
}

impl std::fmt::Debug for PageGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageGrant")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("page_token", &"[redacted]")
            .finish()
    }
}

pub struct FacebookClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    credentials: Arc<dyn CredentialStore>,
    /// Insight metrics Graph called invalid during this client's life, so
    /// later batches stop asking for them.
    dead_metrics: std::sync::Mutex<HashSet<String>>,
}

impl FacebookClient {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        credentials: Arc<dyn CredentialStore>,
    ) -> Self {
        FacebookClient {
            http,
            endpoints,
            credentials,
            dead_metrics: std::sync::Mutex::new(HashSet::new()),
        }
    }

    /// The page id and its token.
    async fn page(&self) -> Result<(String, String), PlatformError> {
        match self.credentials.load().await? {
            Credentials::Facebook {
                page_id,
                page_token,
            } => Ok((page_id, page_token)),
            other => Err(PlatformError::permanent(format!(
                "this channel holds {} credentials, not a Facebook Page's",
                other.platform().as_str()
            ))),
        }
    }

    async fn publish_feed(
        &self,
        page: &str,
        token: &str,
        body: Value,
    ) -> Result<Published, PlatformError> {
        let req = self
            .http
            .post(graph_url(&self.endpoints, &format!("{page}/feed")))
            .query(&[("fields", "id,permalink_url"), ("access_token", token)])
            .json(&body);
        let answer = send(req, Call::Create).await?;
        let id = str_field(&answer, "id").ok_or_else(|| {
            PlatformError::unknown("Facebook accepted the post but its answer had no post id")
        })?;
        let url = str_field(&answer, "permalink_url").unwrap_or_else(|| post_url(&id));
        Ok(Published {
            remote_id: id,
            url: Some(url),
            extra: Value::Null,
            pending: false,
        })
    }

    /// Uploads one photo; `published` photos make a post, unpublished ones
    /// wait to be attached to one.
    async fn upload_photo(
        &self,
        page: &str,
        token: &str,
        file: &MediaFile,
        caption: Option<&str>,
        published: bool,
    ) -> Result<Value, PlatformError> {
        let mut form = Form::new().part("source", file.part()?);
        if let Some(caption) = caption.filter(|c| !c.is_empty()) {
            form = form.text("caption", caption.to_owned());
        }
        form = form.text("published", published.to_string());
        let req = self
            .http
            .post(graph_url(&self.endpoints, &format!("{page}/photos")))
            .query(&[("access_token", token)])
            .multipart(form);
        send(req, if published { Call::Create } else { Call::Read }).await
    }

    async fn publish_video(
        &self,
        page: &str,
        token: &str,
        file: &MediaFile,
        description: &str,
    ) -> Result<Published, PlatformError> {
        let mut form = Form::new().part("source", file.part()?);
        if !description.is_empty() {
            form = form.text("description", description.to_owned());
        }
        let req = self
            .http
            .post(graph_url(&self.endpoints, &format!("{page}/videos")))
            .query(&[("access_token", token)])
            .multipart(form);
        let answer = send(req, Call::Create).await?;
        let id = str_field(&answer, "id").ok_or_else(|| {
            PlatformError::unknown("Facebook accepted the video but its answer had no id")
        })?;
        Ok(Published {
            url: Some(post_url(&id)),
            extra: json!({ "video_id": id }),
            remote_id: id,
            pending: false,
        })
    }

    async fn publish_photos(
        &self,
        page: &str,
        token: &str,
        request: &PublishRequest,
        images: &[&MediaFile],
        checkpoint: &dyn Checkpoint,
    ) -> Result<Published, PlatformError> {
        let mut photo_ids: Vec<String> = request
            .resume
            .as_ref()
            .and_then(|r| r.get("photo_ids"))
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if photo_ids.len() > images.len() {
            return Err(PlatformError::permanent(
                "the recorded progress lists more photos than the post has",
            ));
        }
        for file in &images[photo_ids.len()..] {
            let answer = self.upload_photo(page, token, file, None, false).await?;
            let id = str_field(&answer, "id")
                .ok_or_else(|| PlatformError::retry("Facebook's photo upload answer had no id"))?;
            photo_ids.push(id);
            checkpoint
                .record(&json!({ "photo_ids": photo_ids }))
                .await?;
        }
        let attached: Vec<Value> = photo_ids
            .iter()
            .map(|id| json!({ "media_fbid": id }))
            .collect();
        let body = json!({
            "message": message_with_link(request),
            "published": true,
            "attached_media": attached,
        });
        let mut published = self.publish_feed(page, token, body).await?;
        published.extra = json!({ "photo_ids": photo_ids });
        Ok(published)
    }

    fn live_metrics(&self) -> Vec<&'static str> {
        let dead = self.dead_metrics.lock().unwrap_or_else(|e| e.into_inner());
        INSIGHT_METRICS
            .into_iter()
            .filter(|m| !dead.contains(*m))
            .collect()
    }

    fn mark_dead(&self, metric: &str) {
        tracing::warn!(
            metric,
            "Facebook says this insights metric is no longer valid"
        );
        self.dead_metrics
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(metric.to_owned());
    }

    async fn get_insights(
        &self,
        post: &str,
        token: &str,
        metrics: &[&str],
    ) -> Result<Value, GraphFailure> {
        let req = self
            .http
            .get(graph_url(&self.endpoints, &format!("{post}/insights")))
            .query(&[
                ("metric", metrics.join(",").as_str()),
                ("access_token", token),
            ]);
        send_raw(req, Call::Read).await
    }

    /// Insights for one post after Graph called one of `metrics` invalid:
    /// drop the metric it names and ask again; when it names none, ask for
    /// each metric alone and keep those that work.
    async fn insights_fallback(
        &self,
        post: &str,
        token: &str,
        mut metrics: Vec<&'static str>,
        mut failure: GraphFailure,
    ) -> Result<Option<Value>, PlatformError> {
        loop {
            if !failure.is_invalid_metric() {
                return failure.into_metrics_result();
            }
            let Some(i) = metrics.iter().position(|m| failure.message.contains(m)) else {
                break;
            };
            self.mark_dead(metrics.remove(i));
            if metrics.is_empty() {
                return Ok(None);
            }
            match self.get_insights(post, token, &metrics).await {
                Ok(v) => return Ok(Some(v)),
                Err(f) => failure = f,
            }
        }
        let mut data = Vec::new();
        for metric in metrics {
            match self.get_insights(post, token, &[metric]).await {
                Ok(v) => data.extend(
                    v.get("data")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                ),
                Err(f) if f.is_invalid_metric() => self.mark_dead(metric),
                Err(f) => return f.into_metrics_result(),
            }
        }
        Ok((!data.is_empty()).then(|| json!({ "data": data })))
    }

    async fn metrics_batch(
        &self,
        token: &str,
        posts: &[RemotePost],
        out: &mut Vec<MetricsReport>,
    ) -> Result<(), PlatformError> {
        let metrics = self.live_metrics();
        let mut batch = Vec::new();
        for post in posts {
            if !metrics.is_empty() {
                batch.push(json!({
                    "method": "GET",
                    "relative_url": format!("{}/insights?metric={}", post.remote_id, metrics.join(",")),
                }));
            }
            batch.push(json!({
                "method": "GET",
                "relative_url": format!("{}?fields={ENGAGEMENT_FIELDS}", post.remote_id),
            }));
        }
        let batch = Value::Array(batch).to_string();
        let req = self
            .http
            .post(format!(
                "{}/{GRAPH_VERSION}/",
                self.endpoints.api_base.trim_end_matches('/')
            ))
            .form(&[("batch", batch.as_str()), ("access_token", token)]);
        let answer = send(req, Call::Read).await?;
        let items = answer
            .as_array()
            .ok_or_else(|| PlatformError::retry("Facebook's batch answer was not a list"))?;
        let per_post = if metrics.is_empty() { 1 } else { 2 };
        for (i, post) in posts.iter().enumerate() {
            let (insights, engagement) = if metrics.is_empty() {
                (Ok(None), sub_response(items.get(i)))
            } else {
                (
                    sub_response(items.get(i * per_post)),
                    sub_response(items.get(i * per_post + 1)),
                )
            };
            let insights = match insights {
                Ok(v) => v,
                Err(f) => {
                    self.insights_fallback(&post.remote_id, token, metrics.clone(), f)
                        .await?
                }
            };
            let engagement = match engagement {
                Ok(v) => v,
                Err(f) => f.into_metrics_result()?,
            };
            if insights.is_none() && engagement.is_none() {
                // Deleted, or Graph no longer shows it to this page.
                continue;
            }
            out.push(MetricsReport {
                remote_id: post.remote_id.clone(),
                metrics: metric_set(insights.as_ref(), engagement.as_ref()),
                raw: json!({ "insights": insights, "engagement": engagement }),
            });
        }
        Ok(())
    }
}

#[async_trait]
impl PlatformClient for FacebookClient {
    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    fn validate(&self, request: &PublishRequest) -> Vec<Issue> {
        request.issues(Platform::Facebook, false)
    }

    async fn publish(
        &self,
        request: &PublishRequest,
        checkpoint: &dyn Checkpoint,
    ) -> Result<Published, PlatformError> {
        let (page, token) = self.page().await?;
        let (videos, images): (Vec<&MediaFile>, Vec<&MediaFile>) = request
            .media
            .iter()
            .partition(|m| m.kind() == MediaKind::Video);
        if let Some(video) = videos.first() {
            if request.media.len() > 1 {
                return Err(PlatformError::permanent(
                    "a Facebook video must be the post's only attachment",
                ));
            }
            return self
                .publish_video(&page, &token, video, &message_with_link(request))
                .await;
        }
        match images.as_slice() {
            [] => {
                let mut body = json!({ "message": request.text.trim(), "published": true });
                if let Some(link) = link(request) {
                    body["link"] = json!(link);
                }
                self.publish_feed(&page, &token, body).await
            }
            [image] => {
                let caption = message_with_link(request);
                let answer = self
                    .upload_photo(&page, &token, image, Some(&caption), true)
                    .await?;
                let photo_id = str_field(&answer, "id");
                // The post, not the photo, is what reconcile and metrics
                // look up; Graph names it in `post_id`.
                let remote_id = str_field(&answer, "post_id")
                    .or_else(|| photo_id.clone())
                    .ok_or_else(|| {
                        PlatformError::unknown(
                            "Facebook accepted the photo but its answer had no post id",
                        )
                    })?;
                Ok(Published {
                    url: Some(post_url(&remote_id)),
                    extra: json!({ "photo_id": photo_id }),
                    remote_id,
                    pending: false,
                })
            }
            _ => {
                self.publish_photos(&page, &token, request, &images, checkpoint)
                    .await
            }
        }
    }

    async fn reconcile(
        &self,
        request: &PublishRequest,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, PlatformError> {
        let (page, token) = self.page().await?;
        let from = (since - TimeDelta::minutes(SINCE_SLACK_MINUTES))
            .timestamp()
            .to_string();
        let limit = RECONCILE_PAGE.to_string();
        let mut posts: Vec<Value> = Vec::new();
        let mut after: Option<String> = None;
        let mut complete = false;
        for _ in 0..RECONCILE_PAGES {
            let mut query = vec![
                ("fields", "id,message,created_time,permalink_url"),
                ("since", from.as_str()),
                ("limit", limit.as_str()),
                ("access_token", token.as_str()),
            ];
            if let Some(a) = &after {
                query.push(("after", a.as_str()));
            }
            let req = self
                .http
                .get(graph_url(
                    &self.endpoints,
                    &format!("{page}/published_posts"),
                ))
                .query(&query);
            let answer = send(req, Call::Read).await?;
            posts.extend(
                answer
                    .get("data")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
            // Graph names a next page only when there is one.
            after = answer
                .pointer("/paging/next")
                .and_then(|_| answer.pointer("/paging/cursors/after"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            if after.is_none() {
                complete = true;
                break;
            }
        }
        let mut wanted = vec![request.text.trim().to_owned(), message_with_link(request)];
        wanted.retain(|m| !m.is_empty());
        wanted.dedup();
        if !wanted.is_empty() {
            let found = posts.iter().find(|p| {
                p.get("message")
                    .and_then(Value::as_str)
                    .is_some_and(|m| wanted.iter().any(|w| w == m.trim()))
            });
            if let Some(post) = found {
                if let Some(id) = str_field(post, "id") {
                    return Ok(Reconciled::Found(Published {
                        url: Some(
                            str_field(post, "permalink_url").unwrap_or_else(|| post_url(&id)),
                        ),
                        remote_id: id,
                        extra: Value::Null,
                        pending: false,
                    }));
                }
            }
        }
        let undecided = |reason: &str| {
            Ok(Reconciled::Undecided {
                reason: reason.to_owned(),
            })
        };
        if wanted.is_empty() && !posts.is_empty() {
            return undecided(
                "the post has no text to recognise it by among the page's recent posts",
            );
        }
        if !complete {
            return undecided(
                "the page published more posts since the attempt than one look covers",
            );
        }
        if too_early(since, Utc::now()) {
            // Not a verdict: ask again once Graph lists what it accepted.
            return Err(PlatformError::RetryAt {
                at: Some(since + TimeDelta::seconds(SETTLE_SECS)),
                reason: "too early to tell: Facebook may not list the post yet".into(),
            });
        }
        Ok(Reconciled::Absent)
    }

    async fn metrics(&self, posts: &[RemotePost]) -> Result<Vec<MetricsReport>, PlatformError> {
        let (_, token) = self.page().await?;
        let mut out = Vec::with_capacity(posts.len());
        // Two sub-requests per post (insights, engagement counters).
        for chunk in posts.chunks(BATCH_LIMIT / 2) {
            self.metrics_batch(&token, chunk, &mut out).await?;
        }
        Ok(out)
    }

    async fn refresh_credentials(&self) -> Result<(), PlatformError> {
        Err(PlatformError::reauthorize(
            "Facebook page tokens cannot be renewed by the app: reconnect the page to issue a new one",
        ))
    }

    async fn account(&self) -> Result<AccountInfo, PlatformError> {
        let (_, token) = self.page().await?;
        let req = self
            .http
            .get(graph_url(&self.endpoints, "me"))
            .query(&[("fields", "id,name"), ("access_token", token.as_str())]);
        let answer = send(req, Call::Read).await?;
        Ok(AccountInfo {
            id: str_field(&answer, "id")
                .ok_or_else(|| PlatformError::retry("Facebook's answer had no page id"))?,
            name: str_field(&answer, "name").unwrap_or_default(),
        })
    }
}

// ---------------------------------------------------------------------------
// Connect flow
// ---------------------------------------------------------------------------

/// Where to send a person to grant the app access to their pages.
pub fn authorize_url(
    endpoints: &Endpoints,
    app_id: &str,
    redirect_uri: &str,
    state: &str,
) -> String {
    format!(
        "{}/{GRAPH_VERSION}/dialog/oauth?{}",
        endpoints.auth_base.trim_end_matches('/'),
        oauth::query(&[
            ("client_id", app_id),
            ("redirect_uri", redirect_uri),
            ("state", state),
            ("scope", SCOPES),
            ("response_type", "code"),
        ])
    )
}

/// Trades the consent `code` for a long-lived user token: code → short-lived
/// token → `fb_exchange_token`. Page tokens derived from a long-lived user
/// token do not expire; from a short-lived one they last an hour.
pub async fn exchange_code(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    app_id: &str,
    app_secret: &str,
    redirect_uri: &str,
    code: &str,
) -> Result<String, PlatformError> {
    let url = graph_url(endpoints, "oauth/access_token");
    let short = send(
        http.get(&url).query(&[
            ("client_id", app_id),
            ("redirect_uri", redirect_uri),
            ("client_secret", app_secret),
            ("code", code),
        ]),
        Call::Read,
    )
    .await?;
    let short = str_field(&short, "access_token").ok_or_else(|| {
        PlatformError::permanent("Facebook returned no access token for the code")
    })?;
    let long = send(
        http.get(&url).query(&[
            ("grant_type", "fb_exchange_token"),
            ("client_id", app_id),
            ("client_secret", app_secret),
            ("fb_exchange_token", short.as_str()),
        ]),
        Call::Read,
    )
    .await?;
    str_field(&long, "access_token")
        .ok_or_else(|| PlatformError::permanent("Facebook returned no long-lived token"))
}

/// The pages the user manages, each with its page token.
pub async fn list_pages(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    user_token: &str,
) -> Result<Vec<PageGrant>, PlatformError> {
    let req = http.get(graph_url(endpoints, "me/accounts")).query(&[
        ("fields", "id,name,access_token"),
        ("access_token", user_token),
    ]);
    let answer = send(req, Call::Read).await?;
    let pages = answer
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| PlatformError::retry("Facebook's page list had no data"))?;
    Ok(pages
        .iter()
        .filter_map(|p| {
            Some(PageGrant {
                id: str_field(p, "id")?,
                name: str_field(p, "name").unwrap_or_default(),
                page_token: str_field(p, "access_token")?,
            })
        })
        .collect())
}

// ---------------------------------------------------------------------------
// Requests and errors
// ---------------------------------------------------------------------------

fn graph_url(endpoints: &Endpoints, path: &str) -> String {
    format!(
        "{}/{GRAPH_VERSION}/{}",
        endpoints.api_base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// Where a post id can be opened when Graph gave no permalink.
fn post_url(id: &str) -> String {
    format!("https://www.facebook.com/{id}")
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn link(request: &PublishRequest) -> Option<&str> {
    request
        .link
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// The text of a post that cannot carry a link share (photos, videos): the
/// link goes at the end of the text, as people would write it.
fn message_with_link(request: &PublishRequest) -> String {
    let text = request.text.trim();
    match link(request) {
        Some(link) if !text.contains(link) => {
            if text.is_empty() {
                link.to_owned()
            } else {
                format!("{text}\n\n{link}")
            }
        }
        _ => text.to_owned(),
    }
}

/// A failed Graph call: the classified error plus what the insights
/// fallback needs to recognise an invalid metric.
#[derive(Debug)]
struct GraphFailure {
    code: Option<i64>,
    message: String,
    error: PlatformError,
}

impl GraphFailure {
    fn is_invalid_metric(&self) -> bool {
        self.code == Some(100) && self.message.to_ascii_lowercase().contains("metric")
    }

    /// In a metrics read, a post-level rejection (deleted post, unsupported
    /// object) only leaves that figure out; auth and throttling stop the run.
    fn into_metrics_result(self) -> Result<Option<Value>, PlatformError> {
        match self.error {
            PlatformError::Permanent { .. } => Ok(None),
            other => Err(other),
        }
    }
}

async fn send(req: reqwest::RequestBuilder, call: Call) -> Result<Value, PlatformError> {
    send_raw(req, call).await.map_err(|f| f.error)
}

async fn send_raw(req: reqwest::RequestBuilder, call: Call) -> Result<Value, GraphFailure> {
    let failure = |error| GraphFailure {
        code: None,
        message: String::new(),
        error,
    };
    let resp = req
        .send()
        .await
        .map_err(|e| failure(http::transport_error(&e, call)))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .text()
        .await
        .map_err(|e| failure(http::transport_error(&e, call)))?;
    if status.is_success() {
        return serde_json::from_str(&body).map_err(|_| {
            failure(match call {
                Call::Create => PlatformError::unknown(
                    "Facebook accepted the request but its answer could not be read",
                ),
                Call::Read => PlatformError::retry("Facebook's answer could not be read"),
            })
        });
    }
    Err(failure_from(status, &headers, &body, call, Utc::now()))
}

/// One sub-response of a batch: `Ok(None)` when Graph left it out (it
/// returns `null` for sub-requests it did not finish).
fn sub_response(item: Option<&Value>) -> Result<Option<Value>, GraphFailure> {
    let Some(item) = item.filter(|v| v.is_object()) else {
        return Ok(None);
    };
    let code = item.get("code").and_then(Value::as_u64).unwrap_or(0);
    let body = item.get("body").and_then(Value::as_str).unwrap_or("");
    let status = u16::try_from(code)
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_success() {
        return Ok(serde_json::from_str(body).ok());
    }
    Err(failure_from(
        status,
        &HeaderMap::new(),
        body,
        Call::Read,
        Utc::now(),
    ))
}

fn failure_from(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    call: Call,
    now: DateTime<Utc>,
) -> GraphFailure {
    let error = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").cloned());
    GraphFailure {
        code: error
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(Value::as_i64),
        message: error
            .as_ref()
            .and_then(|e| e.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        error: classify(status, headers, body, call, now),
    }
}

/// Turns a Graph error answer into what the caller must do
/// (`platform-apis.md` §2.4).
pub(crate) fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
    call: Call,
    now: DateTime<Utc>,
) -> PlatformError {
    let error = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").cloned());
    let Some((error, code)) = error.and_then(|e| {
        let code = e.get("code").and_then(Value::as_i64)?;
        Some((e, code))
    }) else {
        return unparsed(status, call);
    };
    let subcode = error.get("error_subcode").and_then(Value::as_i64);
    let message: String = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    let described = match subcode {
        Some(sub) => format!("Facebook error {code}/{sub}: {message}"),
        None => format!("Facebook error {code}: {message}"),
    };
    match code {
        1 | 2 => match call {
            // Graph answers 500 with these even when the post was stored.
            Call::Create => PlatformError::unknown(format!(
                "{described} (a temporary error; the post may have been created anyway)"
            )),
            Call::Read => PlatformError::RetryAt {
                at: None,
                reason: described,
            },
        },
        4 | 17 | 32 | 341 | 613 | 80001 => PlatformError::RetryAt {
            at: regain_access_at(headers, now),
            reason: format!("Facebook is throttling this page: {described}"),
        },
        102 | 190 => PlatformError::reauthorize(format!(
            "the page token no longer works ({}): {described}",
            match subcode {
                Some(463) => "it expired",
                Some(460) => "the password was changed",
                Some(458) => "the app was removed",
                Some(459) => "the user must log in to Facebook to clear a checkpoint",
                Some(464) => "the user is not confirmed",
                _ => "it is invalid or was revoked",
            }
        )),
        10 | 200..=299 => PlatformError::reauthorize(format!(
            "a permission the app needs is missing or was removed: {described}"
        )),
        506 => PlatformError::permanent(
            "Facebook refused an identical post made just before; it may already be published",
        ),
        368 => PlatformError::permanent(format!(
            "Facebook temporarily blocks this page from posting for a policy reason: {described}"
        )),
        _ => PlatformError::permanent(described),
    }
}

/// An error answer without a Graph error object (a proxy's page, an empty
/// 5xx).
fn unparsed(status: StatusCode, call: Call) -> PlatformError {
    let what = format!("Facebook answered HTTP {}", status.as_u16());
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return match call {
            Call::Create if status.is_server_error() => {
                PlatformError::unknown(format!("{what}; the post may have been created"))
            }
            _ => PlatformError::retry(what),
        };
    }
    PlatformError::permanent(what)
}

/// When the page may call again, from `X-Business-Use-Case-Usage`
/// (`{"<id>":[{"estimated_time_to_regain_access":<minutes>,..}]}`); the
/// header only appears once usage is significant.
fn regain_access_at(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let raw = headers.get("x-business-use-case-usage")?.to_str().ok()?;
    let usage: Value = serde_json::from_str(raw).ok()?;
    let minutes = usage
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|u| u.get("estimated_time_to_regain_access")?.as_i64())
        .max()?;
    (minutes > 0).then(|| now + TimeDelta::minutes(minutes))
}

// ---------------------------------------------------------------------------
// Metrics mapping
// ---------------------------------------------------------------------------

fn metric_set(insights: Option<&Value>, engagement: Option<&Value>) -> MetricSet {
    use crate::domain::metrics::Figure;
    let insight = |name: &str| -> Option<&Value> {
        insights?
            .get("data")?
            .as_array()?
            .iter()
            .find(|d| d.get("name").and_then(Value::as_str) == Some(name))?
            .get("values")?
            .as_array()?
            .last()?
            .get("value")
    };
    let number = |name: &'static str| insight(name)?.as_i64().map(|v| Figure::new(v, name));
    let reactions_by_type = insight("post_reactions_by_type_total").and_then(|v| {
        let total = v.as_object()?.values().filter_map(Value::as_i64).sum();
        Some(Figure::new(total, "post_reactions_by_type_total"))
    });
    let summary = |field: &str| -> Option<i64> {
        engagement?
            .get(field)?
            .get("summary")?
            .get("total_count")?
            .as_i64()
    };
    MetricSet {
        views: number("post_media_view"),
        reach: number("post_total_media_view_unique"),
        link_clicks: number("post_clicks"),
        reactions: reactions_by_type.or_else(|| {
            summary("reactions").map(|v| Figure::new(v, "reactions.summary.total_count"))
        }),
        comments: summary("comments").map(|v| Figure::new(v, "comments.summary.total_count")),
        // Graph leaves `shares` out when nobody shared; that is reported as
        // unknown rather than guessed to be 0.
        shares: engagement
            .and_then(|e| e.get("shares")?.get("count")?.as_i64())
            .map(|v| Figure::new(v, "shares.count")),
        saves: None,
    }
}

/// Whether an attempt that began at `since` is too recent for the
/// platform's listing to show what it accepted. An attempt dated in the
/// future means the caller's clock is ahead of this one: then the caller's
/// own wait before reconciling (measured on its clock) is what counts.
fn too_early(since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    since <= now && now - since < TimeDelta::seconds(SETTLE_SECS)
}

#[cfg(test)]
mod tests;
