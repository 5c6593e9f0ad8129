//! The X API v2 imitation: the OAuth 2.0 authorize screen and token
//! endpoint (PKCE S256, single-use rotating refresh tokens), users/me,
//! tweet create and lookup, user timeline, simple media upload; seeded
//! with the client and user of [`DEMO`]. An account is a user id, in the
//! ledger and in fault rules.
//!
//! Invariants: every API response carries `x-rate-limit-*` headers (a
//! 15-minute window per user and endpoint; 429 has no `Retry-After`);
//! errors are problem JSON; reusing a refresh token revokes its whole
//! family; a token only ever acts for its own user; a token revoked by a
//! fault stays revoked until a new consent, even once faults are cleared.

// Error answers are whole HTTP responses, as is usual with axum; boxing
// them would only add noise on a loopback test server.
#![allow(clippy::result_large_err)]

use super::consent::{self, oauth_error, pkce_challenge};
use super::faults::{CallKind, Fault};
use super::host::{random_token, Emulator, Gate, PlatformSim, Rec};
use super::metrics::figures;
use super::net::drop_connection;
use super::request::{bearer, form_pairs, multipart_parts};
use super::state::{Budget, PlatformState, Post, State};
use crate::domain::content::Platform;
use crate::domain::html::escape;
use crate::domain::image::image_info;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

