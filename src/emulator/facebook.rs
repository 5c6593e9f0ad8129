//! The Facebook Graph API imitation: the login dialog, login code
//! exchange, long-lived user tokens, page tokens, page feed and photo
//! posts, published posts, post fields and insights, and the batch
//! endpoint; seeded with the app, user and page of [`DEMO`]. An account
//! is a page id in the ledger; in fault rules it is the page id, or the
//! user id for calls with a user token.
//!
//! Graph paths start with a free version segment (`/v23.0/…`), so this
//! module is the router's fallback and dispatches on the path itself; the
//! batch endpoint reuses the same dispatcher for its sub-requests.
//!
//! Invariants: errors are `{"error":{message,type,code,error_subcode?,
//! fbtrace_id}}` with HTTP 400 (codes 1 and 2: 500); a page token only acts
//! on its own page; one dead insights metric fails the whole request; the
//! same message posted twice in a row on a page is refused with 506; a
//! token revoked by a fault stays revoked until a new consent, even once
//! faults are cleared.

// Error answers are whole HTTP responses, as is usual with axum; boxing
// them would only add noise on a loopback test server.
#![allow(clippy::result_large_err)]

use super::consent;
use super::faults::{CallKind, Fault};
use super::host::{random_token, Emulator, Gate, PlatformSim, Rec};
use super::metrics::figures;
use super::net::drop_connection;
use super::request::{form_pairs, multipart_parts, Part};
use super::state::{Budget, PlatformState, Post, State};
use crate::domain::content::Platform;
use crate::domain::html::escape;
use axum::body::Bytes;
use axum::extract::{Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const SHORT_USER_SECS: i64 = 5183;
const LONG_USER_SECS: i64 = 5_184_000;
/// Page calls per hour before code 32 (the Business Use Case budget).
const PAGE_CALLS_PER_HOUR: u32 = 4800;
/// User-token calls per hour before code 17.
const USER_CALLS_PER_HOUR: u32 = 200;

const LIVE_METRICS: [&str; 5] = [
    "post_media_view",
    "post_total_media_view_unique",
    "post_clicks",
    "post_reactions_by_type_total",
    "post_activity_by_action_type",
];

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FbState {
    pub app_id: String,
    pub app_secret: String,
    pub users: Vec<FbUser>,
    pub pages: Vec<FbPage>,
    pub tokens: BTreeMap<String, FbToken>,
    pub codes: BTreeMap<String, FbCode>,
    pub posts: Vec<FbPost>,
    pub photos: Vec<FbPhoto>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FbUser {
    pub id: String,
    pub name: String,
    pub pages: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FbPage {
    pub id: String,
    pub name: String,
    pub category: String,
    /// The last message posted, for the consecutive-duplicate check.
    pub last_message: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TokenKind {
    ShortUser,
    LongUser,
    Page,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TokenStatus {
    Valid,
    Expired,
    Revoked,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FbToken {
    pub kind: TokenKind,
    pub user_id: String,
    pub page_id: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub status: TokenStatus,
    /// Page tokens derived from this user token, by page id.
    #[serde(default)]
    pub page_tokens: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FbCode {
    pub user_id: String,
    pub redirect_uri: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FbPost {
    pub id: String,
    pub page_id: String,
    pub message: Option<String>,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub published: bool,
    pub kind: String,
    pub attached: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FbPhoto {
    pub id: String,
    pub page_id: String,
    pub post_id: Option<String>,
    pub caption: Option<String>,
    pub created_at: DateTime<Utc>,
    pub attached_to: Option<String>,
}

/// The seeded Facebook app, user and page.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DemoFacebook {
    pub app_id: &'static str,
    pub app_secret: &'static str,
    pub user_id: &'static str,
    pub user_name: &'static str,
    pub page_id: &'static str,
    pub page_name: &'static str,
    /// Long-lived page token, valid until revoked.
    pub page_token: &'static str,
}

/// The account this platform is seeded with.
pub(crate) const DEMO: DemoFacebook = DemoFacebook {
    app_id: "100000000000001",
    app_secret: "emulated-facebook-app-secret",
    user_id: "100000000000042",
    user_name: "Demo Manager",
    page_id: "100000000000777",
    page_name: "Tongbu Demo Page",
    page_token: "EAAemulatedPAGE777",
};

/// The Facebook Graph imitation, as the registry lists it.
pub(crate) struct Facebook;

impl PlatformSim for Facebook {
    const PLATFORM: Platform = Platform::Facebook;
    type State = FbState;

    fn routes() -> Router<Emulator> {
        // Graph paths start with a free version segment, which no route
        // pattern matches: the fallback dispatches on the path itself.
        Router::new().fallback(fallback)
    }

    fn seed(_now: DateTime<Utc>) -> FbState {
        let d = DEMO;
        let mut tokens = BTreeMap::new();
        tokens.insert(
            d.page_token.to_owned(),
            FbToken {
                kind: TokenKind::Page,
                user_id: d.user_id.to_owned(),
                page_id: Some(d.page_id.to_owned()),
                expires_at: None,
                status: TokenStatus::Valid,
                page_tokens: BTreeMap::new(),
            },
        );
        FbState {
            app_id: d.app_id.to_owned(),
            app_secret: d.app_secret.to_owned(),
            users: vec![FbUser {
                id: d.user_id.to_owned(),
                name: d.user_name.to_owned(),
                pages: vec![d.page_id.to_owned()],
            }],
            pages: vec![FbPage {
                id: d.page_id.to_owned(),
                name: d.page_name.to_owned(),
                category: "Software".into(),
                last_message: None,
            }],
            tokens,
            codes: BTreeMap::new(),
            posts: Vec::new(),
            photos: Vec::new(),
        }
    }
}

impl PlatformState for FbState {
    fn posts(&self) -> Vec<Post<'_>> {
        self.posts
            .iter()
            .map(|p| Post::new(&p.page_id, &p.id, p.created_at, p.message.as_deref()))
            .collect()
    }
}

/// Issues a login code after consent.
fn issue_code(st: &mut State, now: DateTime<Utc>, redirect_uri: &str) -> String {
    let code = format!("AQ{}", random_token(60));
    st.get_mut::<FbState>().codes.insert(
        code.clone(),
        FbCode {
            user_id: DEMO.user_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            expires_at: now + Duration::minutes(10),
            used: false,
        },
    );
    code
}

// ---- requests and answers ------------------------------------------------------

/// One Graph request, top-level or inside a batch.
pub(crate) struct GraphReq {
    method: Method,
    path: Vec<String>,
    params: Map<String, Value>,
    bearer: Option<String>,
    raw: Bytes,
    files: Vec<Part>,
    headers: HeaderMap,
}

pub(crate) enum GraphOut {
    Json {
        status: StatusCode,
        headers: Vec<(&'static str, String)>,
        body: Value,
    },
    /// Hung or dropped: no Graph answer at all.
    Raw(Response),
}

impl GraphOut {
    fn ok(body: Value) -> GraphOut {
        GraphOut::Json {
            status: StatusCode::OK,
            headers: Vec::new(),
            body,
        }
    }

    fn with_header(mut self, name: &'static str, value: String) -> GraphOut {
        if let GraphOut::Json { headers, .. } = &mut self {
            headers.push((name, value));
        }
        self
    }

    fn into_response(self) -> Response {
        match self {
            GraphOut::Raw(r) => r,
            GraphOut::Json {
                status,
                headers,
                body,
            } => {
                let mut r = (status, axum::Json(body)).into_response();
                for (k, v) in headers {
                    if let Ok(v) = HeaderValue::from_str(&v) {
                        r.headers_mut().insert(k, v);
                    }
                }
                r
            }
        }
    }
}

fn fb_error(code: u32, subcode: Option<u32>, message: &str) -> GraphOut {
    let status = if matches!(code, 1 | 2) {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    };
    let kind = if code == 100 && subcode == Some(33) {
        "GraphMethodException"
    } else {
        "OAuthException"
    };
    let mut e = json!({
        "message": message,
        "type": kind,
        "code": code,
        "is_transient": matches!(code, 1 | 2 | 4 | 17 | 32),
        "fbtrace_id": format!("A{}", random_token(22)),
    });
    if let Some(s) = subcode {
        e["error_subcode"] = s.into();
    }
    GraphOut::Json {
        status,
        headers: Vec::new(),
        body: json!({ "error": e }),
    }
}

fn unknown_object(id: &str, method: &Method) -> GraphOut {
    let verb = if method == Method::POST {
        "post"
    } else {
        "get"
    };
    fb_error(
        100,
        Some(33),
        &format!("Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"),
    )
}

fn transient() -> GraphOut {
    fb_error(
        2,
        None,
        "An unexpected error has occurred. Please retry your request later.",
    )
}

fn no_permission() -> GraphOut {
    fb_error(
        200,
        None,
        "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission",
    )
}

fn usage_header(account: &str, pct: u32, regain_minutes: i64) -> String {
    json!({ account: [{
        "type": "pages", "call_count": pct, "total_cputime": pct / 2,
        "total_time": pct / 2, "estimated_time_to_regain_access": regain_minutes,
    }]})
    .to_string()
}

fn throttled(tok: &Tok, reset_secs: i64) -> GraphOut {
    let minutes = (reset_secs.max(0) + 59) / 60;
    match &tok.page_id {
        Some(page) => fb_error(32, None, "(#32) Page request limit reached").with_header(
            "x-business-use-case-usage",
            usage_header(page, 100, minutes),
        ),
        None => fb_error(17, None, "(#17) User request limit reached").with_header(
            "x-app-usage",
            json!({ "call_count": 100, "total_cputime": 40, "total_time": 40 }).to_string(),
        ),
    }
}

/// A validated token.
struct Tok {
    token: String,
    kind: TokenKind,
    user_id: String,
    page_id: Option<String>,
}

impl Tok {
    fn account(&self) -> &str {
        self.page_id.as_deref().unwrap_or(&self.user_id)
    }
}

fn token_error(status: TokenStatus) -> GraphOut {
    match status {
        TokenStatus::Expired => fb_error(
            190,
            Some(463),
            "Error validating access token: Session has expired. The current time is later than the expiry time.",
        ),
        TokenStatus::Revoked => fb_error(
            190,
            Some(460),
            "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
        ),
        TokenStatus::Valid => fb_error(190, Some(467), "Invalid OAuth access token - Cannot parse access token"),
    }
}

fn authenticate(st: &State, token: Option<&str>, now: DateTime<Utc>) -> Result<Tok, GraphOut> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(fb_error(
            104,
            None,
            "An access token is required to request this resource.",
        ));
    };
    let Some(t) = st.get::<FbState>().tokens.get(token) else {
        return Err(fb_error(
            190,
            Some(467),
            "Invalid OAuth access token - Cannot parse access token",
        ));
    };
    let status = match t.status {
        TokenStatus::Valid if t.expires_at.is_some_and(|e| e <= now) => TokenStatus::Expired,
        s => s,
    };
    if status != TokenStatus::Valid {
        return Err(token_error(status));
    }
    Ok(Tok {
        token: token.to_owned(),
        kind: t.kind,
        user_id: t.user_id.clone(),
        page_id: t.page_id.clone(),
    })
}

fn param(p: &Map<String, Value>, k: &str) -> Option<String> {
    match p.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        v => Some(v.to_string()),
    }
}

fn param_bool(p: &Map<String, Value>, k: &str, default: bool) -> bool {
    match p.get(k) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => !matches!(s.as_str(), "false" | "0"),
        Some(Value::Number(n)) => n.as_i64() != Some(0),
        _ => default,
    }
}

/// The `media_fbid`s of `attached_media`, given as a JSON array, a JSON
/// string, or form keys `attached_media[0]`.
fn attached_media(p: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: &Value| {
        let v = match v {
            Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or(Value::Null),
            v => v.clone(),
        };
        if let Some(id) = v.get("media_fbid") {
            out.push(match id {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            });
        }
    };
    match p.get("attached_media") {
        Some(Value::Array(a)) => a.iter().for_each(&mut push),
        Some(Value::String(s)) => {
            if let Ok(Value::Array(a)) = serde_json::from_str::<Value>(s) {
                a.iter().for_each(&mut push);
            }
        }
        _ => {}
    }
    let mut keyed: Vec<(&String, &Value)> = p
        .iter()
        .filter(|(k, _)| k.starts_with("attached_media["))
        .collect();
    keyed.sort_by_key(|(k, _)| (k.len(), k.to_string()));
    for (_, v) in keyed {
        push(v);
    }
    out
}

/// Top-level field names of a `fields=` list (`comments.limit(0)…` →
/// `comments`).
fn field_names(s: Option<String>, default: &[&str]) -> Vec<String> {
    let Some(s) = s.filter(|s| !s.trim().is_empty()) else {
        return default.iter().map(|f| (*f).to_owned()).collect();
    };
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars().chain(std::iter::once(',')) {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth -= 1,
            ',' if depth == 0 => {
                let name: String = cur
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out
}

/// Facebook's own timestamp format, `2026-01-02T03:04:05+0000`.
fn fb_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

fn permalink(post_id: &str) -> String {
    match post_id.split_once('_') {
        Some((page, post)) => format!("https://www.facebook.com/{page}/posts/{post}"),
        None => format!("https://www.facebook.com/{post_id}"),
    }
}

// ---- entry points --------------------------------------------------------------

fn is_version(s: &str) -> bool {
    s.strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
}

/// Router fallback: Graph paths (and 404 for anything else).
async fn fallback(AxState(emu): AxState<Emulator>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let segs: Vec<String> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let rest: Vec<String> = match segs.first() {
        None => Vec::new(),
        Some(v) if is_version(v) => segs[1..].to_vec(),
        Some(_) => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let query = parts.uri.query().unwrap_or("").to_owned();
    let Ok(raw) = axum::body::to_bytes(body, 32 * 1024 * 1024).await else {
        return fb_error(100, None, "(#100) Request body too large").into_response();
    };
    if rest.len() == 2 && rest[0] == "dialog" && rest[1] == "oauth" {
        return login_dialog(&emu, &parts.method, &query, &raw);
    }
    let mut params = Map::new();
    for (k, v) in form_pairs(query.as_bytes()) {
        params.insert(k, Value::String(v));
    }
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut files = Vec::new();
    if ct.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&raw) {
            Ok(Value::Object(o)) => params.extend(o),
            _ if raw.is_empty() => {}
            _ => return fb_error(100, None, "(#100) Invalid JSON body").into_response(),
        }
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in form_pairs(&raw) {
            params.insert(k, Value::String(v));
        }
    } else if ct.starts_with("multipart/form-data") {
        for p in multipart_parts(&parts.headers, raw.clone())
            .await
            .unwrap_or_default()
        {
            if p.name == "source" || p.name == "file" {
                files.push(p);
            } else {
                params.insert(
                    p.name.clone(),
                    Value::String(String::from_utf8_lossy(&p.data).into_owned()),
                );
            }
        }
    }
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, tok) = v.split_once(' ')?;
            (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
                .then(|| tok.trim().to_owned())
        });
    let req = GraphReq {
        method: parts.method.clone(),
        path: rest,
        params,
        bearer,
        raw,
        files,
        headers: parts.headers,
    };
    if req.path.is_empty() {
        if req.method == Method::POST {
            return batch(&emu, req).await.into_response();
        }
        return unknown_object("", &req.method).into_response();
    }
    dispatch(&emu, req).await.into_response()
}

async fn batch(emu: &Emulator, req: GraphReq) -> GraphOut {
    let Some(spec) = param(&req.params, "batch") else {
        return fb_error(100, None, "(#100) The parameter batch is required");
    };
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&spec) else {
        return fb_error(100, None, "(#100) The parameter batch must be a JSON array");
    };
    if items.len() > 50 {
        return fb_error(100, None, "Maximum batch size is 50");
    }
    let default_token = param(&req.params, "access_token").or(req.bearer.clone());
    let mut out = Vec::new();
    for item in items {
        let method = item
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        let rel = item
            .get("relative_url")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_start_matches('/')
            .to_owned();
        let (path, query) = rel.split_once('?').unwrap_or((rel.as_str(), ""));
        let mut segs: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if segs.first().is_some_and(|s| is_version(s)) {
            segs.remove(0);
        }
        let body = item
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut params = Map::new();
        for (k, v) in form_pairs(query.as_bytes())
            .into_iter()
            .chain(form_pairs(body.as_bytes()))
        {
            params.insert(k, Value::String(v));
        }
        if !params.contains_key("access_token") {
            if let Some(t) = &default_token {
                params.insert("access_token".into(), Value::String(t.clone()));
            }
        }
        let sub = GraphReq {
            method,
            path: segs,
            params,
            bearer: None,
            raw: Bytes::from(body.into_bytes()),
            files: Vec::new(),
            headers: req.headers.clone(),
        };
        match dispatch(emu, sub).await {
            // A hang or drop inside a batch takes the whole request down.
            GraphOut::Raw(r) => return GraphOut::Raw(r),
            GraphOut::Json {
                status,
                headers,
                body,
            } => {
                let mut hs = vec![
                    json!({ "name": "Content-Type", "value": "text/javascript; charset=UTF-8" }),
                ];
                hs.extend(
                    headers
                        .into_iter()
                        .map(|(k, v)| json!({ "name": k, "value": v })),
                );
                out.push(
                    json!({ "code": status.as_u16(), "headers": hs, "body": body.to_string() }),
                );
            }
        }
    }
    GraphOut::ok(Value::Array(out))
}

/// What a route is, for auth, budgets, faults and the ledger.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    OauthToken,
    Me,
    MeAccounts,
    Feed,
    Photos,
    PublishedPosts,
    Insights,
    Object,
    Unknown,
}

fn route_of(method: &Method, path: &[String]) -> Route {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match (method.as_str(), p.as_slice()) {
        ("GET", ["oauth", "access_token"]) => Route::OauthToken,
        ("GET", ["me"]) => Route::Me,
        ("GET", ["me", "accounts"]) => Route::MeAccounts,
        ("POST", [_, "feed"]) => Route::Feed,
        ("POST", [_, "photos"]) => Route::Photos,
        ("GET", [_, "published_posts"]) | ("GET", [_, "feed"]) | ("GET", [_, "posts"]) => {
            Route::PublishedPosts
        }
        ("GET", [_, "insights"]) => Route::Insights,
        ("GET", [_]) => Route::Object,
        _ => Route::Unknown,
    }
}

async fn dispatch(emu: &Emulator, req: GraphReq) -> GraphOut {
    let route = route_of(&req.method, &req.path);
    if route == Route::OauthToken {
        return oauth_token(emu, &req).await;
    }
    if route == Route::Unknown {
        return fb_error(
            2500,
            None,
            &format!("Unknown path components: /{}", req.path.join("/")),
        );
    }
    let mut rec = match route {
        Route::Feed => Some(Rec::new(
            Platform::Facebook,
            "facebook.feed",
            &req.raw,
            &req.headers,
        )),
        Route::Photos => Some(Rec::new(
            Platform::Facebook,
            "facebook.photo",
            &req.raw,
            &req.headers,
        )),
        _ => None,
    };
    if let Some(r) = rec.as_mut() {
        r.account = req.path[0].clone();
        r.text = param(
            &req.params,
            if route == Route::Feed {
                "message"
            } else {
                "caption"
            },
        );
    }
    let token = param(&req.params, "access_token").or(req.bearer.clone());
    let (page_budget, user_budget) = (
        emu.budget(PAGE_CALLS_PER_HOUR),
        emu.budget(USER_CALLS_PER_HOUR),
    );
    let auth = emu.mutate(|st, now| {
        let tok = authenticate(st, token.as_deref(), now)?;
        let b = match &tok.page_id {
            Some(p) => st.take(
                &format!("facebook:{p}:calls"),
                page_budget,
                Duration::hours(1),
                now,
            ),
            None => st.take(
                &format!("facebook:{}:user", tok.user_id),
                user_budget,
                Duration::hours(1),
                now,
            ),
        };
        if !b.allowed {
            return Err(throttled(&tok, (b.reset - now).num_seconds()));
        }
        Ok((tok, b))
    });
    let (tok, budget) = match auth {
        Ok(x) => x,
        Err(out) => {
            if let Some(r) = rec {
                r.reject(emu, None);
            }
            return out;
        }
    };
    let call = if rec.is_some() {
        CallKind::Create
    } else {
        CallKind::Read
    };
    let after_commit = match emu.gate(Platform::Facebook, tok.account(), call).await {
        Gate::Proceed {
            fault,
            after_commit,
        } => {
            if let Some(r) = rec.as_mut() {
                r.fault = fault;
            }
            after_commit
        }
        Gate::Stop(f) => {
            if let Some(r) = rec {
                r.reject(emu, Some(f.kind()));
            }
            return stop(emu, f, &tok).await;
        }
    };
    let out = match route {
        Route::Me => me(emu, &req, &tok),
        Route::MeAccounts => me_accounts(emu, &tok),
        Route::Feed => feed(emu, &req, &tok, rec, after_commit),
        Route::Photos => photos(emu, &req, &tok, rec, after_commit),
        Route::PublishedPosts => published_posts(emu, &req, &tok),
        Route::Insights => insights(emu, &req, &tok),
        Route::Object => object(emu, &req, &tok),
        Route::OauthToken | Route::Unknown => unknown_object("", &req.method),
    };
    let out = if after_commit && call == CallKind::Read {
        transient()
    } else {
        out
    };
    match &tok.page_id {
        Some(p) => out.with_header("x-business-use-case-usage", usage(p, budget)),
        None => out,
    }
}

fn usage(page: &str, b: Budget) -> String {
    let used = b.limit - b.remaining;
    usage_header(page, used * 100 / b.limit.max(1), 0)
}

async fn stop(emu: &Emulator, f: Fault, tok: &Tok) -> GraphOut {
    use super::faults::Fault as F;
    match f {
        F::RateLimit { reset_after_secs } => throttled(
            tok,
            i64::try_from(reset_after_secs).unwrap_or(i64::MAX / 4_000),
        ),
        F::Hang => GraphOut::Raw(emu.hang().await),
        F::DropConnection => GraphOut::Raw(drop_connection()),
        F::TokenExpired => {
            emu.mutate(|st, _| {
                if let Some(t) = st.get_mut::<FbState>().tokens.get_mut(&tok.token) {
                    t.status = TokenStatus::Expired;
                }
            });
            token_error(TokenStatus::Expired)
        }
        F::TokenRevoked => {
            // Like a password change: every session of the user dies.
            emu.mutate(|st, _| {
                for t in st.get_mut::<FbState>().tokens.values_mut() {
                    if t.user_id == tok.user_id {
                        t.status = TokenStatus::Revoked;
                    }
                }
            });
            token_error(TokenStatus::Revoked)
        }
        F::ErrorBeforeCommit | F::ErrorAfterCommit | F::Latency { .. } => transient(),
    }
}

// ---- OAuth -----------------------------------------------------------------------

/// `GET|POST /vNN.0/dialog/oauth`: the login dialog, as the demo user.
fn login_dialog(emu: &Emulator, method: &Method, query: &str, body: &Bytes) -> Response {
    let src: &[u8] = if method == Method::POST {
        body
    } else {
        query.as_bytes()
    };
    let p = consent::params(src);
    let get = |k: &str| consent::get_param(&p, k);
    let app_id = emu.read(|st, _| st.get::<FbState>().app_id.clone());
    if get("client_id") != app_id {
        return consent::error_page(
            "Invalid App ID: the provided app ID does not look like a valid app ID.",
        );
    }
    let redirect_uri = get("redirect_uri");
    if url::Url::parse(redirect_uri).is_err() {
        return consent::error_page("URL blocked: redirect_uri is missing or not a valid URL.");
    }
    if !matches!(get("response_type"), "" | "code") {
        return consent::error_page("Unsupported response_type.");
    }
    let state = get("state");
    if method == Method::POST {
        if !consent::allowed(&p) {
            return consent::redirect(
                redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_code", "200"),
                    ("error_description", "Permissions error"),
                    ("error_reason", "user_denied"),
                    ("state", state),
                ],
                Some("_=_"),
            );
        }
        let code = emu.mutate(|st, now| issue_code(st, now, redirect_uri));
        return consent::redirect(
            redirect_uri,
            &[("code", &code), ("state", state)],
            Some("_=_"),
        );
    }
    let scope = get("scope");
    let scopes: Vec<&str> = scope.split([',', ' ']).collect();
    let fields = consent::hidden(&[
        ("client_id", &app_id),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("scope", scope),
        ("response_type", "code"),
    ]);
    let body = format!(
        "<h1>Tongbu wants to access your Facebook account</h1>\
<p class=\"who\">Logged in as <strong id=\"account\">{user}</strong>, who manages <strong>{page}</strong>.</p>\
<p>Tongbu (app {app}) will receive:</p><ul id=\"scopes\">{scopes}</ul>{form}",
        user = escape(DEMO.user_name),
        page = escape(DEMO.page_name),
        app = escape(&app_id),
        scopes = consent::scope_list(&scopes),
        form = consent::form(None, &fields, &format!("Continue as {}", DEMO.user_name)),
    );
    Html(consent::page("Log in with Facebook", "#1877f2", &body)).into_response()
}

