//! The Mastodon imitation (the REST API of Mastodon 4.4): app registration,
//! the OAuth authorize page and token endpoint (PKCE S256), the account,
//! the instance's configuration, asynchronous media, statuses with
//! `Idempotency-Key`, the account's statuses and batch lookups; seeded with
//! the account and token of [`DEMO`]. An account is its numeric id, in the
//! ledger and in fault rules.
//!
//! Invariants:
//! - a status created with an `Idempotency-Key` is remembered for an hour of
//!   the emulated clock: a repeat answers the original and creates nothing
//!   (failed creates are not remembered, as on Mastodon);
//! - media is processed asynchronously (`publish_delay` after upload): until
//!   then it has no URL and a status cannot attach it;
//! - access tokens never expire; a revoked one stays revoked (the seeded
//!   demo token is restored when faults are cleared, so the demo recovers);
//! - every authenticated answer carries `X-RateLimit-*` headers whose reset
//!   is an ISO 8601 time; errors are `{"error": "..."}`.

// Error answers are whole HTTP responses, as is usual with axum.
#![allow(clippy::result_large_err)]

use super::consent::{self, oauth_error, pkce_challenge};
use super::faults::{CallKind, Fault};
use super::host::{random_token, Emulator, Gate, PlatformSim, Rec};
use super::metrics::figures;
use super::net::drop_connection;
use super::request::{bearer, form_pairs, host, multipart_parts};
use super::state::{Budget, PlatformState, Post};
use crate::domain::content::{find_urls, mastodon_length, Platform};
use crate::domain::html::escape;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

const CODE_SECS: i64 = 600;
const IDEMPOTENCY_SECS: i64 = 3600;
const MEDIA_LIMIT: usize = 16 * 1024 * 1024;
const MAX_MEDIA: usize = 4;
const BATCH_LIMIT: usize = 20;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct MastodonState {
    pub max_characters: usize,
    pub apps: Vec<App>,
    pub tokens: BTreeMap<String, Token>,
    pub codes: BTreeMap<String, Code>,
    pub statuses: Vec<Status>,
    pub media: BTreeMap<String, Media>,
    /// `account:key` → (status id, when it was remembered).
    pub idempotency: BTreeMap<String, (String, DateTime<Utc>)>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct App {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Token {
    pub account_id: String,
    pub scope: String,
    pub app: String,
    pub revoked: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub challenge: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Status {
    pub id: String,
    pub account_id: String,
    pub text: String,
    pub spoiler_text: String,
    pub visibility: String,
    pub sensitive: bool,
    pub in_reply_to_id: Option<String>,
    pub media_ids: Vec<String>,
    pub app: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Media {
    pub account_id: String,
    pub kind: String,
    pub description: String,
    pub ready_at: DateTime<Utc>,
}

/// The seeded Mastodon account and its token.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DemoMastodon {
    pub account_id: &'static str,
    pub username: &'static str,
    pub display_name: &'static str,
    pub access_token: &'static str,
}

/// The account this platform is seeded with.
pub(crate) const DEMO: DemoMastodon = DemoMastodon {
    account_id: "109000000000000001",
    username: "tongbu_demo",
    display_name: "Tongbu Demo",
    access_token: "emulated-mastodon-token-seed",
};

/// The Mastodon imitation, as the registry lists it.
pub(crate) struct Mastodon;

impl PlatformSim for Mastodon {
    const PLATFORM: Platform = Platform::Mastodon;
    type State = MastodonState;

    fn routes() -> Router<Emulator> {
        Router::new()
            .route("/api/v1/apps", post(register_app))
            .route("/oauth/authorize", get(consent_page).post(consent_decide))
            .route("/oauth/token", post(token))
            .route(
                "/api/v1/accounts/verify_credentials",
                get(verify_credentials),
            )
            .route("/api/v1/accounts/{id}/statuses", get(account_statuses))
            .route("/api/v2/instance", get(instance))
            .route("/api/v2/media", post(upload_media))
            .route("/api/v1/media/{id}", get(media_status))
            .route("/api/v1/statuses", post(create_status).get(lookup))
            .route("/api/v1/statuses/{id}", get(one_status))
    }

    fn seed(_now: DateTime<Utc>) -> MastodonState {
        let mut tokens = BTreeMap::new();
        tokens.insert(DEMO.access_token.to_owned(), demo_token());
        MastodonState {
            max_characters: 500,
            apps: Vec::new(),
            tokens,
            codes: BTreeMap::new(),
            statuses: Vec::new(),
            media: BTreeMap::new(),
            idempotency: BTreeMap::new(),
        }
    }
}

fn demo_token() -> Token {
    Token {
        account_id: DEMO.account_id.to_owned(),
        scope: "read write".to_owned(),
        app: "Web".to_owned(),
        revoked: false,
    }
}

impl PlatformState for MastodonState {
    fn posts(&self) -> Vec<Post<'_>> {
        self.statuses
            .iter()
            .map(|s| Post::new(&s.account_id, &s.id, s.created_at, Some(s.text.as_str())))
            .collect()
    }

    /// The demo must recover once faults are cleared: its seeded token is
    /// usable again (tokens granted by consent stay revoked, as a revoked
    /// authorization does on Mastodon).
    fn clear_faults(&mut self) {
        self.tokens
            .insert(DEMO.access_token.to_owned(), demo_token());
    }
}

impl Emulator {
    /// Configures the instance's status limit (`max_characters`), as an
    /// admin of a Mastodon server can.
    pub fn set_mastodon_max_characters(&self, n: usize) {
        self.mutate(|st, _| st.get_mut::<MastodonState>().max_characters = n.max(1));
    }
}

// ---- responses ----------------------------------------------------------------

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn with_rate(mut r: Response, b: Budget) -> Response {
    let h = r.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(b.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(b.remaining));
    if let Ok(v) = HeaderValue::from_str(&iso(b.reset)) {
        h.insert("x-ratelimit-reset", v);
    }
    r
}

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A body as parameters, JSON or form-encoded (arrays kept as lists).
fn body_params(headers: &HeaderMap, body: &[u8]) -> HashMap<String, Value> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if json {
        return serde_json::from_slice::<serde_json::Map<String, Value>>(body)
            .map(|m| m.into_iter().collect())
            .unwrap_or_default();
    }
    let mut out: HashMap<String, Value> = HashMap::new();
    for (k, v) in form_pairs(body) {
        if let Some(name) = k.strip_suffix("[]") {
            match out.entry(name.to_owned()).or_insert_with(|| json!([])) {
                Value::Array(a) => a.push(Value::String(v)),
                other => *other = json!([v]),
            }
        } else {
            out.insert(k, Value::String(v));
        }
    }
    out
}

fn text_param<'a>(p: &'a HashMap<String, Value>, k: &str) -> Option<&'a str> {
    p.get(k).and_then(Value::as_str)
}