const WINDOW_MINUTES: i64 = 15;
const ACCESS_SECS: i64 = 7200;
const CODE_SECS: i64 = 600;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct XState {
    pub clients: Vec<XClient>,
    pub users: Vec<XUser>,
    pub access: BTreeMap<String, XAccess>,
    pub refresh: BTreeMap<String, XRefresh>,
    pub codes: BTreeMap<String, XCode>,
    pub tweets: Vec<Tweet>,
    pub media: BTreeMap<String, XMedia>,
    pub next_family: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct XClient {
    pub id: String,
    pub secret: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct XUser {
    pub id: String,
    pub username: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct XAccess {
    pub user_id: String,
    pub family: u64,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    pub scope: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct XRefresh {
    pub user_id: String,
    pub family: u64,
    pub used: bool,
    pub revoked: bool,
    pub scope: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct XCode {
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Tweet {
    pub id: String,
    pub user_id: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub reply_to: Option<String>,
    pub media_ids: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct XMedia {
    pub user_id: String,
    pub size: usize,
    pub created_at: DateTime<Utc>,
}

/// The seeded X client and user.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DemoX {
    pub client_id: &'static str,
    /// Accepted with HTTP Basic auth (confidential-client variant).
    pub client_secret: &'static str,
    pub user_id: &'static str,
    pub username: &'static str,
    pub name: &'static str,
    pub access_token: &'static str,
    /// Single use, like every refresh token.
    pub refresh_token: &'static str,
}

/// The account this platform is seeded with.
pub(crate) const DEMO: DemoX = DemoX {
    client_id: "emulated-x-client",
    client_secret: "emulated-x-secret",
    user_id: "1500000000000000001",
    username: "tongbu_demo",
    name: "Tongbu Demo",
    access_token: "emulated-x-access-seed",
    refresh_token: "emulated-x-refresh-seed",
};

/// The X API imitation, as the registry lists it.
pub(crate) struct X;

impl PlatformSim for X {
    const PLATFORM: Platform = Platform::X;
    type State = XState;

    fn routes() -> Router<Emulator> {
        Router::new()
            .route("/2/oauth2/token", post(token))
            .route("/2/users/me", get(users_me))
            .route("/2/users/{id}/tweets", get(user_tweets))
            .route("/2/tweets", post(create_tweet).get(lookup))
            .route("/2/media/upload", post(media_upload))
            .route(
                "/i/oauth2/authorize",
                get(consent_page).post(consent_decide),
            )
    }

    fn seed(now: DateTime<Utc>) -> XState {
        let d = DEMO;
        let mut access = BTreeMap::new();
        access.insert(
            d.access_token.to_owned(),
            XAccess {
                user_id: d.user_id.to_owned(),
                family: 1,
                expires_at: now + chrono::Duration::seconds(ACCESS_SECS),
                revoked: false,
                scope: "tweet.read tweet.write users.read offline.access media.write".into(),
            },
        );
        let mut refresh = BTreeMap::new();
        refresh.insert(
            d.refresh_token.to_owned(),
            XRefresh {
                user_id: d.user_id.to_owned(),
                family: 1,
                used: false,
                revoked: false,
                scope: "tweet.read tweet.write users.read offline.access media.write".into(),
            },
        );
        XState {
            clients: vec![XClient {
                id: d.client_id.to_owned(),
                secret: d.client_secret.to_owned(),
            }],
            users: vec![XUser {
                id: d.user_id.to_owned(),
                username: d.username.to_owned(),
                name: d.name.to_owned(),
            }],
            access,
            refresh,
            codes: BTreeMap::new(),
            tweets: Vec::new(),
            media: BTreeMap::new(),
            next_family: 2,
        }
    }
}

impl PlatformState for XState {
    fn posts(&self) -> Vec<Post<'_>> {
        self.tweets
            .iter()
            .map(|t| Post::new(&t.user_id, &t.id, t.created_at, Some(t.text.as_str())))
            .collect()
    }
}

impl XState {
    fn client_known(&self, id: &str) -> bool {
        self.clients.iter().any(|c| c.id == id)
    }

    fn revoke_family(&mut self, family: u64) {
        for a in self.access.values_mut().filter(|a| a.family == family) {
            a.revoked = true;
        }
        for r in self.refresh.values_mut().filter(|r| r.family == family) {
            r.revoked = true;
        }
    }

    /// Issues a fresh token pair in `family` (a refresh token only with
    /// `offline.access`).
    fn issue(
        &mut self,
        user_id: &str,
        family: u64,
        scope: &str,
        now: DateTime<Utc>,
    ) -> (String, Option<String>) {
        let access = random_token(48);
        self.access.insert(
            access.clone(),
            XAccess {
                user_id: user_id.to_owned(),
                family,
                expires_at: now + chrono::Duration::seconds(ACCESS_SECS),
                revoked: false,
                scope: scope.to_owned(),
            },
        );
        let refresh = scope.split(' ').any(|s| s == "offline.access").then(|| {
            let r = random_token(48);
            self.refresh.insert(
                r.clone(),
                XRefresh {
                    user_id: user_id.to_owned(),
                    family,
                    used: false,
                    revoked: false,
                    scope: scope.to_owned(),
                },
            );
            r
        });
        (access, refresh)
    }
}

impl Emulator {
    /// A new X token family for the demo user, as a completed consent
    /// grants one, so a tool can connect many channels to the account
    /// without a browser, each with its own single-use refresh tokens:
    /// (access token, refresh token, access expiry).
    pub fn grant_demo_x_tokens(&self) -> (String, String, DateTime<Utc>) {
        self.mutate(|st, now| {
            let xs = st.get_mut::<XState>();
            let family = xs.next_family;
            xs.next_family += 1;
            let (a, r) = xs.issue(
                DEMO.user_id,
                family,
                "tweet.read tweet.write users.read offline.access media.write",
                now,
            );
            (
                a,
                r.unwrap_or_default(),
                now + chrono::Duration::seconds(ACCESS_SECS),
            )
        })
    }
}

/// Issues an authorization code after consent.
fn issue_code(
    st: &mut State,
    now: DateTime<Utc>,
    client_id: &str,
    redirect_uri: &str,
    challenge: &str,
    scope: &str,
) -> String {
    let code = random_token(40);
    st.get_mut::<XState>().codes.insert(
        code.clone(),
        XCode {
            client_id: client_id.to_owned(),
            user_id: DEMO.user_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            challenge: challenge.to_owned(),
            scope: scope.to_owned(),
            expires_at: now + chrono::Duration::seconds(CODE_SECS),
            used: false,
        },
    );
    code
}

// ---- responses -------------------------------------------------------------

fn problem(status: StatusCode, title: &str, detail: &str, kind: &str) -> Response {
    let body = json!({ "title": title, "detail": detail, "type": kind, "status": status.as_u16() });
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

fn json_resp(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn unauthorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Unauthorized",
        "about:blank",
    )
}

fn unavailable() -> Response {
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service Unavailable",
        "Service Unavailable",
        "about:blank",
    )
}

fn too_many() -> Response {
    problem(
        StatusCode::TOO_MANY_REQUESTS,
        "Too Many Requests",
        "Too Many Requests",
        "about:blank",
    )
}

fn invalid_request(message: String) -> Response {
    let body = json!({
        "errors": [{ "message": message }],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    });
    let mut r = (StatusCode::BAD_REQUEST, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    r
}

fn with_rate(mut r: Response, b: Budget) -> Response {
    let h = r.headers_mut();
    h.insert("x-rate-limit-limit", HeaderValue::from(b.limit));
    h.insert("x-rate-limit-remaining", HeaderValue::from(b.remaining));
    h.insert("x-rate-limit-reset", HeaderValue::from(b.reset.timestamp()));
    r
}

/// The budgets of the user-context endpoints (calls per 15 minutes).
fn limit_of(class: &str) -> u32 {
    match class {
        "tweets.create" => 200,
        "tweets.lookup" => 900,
        "users.me" => 75,
        "users.tweets" => 900,
        "media.upload" => 500,
        _ => 10_000,
    }
}

fn take_budget(emu: &Emulator, who: &str, class: &str) -> Budget {
    let limit = emu.budget(limit_of(class));
    emu.mutate(|st, now| {
        st.take(
            &format!("x:{who}:{class}"),
            limit,
            chrono::Duration::minutes(WINDOW_MINUTES),
            now,
        )
    })
}

/// Headers for a response to a caller who could not be identified: the
/// budget is untouched.
fn anonymous_budget(emu: &Emulator, class: &str) -> Budget {
    let now = emu.now();
    Budget {
        limit: limit_of(class),
        remaining: limit_of(class),
        reset: now + chrono::Duration::minutes(WINDOW_MINUTES),
        allowed: true,
    }
}

struct Auth {
    user_id: String,
    token: String,
}

fn auth(emu: &Emulator, headers: &HeaderMap) -> Option<Auth> {
    let token = bearer(headers)?;
    emu.read(|st, now| {
        let a = st.get::<XState>().access.get(&token)?;
        (!a.revoked && a.expires_at > now).then(|| Auth {
            user_id: a.user_id.clone(),
            token: token.clone(),
        })
    })
}

/// The answer for a fault that stops the request.
async fn stop(emu: &Emulator, fault: Fault, a: &Auth, b: Budget) -> Response {
    use super::faults::Fault as F;
    match fault {
        F::RateLimit { reset_after_secs } => {
            let reset = emu.now()
                + chrono::Duration::seconds(
                    i64::try_from(reset_after_secs).unwrap_or(i64::MAX / 4_000),
                );
            with_rate(
                too_many(),
                Budget {
                    remaining: 0,
                    reset,
                    allowed: false,
                    ..b
                },
            )
        }
        F::Hang => emu.hang().await,
        F::DropConnection => drop_connection(),
        F::TokenExpired => {
            emu.mutate(|st, now| {
                if let Some(t) = st.get_mut::<XState>().access.get_mut(&a.token) {
                    t.expires_at = now;
                }
            });
            with_rate(unauthorized(), b)
        }
        F::TokenRevoked => {
            emu.mutate(|st, _| {
                if let Some(f) = st.get::<XState>().access.get(&a.token).map(|t| t.family) {
                    st.get_mut::<XState>().revoke_family(f);
                }
            });
            with_rate(unauthorized(), b)
        }
        F::ErrorBeforeCommit | F::ErrorAfterCommit | F::Latency { .. } => {
            with_rate(unavailable(), b)
        }
    }
}

/// Why a call is not served normally.
enum Denied {
    /// Answer this (unauthenticated or out of budget).
    Answer(Response, Option<Auth>),
    /// A fault stops the call; the caller records it, then runs [`stop`].
    Fault(Fault, Auth, Budget),
}

impl Denied {
    /// Records a create's ledger line (before a hang can start), then
    /// produces the answer.
    async fn answer(self, emu: &Emulator, rec: Option<Rec>) -> Response {
        match self {
            Denied::Answer(r, a) => {
                if let Some(mut rec) = rec {
                    rec.account = a.map(|a| a.user_id).unwrap_or_default();
                    rec.reject(emu, None);
                }
                r
            }
            Denied::Fault(f, a, b) => {
                if let Some(mut rec) = rec {
                    rec.account = a.user_id.clone();
                    rec.reject(emu, Some(f.kind()));
                }
                stop(emu, f, &a, b).await
            }
        }
    }
}

/// Authenticates, takes the budget and checks faults.
async fn admit(
    emu: &Emulator,
    headers: &HeaderMap,
    class: &str,
    call: CallKind,
) -> Result<(Auth, Budget, Option<&'static str>, bool), Denied> {
    let Some(a) = auth(emu, headers) else {
        return Err(Denied::Answer(
            with_rate(unauthorized(), anonymous_budget(emu, class)),
            None,
        ));
    };
    let b = take_budget(emu, &a.user_id, class);
    if !b.allowed {
        return Err(Denied::Answer(with_rate(too_many(), b), Some(a)));
    }
    match emu.gate(Platform::X, &a.user_id, call).await {
        Gate::Proceed {
            fault,
            after_commit,
        } => Ok((a, b, fault, after_commit)),
        Gate::Stop(f) => Err(Denied::Fault(f, a, b)),
    }
}

// ---- OAuth -------------------------------------------------------------------

async fn token(AxState(emu): AxState<Emulator>, headers: HeaderMap, body: Bytes) -> Response {
    let b = anonymous_budget(&emu, "oauth2.token");
    let r = token_inner(&emu, &headers, &body).await;
    // Hung or dropped requests carry no headers anyway.
    with_rate(r, b)
}

async fn token_inner(emu: &Emulator, headers: &HeaderMap, body: &[u8]) -> Response {
    let form: HashMap<String, String> = form_pairs(body).into_iter().collect();
    // Confidential clients authenticate with HTTP Basic; public ones send
    // client_id in the form.
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let client_id = match (&basic, form.get("client_id")) {
        (Some((id, _)), _) => id.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing required parameter [client_id].",
            )
        }
    };
    let secret_ok = emu.read(|st, _| {
        st.get::<XState>()
            .clients
            .iter()
            .find(|c| c.id == client_id)
            .map(|c| basic.as_ref().is_none_or(|(_, s)| *s == c.secret))
    });
    match secret_ok {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Value passed for the client_id was invalid.",
            )
        }
        Some(false) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized_client",
                "Missing valid authorization header",
            )
        }
        Some(true) => {}
    }
    let invalid_token = || {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Value passed for the token was invalid.",
        )
    };
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let (Some(code), Some(redirect), Some(verifier)) = (
                form.get("code"),
                form.get("redirect_uri"),
                form.get("code_verifier"),
            ) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Missing required parameter [code, redirect_uri or code_verifier].",
                );
            };
            let user = emu.read(|st, _| {
                st.get::<XState>()
                    .codes
                    .get(code)
                    .map(|c| c.user_id.clone())
            });
            let Some(user) = user else {
                return invalid_token();
            };
            if let Err(r) = token_gate(emu, &user).await {
                return r;
            }
            let challenge = pkce_challenge(verifier);
            let issued = emu.mutate(|st, now| {
                let xs = st.get_mut::<XState>();
                let c = xs.codes.get_mut(code)?;
                if c.used
                    || c.expires_at <= now
                    || c.client_id != client_id
                    || c.redirect_uri != *redirect
                    || c.challenge != challenge
                {
                    return None;
                }
                c.used = true;
                let (user, scope) = (c.user_id.clone(), c.scope.clone());
                let family = xs.next_family;
                xs.next_family += 1;
                let (a, r) = xs.issue(&user, family, &scope, now);
                Some((a, r, scope))
            });
            match issued {
                Some((a, r, scope)) => token_body(a, r, scope),
                None => invalid_token(),
            }
        }
        Some("refresh_token") => {
            let Some(rt) = form.get("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Missing required parameter [refresh_token].",
                );
            };
            let user = emu.read(|st, _| {
                st.get::<XState>()
                    .refresh
                    .get(rt)
                    .map(|r| r.user_id.clone())
            });
            let Some(user) = user else {
                return invalid_token();
            };
            if let Err(r) = token_gate(emu, &user).await {
                return r;
            }
            let issued = emu.mutate(|st, now| {
                let xs = st.get_mut::<XState>();
                let r = xs.refresh.get_mut(rt)?;
                if r.revoked {
                    return None;
                }
                if r.used {
                    // A rotated token came back: assume it leaked and kill
                    // everything that descends from the same consent.
                    let family = r.family;
                    xs.revoke_family(family);
                    return None;
                }
                r.used = true;
                let (user, family, scope) = (r.user_id.clone(), r.family, r.scope.clone());
                let (a, r) = xs.issue(&user, family, &scope, now);
                Some((a, r, scope))
            });
            match issued {
                Some((a, r, scope)) => token_body(a, r, scope),
                None => invalid_token(),
            }
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Value passed for the grant type was invalid.",
        ),
    }
}

