//! WeChat Official Account (公众号) client: publishes articles through the
//! draft box and "发布" (freepublish), follows the asynchronous publish job,
//! reconciles lost answers and reads per-article analytics
//! (`platform-apis.md` §1).
//!
//! Invariants:
//! - Access tokens come from `/cgi-bin/stable_token` in normal mode, which
//!   hands every caller the same token while it is valid, so several
//!   processes sharing one app do not invalidate each other. They live only
//!   in this client's memory (they are derived from the stored AppID and
//!   AppSecret, which never change here) and are fetched single-flight: the
//!   cache's mutex is held across the fetch, so concurrent calls share one.
//! - An API call answered with a token error is replayed exactly once with
//!   a fresh token; `force_refresh` (which invalidates the token for every
//!   process and is limited to 20 a day) is only used when normal mode hands
//!   back the very token that was just rejected.
//! - The publish is three steps: cover upload, draft, submit. The first two
//!   create nothing public, so their ids are recorded through the
//!   [`Checkpoint`] and an ambiguous failure there is `RetryAt`. Only the
//!   submit is a "create" whose ambiguous failure is `Unknown`.
//! - A draft is consumed only by a successful submit, which makes
//!   `draft/get` an exact test of "was it submitted?" during reconciliation.
//! - Tokens and the AppSecret never appear in logs or error texts: transport
//!   errors go through [`http::transport_error`] (the URL carries the token)
//!   and `Debug` shows the API base only.

mod errors;
#[cfg(test)]
mod tests;

use super::http::{self, id_string, Call};
use super::*;
use crate::domain::content::{Issue, MediaKind};
use crate::domain::html;
use crate::domain::metrics::Figure;
use chrono::NaiveDate;
use errors::CHINA;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Instant;

/// `force_refresh` is refused more often than every 30 s (and capped daily).
const FORCE_REFRESH_SPACING: Duration = Duration::from_secs(30);
/// The publish job usually finishes within seconds to a minute.
const SETTLE_POLL: chrono::TimeDelta = chrono::TimeDelta::seconds(15);
/// How long after an attempt a consumed draft without a published article
/// may still be WeChat's publish job at work (it takes seconds to minutes).
const PUBLISH_SETTLE: chrono::TimeDelta = chrono::TimeDelta::minutes(30);
/// Slack for clock differences and the time between the attempt starting and
/// the submit reaching WeChat, when matching `update_time` in reconcile.
const RECONCILE_SLACK: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// `freepublish/batchget` returns at most 20 items per page; two pages are
/// plenty to cover the minutes since a lost submit.
const BATCH_PAGE: u64 = 20;
const BATCH_MAX: u64 = 40;

/// One channel's WeChat client.
pub struct WechatClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    credentials: Arc<dyn CredentialStore>,
    tokens: tokio::sync::Mutex<TokenCache>,
}

impl std::fmt::Debug for WechatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatClient")
            .field("api_base", &self.endpoints.api_base)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct TokenCache {
    current: Option<AccessToken>,
    /// When `force_refresh=true` was last used, to respect its spacing.
    last_forced: Option<Instant>,
}

#[derive(Clone)]
struct AccessToken {
    value: String,
    /// Fetch a new one from here on (a little before it expires).
    renew_at: Instant,
}

impl AccessToken {
    fn fresh(&self) -> bool {
        Instant::now() < self.renew_at
    }
}

/// What an API call sends besides the token.
enum Body<'a> {
    /// A GET without a body.
    Empty,
    Json(Value),
    /// A multipart upload with the file in field `media`.
    Media(&'a MediaFile),
}

struct Api<'a> {
    path: &'static str,
    query: &'a [(&'static str, &'a str)],
    body: Body<'a>,
    /// `Create` only for the call that makes something public.
    call: Call,
}