fn list_param(p: &HashMap<String, Value>, k: &str) -> Vec<String> {
    match p.get(k) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

// ---- apps and OAuth -----------------------------------------------------------

async fn register_app(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = body_params(&headers, &body);
    let name = text_param(&p, "client_name")
        .unwrap_or("")
        .trim()
        .to_owned();
    if name.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Application name can't be blank",
        );
    }
    let redirect_uris = list_param(&p, "redirect_uris");
    if redirect_uris.is_empty() || redirect_uris.iter().any(|u| url::Url::parse(u).is_err()) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Redirect URI must be an absolute URI.",
        );
    }
    let mut scopes = list_param(&p, "scopes");
    if scopes.is_empty() {
        scopes.push("read".to_owned());
    }
    let app = App {
        name: name.clone(),
        client_id: random_token(43),
        client_secret: random_token(43),
        redirect_uris: redirect_uris.clone(),
        scopes: scopes.clone(),
    };
    let id = emu.mutate(|st, _| st.next_id()).to_string();
    let body = json!({
        "id": id, "name": name, "website": text_param(&p, "website"),
        "scopes": scopes, "redirect_uri": redirect_uris[0], "redirect_uris": redirect_uris,
        "client_id": app.client_id, "client_secret": app.client_secret,
        "client_secret_expires_at": 0, "vapid_key": random_token(87),
    });
    emu.mutate(|st, _| st.get_mut::<MastodonState>().apps.push(app));
    ok(body)
}

/// Whether every asked scope is one the app registered (`write` covers
/// `write:statuses`).
fn scopes_granted(asked: &str, registered: &[String]) -> bool {
    asked.split_whitespace().all(|s| {
        registered
            .iter()
            .any(|r| r == s || s.split(':').next() == Some(r.as_str()))
    })
}