async fn token_gate(emu: &Emulator, user: &str) -> Result<(), Response> {
    match emu.gate(Platform::X, user, CallKind::Token).await {
        Gate::Proceed { .. } => Ok(()),
        Gate::Stop(Fault::Hang) => Err(emu.hang().await),
        Gate::Stop(Fault::DropConnection) => Err(drop_connection()),
        Gate::Stop(Fault::RateLimit { .. }) => Err(too_many()),
        Gate::Stop(_) => Err(unavailable()),
    }
}

fn token_body(access: String, refresh: Option<String>, scope: String) -> Response {
    let mut body = json!({
        "token_type": "bearer",
        "expires_in": ACCESS_SECS,
        "access_token": access,
        "scope": scope,
    });
    if let Some(r) = refresh {
        body["refresh_token"] = Value::String(r);
    }
    json_resp(StatusCode::OK, body)
}

// ---- consent -------------------------------------------------------------------

/// Validates the authorize parameters; `Err` is the error page.
fn check_authorize(emu: &Emulator, p: &HashMap<String, String>) -> Result<(), Response> {
    let get = |k: &str| consent::get_param(p, k);
    if !emu.read(|st, _| st.get::<XState>().client_known(get("client_id"))) {
        return Err(consent::error_page(
            "Something went wrong: this app's client_id is not valid.",
        ));
    }
    if get("response_type") != "code" {
        return Err(consent::error_page("response_type must be code."));
    }
    if url::Url::parse(get("redirect_uri")).is_err() {
        return Err(consent::error_page(
            "redirect_uri is missing or not a valid URL.",
        ));
    }
    if get("code_challenge_method") != "S256" {
        return Err(consent::error_page("code_challenge_method must be S256."));
    }
    let ch = get("code_challenge");
    // S256 challenges are 43 base64url characters.
    if ch.len() != 43
        || !ch
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Err(consent::error_page(
            "code_challenge is missing or malformed.",
        ));
    }
    if get("state").is_empty() {
        return Err(consent::error_page("state is required."));
    }
    if get("scope").trim().is_empty() {
        return Err(consent::error_page("scope is required."));
    }
    Ok(())
}