impl<'a> Api<'a> {
    fn post(path: &'static str, body: Value, call: Call) -> Api<'a> {
        Api {
            path,
            query: &[],
            body: Body::Json(body),
            call,
        }
    }
}

/// A failed API call before classification: callers that give a code a
/// special meaning (a consumed draft) look at it first.
enum Failure {
    Code { code: i64, errmsg: String },
    Other(PlatformError),
}

/// Progress of a publish, as recorded in the checkpoint.
#[derive(Default)]
struct Progress {
    thumb_media_id: Option<String>,
    draft_media_id: Option<String>,
    /// Keys an earlier attempt recorded that this version does not use,
    /// kept so that recording again does not drop them.
    other: Map<String, Value>,
}

impl Progress {
    fn from_resume(resume: Option<&Value>) -> Progress {
        let mut other = resume
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut take = |key: &str| other.remove(key).as_ref().and_then(id_string);
        Progress {
            thumb_media_id: take("thumb_media_id"),
            draft_media_id: take("draft_media_id"),
            other,
        }
    }

    fn to_json(&self) -> Value {
        let mut out = self.other.clone();
        if let Some(id) = &self.thumb_media_id {
            out.insert("thumb_media_id".into(), json!(id));
        }
        if let Some(id) = &self.draft_media_id {
            out.insert("draft_media_id".into(), json!(id));
        }
        Value::Object(out)
    }
}

impl WechatClient {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        credentials: Arc<dyn CredentialStore>,
    ) -> WechatClient {
        WechatClient {
            http,
            endpoints,
            credentials,
            tokens: tokio::sync::Mutex::new(TokenCache::default()),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoints.api_base.trim_end_matches('/'))
    }

    async fn app(&self) -> Result<(String, String), PlatformError> {
        match self.credentials.load().await? {
            Credentials::Wechat { app_id, app_secret } => Ok((app_id, app_secret)),
            other => Err(PlatformError::permanent(format!(
                "this channel holds {} credentials, not WeChat ones",
                other.platform().display_name()
            ))),
        }
    }

    // -- access tokens ------------------------------------------------------

