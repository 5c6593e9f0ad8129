//! X client (API v2 with OAuth 2.0 user tokens, `platform-apis.md` §3).
//!
//! Invariants:
//! - The credential store is the source of truth for the token pair: it is
//!   read before each call (a store may reuse a read from the last second),
//!   and read afresh inside the refresh lock because another task or
//!   process may have rotated the pair meanwhile.
//! - Refreshes are single-flight per client, and the rotated pair is saved
//!   through the store *before* it is used. X refresh tokens are single use
//!   and replaying one revokes the whole token family, so a pair that could
//!   not be saved is dropped rather than used.
//! - A 401 means the call was not processed, so after one refresh the call
//!   (even a create) is repeated once; a second 401 means reconnect.
//! - A create whose answer is lost (timeout, reset, 5xx) is `Unknown`: X has
//!   no idempotency key, and only [`XClient::reconcile`] may prove it absent.
//! - Every uploaded media id and every tweet before a thread's last is
//!   checkpointed at once, so a resumed thread continues after its last
//!   recorded tweet. The last tweet's id travels in the outcome instead.

use super::http::{self, exchange, id_string, Answer, Call};
use super::renewal::{self, Need};
use super::*;
use crate::domain::content::{self, Draft, Issue, MediaKind};
use chrono::Duration as TimeDelta;
use reqwest::header::HeaderMap;
use reqwest::multipart::Form;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

pub use super::oauth::Pkce;

/// Scopes asked for at consent; `offline.access` brings the refresh token.
pub const SCOPES: &str = "tweet.read tweet.write users.read offline.access media.write";

/// Weighted characters in one standard post.
const TWEET_LIMIT: usize = 280;

/// Renew an access token this long before X says it expires.
const EXPIRY_MARGIN_SECS: i64 = 60;

/// Ids per `GET /2/tweets` call.
const LOOKUP_LIMIT: usize = 100;

/// Tweets per page read when reconciling (X's maximum), and how many pages
/// at most: an account that posted more than that since the attempt cannot
/// be told apart from "absent".
const RECONCILE_PAGE: usize = 100;
const RECONCILE_PAGES: usize = 10;

/// How long after an attempt began a missing post proves it was not made.
const SETTLE_SECS: i64 = 60;

/// Clock slack when asking for tweets since an attempt began.
const SINCE_SLACK_MINUTES: i64 = 5;

/// Uploaded media expire after 24 h; older checkpointed ids are uploaded
/// again rather than attached.
const MEDIA_REUSE_HOURS: i64 = 20;

/// Non-public metrics exist for 30 days; stay clear of the boundary, where
/// asking for them fails the whole lookup.
const NON_PUBLIC_DAYS: i64 = 29;

pub struct XClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    credentials: Arc<dyn CredentialStore>,
    /// Serializes refreshes (and the re-read that may make one unneeded).
    refresh_lock: tokio::sync::Mutex<()>,
}

/// The X fields of [`Credentials`]. No `Debug`: every field but two is
/// secret.
#[derive(Clone)]
struct Tokens {
    user_id: String,
    client_id: String,
    client_secret: Option<String>,
    access_token: String,
    refresh_token: String,
    expires_at: DateTime<Utc>,
}

impl Tokens {
    fn from_credentials(c: Credentials) -> Result<Tokens, PlatformError> {
        match c {
            Credentials::X {
                user_id,
                client_id,
                client_secret,
                access_token,
                refresh_token,
                expires_at,
            } => Ok(Tokens {
                user_id,
                client_id,
                client_secret,
                access_token,
                refresh_token,
                expires_at,
            }),
            other => Err(PlatformError::permanent(format!(
                "this channel holds {} credentials, not X's",
                other.platform().as_str()
            ))),
        }
    }

    fn into_credentials(self) -> Credentials {
        Credentials::X {
            user_id: self.user_id,
            client_id: self.client_id,
            client_secret: self.client_secret,
            access_token: self.access_token,
            refresh_token: self.refresh_token,
            expires_at: self.expires_at,
        }
    }

    fn fresh(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - TimeDelta::seconds(EXPIRY_MARGIN_SECS) > now
    }
}

