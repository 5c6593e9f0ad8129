//! Mastodon client (the REST API of Mastodon 4.x with an OAuth token of a
//! per-instance app, `platform-apis.md` §6, checked against
//! docs.joinmastodon.org `methods/statuses`, `methods/media`, `methods/apps`,
//! `methods/oauth`, `methods/instance`).
//!
//! Invariants:
//! - Every status carries an `Idempotency-Key` derived from the delivery
//!   (and the thread part), the same on every attempt: Mastodon keeps the
//!   key for an hour and answers a repeat with the original status, so a
//!   retry inside that hour cannot make a second post.
//! - Media is processed asynchronously: an upload answered 202 is polled
//!   until it has a URL before a status refers to it; uploaded ids are
//!   checkpointed so a retry attaches them instead of uploading again.
//! - Access tokens do not expire; a 401 means the token was revoked and a
//!   person must reconnect. There is nothing to refresh.
//! - Reconciling lists the account's statuses since the attempt and matches
//!   them by text; inside the idempotency hour a status not found may be
//!   sent again safely, later only when the listing covered the whole span.

use super::http::{self, exchange, id_string, Answer, Call};
use super::*;
use crate::domain::content::{self, Draft, Issue};
use crate::domain::metrics::Figure;
use chrono::Duration as TimeDelta;
use reqwest::multipart::Form;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Scopes asked for at consent: read the account and statuses, post
/// statuses and media, nothing else.
pub const SCOPES: &str = "read:accounts read:statuses write:statuses write:media";

/// Characters in a status when the instance does not say.
const DEFAULT_LIMIT: usize = 500;

/// How long Mastodon keeps an idempotency key; a little less, to stay clear
/// of the edge.
const IDEMPOTENCY_MINUTES: i64 = 55;

/// Statuses per page when reconciling (Mastodon's maximum), and how many
/// pages at most.
const RECONCILE_PAGE: usize = 40;
const RECONCILE_PAGES: usize = 10;

/// Ids per `GET /api/v1/statuses?id[]=` call.
const LOOKUP_LIMIT: usize = 20;

/// How long to wait for uploaded media to be processed.
const MEDIA_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// How a channel's statuses go out (per channel; public when unset).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusOptions {
    /// `public`, `unlisted`, `private` or `direct`.
    pub visibility: Option<String>,
    /// A content warning shown before the status.
    pub spoiler_text: Option<String>,
}

pub struct MastodonClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    credentials: Arc<dyn CredentialStore>,
    /// The instance's status limit, read once.
    limit: tokio::sync::OnceCell<usize>,
}

/// The Mastodon fields of [`Credentials`]. No `Debug`: the token and the
/// app's secret are secret.
#[derive(Clone)]
struct Account {
    account_id: String,
    username: String,
    instance: Option<String>,
    access_token: String,
    options: StatusOptions,
}

impl Account {
    fn from_credentials(c: Credentials) -> Result<Account, PlatformError> {
        match c {
            Credentials::Mastodon {
                account_id,
                username,
                instance,
                access_token,
                options,
                ..
            } => Ok(Account {
                account_id,
                username,
                instance,
                access_token,
                options,
            }),
            other => Err(PlatformError::permanent(format!(
                "this channel holds {} credentials, not Mastodon's",
                other.platform().as_str()
            ))),
        }
    }

    fn base<'a>(&'a self, endpoints: &'a Endpoints) -> &'a str {
        self.instance
            .as_deref()
            .unwrap_or(&endpoints.api_base)
            .trim_end_matches('/')
    }
}

/// Progress as checkpointed: uploaded media ids, then the statuses made.
#[derive(Default)]
struct Progress {
    media_ids: Vec<String>,
    status_ids: Vec<String>,
    urls: Vec<Option<String>>,
}

impl Progress {
    fn from_resume(resume: Option<&Value>) -> Progress {
        let Some(r) = resume else {
            return Progress::default();
        };
        let strings = |key: &str| -> Vec<String> {
            r.get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let status_ids = strings("status_ids");
        Progress {
            media_ids: strings("media_ids"),
            urls: vec![None; status_ids.len()],
            status_ids,
        }
    }

    fn to_json(&self) -> Value {
        json!({ "media_ids": self.media_ids, "status_ids": self.status_ids })
    }
}

impl MastodonClient {
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        credentials: Arc<dyn CredentialStore>,
    ) -> Self {
        MastodonClient {
            http,
            endpoints,
            credentials,
            limit: tokio::sync::OnceCell::new(),
        }
    }