fn check_authorize(emu: &Emulator, p: &HashMap<String, String>) -> Result<(), Response> {
    let get = |k: &str| consent::get_param(p, k);
    let valid = emu.read(|st, _| {
        st.get::<MastodonState>()
            .apps
            .iter()
            .find(|a| a.client_id == get("client_id"))
            .map(|a| {
                (
                    a.redirect_uris.iter().any(|u| u == get("redirect_uri")),
                    scopes_granted(get("scope"), &a.scopes),
                )
            })
    });
    match valid {
        None => Err(consent::error_page(
            "Client authentication failed due to unknown client.",
        )),
        Some((false, _)) => Err(consent::error_page(
            "The redirect uri included is not valid.",
        )),
        Some((_, false)) => Err(consent::error_page(
            "The requested scope is invalid, unknown, or malformed.",
        )),
        Some(_) if get("response_type") != "code" => Err(consent::error_page(
            "The authorization server does not support this response type.",
        )),
        Some(_) if !get("code_challenge").is_empty() && get("code_challenge_method") != "S256" => {
            Err(consent::error_page(
                "Only S256 code challenges are supported.",
            ))
        }
        Some(_) => Ok(()),
    }
}

/// `GET /oauth/authorize`: the authorize page, as the demo account.
async fn consent_page(
    AxState(emu): AxState<Emulator>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = check_authorize(&emu, &p) {
        return r;
    }
    let get = |k: &str| consent::get_param(&p, k);
    let keys = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ];
    let pairs: Vec<(&str, &str)> = keys.iter().map(|&k| (k, get(k))).collect();
    let app = emu.read(|st, _| {
        st.get::<MastodonState>()
            .apps
            .iter()
            .find(|a| a.client_id == get("client_id"))
            .map(|a| a.name.clone())
            .unwrap_or_default()
    });
    let scopes: Vec<&str> = get("scope").split_whitespace().collect();
    let body = format!(
        "<h1>Authorization required</h1>\
<p class=\"who\">Signed in as <strong id=\"account\">{name}</strong> @{username}</p>\
<p><strong>{app}</strong> would like permission to access your account. It will be able to:</p>\
<ul id=\"scopes\">{scopes}</ul>{form}",
        name = escape(DEMO.display_name),
        username = escape(DEMO.username),
        app = escape(&app),
        scopes = consent::scope_list(&scopes),
        form = consent::form(
            Some("/oauth/authorize"),
            &consent::hidden(&pairs),
            "Authorize"
        ),
    );
    Html(consent::page("Authorize — Mastodon", "#6364ff", &body)).into_response()
}

/// `POST /oauth/authorize`: the answer.
async fn consent_decide(AxState(emu): AxState<Emulator>, body: Bytes) -> Response {
    let p = consent::params(&body);
    if let Err(r) = check_authorize(&emu, &p) {
        return r;
    }
    let get = |k: &str| consent::get_param(&p, k);
    let (redirect_uri, state) = (get("redirect_uri"), get("state"));
    if !consent::allowed(&p) {
        return consent::redirect(
            redirect_uri,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "The resource owner or authorization server denied the request.",
                ),
                ("state", state),
            ],
            None,
        );
    }
    let code = random_token(43);
    emu.mutate(|st, now| {
        st.get_mut::<MastodonState>().codes.insert(
            code.clone(),
            Code {
                client_id: get("client_id").to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                scope: get("scope").to_owned(),
                challenge: Some(get("code_challenge").to_owned()).filter(|c| !c.is_empty()),
                expires_at: now + Duration::seconds(CODE_SECS),
                used: false,
            },
        )
    });
    consent::redirect(redirect_uri, &[("code", &code), ("state", state)], None)
}