async fn oauth_token(emu: &Emulator, req: &GraphReq) -> GraphOut {
    let p = &req.params;
    let (app_id, secret) = emu.read(|st, _| {
        (
            st.get::<FbState>().app_id.clone(),
            st.get::<FbState>().app_secret.clone(),
        )
    });
    if param(p, "client_id").as_deref() != Some(app_id.as_str()) {
        return fb_error(
            101,
            None,
            "Error validating application. Invalid application ID.",
        );
    }
    if param(p, "client_secret").as_deref() != Some(secret.as_str()) {
        return fb_error(100, None, "Error validating client secret.");
    }
    let exchange = param(p, "grant_type").as_deref() == Some("fb_exchange_token");
    // The user the call is about, for fault matching.
    let user = emu.read(|st, _| {
        if exchange {
            param(p, "fb_exchange_token").and_then(|t| {
                st.get::<FbState>()
                    .tokens
                    .get(&t)
                    .map(|t| t.user_id.clone())
            })
        } else {
            param(p, "code")
                .and_then(|c| st.get::<FbState>().codes.get(&c).map(|c| c.user_id.clone()))
        }
    });
    if let Gate::Stop(f) = emu
        .gate(
            Platform::Facebook,
            user.as_deref().unwrap_or(""),
            CallKind::Token,
        )
        .await
    {
        return match f {
            Fault::Hang => GraphOut::Raw(emu.hang().await),
            Fault::DropConnection => GraphOut::Raw(drop_connection()),
            Fault::RateLimit { .. } => fb_error(4, None, "(#4) Application request limit reached"),
            _ => transient(),
        };
    }
    if exchange {
        let short = param(p, "fb_exchange_token");
        return emu
            .mutate(|st, now| {
                let tok = authenticate(st, short.as_deref(), now)?;
                if tok.kind == TokenKind::Page {
                    return Err(fb_error(
                        190,
                        Some(467),
                        "Invalid OAuth access token - Cannot parse access token",
                    ));
                }
                let long = format!("EAA{}", random_token(120));
                st.get_mut::<FbState>().tokens.insert(
                    long.clone(),
                    FbToken {
                        kind: TokenKind::LongUser,
                        user_id: tok.user_id,
                        page_id: None,
                        expires_at: Some(now + Duration::seconds(LONG_USER_SECS)),
                        status: TokenStatus::Valid,
                        page_tokens: BTreeMap::new(),
                    },
                );
                Ok(GraphOut::ok(json!({
                    "access_token": long, "token_type": "bearer", "expires_in": LONG_USER_SECS,
                })))
            })
            .unwrap_or_else(|e| e);
    }
    let code = param(p, "code").unwrap_or_default();
    let redirect = param(p, "redirect_uri").unwrap_or_default();
    emu.mutate(|st, now| {
        let Some(c) = st.get_mut::<FbState>().codes.get_mut(&code) else {
            return fb_error(100, None, "Invalid verification code format.");
        };
        if c.used {
            return fb_error(100, Some(36009), "This authorization code has been used.");
        }
        if c.expires_at <= now {
            return fb_error(100, Some(36007), "This authorization code has expired.");
        }
        if c.redirect_uri != redirect {
            return fb_error(
                100,
                Some(36008),
                "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
            );
        }
        c.used = true;
        let user = c.user_id.clone();
        let token = format!("EAA{}", random_token(100));
        st.get_mut::<FbState>().tokens.insert(
            token.clone(),
            FbToken {
                kind: TokenKind::ShortUser,
                user_id: user,
                page_id: None,
                expires_at: Some(now + Duration::seconds(SHORT_USER_SECS)),
                status: TokenStatus::Valid,
                page_tokens: BTreeMap::new(),
            },
        );
        GraphOut::ok(json!({
            "access_token": token, "token_type": "bearer", "expires_in": SHORT_USER_SECS,
        }))
    })
}