    /// One `stable_token` request. Callers hold the cache lock.
    async fn fetch_token(&self, force_refresh: bool) -> Result<AccessToken, PlatformError> {
        let (app_id, secret) = self.app().await?;
        let body = json!({
            "grant_type": "client_credential",
            "appid": app_id,
            "secret": secret,
            "force_refresh": force_refresh,
        });
        let resp = self
            .http
            .post(self.url("/cgi-bin/stable_token"))
            .json(&body)
            .send()
            .await
            .map_err(|e| http::transport_error(&e, Call::Read))?;
        let v = read_json(resp, Call::Read).await?;
        if let Some((code, errmsg)) = errcode(&v) {
            return Err(errors::token_endpoint(code, &errmsg, Utc::now()));
        }
        let value = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PlatformError::retry("WeChat's token service answered without a token"))?
            .to_owned();
        // `expires_in` is the remaining life (at least 300 s in normal mode).
        let expires_in = v.get("expires_in").and_then(int).unwrap_or(300).max(0) as u64;
        let early = (expires_in / 2).min(300);
        tracing::debug!(force_refresh, expires_in, "fetched a WeChat access token");
        Ok(AccessToken {
            value,
            renew_at: Instant::now() + Duration::from_secs(expires_in - early),
        })
    }

    /// The cached token, fetched first when there is none or it is about to
    /// expire. Single-flight: the lock is held across the fetch.
    async fn token(&self) -> Result<String, PlatformError> {
        let mut cache = self.tokens.lock().await;
        if let Some(t) = cache.current.as_ref().filter(|t| t.fresh()) {
            return Ok(t.value.clone());
        }
        cache.current = None;
        let t = self.fetch_token(false).await?;
        cache.current = Some(t.clone());
        Ok(t.value)
    }

    /// A token to replace `rejected`, which an API call just refused.
    async fn replace_token(&self, rejected: &str) -> Result<String, PlatformError> {
        let mut cache = self.tokens.lock().await;
        // Another call may already have replaced it while we waited.
        if let Some(t) = cache
            .current
            .as_ref()
            .filter(|t| t.fresh() && t.value != rejected)
        {
            return Ok(t.value.clone());
        }
        cache.current = None;
        let mut t = self.fetch_token(false).await?;
        if t.value == rejected {
            // Normal mode hands out the same token while WeChat considers it
            // valid; it was refused anyway, so ask for a new one explicitly.
            let recently = cache
                .last_forced
                .is_some_and(|at| at.elapsed() < FORCE_REFRESH_SPACING);
            if !recently {
                cache.last_forced = Some(Instant::now());
                t = self.fetch_token(true).await?;
            }
        }
        cache.current = Some(t.clone());
        Ok(t.value)
    }

    // -- API calls -----------------------------------------------------------

    /// Sends one API call with `token`.
    async fn send(&self, api: &Api<'_>, token: &str) -> Result<Value, Failure> {
        let url = self.url(api.path);
        let rb = match api.body {
            Body::Empty => self.http.get(url),
            _ => self.http.post(url),
        }
        .query(&[("access_token", token)])
        .query(api.query);
        let rb = match &api.body {
            Body::Empty => rb,
            // reqwest's JSON writes UTF-8 as is: WeChat wants raw Chinese,
            // not `\uXXXX` escapes.
            Body::Json(v) => rb.json(v),
            Body::Media(file) => rb.multipart(media_form(file).map_err(Failure::Other)?),
        };
        let resp = rb
            .send()
            .await
            .map_err(|e| Failure::Other(http::transport_error(&e, api.call)))?;
        let v = read_json(resp, api.call).await.map_err(Failure::Other)?;
        match errcode(&v) {
            None => Ok(v),
            Some((code, errmsg)) => Err(Failure::Code { code, errmsg }),
        }
    }

    /// An API call with the token handling: a token error refreshes the
    /// token and replays the call once. Errors other than token errors are
    /// returned unclassified.
    async fn call_raw(&self, api: &Api<'_>) -> Result<Value, Failure> {
        let token = self.token().await.map_err(Failure::Other)?;
        match self.send(api, &token).await {
            Err(Failure::Code { code, .. }) if errors::TOKEN_CODES.contains(&code) => {
                tracing::info!(
                    code,
                    path = api.path,
                    "WeChat refused the access token; refreshing once"
                );
                let fresh = self.replace_token(&token).await.map_err(Failure::Other)?;
                self.send(api, &fresh).await
            }
            other => other,
        }
    }

    async fn call(&self, api: &Api<'_>) -> Result<Value, PlatformError> {
        self.call_raw(api).await.map_err(|f| classify(f, api.call))
    }

    // -- publish steps -------------------------------------------------------

    /// Uploads the cover as a permanent image (`thumb_media_id` must be one).
    async fn upload_cover(&self, cover: &MediaFile) -> Result<String, PlatformError> {
        let api = Api {
            path: "/cgi-bin/material/add_material",
            query: &[("type", "image")],
            body: Body::Media(cover),
            // An extra library image is clutter, not a post: retry freely.
            call: Call::Read,
        };
        let v = self.call(&api).await?;
        required_id(&v, "media_id", "the cover upload")
    }

    async fn add_draft(
        &self,
        request: &PublishRequest,
        title: &str,
        thumb_media_id: &str,
    ) -> Result<String, PlatformError> {
        let text_or_empty =
            |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or("").to_owned();
        let article = json!({
            "article_type": "news",
            "title": title,
            "author": "",
            // Empty: WeChat fills in the start of the body.
            "digest": text_or_empty(&request.digest),
            "content": article_html(&request.text),
            "content_source_url": text_or_empty(&request.link),
            "thumb_media_id": thumb_media_id,
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
        });
        let api = Api::post(
            "/cgi-bin/draft/add",
            json!({ "articles": [article] }),
            // A duplicate draft is invisible to readers: retry freely.
            Call::Read,
        );
        let v = self.call(&api).await?;
        required_id(&v, "media_id", "the draft")
    }

    /// Submits the draft. `resumed`: the draft was created by an earlier
    /// attempt, whose submit may have consumed it.
    async fn submit(&self, draft_media_id: &str, resumed: bool) -> Result<Value, PlatformError> {
        let api = Api::post(
            "/cgi-bin/freepublish/submit",
            json!({ "media_id": draft_media_id }),
            Call::Create,
        );
        match self.call_raw(&api).await {
            Ok(v) => Ok(v),
            // Only a successful submit consumes a draft, so an earlier
            // attempt's lost submit probably went through: reconcile.
            Err(Failure::Code {
                code: 40007,
                errmsg,
            }) if resumed => Err(PlatformError::unknown(errors::reason(
                "the draft recorded by an earlier attempt is gone, so that attempt's \
                     submit probably went through",
                40007,
                &errmsg,
            ))),
            Err(f) => Err(classify(f, Call::Create)),
        }
    }

    /// Looks for a published article titled `title` updated at or after
    /// `not_before` among the account's newest ones.
    async fn find_published(
        &self,
        title: &str,
        not_before: DateTime<Utc>,
    ) -> Result<Option<Published>, PlatformError> {
        let mut offset = 0;
        while offset < BATCH_MAX {
            let api = Api::post(
                "/cgi-bin/freepublish/batchget",
                json!({ "offset": offset, "count": BATCH_PAGE, "no_content": 0 }),
                Call::Read,
            );
            let v = self.call(&api).await?;
            let items = v
                .get("item")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for item in &items {
                let recent = item
                    .get("update_time")
                    .and_then(int)
                    .is_some_and(|t| t >= not_before.timestamp());
                if !recent {
                    continue;
                }
                let news = item
                    .pointer("/content/news_item")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let hit = news
                    .iter()
                    .find(|n| n.get("title").and_then(Value::as_str).map(str::trim) == Some(title));
                if let (Some(news), Some(article_id)) =
                    (hit, item.get("article_id").and_then(id_string))
                {
                    let url = news
                        .get("url")
                        .and_then(Value::as_str)
                        .filter(|u| !u.is_empty())
                        .map(str::to_owned);
                    return Ok(Some(Published {
                        // batchget does not return msg_data_id, so the
                        // article id stands in; metrics cannot be joined
                        // for such a post (see `msg_data_id`).
                        remote_id: article_id.clone(),
                        url: url.clone(),
                        extra: json!({ "article_id": article_id, "url": url }),
                        pending: false,
                    }));
                }
            }
            let total = v.get("total_count").and_then(int).unwrap_or(0).max(0) as u64;
            offset += items.len() as u64;
            if items.len() < BATCH_PAGE as usize || offset >= total {
                break;
            }
        }
        Ok(None)
    }

    /// One `getarticletotaldetail` day.
    async fn article_totals(&self, date: NaiveDate) -> Result<Value, PlatformError> {
        let day = date.format("%Y-%m-%d").to_string();
        let api = Api::post(
            "/datacube/getarticletotaldetail",
            json!({ "begin_date": day, "end_date": day }),
            Call::Read,
        );
        self.call(&api).await
    }
}