async fn token(AxState(emu): AxState<Emulator>, headers: HeaderMap, body: Bytes) -> Response {
    match emu
        .gate(Platform::Mastodon, DEMO.account_id, CallKind::Token)
        .await
    {
        Gate::Proceed { .. } => {}
        Gate::Stop(Fault::Hang) => return emu.hang().await,
        Gate::Stop(Fault::DropConnection) => return drop_connection(),
        Gate::Stop(Fault::RateLimit { .. }) => {
            return error(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
        }
        Gate::Stop(_) => return error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
    }
    let p = body_params(&headers, &body);
    let get = |k: &str| text_param(&p, k).unwrap_or("");
    let client_ok = emu.read(|st, _| {
        st.get::<MastodonState>()
            .apps
            .iter()
            .find(|a| a.client_id == get("client_id") && a.client_secret == get("client_secret"))
            .map(|a| a.name.clone())
    });
    let Some(app) = client_ok else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        );
    };
    if get("grant_type") != "authorization_code" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        );
    }
    let issued = emu.mutate(|st, now| {
        let ms = st.get_mut::<MastodonState>();
        let c = ms.codes.get_mut(get("code"))?;
        let verifier_ok = match &c.challenge {
            Some(ch) => pkce_challenge(get("code_verifier")) == *ch,
            None => true,
        };
        if c.used
            || c.expires_at <= now
            || c.client_id != get("client_id")
            || c.redirect_uri != get("redirect_uri")
            || !verifier_ok
        {
            return None;
        }
        c.used = true;
        let scope = c.scope.clone();
        let token = random_token(43);
        ms.tokens.insert(
            token.clone(),
            Token {
                account_id: DEMO.account_id.to_owned(),
                scope: scope.clone(),
                app: app.clone(),
                revoked: false,
            },
        );
        Some((token, scope, now))
    });
    match issued {
        Some((token, scope, now)) => ok(json!({
            "access_token": token, "token_type": "Bearer", "scope": scope,
            "created_at": now.timestamp(),
        })),
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
        ),
    }
}

// ---- authentication, budgets and faults --------------------------------------

struct Auth {
    account_id: String,
    token: String,
    app: String,
}

enum Denied {
    Answer(Response, Option<String>),
    Fault(Fault, Auth, Budget),
}

impl Denied {
    async fn answer(self, emu: &Emulator, rec: Option<Rec>) -> Response {
        match self {
            Denied::Answer(r, account) => {
                if let Some(mut rec) = rec {
                    rec.account = account.unwrap_or_default();
                    rec.reject(emu, None);
                }
                r
            }
            Denied::Fault(f, a, b) => {
                if let Some(mut rec) = rec {
                    rec.account = a.account_id.clone();
                    rec.reject(emu, Some(f.kind()));
                }
                stop(emu, f, &a, b).await
            }
        }
    }
}

async fn stop(emu: &Emulator, fault: Fault, a: &Auth, b: Budget) -> Response {
    match fault {
        Fault::RateLimit { reset_after_secs } => {
            let reset = emu.now()
                + Duration::seconds(i64::try_from(reset_after_secs).unwrap_or(i64::MAX / 4_000));
            with_rate(
                error(StatusCode::TOO_MANY_REQUESTS, "Too many requests"),
                Budget {
                    remaining: 0,
                    reset,
                    allowed: false,
                    ..b
                },
            )
        }
        Fault::Hang => emu.hang().await,
        Fault::DropConnection => drop_connection(),
        // Mastodon tokens do not expire: either fault is a revocation.
        Fault::TokenExpired | Fault::TokenRevoked => {
            emu.mutate(|st, _| {
                if let Some(t) = st.get_mut::<MastodonState>().tokens.get_mut(&a.token) {
                    t.revoked = true;
                }
            });
            with_rate(
                error(StatusCode::UNAUTHORIZED, "The access token was revoked"),
                b,
            )
        }
        Fault::ErrorBeforeCommit | Fault::ErrorAfterCommit | Fault::Latency { .. } => with_rate(
            error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
            b,
        ),
    }
}