// ---- reads -----------------------------------------------------------------------

fn me(emu: &Emulator, req: &GraphReq, tok: &Tok) -> GraphOut {
    let fields = field_names(param(&req.params, "fields"), &["id", "name"]);
    emu.read(|st, _| {
        let (id, name) = match &tok.page_id {
            Some(p) => (
                p.clone(),
                st.get::<FbState>()
                    .pages
                    .iter()
                    .find(|x| &x.id == p)
                    .map(|x| x.name.clone()),
            ),
            None => (
                tok.user_id.clone(),
                st.get::<FbState>()
                    .users
                    .iter()
                    .find(|u| u.id == tok.user_id)
                    .map(|u| u.name.clone()),
            ),
        };
        let mut o = Map::new();
        o.insert("id".into(), id.into());
        if fields.iter().any(|f| f == "name") {
            o.insert("name".into(), name.unwrap_or_default().into());
        }
        GraphOut::ok(Value::Object(o))
    })
}

fn me_accounts(emu: &Emulator, tok: &Tok) -> GraphOut {
    if tok.kind == TokenKind::Page {
        return fb_error(
            100,
            None,
            "(#100) Tried accessing nonexisting field (accounts) on node type (Page)",
        );
    }
    emu.mutate(|st, now| {
        let pages = st
            .get::<FbState>()
            .users
            .iter()
            .find(|u| u.id == tok.user_id)
            .map(|u| u.pages.clone())
            .unwrap_or_default();
        let mut data = Vec::new();
        for page in pages {
            // Reuse the page token derived earlier while it is usable.
            let existing = st
                .get::<FbState>()
                .tokens
                .get(&tok.token)
                .and_then(|t| t.page_tokens.get(&page).cloned())
                .filter(|pt| {
                    st.get::<FbState>().tokens.get(pt).is_some_and(|t| {
                        t.status == TokenStatus::Valid && t.expires_at.is_none_or(|e| e > now)
                    })
                });
            let pt = match existing {
                Some(pt) => pt,
                None => {
                    let pt = format!("EAA{}", random_token(120));
                    // Page tokens from a long-lived user token do not expire;
                    // from a short-lived one they last an hour.
                    let expires_at = (tok.kind == TokenKind::ShortUser).then(|| now + Duration::hours(1));
                    st.get_mut::<FbState>().tokens.insert(
                        pt.clone(),
                        FbToken {
                            kind: TokenKind::Page,
                            user_id: tok.user_id.clone(),
                            page_id: Some(page.clone()),
                            expires_at,
                            status: TokenStatus::Valid,
                            page_tokens: BTreeMap::new(),
                        },
                    );
                    if let Some(t) = st.get_mut::<FbState>().tokens.get_mut(&tok.token) {
                        t.page_tokens.insert(page.clone(), pt.clone());
                    }
                    pt
                }
            };
            if let Some(p) = st.get::<FbState>().pages.iter().find(|p| p.id == page) {
                data.push(json!({
                    "access_token": pt, "category": p.category, "name": p.name, "id": p.id,
                    "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
                }));
            }
        }
        GraphOut::ok(json!({
            "data": data,
            "paging": { "cursors": { "before": "QVFIUmVtdWxhdGVk", "after": "QVFIUmVtdWxhdGVk" } },
        }))
    })
}