impl XClient {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        credentials: Arc<dyn CredentialStore>,
    ) -> Self {
        XClient {
            http,
            endpoints,
            credentials,
            refresh_lock: tokio::sync::Mutex::new(()),
        }
    }

    fn url(&self, path: &str) -> String {
        api_url(&self.endpoints, path)
    }

    async fn load(&self) -> Result<Tokens, PlatformError> {
        Tokens::from_credentials(self.credentials.load().await?)
    }

    /// A pair whose access token is not about to expire.
    async fn usable_tokens(&self) -> Result<Tokens, PlatformError> {
        let tokens = self.load().await?;
        if tokens.fresh(Utc::now()) {
            return Ok(tokens);
        }
        self.refresh(Need::Expiring).await
    }

    /// Single-flight refresh: whoever waited for the lock first re-reads the
    /// store and uses a pair someone else already rotated.
    async fn refresh(&self, need: Need<'_>) -> Result<Tokens, PlatformError> {
        renewal::single_flight(
            &self.refresh_lock,
            self.credentials.as_ref(),
            self.refresh_held(need),
        )
        .await
    }

    /// [`XClient::refresh`] once this client holds the refresh locks.
    async fn refresh_held(&self, need: Need<'_>) -> Result<Tokens, PlatformError> {
        let stored = Tokens::from_credentials(self.credentials.load_latest().await?)?;
        let now = Utc::now();
        if need.met_by(stored.fresh(now), &stored.access_token) {
            return Ok(stored);
        }
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", stored.refresh_token.as_str()),
            // Sent by confidential clients too: the token endpoint accepts it
            // beside Basic auth and public clients need it.
            ("client_id", stored.client_id.as_str()),
        ];
        let grant = token_request(
            &self.http,
            &self.endpoints,
            &form,
            stored
                .client_secret
                .as_deref()
                .map(|s| (stored.client_id.as_str(), s)),
        )
        .await?;
        let renewed = Tokens {
            access_token: grant.access_token,
            // X rotates on every refresh; keep the old one only if it did not.
            refresh_token: grant.refresh_token.unwrap_or(stored.refresh_token.clone()),
            expires_at: now + TimeDelta::seconds(grant.expires_in.unwrap_or(7200)),
            ..stored
        };
        // Persist before use: the old refresh token is spent now.
        self.credentials
            .save(&renewed.clone().into_credentials())
            .await?;
        Ok(renewed)
    }

    /// Sends a request built for the current token; on a 401 refreshes once
    /// and sends it once more (X did not process a request it refused).
    async fn call(
        &self,
        call: Call,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<Value, PlatformError> {
        let tokens = self.usable_tokens().await?;
        let mut answer = exchange(build(&tokens.access_token), call).await?;
        if answer.status == StatusCode::UNAUTHORIZED {
            let renewed = self.refresh(Need::Replace(&tokens.access_token)).await?;
            answer = exchange(build(&renewed.access_token), call).await?;
            if answer.status == StatusCode::UNAUTHORIZED {
                return Err(PlatformError::reauthorize(
                    "X refused the renewed access token: reconnect the account",
                ));
            }
        }
        into_json(answer, call)
    }

    async fn upload_media(&self, file: &MediaFile) -> Result<String, PlatformError> {
        let category = match file.kind() {
            MediaKind::Gif => "tweet_gif",
            _ => "tweet_image",
        };
        let url = self.url("2/media/upload");
        // Checked once here so the builder below cannot silently drop it.
        file.part()?;
        // An upload that may have landed only leaves an unattached media
        // object that expires by itself: retried like a read.
        let answer = self
            .call(Call::Read, |token| {
                let mut form = Form::new().text("media_category", category);
                if let Ok(part) = file.part() {
                    form = form.part("media", part);
                }
                self.http.post(&url).bearer_auth(token).multipart(form)
            })
            .await?;
        answer
            .pointer("/data/id")
            .or_else(|| answer.get("media_id_string"))
            .and_then(id_string)
            .ok_or_else(|| PlatformError::retry("X's media upload answer had no media id"))
    }

    async fn create_tweet(&self, body: &Value) -> Result<String, PlatformError> {
        let url = self.url("2/tweets");
        let answer = self
            .call(Call::Create, |token| {
                self.http.post(&url).bearer_auth(token).json(body)
            })
            .await?;
        if let Some(id) = answer.pointer("/data/id").and_then(id_string) {
            return Ok(id);
        }
        Err(match answer.get("errors") {
            Some(errors) => PlatformError::permanent(format!(
                "X refused the post: {}",
                problem_detail(&errors.to_string())
            )),
            None => PlatformError::unknown("X accepted the post but its answer had no id"),
        })
    }

    async fn lookup(&self, ids: &[&str], non_public: bool) -> Result<Value, PlatformError> {
        let url = self.url("2/tweets");
        let ids = ids.join(",");
        let fields = if non_public {
            "public_metrics,non_public_metrics"
        } else {
            "public_metrics"
        };
        self.call(Call::Read, |token| {
            self.http
                .get(&url)
                .bearer_auth(token)
                .query(&[("ids", ids.as_str()), ("tweet.fields", fields)])
        })
        .await
    }
}