/// Authenticates, takes the account's budget (and `extra`, a tighter one
/// of the endpoint) and checks faults.
async fn admit(
    emu: &Emulator,
    headers: &HeaderMap,
    extra: Option<(&str, u32, Duration)>,
    call: CallKind,
) -> Result<(Auth, Budget, Option<&'static str>, bool), Denied> {
    let auth = bearer(headers).and_then(|token| {
        emu.read(|st, _| {
            let t = st.get::<MastodonState>().tokens.get(&token)?;
            Some((
                t.revoked,
                t.account_id.clone(),
                t.app.clone(),
                token.clone(),
            ))
        })
    });
    let a = match auth {
        None => {
            return Err(Denied::Answer(
                error(StatusCode::UNAUTHORIZED, "The access token is invalid"),
                None,
            ))
        }
        Some((true, account, ..)) => {
            return Err(Denied::Answer(
                error(StatusCode::UNAUTHORIZED, "The access token was revoked"),
                Some(account),
            ))
        }
        Some((false, account_id, app, token)) => Auth {
            account_id,
            token,
            app,
        },
    };
    let general = emu.budget(300);
    let mut b = emu.mutate(|st, now| {
        st.take(
            &format!("mastodon:{}:all", a.account_id),
            general,
            Duration::minutes(5),
            now,
        )
    });
    if b.allowed {
        if let Some((class, limit, window)) = extra {
            let limit = emu.budget(limit);
            b = emu.mutate(|st, now| {
                st.take(
                    &format!("mastodon:{}:{class}", a.account_id),
                    limit,
                    window,
                    now,
                )
            });
        }
    }
    if !b.allowed {
        return Err(Denied::Answer(
            with_rate(error(StatusCode::TOO_MANY_REQUESTS, "Too many requests"), b),
            Some(a.account_id),
        ));
    }
    match emu.gate(Platform::Mastodon, &a.account_id, call).await {
        Gate::Proceed {
            fault,
            after_commit,
        } => Ok((a, b, fault, after_commit)),
        Gate::Stop(f) => Err(Denied::Fault(f, a, b)),
    }
}

/// `admit` for reads: a 503 stands in for an after-commit fault.
macro_rules! read_admit {
    ($emu:expr, $headers:expr) => {
        match admit(&$emu, &$headers, None, CallKind::Read).await {
            Ok((a, b, _, false)) => (a, b),
            Ok((_, b, _, true)) => {
                return with_rate(
                    error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
                    b,
                )
            }
            Err(d) => return d.answer(&$emu, None).await,
        }
    };
}

// ---- the API --------------------------------------------------------------------

fn account_json(host: &str) -> Value {
    json!({
        "id": DEMO.account_id, "username": DEMO.username, "acct": DEMO.username,
        "display_name": DEMO.display_name, "url": format!("http://{host}/@{}", DEMO.username),
        "followers_count": 1280, "following_count": 96, "statuses_count": 0,
        "created_at": "2023-01-10T00:00:00.000Z",
    })
}

async fn verify_credentials(AxState(emu): AxState<Emulator>, headers: HeaderMap) -> Response {
    let (_, b) = read_admit!(emu, headers);
    with_rate(ok(account_json(&host(&headers))), b)
}

async fn instance(AxState(emu): AxState<Emulator>, headers: HeaderMap) -> Response {
    let max = emu.read(|st, _| st.get::<MastodonState>().max_characters);
    ok(json!({
        "domain": host(&headers), "title": "Tongbu emulated Mastodon", "version": "4.4.0",
        "configuration": {
            "statuses": { "max_characters": max, "max_media_attachments": MAX_MEDIA,
                          "characters_reserved_per_url": 23 },
            "media_attachments": {
                "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"],
                "image_size_limit": MEDIA_LIMIT, "video_size_limit": 103_809_024,
            },
        },
    }))
}

fn media_json(id: &str, m: &Media, host: &str, now: DateTime<Utc>) -> Value {
    let ready = now >= m.ready_at;
    json!({
        "id": id, "type": m.kind, "description": m.description,
        "url": ready.then(|| format!("http://{host}/system/media/{id}/original")),
        "preview_url": format!("http://{host}/system/media/{id}/small"),
        "meta": {},
    })
}