/// `GET /i/oauth2/authorize`: the authorize screen, as the demo user.
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
    let scopes: Vec<&str> = get("scope").split(' ').collect();
    let body = format!(
        "<h1>Authorize app to access your account?</h1>\
<p class=\"who\">Signed in as <strong id=\"account\">{name}</strong> @{username}</p>\
<p>The app <strong>{client}</strong> will be able to:</p><ul id=\"scopes\">{scopes}</ul>{form}",
        name = escape(DEMO.name),
        username = escape(DEMO.username),
        client = escape(get("client_id")),
        scopes = consent::scope_list(&scopes),
        form = consent::form(
            Some("/i/oauth2/authorize"),
            &consent::hidden(&pairs),
            "Authorize app"
        ),
    );
    Html(consent::page("Authorize app — X", "#000", &body)).into_response()
}

/// `POST /i/oauth2/authorize`: the user's answer.
async fn consent_decide(AxState(emu): AxState<Emulator>, body: Bytes) -> Response {
    let p = consent::params(&body);
    if let Err(r) = check_authorize(&emu, &p) {
        return r;
    }
    let get = |k: &str| consent::get_param(&p, k);
    let redirect_uri = get("redirect_uri");
    let state = get("state");
    if !consent::allowed(&p) {
        return consent::redirect(
            redirect_uri,
            &[("error", "access_denied"), ("state", state)],
            None,
        );
    }
    let code = emu.mutate(|st, now| {
        issue_code(
            st,
            now,
            get("client_id"),
            redirect_uri,
            get("code_challenge"),
            get("scope"),
        )
    });
    consent::redirect(redirect_uri, &[("state", state), ("code", &code)], None)
}