    async fn load(&self) -> Result<Account, PlatformError> {
        Account::from_credentials(self.credentials.load().await?)
    }

    async fn call(
        &self,
        call: Call,
        build: impl FnOnce(&str, &str) -> reqwest::RequestBuilder,
    ) -> Result<Value, PlatformError> {
        let a = self.load().await?;
        let answer = exchange(build(a.base(&self.endpoints), &a.access_token), call).await?;
        answer.into_json(call, "Mastodon", |a| classify(a, call))
    }

    /// The instance's status limit (`GET /api/v2/instance`), read once.
    async fn instance_limit(&self) -> usize {
        *self
            .limit
            .get_or_init(|| async {
                let Ok(a) = self.load().await else {
                    return DEFAULT_LIMIT;
                };
                instance_limit(&self.http, a.base(&self.endpoints))
                    .await
                    .unwrap_or(DEFAULT_LIMIT)
            })
            .await
    }

    async fn upload(&self, file: &MediaFile) -> Result<String, PlatformError> {
        file.part()?;
        // An upload that may have landed leaves only unattached media, which
        // the instance removes by itself: retried like a read.
        let answer = self
            .call(Call::Read, |base, token| {
                let mut form = Form::new().text("description", file.alt.clone());
                if let Ok(part) = file.part() {
                    form = form.part("file", part);
                }
                self.http
                    .post(format!("{base}/api/v2/media"))
                    .bearer_auth(token)
                    .multipart(form)
            })
            .await?;
        let id = answer
            .get("id")
            .and_then(id_string)
            .ok_or_else(|| PlatformError::retry("Mastodon's upload answer had no id"))?;
        if answer.get("url").is_some_and(Value::is_string) {
            return Ok(id);
        }
        self.wait_processed(&id).await?;
        Ok(id)
    }