async fn upload_media(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::Mastodon, "mastodon.media", &body, &headers);
    let limit = Some(("media", 30, Duration::minutes(30)));
    let (a, b, fault, after_commit) = match admit(&emu, &headers, limit, CallKind::Create).await {
        Ok(x) => x,
        Err(d) => return d.answer(&emu, Some(rec)).await,
    };
    rec.account = a.account_id.clone();
    rec.fault = fault;
    let parts = multipart_parts(&headers, body).await.unwrap_or_default();
    let Some(file) = parts.iter().find(|p| p.name == "file") else {
        rec.reject(&emu, None);
        return with_rate(
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Validation failed: File can't be blank",
            ),
            b,
        );
    };
    if file.data.len() > MEDIA_LIMIT {
        rec.reject(&emu, None);
        return with_rate(
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Validation failed: File file size must be less than 16 MB",
            ),
            b,
        );
    }
    let ct = file.content_type.clone().unwrap_or_default();
    let kind = match ct.as_str() {
        "image/jpeg" | "image/png" | "image/webp" => "image",
        "image/gif" => "gifv",
        "video/mp4" => "video",
        _ => {
            rec.reject(&emu, None);
            return with_rate(
                error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Validation failed: File content type is invalid",
                ),
                b,
            );
        }
    };
    let description = parts
        .iter()
        .find(|p| p.name == "description")
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .unwrap_or_default();
    let delay = Duration::from_std(emu.opts().publish_delay).unwrap_or(Duration::zero());
    let host = host(&headers);
    let json = emu.mutate(|st, now| {
        let id = (113_000_000_000_000_000u64 + st.next_id() * 65_536).to_string();
        let m = Media {
            account_id: a.account_id.clone(),
            kind: kind.to_owned(),
            description,
            ready_at: now + delay,
        };
        let json = media_json(&id, &m, &host, now);
        st.get_mut::<MastodonState>().media.insert(id.clone(), m);
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(id.clone());
        Emulator::record(st, now, line);
        json
    });
    if after_commit {
        return with_rate(
            error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
            b,
        );
    }
    let status = if json["url"].is_null() {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    with_rate((status, axum::Json(json)).into_response(), b)
}

async fn media_status(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (a, b) = read_admit!(emu, headers);
    let host = host(&headers);
    let found = emu.read(|st, now| {
        st.get::<MastodonState>()
            .media
            .get(&id)
            .filter(|m| m.account_id == a.account_id)
            .map(|m| media_json(&id, m, &host, now))
    });
    match found {
        None => with_rate(error(StatusCode::NOT_FOUND, "Record not found"), b),
        Some(json) if json["url"].is_null() => with_rate(
            (StatusCode::PARTIAL_CONTENT, axum::Json(json)).into_response(),
            b,
        ),
        Some(json) => with_rate(ok(json), b),
    }
}

/// The status's text as Mastodon renders it: escaped, links wrapped,
/// newlines as breaks, in a paragraph.
fn content_html(text: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (s, e) in find_urls(text) {
        out.push_str(&escape(&text[at..s]));
        let url = &text[s..e];
        out.push_str(&format!(
            "<a href=\"{}\" rel=\"nofollow noopener\" target=\"_blank\">{}</a>",
            escape(url),
            escape(url)
        ));
        at = e;
    }
    out.push_str(&escape(&text[at..]));
    format!(
        "<p>{}</p>",
        out.replace("\n\n", "</p><p>").replace('\n', "<br>")
    )
}

fn status_json(
    emu: &Emulator,
    st: &MastodonState,
    s: &Status,
    host: &str,
    now: DateTime<Utc>,
) -> Value {
    let f = figures(&s.id, emu.age_secs(s.created_at, now));
    let media: Vec<Value> = s
        .media_ids
        .iter()
        .filter_map(|id| st.media.get(id).map(|m| media_json(id, m, host, now)))
        .collect();
    json!({
        "id": s.id, "created_at": iso(s.created_at),
        "in_reply_to_id": s.in_reply_to_id,
        "in_reply_to_account_id": s.in_reply_to_id.as_ref().map(|_| DEMO.account_id),
        "sensitive": s.sensitive, "spoiler_text": s.spoiler_text, "visibility": s.visibility,
        "language": "en",
        "uri": format!("http://{host}/users/{}/statuses/{}", DEMO.username, s.id),
        "url": format!("http://{host}/@{}/{}", DEMO.username, s.id),
        "replies_count": f.comments, "reblogs_count": f.shares, "favourites_count": f.likes,
        "quotes_count": f.quotes,
        "content": content_html(&s.text),
        "account": account_json(host),
        "media_attachments": media, "mentions": [], "tags": [],
        "application": { "name": s.app },
    })
}