#[async_trait]
impl PlatformClient for XClient {
    fn platform(&self) -> Platform {
        Platform::X
    }

    fn validate(&self, request: &PublishRequest) -> Vec<Issue> {
        request.issues(Platform::X, request.thread)
    }

    async fn publish(
        &self,
        request: &PublishRequest,
        checkpoint: &dyn Checkpoint,
    ) -> Result<Published, PlatformError> {
        if request.media.iter().any(|m| m.kind() == MediaKind::Video) {
            return Err(PlatformError::permanent(
                "videos cannot be published to X by this version yet",
            ));
        }
        let parts = tweet_texts(request);
        if parts.is_empty() && request.media.is_empty() {
            return Err(PlatformError::permanent("nothing to post"));
        }
        let mut progress = Progress::from_resume(request.resume.as_ref(), Utc::now());
        if progress.tweet_ids.len() > parts.len().max(1) {
            return Err(PlatformError::permanent(
                "the recorded progress lists more tweets than the thread has",
            ));
        }
        if progress.tweet_ids.is_empty() {
            for file in &request.media[progress.media_ids.len().min(request.media.len())..] {
                let id = self.upload_media(file).await?;
                progress.media_ids.push(id);
                progress.media_uploaded_at.get_or_insert(Utc::now());
                checkpoint.record(&progress.to_json()).await?;
            }
        }
        let parts = if parts.is_empty() {
            vec![String::new()]
        } else {
            parts
        };
        for (i, text) in parts.iter().enumerate().skip(progress.tweet_ids.len()) {
            let mut body = json!({});
            if !text.is_empty() {
                body["text"] = json!(text);
            }
            if let Some(previous) = progress.tweet_ids.last() {
                body["reply"] = json!({ "in_reply_to_tweet_id": previous });
            }
            if i == 0 && !progress.media_ids.is_empty() {
                body["media"] = json!({ "media_ids": progress.media_ids });
            }
            let id = self.create_tweet(&body).await?;
            progress.tweet_ids.push(id);
            if i + 1 == parts.len() {
                // The last tweet's id goes out in the outcome, committed
                // next; a checkpoint would only serve a resume, and nothing
                // is resumed once every tweet exists (a lost outcome is
                // reconciled instead).
                break;
            }
            if let Err(e) = checkpoint.record(&progress.to_json()).await {
                // The tweet exists; repeating this step would duplicate it.
                return Err(PlatformError::unknown(format!(
                    "post {} of {} was published but the progress could not be recorded: {e}",
                    i + 1,
                    parts.len()
                )));
            }
        }
        let first = progress.tweet_ids[0].clone();
        Ok(Published {
            url: Some(status_url(&first)),
            remote_id: first,
            extra: json!({ "tweet_ids": progress.tweet_ids }),
            pending: false,
        })
    }