#[async_trait]
impl PlatformClient for WechatClient {
    fn platform(&self) -> Platform {
        Platform::Wechat
    }

    fn validate(&self, request: &PublishRequest) -> Vec<Issue> {
        request.issues(Platform::Wechat, false)
    }

    async fn publish(
        &self,
        request: &PublishRequest,
        checkpoint: &dyn Checkpoint,
    ) -> Result<Published, PlatformError> {
        let title = request
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PlatformError::permanent("a WeChat article needs a title"))?;
        let mut progress = Progress::from_resume(request.resume.as_ref());
        let resumed = progress.draft_media_id.is_some();

        let draft_media_id = match progress.draft_media_id.clone() {
            Some(id) => id,
            None => {
                let thumb = match progress.thumb_media_id.clone() {
                    Some(id) => id,
                    None => {
                        let cover = request
                            .media
                            .iter()
                            .find(|m| m.kind() == MediaKind::Image)
                            .ok_or_else(|| {
                                PlatformError::permanent("a WeChat article needs a cover image")
                            })?;
                        let id = self.upload_cover(cover).await?;
                        progress.thumb_media_id = Some(id.clone());
                        checkpoint.record(&progress.to_json()).await?;
                        id
                    }
                };
                let id = self.add_draft(request, title, &thumb).await?;
                progress.draft_media_id = Some(id.clone());
                // Recorded before submitting: reconcile relies on knowing
                // the draft of every submit that may have been sent.
                checkpoint.record(&progress.to_json()).await?;
                id
            }
        };