// ---- API -----------------------------------------------------------------------

async fn users_me(AxState(emu): AxState<Emulator>, headers: HeaderMap) -> Response {
    let (a, b) = match admit(&emu, &headers, "users.me", CallKind::Read).await {
        Ok((a, b, _, after)) if !after => (a, b),
        Ok((_, b, _, _)) => return with_rate(unavailable(), b),
        Err(d) => return d.answer(&emu, None).await,
    };
    let user = emu.read(|st, _| {
        st.get::<XState>()
            .users
            .iter()
            .find(|u| u.id == a.user_id)
            .map(|u| json!({ "id": u.id, "name": u.name, "username": u.username }))
    });
    match user {
        Some(u) => with_rate(json_resp(StatusCode::OK, json!({ "data": u })), b),
        None => with_rate(unauthorized(), b),
    }
}

async fn create_tweet(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::X, "x.tweet", &body, &headers);
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    rec.text = parsed
        .as_ref()
        .and_then(|v| v.get("text"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (a, b, fault, after_commit) =
        match admit(&emu, &headers, "tweets.create", CallKind::Create).await {
            Ok(x) => x,
            Err(d) => return d.answer(&emu, Some(rec)).await,
        };
    rec.account = a.user_id.clone();
    rec.fault = fault;
    let Some(v) = parsed.filter(Value::is_object) else {
        rec.reject(&emu, None);
        return with_rate(
            invalid_request("Request body must be a JSON object.".into()),
            b,
        );
    };
    let text = v
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let reply_to = v
        .pointer("/reply/in_reply_to_tweet_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let media_ids: Vec<String> = v
        .pointer("/media/media_ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if text.is_empty() && media_ids.is_empty() {
        rec.reject(&emu, None);
        return with_rate(
            invalid_request("One of text or media must be provided.".into()),
            b,
        );
    }
    if media_ids.len() > 4 {
        rec.reject(&emu, None);
        return with_rate(
            invalid_request("At most 4 media_ids are allowed.".into()),
            b,
        );
    }
    if crate::domain::content::x_weighted_length(&text) > 280 {
        rec.reject(&emu, None);
        return with_rate(
            problem(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "Your Tweet text is too long.",
                "about:blank",
            ),
            b,
        );
    }
    let outcome = emu.mutate(|st, now| {
        let user = a.user_id.clone();
        // "Recent" duplicates: the same text by the same user within a day.
        let dup = !text.is_empty()
            && st.get::<XState>().tweets.iter().any(|t| {
                t.user_id == user
                    && t.text == text
                    && now - t.created_at < chrono::Duration::hours(24)
            });
        if dup {
            return Err(problem(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "You are not allowed to create a Tweet with duplicate content.",
                "about:blank",
            ));
        }
        if let Some(r) = &reply_to {
            if !st.get::<XState>().tweets.iter().any(|t| &t.id == r) {
                return Err(problem(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    "You attempted to reply to a Tweet that is deleted or not visible to you.",
                    "about:blank",
                ));
            }
        }
        for m in &media_ids {
            let ok = st.get::<XState>().media.get(m).is_some_and(|md| {
                md.user_id == user && now - md.created_at < chrono::Duration::hours(24)
            });
            if !ok {
                return Err(invalid_request(format!("Your media IDs are invalid: {m}")));
            }
        }
        let id = tweet_id(st.next_id());
        st.get_mut::<XState>().tweets.push(Tweet {
            id: id.clone(),
            user_id: user,
            text: text.clone(),
            created_at: now,
            reply_to: reply_to.clone(),
            media_ids: media_ids.clone(),
        });
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(id.clone());
        Emulator::record(st, now, line);
        Ok(id)
    });
    match outcome {
        Err(r) => {
            rec.reject(&emu, None);
            with_rate(r, b)
        }
        Ok(_) if after_commit => with_rate(unavailable(), b),
        Ok(id) => with_rate(
            json_resp(
                StatusCode::CREATED,
                json!({ "data": { "id": id, "text": text, "edit_history_tweet_ids": [id] } }),
            ),
            b,
        ),
    }
}

/// Snowflake-looking 19-digit ids.
fn tweet_id(n: u64) -> String {
    (1_850_000_000_000_000_000u64 + n * 4096).to_string()
}

#[derive(Deserialize)]
struct LookupQuery {
    ids: Option<String>,
    #[serde(rename = "tweet.fields")]
    fields: Option<String>,
}

async fn lookup(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Query(q): Query<LookupQuery>,
) -> Response {
    let (a, b) = match admit(&emu, &headers, "tweets.lookup", CallKind::Read).await {
        Ok((a, b, _, after)) if !after => (a, b),
        Ok((_, b, _, _)) => return with_rate(unavailable(), b),
        Err(d) => return d.answer(&emu, None).await,
    };
    let ids: Vec<String> = q
        .ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() || ids.len() > 100 {
        return with_rate(
            invalid_request(format!(
                "The number of values in the `ids` query parameter list [{}] is not between 1 and 100",
                ids.len()
            )),
            b,
        );
    }
    if let Some(bad) = ids.iter().find(|i| !i.bytes().all(|c| c.is_ascii_digit())) {
        return with_rate(
            invalid_request(format!(
                "The `ids` query parameter value [{bad}] does not match ^[0-9]{{1,19}}$"
            )),
            b,
        );
    }
    let fields = field_set(q.fields.as_deref());
    let now = emu.now();
    let result = emu.read(|st, _| {
        let mut data = Vec::new();
        let mut errors = Vec::new();
        for id in &ids {
            match st.get::<XState>().tweets.iter().find(|t| &t.id == id) {
                Some(t) => {
                    let private =
                        fields.contains("non_public_metrics") || fields.contains("organic_metrics");
                    if private
                        && (t.user_id != a.user_id
                            || now - t.created_at >= chrono::Duration::days(30))
                    {
                        return Err(());
                    }
                    data.push(render_tweet(&emu, t, &fields, now));
                }
                None => errors.push(json!({
                    "value": id,
                    "detail": format!("Could not find tweet with ids: [{id}]."),
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": "ids",
                    "resource_id": id,
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                })),
            }
        }
        Ok((data, errors))
    });
    match result {
        Err(()) => with_rate(
            invalid_request(
                "non_public_metrics and organic_metrics are only available for the authenticating user's Posts created within the last 30 days.".into(),
            ),
            b,
        ),
        Ok((data, errors)) => {
            let mut body = serde_json::Map::new();
            if !data.is_empty() {
                body.insert("data".into(), Value::Array(data));
            }
            if !errors.is_empty() {
                body.insert("errors".into(), Value::Array(errors));
            }
            with_rate(json_resp(StatusCode::OK, Value::Object(body)), b)
        }
    }
}

fn field_set(s: Option<&str>) -> std::collections::HashSet<String> {
    s.unwrap_or("")
        .split(',')
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect()
}

fn render_tweet(
    emu: &Emulator,
    t: &Tweet,
    fields: &std::collections::HashSet<String>,
    now: DateTime<Utc>,
) -> Value {
    let f = figures(&t.id, emu.age_secs(t.created_at, now));
    let mut v = json!({ "id": t.id, "text": t.text, "edit_history_tweet_ids": [t.id] });
    if fields.contains("created_at") {
        v["created_at"] = Value::String(t.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
    }
    if fields.contains("author_id") {
        v["author_id"] = Value::String(t.user_id.clone());
    }
    if fields.contains("public_metrics") {
        v["public_metrics"] = json!({
            "retweet_count": f.shares, "reply_count": f.comments, "like_count": f.likes,
            "quote_count": f.quotes, "bookmark_count": f.saves, "impression_count": f.views,
        });
    }
    if fields.contains("non_public_metrics") {
        v["non_public_metrics"] = json!({
            "impression_count": f.views, "url_link_clicks": f.clicks,
            "user_profile_clicks": f.profile_clicks,
        });
    }
    if fields.contains("organic_metrics") {
        v["organic_metrics"] = json!({
            "impression_count": f.views, "like_count": f.likes, "reply_count": f.comments,
            "retweet_count": f.shares, "url_link_clicks": f.clicks,
            "user_profile_clicks": f.profile_clicks,
        });
    }
    v
}

#[derive(Deserialize)]
struct TimelineQuery {
    max_results: Option<String>,
    start_time: Option<String>,
    pagination_token: Option<String>,
    #[serde(rename = "tweet.fields")]
    fields: Option<String>,
}

async fn user_tweets(
    AxState(emu): AxState<Emulator>,
    Path(user): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TimelineQuery>,
) -> Response {
    let b = match admit(&emu, &headers, "users.tweets", CallKind::Read).await {
        Ok((_, b, _, after)) if !after => b,
        Ok((_, b, _, _)) => return with_rate(unavailable(), b),
        Err(d) => return d.answer(&emu, None).await,
    };
    let max = match q.max_results.as_deref().map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (5..=100).contains(&n) => n,
        Some(_) => {
            return with_rate(
                invalid_request(
                    "The `max_results` query parameter value is not between 5 and 100".into(),
                ),
                b,
            )
        }
    };
    let start = match q.start_time.as_deref().map(DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(t)) => Some(t.with_timezone(&Utc)),
        Some(Err(_)) => {
            return with_rate(
                invalid_request(
                    "The `start_time` query parameter value is not a valid RFC3339 time".into(),
                ),
                b,
            )
        }
    };
    let fields = field_set(q.fields.as_deref());
    let now = emu.now();
    // Tokens are opaque to clients; here they carry the offset.
    let offset = match q.pagination_token.as_deref() {
        None => 0,
        Some(t) => match t
            .strip_prefix("7140dibdnow9c7btw")
            .and_then(|o| usize::from_str_radix(o, 16).ok())
        {
            Some(o) => o,
            None => {
                return with_rate(
                    invalid_request(
                        "The `pagination_token` query parameter value is not valid".into(),
                    ),
                    b,
                )
            }
        },
    };
    let (data, more): (Vec<Value>, bool) = emu.read(|st, _| {
        let mut mine: Vec<&Tweet> = st
            .get::<XState>()
            .tweets
            .iter()
            .filter(|t| t.user_id == user && start.is_none_or(|s| t.created_at >= s))
            .collect();
        mine.reverse();
        let more = mine.len() > offset + max;
        (
            mine.into_iter()
                .skip(offset)
                .take(max)
                .map(|t| render_tweet(&emu, t, &fields, now))
                .collect(),
            more,
        )
    });
    let mut meta = json!({ "result_count": data.len() });
    if more {
        meta["next_token"] = json!(format!("7140dibdnow9c7btw{:x}", offset + max));
    }
    if let (Some(first), Some(last)) = (data.first(), data.last()) {
        meta["newest_id"] = first["id"].clone();
        meta["oldest_id"] = last["id"].clone();
    }
    let body = if data.is_empty() {
        json!({ "meta": meta })
    } else {
        json!({ "data": data, "meta": meta })
    };
    with_rate(json_resp(StatusCode::OK, body), b)
}

async fn media_upload(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::X, "x.media", &body, &headers);
    let (a, b, fault, after_commit) =
        match admit(&emu, &headers, "media.upload", CallKind::Create).await {
            Ok(x) => x,
            Err(d) => return d.answer(&emu, Some(rec)).await,
        };
    rec.account = a.user_id.clone();
    rec.fault = fault;
    let parts = multipart_parts(&headers, body).await.unwrap_or_default();
    let Some(media) = parts.iter().find(|p| p.name == "media") else {
        rec.reject(&emu, None);
        return with_rate(invalid_request("The `media` field is required.".into()), b);
    };
    if media.data.len() > 5 * 1024 * 1024 {
        rec.reject(&emu, None);
        return with_rate(invalid_request("Images must be at most 5 MB.".into()), b);
    }
    let (image_type, w, h) = image_info(&media.data).unwrap_or(("image/jpeg", 0, 0));
    let size = media.data.len();
    let id = emu.mutate(|st, now| {
        let id = tweet_id(st.next_id());
        st.get_mut::<XState>().media.insert(
            id.clone(),
            XMedia {
                user_id: a.user_id.clone(),
                size,
                created_at: now,
            },
        );
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(id.clone());
        Emulator::record(st, now, line);
        id
    });
    if after_commit {
        return with_rate(unavailable(), b);
    }
    with_rate(
        json_resp(
            StatusCode::OK,
            json!({ "data": {
                "id": id, "media_key": format!("3_{id}"), "size": size,
                "expires_after_secs": 86400,
                "image": { "image_type": image_type, "w": w, "h": h },
            }}),
        ),
        b,
    )
}