    async fn reconcile(
        &self,
        request: &PublishRequest,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, PlatformError> {
        let tokens = self.load().await?;
        let url = self.url(&format!("2/users/{}/tweets", tokens.user_id));
        let start = (since - TimeDelta::minutes(SINCE_SLACK_MINUTES))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let max = RECONCILE_PAGE.to_string();
        let mut tweets: Vec<Value> = Vec::new();
        let mut next: Option<String> = None;
        let mut complete = false;
        for _ in 0..RECONCILE_PAGES {
            let answer = self
                .call(Call::Read, |token| {
                    let mut q = vec![
                        ("max_results", max.as_str()),
                        ("start_time", start.as_str()),
                        ("tweet.fields", "created_at,text"),
                    ];
                    if let Some(t) = &next {
                        q.push(("pagination_token", t.as_str()));
                    }
                    self.http.get(&url).bearer_auth(token).query(&q)
                })
                .await?;
            tweets.extend(
                answer
                    .get("data")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
            next = answer
                .pointer("/meta/next_token")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if next.is_none() {
                complete = true;
                break;
            }
        }
        let parts = tweet_texts(request);
        let text_of = |t: &Value| {
            t.get("text")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let find = |wanted: &str| {
            tweets
                .iter()
                .find(|t| same_text(&text_of(t), wanted))
                .and_then(|t| t.get("id").and_then(id_string))
        };
        if let Some(first) = parts.first().filter(|p| !p.is_empty()) {
            if let Some(id) = find(first) {
                // Later thread posts that also made it, in order.
                let mut ids = vec![id.clone()];
                for part in &parts[1..] {
                    match find(part) {
                        Some(next) => ids.push(next),
                        None => break,
                    }
                }
                return Ok(Reconciled::Found(Published {
                    url: Some(status_url(&id)),
                    remote_id: id,
                    extra: json!({ "tweet_ids": ids }),
                    pending: false,
                }));
            }
        }
        let undecided = |reason: &str| {
            Ok(Reconciled::Undecided {
                reason: reason.to_owned(),
            })
        };
        if parts.first().is_none_or(|p| p.is_empty()) && !tweets.is_empty() {
            return undecided("the post has no text to recognise it by among the recent posts");
        }
        if !complete {
            return undecided("the account posted more since the attempt than one look covers");
        }
        if too_early(since, Utc::now()) {
            // Not a verdict: ask again once X lists what it accepted.
            return Err(PlatformError::RetryAt {
                at: Some(since + TimeDelta::seconds(SETTLE_SECS)),
                reason: "too early to tell: X may not list the post yet".into(),
            });
        }
        Ok(Reconciled::Absent)
    }

    async fn metrics(&self, posts: &[RemotePost]) -> Result<Vec<MetricsReport>, PlatformError> {
        let cutoff = Utc::now() - TimeDelta::days(NON_PUBLIC_DAYS);
        let (young, old): (Vec<&RemotePost>, Vec<&RemotePost>) =
            posts.iter().partition(|p| p.published_at > cutoff);
        let mut found = std::collections::HashMap::new();
        for (group, non_public) in [(young, true), (old, false)] {
            for chunk in group.chunks(LOOKUP_LIMIT) {
                let ids: Vec<&str> = chunk.iter().map(|p| p.remote_id.as_str()).collect();
                let answer = match self.lookup(&ids, non_public).await {
                    // X refuses the whole lookup when one post is not the
                    // account's own or just crossed 30 days: public figures
                    // are still worth having.
                    Err(PlatformError::Permanent { .. }) if non_public => {
                        self.lookup(&ids, false).await?
                    }
                    other => other?,
                };
                for tweet in answer
                    .get("data")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(id) = tweet.get("id").and_then(id_string) {
                        found.insert(id, tweet.clone());
                    }
                }
            }
        }
        // Ids X listed under `errors` (deleted, protected) are simply absent.
        Ok(posts
            .iter()
            .filter_map(|p| {
                let tweet = found.get(&p.remote_id)?;
                Some(MetricsReport {
                    remote_id: p.remote_id.clone(),
                    metrics: metric_set(tweet),
                    raw: tweet.clone(),
                })
            })
            .collect())
    }

    async fn refresh_credentials(&self) -> Result<(), PlatformError> {
        let current = self.load().await?;
        self.refresh(Need::Replace(&current.access_token)).await?;
        Ok(())
    }

    async fn account(&self) -> Result<AccountInfo, PlatformError> {
        let url = self.url("2/users/me");
        let answer = self
            .call(Call::Read, |token| self.http.get(&url).bearer_auth(token))
            .await?;
        user_info(&answer)
    }
}

/// Thread progress as checkpointed:
/// `{"media_ids":[..],"tweet_ids":[..],"media_uploaded_at":RFC 3339}`.
#[derive(Default)]
struct Progress {
    media_ids: Vec<String>,
    tweet_ids: Vec<String>,
    media_uploaded_at: Option<DateTime<Utc>>,
}

impl Progress {
    fn from_resume(resume: Option<&Value>, now: DateTime<Utc>) -> Progress {
        let Some(r) = resume else {
            return Progress::default();
        };
        let ids = |key: &str| -> Vec<String> {
            r.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(id_string).collect())
                .unwrap_or_default()
        };
        let mut p = Progress {
            media_ids: ids("media_ids"),
            tweet_ids: ids("tweet_ids"),
            media_uploaded_at: r
                .get("media_uploaded_at")
                .and_then(Value::as_str)
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&Utc)),
        };
        let stale = p
            .media_uploaded_at
            .is_some_and(|t| now - t > TimeDelta::hours(MEDIA_REUSE_HOURS));
        if p.tweet_ids.is_empty() && stale {
            p.media_ids.clear();
            p.media_uploaded_at = None;
        }
        p
    }

    fn to_json(&self) -> Value {
        let mut v = json!({ "media_ids": self.media_ids, "tweet_ids": self.tweet_ids });
        if let Some(t) = self.media_uploaded_at {
            v["media_uploaded_at"] = json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        v
    }
}