    /// Polls `GET /api/v1/media/:id` until the attachment has its URL
    /// (206 while processing).
    async fn wait_processed(&self, id: &str) -> Result<(), PlatformError> {
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(250);
        loop {
            let a = self.load().await?;
            let answer = exchange(
                self.http
                    .get(format!("{}/api/v1/media/{id}", a.base(&self.endpoints)))
                    .bearer_auth(&a.access_token),
                Call::Read,
            )
            .await?;
            if answer.status == StatusCode::OK {
                let v = answer.into_json(Call::Read, "Mastodon", |a| classify(a, Call::Read))?;
                if v.get("url").is_some_and(Value::is_string) {
                    return Ok(());
                }
            } else if answer.status != StatusCode::PARTIAL_CONTENT {
                return Err(classify(&answer, Call::Read));
            }
            if started.elapsed() > MEDIA_WAIT {
                return Err(PlatformError::retry(
                    "Mastodon is still processing the attached media",
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(std::time::Duration::from_secs(4));
        }
    }

    async fn create_status(&self, body: &Value, key: &str) -> Result<Value, PlatformError> {
        self.call(Call::Create, |base, token| {
            self.http
                .post(format!("{base}/api/v1/statuses"))
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(body)
        })
        .await
    }

    /// The account's statuses newest first since `since`, paged back until
    /// one is older; `complete` when the listing reached that far.
    async fn statuses_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<(Vec<Value>, bool), PlatformError> {
        let account = self.load().await?;
        let mut all = Vec::new();
        let mut max_id: Option<String> = None;
        for _ in 0..RECONCILE_PAGES {
            let page = self
                .call(Call::Read, |base, token| {
                    let mut q = vec![("limit", RECONCILE_PAGE.to_string())];
                    if let Some(m) = &max_id {
                        q.push(("max_id", m.clone()));
                    }
                    self.http
                        .get(format!(
                            "{base}/api/v1/accounts/{}/statuses",
                            account.account_id
                        ))
                        .bearer_auth(token)
                        .query(&q)
                })
                .await?;
            let items = page.as_array().cloned().unwrap_or_default();
            let done = items.len() < RECONCILE_PAGE;
            let reached = items
                .last()
                .and_then(|s| s.get("created_at").and_then(Value::as_str))
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t.with_timezone(&Utc) < since);
            max_id = items.last().and_then(|s| s.get("id").and_then(id_string));
            all.extend(items);
            if done || reached || max_id.is_none() {
                return Ok((all, true));
            }
        }
        Ok((all, false))
    }
}

#[async_trait]
impl PlatformClient for MastodonClient {
    fn platform(&self) -> Platform {
        Platform::Mastodon
    }

    fn validate(&self, request: &PublishRequest) -> Vec<Issue> {
        // The length is checked against the instance's own limit when
        // publishing, which may allow more than the usual 500.
        request
            .issues(Platform::Mastodon, request.thread)
            .into_iter()
            .filter(|i| {
                !matches!(
                    i,
                    Issue::TooLong {
                        field: content::Field::Text,
                        ..
                    }
                )
            })
            .collect()
    }

    async fn publish(
        &self,
        request: &PublishRequest,
        checkpoint: &dyn Checkpoint,
    ) -> Result<Published, PlatformError> {
        let limit = self.instance_limit().await;
        let parts = status_texts(request, limit);
        if parts.is_empty() && request.media.is_empty() {
            return Err(PlatformError::permanent("nothing to post"));
        }
        if let Some(long) = parts.iter().find(|p| content::mastodon_length(p) > limit) {
            return Err(PlatformError::permanent(format!(
                "the status is {} characters; this instance takes {limit}",
                content::mastodon_length(long)
            )));
        }
        let parts = if parts.is_empty() {
            vec![String::new()]
        } else {
            parts
        };
        let account = self.load().await?;
        let mut progress = Progress::from_resume(request.resume.as_ref());
        if progress.status_ids.len() > parts.len() {
            return Err(PlatformError::permanent(
                "the recorded progress lists more statuses than the thread has",
            ));
        }
        if progress.status_ids.is_empty() && progress.media_ids.len() < request.media.len() {
            for file in &request.media[progress.media_ids.len()..] {
                let id = self.upload(file).await?;
                progress.media_ids.push(id);
                checkpoint.record(&progress.to_json()).await?;
            }
        }
        for (i, text) in parts.iter().enumerate().skip(progress.status_ids.len()) {
            let mut body = json!({
                "status": text,
                "visibility": account.options.visibility.as_deref().unwrap_or("public"),
            });
            if let Some(cw) = account
                .options
                .spoiler_text
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                body["spoiler_text"] = json!(cw);
            }
            if i == 0 && !progress.media_ids.is_empty() {
                body["media_ids"] = json!(progress.media_ids);
            }
            if let Some(previous) = progress.status_ids.last() {
                body["in_reply_to_id"] = json!(previous);
            }
            let key = idempotency_key(&request.delivery_key, i);
            let status = self.create_status(&body, &key).await?;
            let id = status
                .get("id")
                .and_then(id_string)
                .ok_or_else(|| PlatformError::unknown("Mastodon's answer had no status id"))?;
            progress.status_ids.push(id);
            progress
                .urls
                .push(status.get("url").and_then(Value::as_str).map(str::to_owned));
            if i + 1 < parts.len() {
                // A failure here is harmless within the hour: the next
                // attempt's repeat is answered with this same status.
                let _ = checkpoint.record(&progress.to_json()).await;
            }
        }
        let first = progress.status_ids[0].clone();
        Ok(Published {
            url: progress.urls.first().cloned().flatten().or_else(|| {
                Some(format!(
                    "{}/@{}/{first}",
                    account.base(&self.endpoints),
                    account.username
                ))
            }),
            remote_id: first,
            extra: json!({ "status_ids": progress.status_ids }),
            pending: false,
        })
    }

    async fn reconcile(
        &self,
        request: &PublishRequest,
        since: DateTime<Utc>,
    ) -> Result<Reconciled, PlatformError> {
        let limit = self.instance_limit().await;
        let parts = status_texts(request, limit);
        let (statuses, complete) = self.statuses_since(since - TimeDelta::minutes(5)).await?;
        let find = |wanted: &str| {
            let wanted = content::without_urls(wanted);
            statuses
                .iter()
                .find(|s| {
                    content::without_urls(&html_text(
                        s.get("content").and_then(Value::as_str).unwrap_or(""),
                    )) == wanted
                })
                .cloned()
        };
        if let Some(first) = parts.first().filter(|p| !p.trim().is_empty()) {
            if let Some(found) = find(first) {
                let id = found.get("id").and_then(id_string).unwrap_or_default();
                let mut ids = vec![id.clone()];
                for part in &parts[1..] {
                    match find(part).and_then(|s| s.get("id").and_then(id_string)) {
                        Some(next) => ids.push(next),
                        None => break,
                    }
                }
                if ids.len() == parts.len() {
                    return Ok(Reconciled::Found(Published {
                        url: found.get("url").and_then(Value::as_str).map(str::to_owned),
                        remote_id: id,
                        extra: json!({ "status_ids": ids }),
                        pending: false,
                    }));
                }
                // Part of the thread made it: sending again resumes it, the
                // made parts answered by their idempotency keys.
                if Utc::now() - since < TimeDelta::minutes(IDEMPOTENCY_MINUTES) {
                    return Ok(Reconciled::Absent);
                }
                return Ok(Reconciled::Undecided {
                    reason: "part of the thread was published more than an hour ago".into(),
                });
            }
        }
        // Inside the idempotency hour a repeat cannot duplicate, found or not.
        if Utc::now() - since < TimeDelta::minutes(IDEMPOTENCY_MINUTES) {
            return Ok(Reconciled::Absent);
        }
        if !complete {
            return Ok(Reconciled::Undecided {
                reason: "the account posted more since the attempt than the listing covers".into(),
            });
        }
        if parts.first().is_none_or(|p| p.trim().is_empty()) && !statuses.is_empty() {
            return Ok(Reconciled::Undecided {
                reason: "the post has no text to recognise it by among the recent posts".into(),
            });
        }
        Ok(Reconciled::Absent)
    }

    async fn metrics(&self, posts: &[RemotePost]) -> Result<Vec<MetricsReport>, PlatformError> {
        let mut found = std::collections::HashMap::new();
        for chunk in posts.chunks(LOOKUP_LIMIT) {
            let ids: Vec<(&str, &str)> = chunk
                .iter()
                .map(|p| ("id[]", p.remote_id.as_str()))
                .collect();
            let batch = self
                .call(Call::Read, |base, token| {
                    self.http
                        .get(format!("{base}/api/v1/statuses"))
                        .bearer_auth(token)
                        .query(&ids)
                })
                .await;
            let statuses = match batch {
                Ok(v) => v.as_array().cloned().unwrap_or_default(),
                // Instances before 4.3 have no batch lookup: one at a time.
                Err(PlatformError::Permanent { .. }) => {
                    let mut one_by_one = Vec::new();
                    for p in chunk {
                        let single = self
                            .call(Call::Read, |base, token| {
                                self.http
                                    .get(format!("{base}/api/v1/statuses/{}", p.remote_id))
                                    .bearer_auth(token)
                            })
                            .await;
                        match single {
                            Ok(s) => one_by_one.push(s),
                            // Deleted: left out.
                            Err(PlatformError::Permanent { .. }) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    one_by_one
                }
                Err(e) => return Err(e),
            };
            for s in statuses {
                if let Some(id) = s.get("id").and_then(id_string) {
                    found.insert(id, s);
                }
            }
        }
        Ok(posts
            .iter()
            .filter_map(|p| {
                let s = found.get(&p.remote_id)?;
                Some(MetricsReport {
                    remote_id: p.remote_id.clone(),
                    metrics: metric_set(s),
                    raw: s.clone(),
                })
            })
            .collect())
    }

    async fn text_limit(&self) -> Option<usize> {
        Some(self.instance_limit().await)
    }

    async fn refresh_credentials(&self) -> Result<(), PlatformError> {
        // Nothing expires; checking the token is all a renewal could do.
        self.account().await.map(|_| ())
    }

    async fn account(&self) -> Result<AccountInfo, PlatformError> {
        let a = self.load().await?;
        let me = self
            .call(Call::Read, |base, token| {
                self.http
                    .get(format!("{base}/api/v1/accounts/verify_credentials"))
                    .bearer_auth(token)
            })
            .await?;
        account_info(&me, a.base(&self.endpoints))
    }
}

// ---------------------------------------------------------------------------
// Connect flow
// ---------------------------------------------------------------------------

/// An app registered on one instance (`POST /api/v1/apps`). No `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct RegisteredApp {
    pub client_id: String,
    pub client_secret: String,
}

/// The instance's base URL from what a person typed: `mastodon.social`,
/// `https://mastodon.social/`, `@me@mastodon.social`.
pub fn instance_url(typed: &str) -> Option<String> {
    let t = typed.trim().trim_end_matches('/');
    let t = t.rsplit('@').next().unwrap_or(t);
    let with_scheme = if t.starts_with("https://") || t.starts_with("http://") {
        t.to_owned()
    } else {
        format!("https://{t}")
    };
    let url = url::Url::parse(&with_scheme).ok()?;
    let host = url.host_str()?;
    if !host.contains('.') && host != "localhost" {
        return None;
    }
    Some(format!(
        "{}://{}{}",
        url.scheme(),
        host,
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ))
}

/// Registers Tongbu as an app on `instance` for `redirect_uri`.
pub async fn register_app(
    http: &reqwest::Client,
    instance: &str,
    redirect_uri: &str,
) -> Result<RegisteredApp, PlatformError> {
    let answer = exchange(
        http.post(format!("{instance}/api/v1/apps")).json(&json!({
            "client_name": "Tongbu",
            "redirect_uris": redirect_uri,
            "scopes": SCOPES,
            "website": "https://github.com/tongbu",
        })),
        Call::Read,
    )
    .await?;
    let v = answer.into_json(Call::Read, "Mastodon", |a| classify(a, Call::Read))?;
    Ok(RegisteredApp {
        client_id: str_at(&v, "client_id")?.to_owned(),
        client_secret: str_at(&v, "client_secret")?.to_owned(),
    })
}

/// Where to send a person to authorize the app (PKCE S256).
pub fn authorize_url(
    instance: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
) -> String {
    format!(
        "{instance}/oauth/authorize?{}",
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

/// Trades the consent `code` for a token and looks up whose it is.
/// `instance` is kept in the credentials when it is not `endpoints`' base.
pub async fn exchange_code(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    instance: &str,
    app: &RegisteredApp,
    redirect_uri: &str,
    code: &str,
    verifier: &str,
) -> Result<Credentials, PlatformError> {
    let answer = exchange(
        http.post(format!("{instance}/oauth/token")).form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
            ("scope", SCOPES),
        ]),
        Call::Read,
    )
    .await?;
    if matches!(answer.status.as_u16(), 400 | 401) {
        let v: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        let error = v.get("error").and_then(Value::as_str).unwrap_or("refused");
        return Err(PlatformError::reauthorize(format!(
            "Mastodon did not accept the authorization ({error}): connect again"
        )));
    }
    let grant = answer.into_json(Call::Read, "Mastodon", |a| classify(a, Call::Read))?;
    let token = str_at(&grant, "access_token")?.to_owned();
    let me = exchange(
        http.get(format!("{instance}/api/v1/accounts/verify_credentials"))
            .bearer_auth(&token),
        Call::Read,
    )
    .await?
    .into_json(Call::Read, "Mastodon", |a| classify(a, Call::Read))?;
    let info = account_info(&me, instance)?;
    let own = endpoints.api_base.trim_end_matches('/') == instance;
    Ok(Credentials::Mastodon {
        account_id: info.id,
        username: str_at(&me, "username")?.to_owned(),
        instance: (!own).then(|| instance.to_owned()),
        client_id: app.client_id.clone(),
        client_secret: app.client_secret.clone(),
        access_token: token,
        options: StatusOptions::default(),
    })
}

/// `GET /api/v2/instance` → `configuration.statuses.max_characters`.
pub async fn instance_limit(http: &reqwest::Client, instance: &str) -> Option<usize> {
    let answer = exchange(
        http.get(format!(
            "{}/api/v2/instance",
            instance.trim_end_matches('/')
        )),
        Call::Read,
    )
    .await
    .ok()?;
    let v: Value = serde_json::from_str(&answer.body).ok()?;
    v.pointer("/configuration/statuses/max_characters")?
        .as_u64()
        .map(|n| n as usize)
        .filter(|&n| n > 0)
}

fn account_info(me: &Value, instance: &str) -> Result<AccountInfo, PlatformError> {
    let host = url::Url::parse(instance)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(AccountInfo {
        id: me
            .get("id")
            .and_then(id_string)
            .ok_or_else(|| PlatformError::retry("Mastodon's answer had no account id"))?,
        name: format!("@{}@{host}", str_at(me, "username")?),
    })
}

// ---------------------------------------------------------------------------
// Requests and errors
// ---------------------------------------------------------------------------

/// The key of thread part `part` of a delivery: the same on every attempt.
fn idempotency_key(delivery_key: &str, part: usize) -> String {
    if part == 0 {
        delivery_key.to_owned()
    } else {
        format!("{delivery_key}:{part}")
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> Result<&'a str, PlatformError> {
    http::text_field(v, key, "Mastodon")
}

fn error_text(answer: &Answer) -> String {
    serde_json::from_str::<Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {}", answer.status.as_u16()))
}

/// Turns a Mastodon error answer into what the caller must do.
fn classify(answer: &Answer, call: Call) -> PlatformError {
    let message = error_text(answer);
    let status = answer.status.as_u16();
    match status {
        429 => PlatformError::RetryAt {
            // An ISO 8601 time, not unix seconds.
            at: answer
                .header("x-ratelimit-reset")
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc)),
            reason: format!("Mastodon rate limit: {message}"),
        },
        401 => PlatformError::reauthorize(format!(
            "Mastodon refused the access token ({message}): reconnect the account"
        )),
        422 if message.contains("not finished processing") => PlatformError::retry(message),
        403 | 404 | 410 | 422 | 400 => {
            PlatformError::permanent(format!("Mastodon refused the status: {message}"))
        }
        500..=599 => match call {
            Call::Create => PlatformError::unknown(format!(
                "Mastodon answered HTTP {status}; the status may have been created"
            )),
            Call::Read => PlatformError::retry(format!("Mastodon answered HTTP {status}")),
        },
        _ => PlatformError::permanent(format!("Mastodon answered HTTP {status}: {message}")),
    }
}

/// The plain text of a status's HTML `content`: paragraphs and line breaks
/// as newlines, tags dropped, entities decoded.
pub fn html_text(html: &str) -> String {
    let html = html
        .replace("</p><p>", "\n\n")
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n");
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

// ---------------------------------------------------------------------------
// Content and metrics
// ---------------------------------------------------------------------------

/// The statuses to create: the published text (link included), split into
/// a thread when it is longer than the instance takes and threads are
/// allowed.
fn status_texts(request: &PublishRequest, limit: usize) -> Vec<String> {
    let draft = Draft {
        text: &request.text,
        link: request.link.as_deref(),
        ..Draft::default()
    };
    let text = content::published_text(Platform::Mastodon, &draft);
    if text.is_empty() {
        return Vec::new();
    }
    if request.thread && content::mastodon_length(&text) > limit {
        content::split_thread(&text, limit)
    } else {
        vec![text.into_owned()]
    }
}

fn metric_set(status: &Value) -> MetricSet {
    let count = |name: &'static str| {
        status
            .get(name)
            .and_then(Value::as_i64)
            .map(|v| Figure::new(v, name))
    };
    let shares = match (count("reblogs_count"), count("quotes_count")) {
        (Some(r), Some(q)) => Some(Figure::new(r.value + q.value, "reblogs_count+quotes_count")),
        (r, q) => r.or(q),
    };
    MetricSet {
        // Mastodon counts interactions only.
        views: None,
        reach: None,
        reactions: count("favourites_count"),
        comments: count("replies_count"),
        shares,
        link_clicks: None,
        saves: None,
    }
}

#[cfg(test)]
mod tests;