        let v = self.submit(&draft_media_id, resumed).await?;
        let publish_id = v.get("publish_id").and_then(id_string).ok_or_else(|| {
            PlatformError::unknown("WeChat accepted the publish but returned no publish_id")
        })?;
        // Older answers carry only publish_id; the analytics join key is then
        // unknown and the publish id stands in.
        let msg_data_id = v.get("msg_data_id").and_then(id_string);
        Ok(Published {
            remote_id: msg_data_id.clone().unwrap_or_else(|| publish_id.clone()),
            url: None,
            extra: json!({
                "publish_id": publish_id,
                "msg_data_id": msg_data_id,
                "draft_media_id": draft_media_id,
            }),
            pending: true,
        })
    }

    async fn settle(&self, published: &Published) -> Result<Settled, PlatformError> {
        if !published.pending {
            return Ok(Settled::Done(published.clone()));
        }
        let publish_id = published
            .extra
            .get("publish_id")
            .and_then(id_string)
            .ok_or_else(|| {
                PlatformError::permanent("no WeChat publish_id was recorded to follow up")
            })?;
        let api = Api::post(
            "/cgi-bin/freepublish/get",
            json!({ "publish_id": publish_id }),
            Call::Read,
        );
        let v = self.call(&api).await?;
        let status = v.get("publish_status").and_then(int).ok_or_else(|| {
            PlatformError::retry("WeChat's publish status answer had no publish_status")
        })?;
        let failed = fail_idx(&v);
        let rejected = |what: &str| Settled::Rejected {
            reason: format!("{what}{failed} (publish_status {status})"),
        };
        Ok(match status {
            0 => {
                let mut done = published.clone();
                let items = v
                    .pointer("/article_detail/item")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let first = items
                    .iter()
                    .find(|i| i.get("idx").and_then(int) == Some(1))
                    .or_else(|| items.first());
                done.url = first
                    .and_then(|i| i.get("article_url"))
                    .and_then(Value::as_str)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned);
                if let (Some(extra), Some(article_id)) = (
                    done.extra.as_object_mut(),
                    v.get("article_id").and_then(id_string),
                ) {
                    extra.insert("article_id".into(), json!(article_id));
                }
                done.pending = false;
                Settled::Done(done)
            }
            1 => Settled::Pending {
                check_at: Utc::now() + SETTLE_POLL,
            },
            2 => rejected("WeChat's originality check failed"),
            3 => rejected("WeChat could not publish the article"),
            4 => rejected("WeChat's review rejected the article"),
            5 => rejected("the article was deleted after publishing"),
            6 => rejected("the article was banned by the platform after publishing"),
            other => {
                return Err(PlatformError::permanent(format!(
                    "WeChat reported an unknown publish_status {other}"
                )))
            }
        })
    }

    async fn reconcile(
        &self,
        request: &PublishRequest,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, PlatformError> {
        let progress = Progress::from_resume(request.resume.as_ref());
        // Submitting needs the draft's id, and `publish` records that id
        // before it submits: without one, no submit was ever sent.
        let Some(draft) = &progress.draft_media_id else {
            return Ok(Reconciled::Absent);
        };
        {
            let api = Api::post(
                "/cgi-bin/draft/get",
                json!({ "media_id": draft }),
                Call::Read,
            );
            match self.call_raw(&api).await {
                // Still in the draft box: no submit of it succeeded.
                Ok(_) => return Ok(Reconciled::Absent),
                // Consumed (or deleted by a person): look for the article.
                Err(Failure::Code { code: 40007, .. }) => {}
                Err(f) => return Err(classify(f, Call::Read)),
            }
        }
        let Some(title) = request
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Ok(Reconciled::Undecided {
                reason: "the article has no title to look for among the published ones".into(),
            });
        };
        if let Some(found) = self.find_published(title, since - RECONCILE_SLACK).await? {
            return Ok(Reconciled::Found(found));
        }
        if Utc::now() - since < PUBLISH_SETTLE {
            // The submit consumed the draft, and WeChat's publish job lists
            // the article only once it has finished: no verdict yet.
            return Err(PlatformError::retry(
                "WeChat consumed the draft and may still be publishing the article",
            ));
        }
        Ok(Reconciled::Undecided {
            reason: "the draft was consumed by a publish, but no article with this title appears \
                     among the account's newest published articles yet"
                .into(),
        })
    }

    async fn metrics(&self, posts: &[RemotePost]) -> Result<Vec<MetricsReport>, PlatformError> {
        // Analytics for a day arrive the next day (China time); end_date is
        // at most yesterday.
        let today = Utc::now().with_timezone(&CHINA).date_naive();
        let mut by_date: BTreeMap<NaiveDate, Vec<(&RemotePost, String)>> = BTreeMap::new();
        for post in posts {
            let Some(id) = msg_data_id(post) else {
                continue;
            };
            let date = post.published_at.with_timezone(&CHINA).date_naive();
            if date < today {
                by_date.entry(date).or_default().push((post, id));
            }
        }
        let mut reports = Vec::new();
        for (date, group) in by_date {
            let v = self.article_totals(date).await?;
            let delayed = v.get("is_delay").and_then(Value::as_bool).unwrap_or(false);
            let list = v
                .get("list")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (post, id) in group {
                let msgid = format!("{id}_1");
                let Some(item) = list
                    .iter()
                    .find(|i| i.get("msgid").and_then(Value::as_str) == Some(msgid.as_str()))
                else {
                    continue;
                };
                reports.push(article_report(post, item, delayed));
            }
        }
        Ok(reports)
    }

    async fn refresh_credentials(&self) -> Result<(), PlatformError> {
        let mut cache = self.tokens.lock().await;
        cache.current = None;
        let t = self.fetch_token(false).await?;
        cache.current = Some(t);
        Ok(())
    }

    async fn account(&self) -> Result<AccountInfo, PlatformError> {
        let api = Api {
            path: "/cgi-bin/get_api_domain_ip",
            query: &[],
            body: Body::Empty,
            call: Call::Read,
        };
        self.call(&api).await?;
        // No API names the account for an app token; the AppID identifies it.
        let (app_id, _) = self.app().await?;
        Ok(AccountInfo {
            id: app_id.clone(),
            name: app_id,
        })
    }
}