// ---------------------------------------------------------------------------
// Connect flow
// ---------------------------------------------------------------------------

/// Where to send a person to authorize the app (PKCE S256).
pub fn authorize_url(
    endpoints: &Endpoints,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> String {
    format!(
        "{}/i/oauth2/authorize?{}",
        endpoints.auth_base.trim_end_matches('/'),
        oauth::query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("scope", SCOPES),
            ("state", state),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
    )
}

/// Trades the consent `code` (and the PKCE verifier) for a token pair and
/// looks up whose it is.
pub async fn exchange_code(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    client_id: &str,
    client_secret: Option<&str>,
    redirect_uri: &str,
    code: &str,
    verifier: &str,
) -> Result<Credentials, PlatformError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
        ("client_id", client_id),
    ];
    let started = Utc::now();
    let grant = token_request(
        http,
        endpoints,
        &form,
        client_secret.map(|s| (client_id, s)),
    )
    .await?;
    let refresh_token = grant.refresh_token.ok_or_else(|| {
        PlatformError::permanent(
            "X returned no refresh token: the offline.access scope was not granted",
        )
    })?;
    let answer = into_json(
        exchange(
            http.get(api_url(endpoints, "2/users/me"))
                .bearer_auth(&grant.access_token),
            Call::Read,
        )
        .await?,
        Call::Read,
    )?;
    let me = user_info(&answer)?;
    Ok(Credentials::X {
        user_id: me.id,
        client_id: client_id.to_owned(),
        client_secret: client_secret.map(str::to_owned),
        access_token: grant.access_token,
        refresh_token,
        expires_at: started + TimeDelta::seconds(grant.expires_in.unwrap_or(7200)),
    })
}

/// A token endpoint answer. No `Debug`: it holds the tokens.
#[derive(Deserialize)]
struct Grant {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
}

async fn token_request(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> Result<Grant, PlatformError> {
    let mut req = http.post(api_url(endpoints, "2/oauth2/token")).form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let answer = exchange(req, Call::Read).await?;
    if answer.status.is_success() {
        return serde_json::from_str(&answer.body)
            .map_err(|_| PlatformError::retry("X's token answer could not be read"));
    }
    let error = serde_json::from_str::<Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned));
    Err(match (answer.status.as_u16(), error.as_deref()) {
        (
            400 | 401,
            Some("invalid_request" | "invalid_grant" | "invalid_client" | "unauthorized_client"),
        )
        | (401, _) => PlatformError::reauthorize(format!(
            "X no longer accepts this account's authorization ({}): reconnect it",
            error.as_deref().unwrap_or("unauthorized")
        )),
        _ => match classify(&answer, Call::Read, Utc::now()) {
            // A refused token request is never a content problem.
            PlatformError::Permanent { reason } => PlatformError::reauthorize(reason),
            other => other,
        },
    })
}