async fn create_status(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::Mastodon, "mastodon.status", &body, &headers);
    let p = body_params(&headers, &body);
    let text = text_param(&p, "status").unwrap_or("").to_owned();
    rec.text = Some(text.clone());
    let limit = Some(("statuses", 300, Duration::hours(3)));
    let (a, b, fault, after_commit) = match admit(&emu, &headers, limit, CallKind::Create).await {
        Ok(x) => x,
        Err(d) => return d.answer(&emu, Some(rec)).await,
    };
    rec.account = a.account_id.clone();
    rec.fault = fault;
    let host = host(&headers);
    let key = rec
        .idempotency_key
        .clone()
        .map(|k| format!("{}:{k}", a.account_id));
    // A repeat within the hour answers the original, creating nothing.
    let earlier = emu.read(|st, now| {
        let ms = st.get::<MastodonState>();
        let (id, at) = ms.idempotency.get(key.as_deref()?)?;
        if now - *at >= Duration::seconds(IDEMPOTENCY_SECS) {
            return None;
        }
        let s = ms.statuses.iter().find(|s| &s.id == id)?;
        Some((id.clone(), status_json(&emu, ms, s, &host, now)))
    });
    if let Some((id, json)) = earlier {
        let mut line = rec.clone();
        line.remote_id = Some(id);
        emu.mutate(|st, now| Emulator::record(st, now, line));
        return with_rate(ok(json), b);
    }
    let spoiler = text_param(&p, "spoiler_text").unwrap_or("").to_owned();
    let visibility = text_param(&p, "visibility").unwrap_or("public").to_owned();
    let sensitive = match p.get("sensitive") {
        Some(Value::Bool(v)) => *v,
        Some(Value::String(s)) => s == "true" || s == "1",
        _ => false,
    };
    let in_reply_to = p.get("in_reply_to_id").and_then(|v| match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let media_ids = list_param(&p, "media_ids");
    let outcome = emu.mutate(|st, now| {
        let unprocessable = |m: &str| Err((StatusCode::UNPROCESSABLE_ENTITY, m.to_owned()));
        let id = {
            let ms = st.get::<MastodonState>();
            if !matches!(visibility.as_str(), "public" | "unlisted" | "private" | "direct") {
                return unprocessable("Validation failed: Visibility is not included in the list");
            }
            if text.trim().is_empty() && media_ids.is_empty() {
                return unprocessable("Validation failed: Text can't be blank");
            }
            if mastodon_length(&text) + mastodon_length(&spoiler) > ms.max_characters {
                return Err((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "Validation failed: Text character limit of {} exceeded",
                        ms.max_characters
                    ),
                ));
            }
            if media_ids.len() > MAX_MEDIA {
                return unprocessable("Validation failed: Media attachments can't be more than 4");
            }
            for m in &media_ids {
                match ms.media.get(m) {
                    Some(md) if md.account_id == a.account_id => {
                        if now < md.ready_at {
                            return unprocessable("Cannot attach files that have not finished processing. Try again in a moment!");
                        }
                    }
                    _ => return unprocessable("Validation failed: Media attachments are invalid"),
                }
            }
            if let Some(r) = &in_reply_to {
                if !ms.statuses.iter().any(|s| &s.id == r) {
                    return Err((StatusCode::NOT_FOUND, "Record not found".to_owned()));
                }
            }
            (113_000_000_000_000_000u64 + st.next_id() * 65_536).to_string()
        };
        let ms = st.get_mut::<MastodonState>();
        ms.statuses.push(Status {
            id: id.clone(),
            account_id: a.account_id.clone(),
            text: text.clone(),
            spoiler_text: spoiler.clone(),
            visibility: visibility.clone(),
            sensitive,
            in_reply_to_id: in_reply_to.clone(),
            media_ids: media_ids.clone(),
            app: a.app.clone(),
            created_at: now,
        });
        if let Some(k) = &key {
            ms.idempotency.insert(k.clone(), (id.clone(), now));
        }
        let json = {
            let ms = st.get::<MastodonState>();
            status_json(&emu, ms, ms.statuses.last().expect("just pushed"), &host, now)
        };
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(id);
        Emulator::record(st, now, line);
        Ok(json)
    });
    match outcome {
        Err((status, message)) => {
            rec.reject(&emu, None);
            with_rate(error(status, &message), b)
        }
        Ok(_) if after_commit => with_rate(
            error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
            b,
        ),
        Ok(json) => with_rate(ok(json), b),
    }
}