/// The page a page-scoped call is about, checked against the token.
fn page_access(st: &State, page: &str, tok: &Tok, method: &Method) -> Result<(), GraphOut> {
    if !st.get::<FbState>().pages.iter().any(|p| p.id == page) {
        return Err(unknown_object(page, method));
    }
    match &tok.page_id {
        Some(p) if p == page => Ok(()),
        Some(_) => Err(unknown_object(page, method)),
        None => Err(no_permission()),
    }
}

fn published_posts(emu: &Emulator, req: &GraphReq, tok: &Tok) -> GraphOut {
    let page = &req.path[0];
    let fields = field_names(
        param(&req.params, "fields"),
        &["created_time", "message", "id"],
    );
    let since = param(&req.params, "since").and_then(|s| s.parse::<i64>().ok());
    let until = param(&req.params, "until").and_then(|s| s.parse::<i64>().ok());
    let limit = param(&req.params, "limit")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    // Cursors are opaque to clients; here they carry the offset.
    let offset = param(&req.params, "after")
        .and_then(|c| decode_cursor(&c))
        .unwrap_or(0);
    emu.read(|st, _| {
        if let Err(e) = page_access(st, page, tok, &req.method) {
            return e;
        }
        let matching: Vec<&FbPost> = st
            .get::<FbState>()
            .posts
            .iter()
            .rev()
            .filter(|p| &p.page_id == page && p.published)
            .filter(|p| since.is_none_or(|s| p.created_at.timestamp() >= s))
            .filter(|p| until.is_none_or(|u| p.created_at.timestamp() <= u))
            .collect();
        let data: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|p| post_fields(emu, p, &fields))
            .collect();
        let mut body = json!({ "data": data });
        if !data.is_empty() {
            let mut paging = json!({ "cursors": {
                "before": encode_cursor(offset),
                "after": encode_cursor(offset + data.len()),
            } });
            // Graph names the next page only when there is one.
            if offset + data.len() < matching.len() {
                paging["next"] = json!(format!(
                    "https://graph.facebook.com/{page}/published_posts?after={}",
                    encode_cursor(offset + data.len())
                ));
            }
            body["paging"] = paging;
        }
        GraphOut::ok(body)
    })
}