// -- helpers ------------------------------------------------------------------

fn classify(f: Failure, call: Call) -> PlatformError {
    match f {
        Failure::Code { code, errmsg } => errors::api(code, &errmsg, call, Utc::now()),
        Failure::Other(e) => e,
    }
}

/// Reads a JSON body. WeChat answers HTTP 200 even for errors; any other
/// status comes from a gateway in front of it.
async fn read_json(resp: reqwest::Response, call: Call) -> Result<Value, PlatformError> {
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| http::transport_error(&e, call))?;
    if !status.is_success() {
        let what = format!("WeChat answered HTTP {}", status.as_u16());
        let ambiguous = status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT;
        return Err(match (ambiguous, call) {
            (true, Call::Create) => PlatformError::unknown(what),
            (true, Call::Read) => PlatformError::retry(what),
            (false, _) => PlatformError::permanent(what),
        });
    }
    serde_json::from_slice(&bytes).map_err(|_| {
        let what = "WeChat answered with a body that is not JSON";
        match call {
            Call::Create => PlatformError::unknown(what),
            Call::Read => PlatformError::retry(what),
        }
    })
}

/// The non-zero `errcode` of a body and its `errmsg`. Success bodies come
/// with `"errcode":0` or without the field at all.
fn errcode(v: &Value) -> Option<(i64, String)> {
    let code = v.get("errcode").and_then(int)?;
    (code != 0).then(|| {
        let msg = v.get("errmsg").and_then(Value::as_str).unwrap_or("");
        (code, msg.to_owned())
    })
}