fn user_info(answer: &Value) -> Result<AccountInfo, PlatformError> {
    let data = answer
        .get("data")
        .ok_or_else(|| PlatformError::retry("X's answer had no user"))?;
    let id = data
        .get("id")
        .and_then(id_string)
        .ok_or_else(|| PlatformError::retry("X's answer had no user id"))?;
    let name = data
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .or_else(|| data.get("username").and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    Ok(AccountInfo { id, name })
}

// ---------------------------------------------------------------------------
// Requests and errors
// ---------------------------------------------------------------------------

fn api_url(endpoints: &Endpoints, path: &str) -> String {
    format!(
        "{}/{}",
        endpoints.api_base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

fn status_url(id: &str) -> String {
    format!("https://x.com/i/web/status/{id}")
}

/// The body of a successful answer as JSON; an error answer classified.
fn into_json(answer: Answer, call: Call) -> Result<Value, PlatformError> {
    answer.into_json(call, "X", |a| classify(a, call, Utc::now()))
}

/// The human part of an error body: problem JSON `detail`/`title`, or the
/// first of `errors`.
fn problem_detail(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let first_error = |v: &Value| -> Option<String> {
        let e = v.get("errors").or(Some(v))?.as_array()?.first()?.clone();
        e.get("detail")
            .or_else(|| e.get("message"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    v.get("detail")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| v.get("title").and_then(Value::as_str).map(str::to_owned))
        .or_else(|| first_error(&v))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

/// Turns an X error answer into what the caller must do
/// (`platform-apis.md` §3.5–3.6).
fn classify(answer: &Answer, call: Call, now: DateTime<Utc>) -> PlatformError {
    let headers = &answer.headers;
    let detail = problem_detail(&answer.body);
    let lower = answer.body.to_ascii_lowercase();
    let capped = lower.contains("usagecapexceeded") || lower.contains("usage-capped");
    let day_reset = http::epoch_header(headers, "x-user-limit-24hour-reset");
    let status = answer.status.as_u16();
    match status {
        429 | 403 if capped => PlatformError::QuotaExhausted {
            until: day_reset
                .or_else(|| http::epoch_header(headers, "x-app-limit-24hour-reset"))
                .or_else(|| http::epoch_header(headers, "x-rate-limit-reset"))
                .unwrap_or(now + TimeDelta::hours(24)),
            reason: format!("the X plan's usage cap is reached: {detail}"),
        },
        429 if header_is(headers, "x-user-limit-24hour-remaining", "0") => {
            PlatformError::QuotaExhausted {
                until: day_reset.unwrap_or(now + TimeDelta::hours(24)),
                reason: "the account's 24-hour posting limit on X is used up".to_owned(),
            }
        }
        429 => PlatformError::RetryAt {
            at: http::epoch_header(headers, "x-rate-limit-reset"),
            reason: format!("X rate limit: {detail}"),
        },
        403 if detail.to_ascii_lowercase().contains("duplicate") => PlatformError::permanent(
            "X saw identical text posted by this account recently and refused it; \
             the post may already be published",
        ),
        403 => PlatformError::permanent(format!("X refused the request: {detail}")),
        401 => PlatformError::reauthorize(format!("X refused the access token: {detail}")),
        400 => PlatformError::permanent(format!("X rejected the request: {detail}")),
        500..=599 => match call {
            Call::Create => PlatformError::unknown(format!(
                "X answered HTTP {status}; the post may have been created"
            )),
            Call::Read => PlatformError::retry(format!("X answered HTTP {status}")),
        },
        _ => PlatformError::permanent(format!("X answered HTTP {status}: {detail}")),
    }
}

fn header_is(headers: &HeaderMap, name: &str, value: &str) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == value)
}

// ---------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------

/// The posts to create: the published text, split into a thread when it is
/// too long and threads are allowed (the same split the composer showed).
fn tweet_texts(request: &PublishRequest) -> Vec<String> {
    let draft = Draft {
        text: &request.text,
        link: request.link.as_deref(),
        ..Draft::default()
    };
    let text = content::published_text(Platform::X, &draft);
    if text.is_empty() {
        return Vec::new();
    }
    if request.thread && content::x_weighted_length(&text) > TWEET_LIMIT {
        content::split_thread(&text, TWEET_LIMIT)
    } else {
        vec![text.into_owned()]
    }
}

/// Whether a tweet as X returns it is the text we sent: exactly (after
/// trimming and undoing X's HTML escaping), or once URLs are removed from
/// both, since X rewrites links to t.co.
fn same_text(remote: &str, sent: &str) -> bool {
    let remote = remote
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let (remote, sent) = (remote.trim(), sent.trim());
    remote == sent || content::without_urls(remote) == content::without_urls(sent)
}

// ---------------------------------------------------------------------------
// Metrics mapping
// ---------------------------------------------------------------------------

fn metric_set(tweet: &Value) -> MetricSet {
    use crate::domain::metrics::Figure;
    let public = |name: &'static str| {
        tweet
            .pointer(&format!("/public_metrics/{name}"))?
            .as_i64()
            .map(|v| Figure::new(v, name))
    };
    let shares = match (public("retweet_count"), public("quote_count")) {
        (Some(r), Some(q)) => Some(Figure::new(r.value + q.value, "retweet_count+quote_count")),
        (r, q) => r.or(q),
    };
    MetricSet {
        views: public("impression_count").or_else(|| {
            tweet
                .pointer("/non_public_metrics/impression_count")?
                .as_i64()
                .map(|v| Figure::new(v, "impression_count"))
        }),
        // X has no reach figure.
        reach: None,
        reactions: public("like_count"),
        comments: public("reply_count"),
        shares,
        link_clicks: tweet
            .pointer("/non_public_metrics/url_link_clicks")
            .and_then(Value::as_i64)
            .map(|v| Figure::new(v, "url_link_clicks")),
        saves: public("bookmark_count"),
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