fn encode_cursor(offset: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

fn post_fields(emu: &Emulator, p: &FbPost, fields: &[String]) -> Value {
    let f = figures(&p.id, emu.age_secs(p.created_at, emu.now()));
    let mut o = Map::new();
    o.insert("id".into(), p.id.clone().into());
    for name in fields {
        match name.as_str() {
            "message" => {
                if let Some(m) = &p.message {
                    o.insert("message".into(), m.clone().into());
                }
            }
            "created_time" => {
                o.insert("created_time".into(), fb_time(p.created_at).into());
            }
            "permalink_url" => {
                o.insert("permalink_url".into(), permalink(&p.id).into());
            }
            "is_published" => {
                o.insert("is_published".into(), p.published.into());
            }
            // Like the real API, `shares` is absent while nobody shared.
            "shares" if f.shares > 0 => {
                o.insert("shares".into(), json!({ "count": f.shares }));
            }
            "comments" => {
                o.insert(
                    "comments".into(),
                    json!({ "data": [], "summary": { "order": "ranked", "total_count": f.comments, "can_comment": true } }),
                );
            }
            "reactions" => {
                o.insert(
                    "reactions".into(),
                    json!({ "data": [], "summary": { "total_count": f.likes, "viewer_reaction": "NONE" } }),
                );
            }
            _ => {}
        }
    }
    Value::Object(o)
}

fn insights(emu: &Emulator, req: &GraphReq, tok: &Tok) -> GraphOut {
    let id = &req.path[0];
    let metrics: Vec<String> = param(&req.params, "metric")
        .unwrap_or_default()
        .split(',')
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    let now = emu.now();
    emu.read(|st, _| {
        let Some(p) = st.get::<FbState>().posts.iter().find(|p| &p.id == id) else {
            return unknown_object(id, &req.method);
        };
        if tok.page_id.as_deref() != Some(p.page_id.as_str()) {
            return unknown_object(id, &req.method);
        }
        if metrics.is_empty() {
            return fb_error(
                3001,
                Some(1_504_028),
                "Invalid query: no metric was specified",
            );
        }
        // One dead or unknown metric fails the whole request.
        if metrics.iter().any(|m| !LIVE_METRICS.contains(&m.as_str())) {
            return fb_error(
                100,
                None,
                "(#100) The value must be a valid insights metric",
            );
        }
        let f = figures(&p.id, emu.age_secs(p.created_at, now));
        let data: Vec<Value> = metrics
            .iter()
            .map(|m| {
                let (value, title) = match m.as_str() {
                    "post_media_view" => (json!(f.views), "Post media views"),
                    "post_total_media_view_unique" => {
                        (json!(f.reach), "Post total media view unique")
                    }
                    "post_clicks" => (json!(f.clicks), "Post clicks"),
                    "post_reactions_by_type_total" => {
                        let love = f.likes / 5;
                        (
                            json!({ "like": f.likes - love, "love": love }),
                            "Total post reactions by type",
                        )
                    }
                    _ => (
                        json!({ "share": f.shares, "like": f.likes, "comment": f.comments }),
                        "Post stories by action type",
                    ),
                };
                json!({
                    "name": m, "period": "lifetime", "values": [{ "value": value }],
                    "title": title, "description": title,
                    "id": format!("{}/insights/{}/lifetime", p.id, m),
                })
            })
            .collect();
        GraphOut::ok(json!({ "data": data, "paging": {
            "previous": "", "next": "",
        }}))
    })
}

fn object(emu: &Emulator, req: &GraphReq, tok: &Tok) -> GraphOut {
    let id = &req.path[0];
    emu.read(|st, _| {
        if let Some(page) = st.get::<FbState>().pages.iter().find(|p| &p.id == id) {
            if let Err(e) = page_access(st, id, tok, &req.method) {
                // A user who manages the page may read it too.
                let manages = st
                    .get::<FbState>()
                    .users
                    .iter()
                    .any(|u| u.id == tok.user_id && u.pages.contains(id));
                if !manages || tok.page_id.is_some() {
                    return e;
                }
            }
            let fields = field_names(param(&req.params, "fields"), &["name", "id"]);
            let mut o = Map::new();
            o.insert("id".into(), page.id.clone().into());
            for f in &fields {
                match f.as_str() {
                    "name" => {
                        o.insert("name".into(), page.name.clone().into());
                    }
                    "category" => {
                        o.insert("category".into(), page.category.clone().into());
                    }
                    "link" => {
                        o.insert(
                            "link".into(),
                            format!("https://www.facebook.com/{}", page.id).into(),
                        );
                    }
                    _ => {}
                }
            }
            return GraphOut::ok(Value::Object(o));
        }
        if let Some(p) = st.get::<FbState>().posts.iter().find(|p| &p.id == id) {
            if tok.page_id.as_deref() != Some(p.page_id.as_str()) {
                return unknown_object(id, &req.method);
            }
            let fields = field_names(
                param(&req.params, "fields"),
                &["created_time", "message", "id"],
            );
            return GraphOut::ok(post_fields(emu, p, &fields));
        }
        if let Some(ph) = st.get::<FbState>().photos.iter().find(|p| &p.id == id) {
            if tok.page_id.as_deref() != Some(ph.page_id.as_str()) {
                return unknown_object(id, &req.method);
            }
            let mut o = json!({ "id": ph.id, "created_time": fb_time(ph.created_at) });
            if let Some(c) = &ph.caption {
                o["name"] = c.clone().into();
            }
            return GraphOut::ok(o);
        }
        unknown_object(id, &req.method)
    })
}

// ---- creates ---------------------------------------------------------------------

fn post_id(st: &mut State, page: &str) -> String {
    format!("{page}_{}", 122_000_000_000_000_000u64 + st.next_id())
}

fn feed(
    emu: &Emulator,
    req: &GraphReq,
    tok: &Tok,
    rec: Option<Rec>,
    after_commit: bool,
) -> GraphOut {
    let Some(rec) = rec else {
        return transient();
    };
    let page = req.path[0].clone();
    let p = &req.params;
    let message = param(p, "message").filter(|m| !m.is_empty());
    let link = param(p, "link").filter(|l| !l.is_empty());
    let published = param_bool(p, "published", true);
    let media = attached_media(p);
    let want_permalink = field_names(param(p, "fields"), &[])
        .iter()
        .any(|f| f == "permalink_url");
    let r = emu.mutate(|st, now| {
        page_access(st, &page, tok, &req.method)?;
        if message.is_none() && link.is_none() && media.is_empty() {
            return Err(fb_error(100, None, "(#100) Missing message or attachment"));
        }
        for (i, m) in media.iter().enumerate() {
            let ok = st.get::<FbState>().photos.iter().any(|ph| {
                &ph.id == m
                    && ph.page_id == page
                    && ph.post_id.is_none()
                    && ph.attached_to.is_none()
            });
            if !ok {
                return Err(fb_error(
                    100,
                    None,
                    &format!("(#100) param attached_media[{i}] has invalid value"),
                ));
            }
        }
        let last = st
            .get::<FbState>()
            .pages
            .iter()
            .find(|x| x.id == page)
            .and_then(|x| x.last_message.clone());
        if published && message.is_some() && last == message {
            return Err(fb_error(506, None, "Duplicate status message"));
        }
        let id = post_id(st, &page);
        for ph in st
            .get_mut::<FbState>()
            .photos
            .iter_mut()
            .filter(|ph| media.contains(&ph.id))
        {
            ph.attached_to = Some(id.clone());
        }
        if published {
            if let Some(x) = st
                .get_mut::<FbState>()
                .pages
                .iter_mut()
                .find(|x| x.id == page)
            {
                x.last_message = message.clone();
            }
        }
        st.get_mut::<FbState>().posts.push(FbPost {
            id: id.clone(),
            page_id: page.clone(),
            message: message.clone(),
            link: link.clone(),
            created_at: now,
            published,
            kind: "feed".into(),
            attached: media.clone(),
        });
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(id.clone());
        Emulator::record(st, now, line);
        Ok(id)
    });
    match r {
        Err(e) => {
            rec.reject(emu, None);
            e
        }
        Ok(_) if after_commit => transient(),
        Ok(id) => {
            let mut body = json!({ "id": id });
            if want_permalink {
                body["permalink_url"] = permalink(&id).into();
            }
            GraphOut::ok(body)
        }
    }
}

fn photos(
    emu: &Emulator,
    req: &GraphReq,
    tok: &Tok,
    rec: Option<Rec>,
    after_commit: bool,
) -> GraphOut {
    let Some(rec) = rec else {
        return transient();
    };
    let page = req.path[0].clone();
    let p = &req.params;
    let caption = param(p, "caption")
        .or_else(|| param(p, "message"))
        .filter(|c| !c.is_empty());
    let published = param_bool(p, "published", true);
    let source = req.files.first();
    let url = param(p, "url");
    let r = emu.mutate(|st, now| {
        page_access(st, &page, tok, &req.method)?;
        match (source, &url) {
            (None, None) => return Err(fb_error(324, None, "(#324) Requires upload file")),
            (Some(s), _) if s.data.len() > 4 * 1024 * 1024 || s.data.is_empty() => {
                return Err(fb_error(
                    100,
                    Some(1_366_046),
                    "Your photos couldn't be uploaded. Photos should be less than 4 MB and saved as JPG, PNG, GIF, TIFF, HEIF or WebP files.",
                ))
            }
            _ => {}
        }
        let photo_id = (10_000_000_000_000u64 + st.next_id()).to_string();
        let post = published.then(|| post_id(st, &page));
        if let Some(pid) = &post {
            st.get_mut::<FbState>().posts.push(FbPost {
                id: pid.clone(),
                page_id: page.clone(),
                message: caption.clone(),
                link: None,
                created_at: now,
                published: true,
                kind: "photo".into(),
                attached: vec![photo_id.clone()],
            });
        }
        st.get_mut::<FbState>().photos.push(FbPhoto {
            id: photo_id.clone(),
            page_id: page.clone(),
            post_id: post.clone(),
            caption: caption.clone(),
            created_at: now,
            attached_to: None,
        });
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(post.clone().unwrap_or_else(|| photo_id.clone()));
        Emulator::record(st, now, line);
        Ok((photo_id, post))
    });
    match r {
        Err(e) => {
            rec.reject(emu, None);
            e
        }
        Ok(_) if after_commit => transient(),
        Ok((id, Some(post))) => GraphOut::ok(json!({ "id": id, "post_id": post })),
        Ok((id, None)) => GraphOut::ok(json!({ "id": id })),
    }
}