async fn one_status(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (_, b) = read_admit!(emu, headers);
    let host = host(&headers);
    let found = emu.read(|st, now| {
        let ms = st.get::<MastodonState>();
        ms.statuses
            .iter()
            .find(|s| s.id == id)
            .map(|s| status_json(&emu, ms, s, &host, now))
    });
    match found {
        Some(json) => with_rate(ok(json), b),
        None => with_rate(error(StatusCode::NOT_FOUND, "Record not found"), b),
    }
}

/// `GET /api/v1/statuses?id[]=…` (Mastodon 4.3+).
async fn lookup(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let (_, b) = read_admit!(emu, headers);
    let ids: Vec<String> = form_pairs(q.unwrap_or_default().as_bytes())
        .into_iter()
        .filter(|(k, _)| k == "id[]" || k == "id")
        .map(|(_, v)| v)
        .collect();
    if ids.len() > BATCH_LIMIT {
        return with_rate(
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Validation failed: too many ids",
            ),
            b,
        );
    }
    let host = host(&headers);
    let list = emu.read(|st, now| {
        let ms = st.get::<MastodonState>();
        ids.iter()
            .filter_map(|id| ms.statuses.iter().find(|s| &s.id == id))
            .map(|s| status_json(&emu, ms, s, &host, now))
            .collect::<Vec<_>>()
    });
    with_rate(ok(Value::Array(list)), b)
}

#[derive(Deserialize)]
struct PageQuery {
    limit: Option<usize>,
    max_id: Option<String>,
    since_id: Option<String>,
    min_id: Option<String>,
}

/// Ids are decimal strings of one length: comparing numerically.
fn id_num(id: &str) -> u128 {
    id.parse().unwrap_or(0)
}

async fn account_statuses(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Path(account): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let (_, b) = read_admit!(emu, headers);
    let limit = q.limit.unwrap_or(20).clamp(1, 40);
    let host = host(&headers);
    let upper = q.max_id.as_deref().map(id_num);
    let lower = q.min_id.as_deref().or(q.since_id.as_deref()).map(id_num);
    let page = emu.read(|st, now| {
        let ms = st.get::<MastodonState>();
        let mut mine: Vec<&Status> = ms
            .statuses
            .iter()
            .filter(|s| s.account_id == account)
            .filter(|s| upper.is_none_or(|u| id_num(&s.id) < u))
            .filter(|s| lower.is_none_or(|l| id_num(&s.id) > l))
            .collect();
        mine.sort_by_key(|s| std::cmp::Reverse(id_num(&s.id)));
        mine.into_iter()
            .take(limit)
            .map(|s| status_json(&emu, ms, s, &host, now))
            .collect::<Vec<_>>()
    });
    let mut r = with_rate(ok(Value::Array(page.clone())), b);
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        let base = format!("http://{host}/api/v1/accounts/{account}/statuses");
        let link = format!(
            "<{base}?limit={limit}&max_id={}>; rel=\"next\", <{base}?limit={limit}&min_id={}>; rel=\"prev\"",
            last["id"].as_str().unwrap_or(""),
            first["id"].as_str().unwrap_or("")
        );
        if let Ok(v) = HeaderValue::from_str(&link) {
            r.headers_mut().insert(header::LINK, v);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_escaped_with_links_and_breaks() {
        assert_eq!(
            content_html("Tea & <cakes>\nsee https://example.com/a"),
            "<p>Tea &amp; &lt;cakes&gt;<br>see <a href=\"https://example.com/a\" rel=\"nofollow noopener\" target=\"_blank\">https://example.com/a</a></p>"
        );
    }

    #[test]
    fn write_covers_the_granular_write_scopes() {
        let registered = vec!["read".to_owned(), "write".to_owned()];
        assert!(scopes_granted("read:accounts write:statuses", &registered));
        assert!(!scopes_granted("admin:read", &registered));
    }

    #[test]
    fn clearing_faults_restores_the_demo_token_only() {
        let mut st = Mastodon::seed(Utc::now());
        st.tokens.get_mut(DEMO.access_token).unwrap().revoked = true;
        st.tokens.insert(
            "granted".into(),
            Token {
                revoked: true,
                ..demo_token()
            },
        );
        st.clear_faults();
        assert!(!st.tokens[DEMO.access_token].revoked);
        assert!(st.tokens["granted"].revoked);
    }
}