/// An integer sent as a number or as a string of digits.
fn int(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn required_id(v: &Value, key: &str, what: &str) -> Result<String, PlatformError> {
    v.get(key)
        .and_then(id_string)
        .ok_or_else(|| PlatformError::retry(format!("WeChat created {what} but returned no {key}")))
}

fn media_form(file: &MediaFile) -> Result<reqwest::multipart::Form, PlatformError> {
    let name = if file.file_name.trim().is_empty() {
        "cover".to_owned()
    } else {
        file.file_name.clone()
    };
    let part = reqwest::multipart::Part::bytes(file.bytes.as_ref().clone())
        .file_name(name)
        .mime_str(&file.content_type)
        .map_err(|_| {
            PlatformError::permanent(format!(
                "\"{}\" is not a valid content type for the cover",
                file.content_type
            ))
        })?;
    Ok(reqwest::multipart::Form::new().part("media", part))
}

/// " for article(s) 1, 2" from `fail_idx`, or nothing.
fn fail_idx(v: &Value) -> String {
    let idx: Vec<String> = v
        .get("fail_idx")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(int).map(|i| i.to_string()).collect())
        .unwrap_or_default();
    match idx.len() {
        0 => String::new(),
        1 => format!(" for article {}", idx[0]),
        _ => format!(" for articles {}", idx.join(", ")),
    }
}

/// The analytics join key of a post: `msg_data_id` from the publish answer.
/// A post found by reconciliation has only an article id, which the
/// analytics do not know, so it has none.
fn msg_data_id(post: &RemotePost) -> Option<String> {
    if let Some(id) = post.extra.get("msg_data_id").and_then(id_string) {
        return Some(id);
    }
    let stands_in = ["article_id", "publish_id"]
        .iter()
        .any(|k| post.extra.get(*k).and_then(id_string).as_deref() == Some(&post.remote_id));
    (!stands_in && !post.remote_id.is_empty()).then(|| post.remote_id.clone())
}

/// Figures from one `getarticletotaldetail` item: its newest (cumulative)
/// `detail_list` entry. WeChat has no impressions and no link clicks.
fn article_report(post: &RemotePost, item: &Value, delayed: bool) -> MetricsReport {
    let latest = item
        .get("detail_list")
        .and_then(Value::as_array)
        .and_then(|d| {
            d.iter().max_by(|a, b| {
                let day = |x: &Value| {
                    x.get("stat_date")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned()
                };
                day(a).cmp(&day(b))
            })
        });
    let figure = |name: &str| {
        latest
            .and_then(|d| d.get(name))
            .and_then(int)
            .map(|n| Figure::new(n, name))
    };
    let metrics = MetricSet {
        views: None,
        reach: figure("read_user"),
        reactions: figure("like_user"),
        comments: figure("comment_count"),
        shares: figure("share_user"),
        link_clicks: None,
        saves: figure("collection_user"),
    };
    let mut raw = item.clone();
    // Keep the platform's "not final yet" flag with the figures it qualifies.
    if delayed {
        if let Some(obj) = raw.as_object_mut() {
            obj.insert("is_delay".into(), json!(true));
        }
    }
    MetricsReport {
        remote_id: post.remote_id.clone(),
        metrics,
        raw,
    }
}

/// The article body as simple, safe HTML: blank-line separated blocks
/// become paragraphs, single line breaks `<br/>`, and `& < > " '` are
/// escaped so the text can never inject markup.
fn article_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + 32);
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            paragraph(&mut lines, &mut out);
        } else {
            lines.push(line);
        }
    }
    paragraph(&mut lines, &mut out);
    out
}

/// Writes the collected lines as one paragraph and empties them.
fn paragraph(lines: &mut Vec<&str>, out: &mut String) {
    if lines.is_empty() {
        return;
    }
    out.push_str("<p>");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("<br/>");
        }
        html::escape_into(line.trim_end(), out);
    }
    out.push_str("</p>");
    lines.clear();
}
