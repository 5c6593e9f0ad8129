//! The LinkedIn imitation (the versioned REST API for organization pages):
//! the OAuth 2.0 authorization page and token endpoint (with programmatic
//! refresh tokens), the member's organization roles, organizations, the
//! Images API (initialize, PUT, asynchronous processing), the Posts API
//! (create, read, list by author) and organizationalEntityShareStatistics;
//! seeded with the member, pages and tokens of [`DEMO`]. An account is the
//! organization's numeric id, in the ledger and in fault rules (calls that
//! name no organization use the member's id).
//!
//! Invariants:
//! - every REST call must carry `LinkedIn-Version` (a `YYYYMM` at most twelve
//!   months old by the emulated clock) and `X-Restli-Protocol-Version:
//!   2.0.0`, as LinkedIn requires; the upload URL and OAuth endpoints do not;
//! - commentary is "little text": an escaped reserved character is kept, a
//!   hashtag or mention template is rendered, and an unescaped reserved
//!   character silently cuts the post short there (the 201 says nothing),
//!   which is what LinkedIn does;
//! - there is no idempotency key: the duplicate detector refuses the same
//!   rendered text from the same author within a week with 422
//!   `DUPLICATE_POST`, naming the earlier post;
//! - a created post answers 201 with an empty body and its URN in the
//!   `x-restli-id` header (and `x-linkedin-id`);
//! - images are `WAITING_UPLOAD` until PUT, `PROCESSING` for `publish_delay`
//!   after it, then `AVAILABLE` (or `PROCESSING_FAILED` when the bytes are
//!   not an image); a post can only attach an available image its author
//!   owns;
//! - posts cost the member's daily budget (150 per UTC day), refused with
//!   LinkedIn's `MEMBER DAY` throttle until midnight UTC;
//! - the seeded demo tokens are restored when faults are cleared, so the
//!   demo recovers; tokens granted by consent stay as the faults left them.

// Error answers are whole HTTP responses, as is usual with axum.
#![allow(clippy::result_large_err)]

use super::consent::{self, oauth_error};
use super::faults::{CallKind, Fault};
use super::host::{random_token, Emulator, Gate, PlatformSim, Rec};
use super::metrics::{figures, Figures};
use super::net::drop_connection;
use super::request::{bearer, form_pairs, host};
use super::state::{PlatformState, Post};
use crate::domain::content::{char_count, Platform};
use crate::domain::html::escape;
use crate::domain::image::image_info;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

const CODE_SECS: i64 = 1800;
const ACCESS_SECS: i64 = 60 * 86_400;
const REFRESH_SECS: i64 = 365 * 86_400;
const DUPLICATE_WINDOW_DAYS: i64 = 7;
const COMMENTARY_LIMIT: usize = 3000;
const POSTS_PER_MEMBER_DAY: u32 = 150;
const MAX_LIST: usize = 100;
const MAX_STATS: usize = 50;
const MULTI_IMAGE: std::ops::RangeInclusive<usize> = 2..=20;

/// Roles that may post for an organization.
const POSTING_ROLES: &[&str] = &[
    "ADMINISTRATOR",
    "CONTENT_ADMINISTRATOR",
    "DIRECT_SPONSORED_CONTENT_POSTER",
];

/// Scopes an app may ask for (the Community Management product's and the
/// member's own).
const KNOWN_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "w_member_social",
    "r_organization_social",
    "w_organization_social",
    "rw_organization_admin",
    "r_organization_admin",
];

/// Characters little text reserves.
const RESERVED: &[char] = &[
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LinkedinState {
    pub organizations: Vec<Organization>,
    pub acls: Vec<Acl>,
    pub tokens: BTreeMap<String, Token>,
    pub refresh_tokens: BTreeMap<String, RefreshToken>,
    pub codes: BTreeMap<String, Code>,
    pub images: BTreeMap<String, Image>,
    /// Upload token (the last segment of an upload URL) → image URN.
    pub uploads: BTreeMap<String, String>,
    pub posts: Vec<Share>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Organization {
    pub id: String,
    pub name: String,
    pub vanity_name: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Acl {
    pub member_id: String,
    pub organization_id: String,
    pub role: String,
    pub state: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Token {
    pub member_id: String,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
    /// Reported expired whatever `expires_at` says (the `token_expired`
    /// fault).
    pub expired: bool,
    pub revoked: bool,
    pub refresh_token: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct RefreshToken {
    pub member_id: String,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Code {
    pub redirect_uri: String,
    pub scope: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Image {
    pub owner: String,
    pub uploaded_at: Option<DateTime<Utc>>,
    /// Whether the uploaded bytes are an image LinkedIn can process.
    pub valid: bool,
    pub bytes: usize,
}

/// A post (LinkedIn calls them shares; the URN says `share`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Share {
    pub id: String,
    pub organization_id: String,
    /// The commentary as stored: little text, cut where LinkedIn cut it.
    pub commentary: String,
    /// What readers see.
    pub text: String,
    pub visibility: String,
    pub lifecycle_state: String,
    pub content: Value,
    pub member_id: String,
    pub created_at: DateTime<Utc>,
}

/// The seeded LinkedIn member, the pages they administer, the app and its
/// tokens.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DemoLinkedin {
    pub member_id: &'static str,
    pub member_name: &'static str,
    pub organization_id: &'static str,
    pub organization_name: &'static str,
    pub second_organization_id: &'static str,
    pub second_organization_name: &'static str,
    pub client_id: &'static str,
    pub client_secret: &'static str,
    pub access_token: &'static str,
    pub refresh_token: &'static str,
}

/// The member and pages this platform is seeded with.
pub(crate) const DEMO: DemoLinkedin = DemoLinkedin {
    member_id: "emuMember01",
    member_name: "Tongbu Demo",
    organization_id: "2414183",
    organization_name: "Harbour Tea",
    second_organization_id: "2414184",
    second_organization_name: "Harbour Tea Careers",
    client_id: "emulated-linkedin-client",
    client_secret: "emulated-linkedin-secret",
    access_token: "emulated-linkedin-token-seed",
    refresh_token: "emulated-linkedin-refresh-seed",
};

const DEMO_SCOPES: &str = "w_organization_social r_organization_social rw_organization_admin";

/// The LinkedIn imitation, as the registry lists it.
pub(crate) struct Linkedin;

impl PlatformSim for Linkedin {
    const PLATFORM: Platform = Platform::Linkedin;
    type State = LinkedinState;

    fn routes() -> Router<Emulator> {
        Router::new()
            .route(
                "/oauth/v2/authorization",
                get(consent_page).post(consent_decide),
            )
            .route("/oauth/v2/accessToken", post(token))
            .route("/rest/organizationAcls", get(organization_acls))
            .route("/rest/organizations/{id}", get(organization))
            .route("/rest/images", post(initialize_upload))
            .route("/rest/images/{urn}", get(image_status))
            .route("/dms-uploads/{token}", put(upload))
            .route("/rest/posts", post(create_post).get(list_posts))
            .route("/rest/posts/{urn}", get(one_post))
            .route(
                "/rest/organizationalEntityShareStatistics",
                get(share_statistics),
            )
    }

    fn seed(now: DateTime<Utc>) -> LinkedinState {
        let org = |id: &str, name: &str, vanity: &str| Organization {
            id: id.to_owned(),
            name: name.to_owned(),
            vanity_name: vanity.to_owned(),
        };
        let admin = |org: &str| Acl {
            member_id: DEMO.member_id.to_owned(),
            organization_id: org.to_owned(),
            role: "ADMINISTRATOR".to_owned(),
            state: "APPROVED".to_owned(),
        };
        let mut tokens = BTreeMap::new();
        tokens.insert(DEMO.access_token.to_owned(), demo_token(now));
        let mut refresh_tokens = BTreeMap::new();
        refresh_tokens.insert(DEMO.refresh_token.to_owned(), demo_refresh(now));
        LinkedinState {
            organizations: vec![
                org(DEMO.organization_id, DEMO.organization_name, "harbour-tea"),
                org(
                    DEMO.second_organization_id,
                    DEMO.second_organization_name,
                    "harbour-tea-careers",
                ),
            ],
            acls: vec![
                admin(DEMO.organization_id),
                admin(DEMO.second_organization_id),
            ],
            tokens,
            refresh_tokens,
            codes: BTreeMap::new(),
            images: BTreeMap::new(),
            uploads: BTreeMap::new(),
            posts: Vec::new(),
        }
    }
}

fn demo_token(now: DateTime<Utc>) -> Token {
    Token {
        member_id: DEMO.member_id.to_owned(),
        scope: DEMO_SCOPES.to_owned(),
        expires_at: now + Duration::seconds(ACCESS_SECS),
        expired: false,
        revoked: false,
        refresh_token: Some(DEMO.refresh_token.to_owned()),
    }
}

fn demo_refresh(now: DateTime<Utc>) -> RefreshToken {
    RefreshToken {
        member_id: DEMO.member_id.to_owned(),
        scope: DEMO_SCOPES.to_owned(),
        expires_at: now + Duration::seconds(REFRESH_SECS),
        revoked: false,
    }
}

impl PlatformState for LinkedinState {
    fn posts(&self) -> Vec<Post<'_>> {
        self.posts
            .iter()
            .filter(|p| p.lifecycle_state == "PUBLISHED")
            .map(|p| {
                Post::new(
                    &p.organization_id,
                    p.id.as_str(),
                    p.created_at,
                    Some(p.text.as_str()),
                )
            })
            .collect()
    }

    /// The demo must recover once faults are cleared: its seeded tokens are
    /// usable again (their expiry is kept).
    fn clear_faults(&mut self) {
        if let Some(t) = self.tokens.get_mut(DEMO.access_token) {
            t.expired = false;
            t.revoked = false;
        }
        if let Some(r) = self.refresh_tokens.get_mut(DEMO.refresh_token) {
            r.revoked = false;
        }
    }
}

// ---- little text ----------------------------------------------------------------

/// Little text as LinkedIn renders it: `(stored, shown)`. The stored text
/// stops where an unescaped reserved character cut it.
fn render(little: &str) -> (String, String) {
    let chars: Vec<char> = little.chars().collect();
    let mut shown = String::new();
    let mut i = 0;
    let cut = |i: usize| chars[..i].iter().collect::<String>();
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some(&n) if RESERVED.contains(&n) => {
                    shown.push(n);
                    i += 2;
                    continue;
                }
                _ => return (cut(i), shown),
            }
        }
        if c == '{' {
            let rest: String = chars[i..].iter().collect();
            if let Some(tag) = rest.strip_prefix("{hashtag|\\#|") {
                let word: String = tag.chars().take_while(|c| c.is_alphanumeric()).collect();
                if !word.is_empty() && tag[word.len()..].starts_with('}') {
                    shown.push('#');
                    shown.push_str(&word);
                    i += "{hashtag|\\#|".chars().count() + word.chars().count() + 1;
                    continue;
                }
            }
            return (cut(i), shown);
        }
        if c == '@' && chars.get(i + 1) == Some(&'[') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(close) = rest.find("](urn:li:") {
                if let Some(end) = rest[close..].find(')') {
                    shown.push_str(&rest[..close]);
                    i += 2 + rest[..close + end + 1].chars().count();
                    continue;
                }
            }
            return (cut(i), shown);
        }
        if RESERVED.contains(&c) {
            return (cut(i), shown);
        }
        shown.push(c);
        i += 1;
    }
    (little.to_owned(), shown)
}

// ---- responses ------------------------------------------------------------------

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "status": status.as_u16(), "code": code, "message": message })),
    )
        .into_response()
}

fn auth_error(service_code: u32, code: &str, message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({
            "status": 401, "serviceErrorCode": service_code, "code": code, "message": message,
        })),
    )
        .into_response()
}

fn denied(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        axum::Json(json!({
            "status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": message,
        })),
    )
        .into_response()
}

/// A refused field, in the Rest.li validation shape.
fn unprocessable(field: &str, code: &str, message: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": message,
            "errorDetails": { "inputErrors": [{
                "description": message,
                "input": { "inputPath": { "fieldPath": field } },
                "code": code,
            }]},
            "status": 422,
        })),
    )
        .into_response()
}

fn server_error() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_SERVER_ERROR",
        "Internal Server Error",
    )
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn organization_urn(id: &str) -> String {
    format!("urn:li:organization:{id}")
}

fn organization_of(urn: &str) -> Option<&str> {
    urn.strip_prefix("urn:li:organization:")
        .filter(|id| !id.is_empty())
}

/// Months since year 0 of a `YYYYMM` (or `YYYYMM.RR`) version.
fn version_months(v: &str) -> Option<i64> {
    let base = v.split('.').next()?;
    if base.len() != 6 || !base.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i64 = base[..4].parse().ok()?;
    let month: i64 = base[4..].parse().ok()?;
    (1..=12).contains(&month).then_some(year * 12 + month - 1)
}

/// LinkedIn's versioning headers, checked before anything else.
fn check_versioning(headers: &HeaderMap, now: DateTime<Utc>) -> Result<(), Response> {
    let Some(version) = headers
        .get("linkedin-version")
        .and_then(|v| v.to_str().ok())
    else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "VERSION_MISSING",
            "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
        ));
    };
    let current = i64::from(now.year()) * 12 + i64::from(now.month0());
    let active = version_months(version).is_some_and(|m| m <= current && current - m <= 12);
    if !active {
        return Err(error(
            StatusCode::UPGRADE_REQUIRED,
            "NONEXISTENT_VERSION",
            &format!("Requested version {version} is not active"),
        ));
    }
    let protocol = headers
        .get("x-restli-protocol-version")
        .and_then(|v| v.to_str().ok());
    if protocol != Some("2.0.0") {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "This API requires the Rest.li protocol version 2.0.0 (X-Restli-Protocol-Version header).",
        ));
    }
    Ok(())
}

// ---- OAuth ----------------------------------------------------------------------

fn check_authorize(p: &HashMap<String, String>) -> Result<(), Response> {
    let get = |k: &str| consent::get_param(p, k);
    if get("client_id") != DEMO.client_id {
        return Err(consent::error_page(&format!(
            "The passed in client_id is invalid \"{}\"",
            get("client_id")
        )));
    }
    let redirect_ok =
        url::Url::parse(get("redirect_uri")).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !redirect_ok {
        return Err(consent::error_page(
            "The redirect_uri does not match the registered value",
        ));
    }
    if get("response_type") != "code" {
        return Err(consent::error_page(
            "Invalid response_type: only \"code\" is supported",
        ));
    }
    Ok(())
}

/// The first asked scope the app may not have, if any.
fn unknown_scope(scope: &str) -> Option<&str> {
    let mut asked = scope.split([' ', ',']).filter(|s| !s.is_empty()).peekable();
    if asked.peek().is_none() {
        return Some("");
    }
    asked.find(|s| !KNOWN_SCOPES.contains(s))
}

fn scope_refused(p: &HashMap<String, String>) -> Option<Response> {
    let get = |k: &str| consent::get_param(p, k);
    let bad = unknown_scope(get("scope"))?;
    Some(consent::redirect(
        get("redirect_uri"),
        &[
            ("error", "invalid_scope"),
            (
                "error_description",
                &format!("Scope \"{bad}\" is not authorized for your application"),
            ),
            ("state", get("state")),
        ],
        None,
    ))
}

/// `GET /oauth/v2/authorization`: the consent page, as the demo member.
async fn consent_page(Query(p): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = check_authorize(&p) {
        return r;
    }
    if let Some(r) = scope_refused(&p) {
        return r;
    }
    let get = |k: &str| consent::get_param(&p, k);
    let keys = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
    ];
    let pairs: Vec<(&str, &str)> = keys.iter().map(|&k| (k, get(k))).collect();
    let scopes: Vec<&str> = get("scope").split([' ', ',']).collect();
    let body = format!(
        "<h1>Tongbu would like to access your LinkedIn account</h1>\
<p class=\"who\">Signed in as <strong id=\"account\">{name}</strong></p>\
<p>It will be able to act for the pages you administer ({pages}):</p>\
<ul id=\"scopes\">{scopes}</ul>{form}",
        name = escape(DEMO.member_name),
        pages = escape(&format!(
            "{}, {}",
            DEMO.organization_name, DEMO.second_organization_name
        )),
        scopes = consent::scope_list(&scopes),
        form = consent::form(None, &consent::hidden(&pairs), "Allow"),
    );
    Html(consent::page("Authorize — LinkedIn", "#0a66c2", &body)).into_response()
}

/// `POST /oauth/v2/authorization`: the member's answer.
async fn consent_decide(AxState(emu): AxState<Emulator>, body: Bytes) -> Response {
    let p = consent::params(&body);
    if let Err(r) = check_authorize(&p) {
        return r;
    }
    if let Some(r) = scope_refused(&p) {
        return r;
    }
    let get = |k: &str| consent::get_param(&p, k);
    let (redirect_uri, state) = (get("redirect_uri"), get("state"));
    if !consent::allowed(&p) {
        return consent::redirect(
            redirect_uri,
            &[
                ("error", "user_cancelled_authorize"),
                ("error_description", "The user cancelled the authorization"),
                ("state", state),
            ],
            None,
        );
    }
    let code = random_token(64);
    emu.mutate(|st, now| {
        st.get_mut::<LinkedinState>().codes.insert(
            code.clone(),
            Code {
                redirect_uri: redirect_uri.to_owned(),
                scope: get("scope").replace(',', " "),
                expires_at: now + Duration::seconds(CODE_SECS),
                used: false,
            },
        )
    });
    consent::redirect(redirect_uri, &[("code", &code), ("state", state)], None)
}

/// A new access token (and, with `refresh`, the refresh token it goes
/// with) as the token endpoint answers it.
fn grant_json(access: &str, refresh: &str, refresh_left: i64, scope: &str) -> Value {
    json!({
        "access_token": access, "expires_in": ACCESS_SECS - 1,
        "refresh_token": refresh, "refresh_token_expires_in": refresh_left,
        "scope": scope,
    })
}

/// `POST /oauth/v2/accessToken`: the code exchange and the refresh grant.
async fn token(AxState(emu): AxState<Emulator>, body: Bytes) -> Response {
    match emu
        .gate(Platform::Linkedin, DEMO.member_id, CallKind::Token)
        .await
    {
        Gate::Proceed { .. } => {}
        Gate::Stop(Fault::Hang) => return emu.hang().await,
        Gate::Stop(Fault::DropConnection) => return drop_connection(),
        Gate::Stop(Fault::RateLimit { .. }) => {
            return error(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Too Many Requests",
            )
        }
        Gate::Stop(_) => return server_error(),
    }
    let p: HashMap<String, String> = form_pairs(&body).into_iter().collect();
    let get = |k: &str| consent::get_param(&p, k);
    if get("client_id") != DEMO.client_id || get("client_secret") != DEMO.client_secret {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    let issued =
        match get("grant_type") {
            "authorization_code" => emu.mutate(|st, now| {
                let ls = st.get_mut::<LinkedinState>();
                let c = ls.codes.get_mut(get("code"))?;
                if c.used || c.expires_at <= now || c.redirect_uri != get("redirect_uri") {
                    return None;
                }
                c.used = true;
                let scope = c.scope.clone();
                let (access, refresh) = (random_token(86), random_token(86));
                ls.refresh_tokens.insert(
                    refresh.clone(),
                    RefreshToken {
                        member_id: DEMO.member_id.to_owned(),
                        scope: scope.clone(),
                        expires_at: now + Duration::seconds(REFRESH_SECS),
                        revoked: false,
                    },
                );
                ls.tokens.insert(
                    access.clone(),
                    Token {
                        member_id: DEMO.member_id.to_owned(),
                        scope: scope.clone(),
                        expires_at: now + Duration::seconds(ACCESS_SECS),
                        expired: false,
                        revoked: false,
                        refresh_token: Some(refresh.clone()),
                    },
                );
                Some(grant_json(&access, &refresh, REFRESH_SECS - 1, &scope))
            }),
            "refresh_token" => emu.mutate(|st, now| {
                let ls = st.get_mut::<LinkedinState>();
                let refresh = get("refresh_token");
                let r = ls.refresh_tokens.get(refresh)?;
                if r.revoked || r.expires_at <= now {
                    return None;
                }
                // The refresh token does not slide: its first expiry stands.
                let left = (r.expires_at - now).num_seconds();
                let scope = r.scope.clone();
                let access = random_token(86);
                ls.tokens.insert(
                    access.clone(),
                    Token {
                        member_id: r.member_id.clone(),
                        scope: scope.clone(),
                        expires_at: now + Duration::seconds(ACCESS_SECS),
                        expired: false,
                        revoked: false,
                        refresh_token: Some(refresh.to_owned()),
                    },
                );
                Some(grant_json(&access, refresh, left, &scope))
            }),
            _ => return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant_type: only authorization_code and refresh_token are supported",
            ),
        };
    match issued {
        Some(json) => ok(json),
        None => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The provided authorization grant or refresh token is invalid, expired or revoked",
        ),
    }
}

// ---- authentication and faults --------------------------------------------------

struct Auth {
    member_id: String,
    token: String,
    scope: String,
}

impl Auth {
    fn has(&self, scope: &str) -> bool {
        self.scope.split_whitespace().any(|s| s == scope)
    }
}

enum Denied {
    Answer(Response),
    Fault(Fault, Auth),
}

impl Denied {
    /// The answer, with the refused create (if any) written to the ledger.
    async fn answer(self, emu: &Emulator, rec: Option<Rec>) -> Response {
        match self {
            Denied::Answer(r) => {
                if let Some(rec) = rec {
                    rec.reject(emu, None);
                }
                r
            }
            Denied::Fault(f, a) => {
                if let Some(rec) = rec {
                    rec.reject(emu, Some(f.kind()));
                }
                stop(emu, f, &a).await
            }
        }
    }
}

async fn stop(emu: &Emulator, fault: Fault, a: &Auth) -> Response {
    match fault {
        Fault::RateLimit { .. } => error(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "Too Many Requests",
        ),
        Fault::Hang => emu.hang().await,
        Fault::DropConnection => drop_connection(),
        Fault::TokenExpired => {
            emu.mutate(|st, _| {
                if let Some(t) = st.get_mut::<LinkedinState>().tokens.get_mut(&a.token) {
                    t.expired = true;
                }
            });
            auth_error(
                65602,
                "EXPIRED_ACCESS_TOKEN",
                "The token used in the request has expired",
            )
        }
        Fault::TokenRevoked => {
            emu.mutate(|st, _| {
                let ls = st.get_mut::<LinkedinState>();
                let refresh = ls.tokens.get_mut(&a.token).and_then(|t| {
                    t.revoked = true;
                    t.refresh_token.clone()
                });
                if let Some(r) = refresh.and_then(|r| ls.refresh_tokens.get_mut(&r)) {
                    r.revoked = true;
                }
            });
            auth_error(
                65601,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
            )
        }
        Fault::ErrorBeforeCommit | Fault::ErrorAfterCommit | Fault::Latency { .. } => {
            server_error()
        }
    }
}

/// Checks the versioning headers, authenticates, takes the member's daily
/// post budget when `posts` and checks faults for `account` (the member
/// when `None`).
async fn admit(
    emu: &Emulator,
    headers: &HeaderMap,
    account: Option<&str>,
    posts: bool,
    call: CallKind,
) -> Result<(Auth, Option<&'static str>, bool), Denied> {
    check_versioning(headers, emu.now()).map_err(Denied::Answer)?;
    let found = bearer(headers).and_then(|token| {
        emu.read(|st, now| {
            let t = st.get::<LinkedinState>().tokens.get(&token)?;
            Some((
                t.revoked,
                t.expired || t.expires_at <= now,
                Auth {
                    member_id: t.member_id.clone(),
                    token: token.clone(),
                    scope: t.scope.clone(),
                },
            ))
        })
    });
    let a = match found {
        None => {
            return Err(Denied::Answer(auth_error(
                65600,
                "INVALID_ACCESS_TOKEN",
                "Invalid access token",
            )))
        }
        Some((true, ..)) => {
            return Err(Denied::Answer(auth_error(
                65601,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
            )))
        }
        Some((_, true, _)) => {
            return Err(Denied::Answer(auth_error(
                65602,
                "EXPIRED_ACCESS_TOKEN",
                "The token used in the request has expired",
            )))
        }
        Some((_, _, a)) => a,
    };
    if posts {
        let limit = emu.budget(POSTS_PER_MEMBER_DAY);
        let b = emu.mutate(|st, now| {
            let key = format!("linkedin:{}:posts:{}", a.member_id, now.date_naive());
            st.take(&key, limit, Duration::days(1), now)
        });
        if !b.allowed {
            return Err(Denied::Answer(error(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Resource level throttle MEMBER DAY limit for calls to this resource is reached.",
            )));
        }
    }
    let account = account.unwrap_or(&a.member_id).to_owned();
    match emu.gate(Platform::Linkedin, &account, call).await {
        Gate::Proceed {
            fault,
            after_commit,
        } => Ok((a, fault, after_commit)),
        Gate::Stop(f) => Err(Denied::Fault(f, a)),
    }
}

/// `admit` for reads: a 500 stands in for an after-commit fault.
macro_rules! read_admit {
    ($emu:expr, $headers:expr, $account:expr) => {
        match admit(&$emu, &$headers, $account, false, CallKind::Read).await {
            Ok((a, _, false)) => a,
            Ok((_, _, true)) => return server_error(),
            Err(d) => return d.answer(&$emu, None).await,
        }
    };
}

/// Whether the member holds an approved role on the organization (a
/// posting role when `posting`).
fn has_role(st: &LinkedinState, member: &str, org: &str, posting: bool) -> bool {
    st.acls.iter().any(|acl| {
        acl.member_id == member
            && acl.organization_id == org
            && acl.state == "APPROVED"
            && (!posting || POSTING_ROLES.contains(&acl.role.as_str()))
    })
}

/// Whether `author` (an organization or the member's own person URN) may
/// be written for by the member.
fn may_author(st: &LinkedinState, member: &str, author: &str) -> bool {
    match organization_of(author) {
        Some(org) => has_role(st, member, org, true),
        None => author == format!("urn:li:person:{member}"),
    }
}

// ---- organizations ----------------------------------------------------------------

#[derive(Deserialize)]
struct AclQuery {
    q: Option<String>,
    state: Option<String>,
    role: Option<String>,
}

/// `GET /rest/organizationAcls?q=roleAssignee`: the member's page roles.
async fn organization_acls(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Query(q): Query<AclQuery>,
) -> Response {
    let a = read_admit!(emu, headers, None);
    if q.q.as_deref() != Some("roleAssignee") {
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "Unsupported finder: use q=roleAssignee",
        );
    }
    if !(a.has("rw_organization_admin")
        || a.has("r_organization_admin")
        || a.has("w_organization_social")
        || a.has("r_organization_social"))
    {
        return denied("Not enough permissions to access: organizationAcls.FINDER-roleAssignee");
    }
    let elements = emu.read(|st, _| {
        st.get::<LinkedinState>()
            .acls
            .iter()
            .filter(|acl| acl.member_id == a.member_id)
            .filter(|acl| q.state.as_deref().is_none_or(|s| s == acl.state))
            .filter(|acl| q.role.as_deref().is_none_or(|r| r == acl.role))
            .map(|acl| {
                json!({
                    "roleAssignee": format!("urn:li:person:{}", acl.member_id),
                    "role": acl.role, "state": acl.state,
                    "organization": organization_urn(&acl.organization_id),
                })
            })
            .collect::<Vec<_>>()
    });
    ok(json!({
        "paging": { "start": 0, "count": 10, "links": [], "total": elements.len() },
        "elements": elements,
    }))
}

/// `GET /rest/organizations/{id}`.
async fn organization(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    read_admit!(emu, headers, Some(id.as_str()));
    let found = emu.read(|st, _| {
        st.get::<LinkedinState>()
            .organizations
            .iter()
            .find(|o| o.id == id)
            .map(|o| {
                json!({
                    "id": o.id.parse::<u64>().unwrap_or(0),
                    "localizedName": o.name,
                    "vanityName": o.vanity_name,
                    "name": { "localized": { "en_US": o.name },
                              "preferredLocale": { "country": "US", "language": "en" } },
                    "primaryOrganizationType": "NONE",
                    "locations": [],
                })
            })
    });
    match found {
        Some(json) => ok(json),
        None => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("Organization {id} not found"),
        ),
    }
}

// ---- images -------------------------------------------------------------------------

fn image_state(img: &Image, delay: Duration, now: DateTime<Utc>) -> &'static str {
    match img.uploaded_at {
        None => "WAITING_UPLOAD",
        Some(t) if now < t + delay => "PROCESSING",
        Some(_) if img.valid => "AVAILABLE",
        Some(_) => "PROCESSING_FAILED",
    }
}

fn publish_delay(emu: &Emulator) -> Duration {
    Duration::from_std(emu.opts().publish_delay).unwrap_or(Duration::zero())
}

#[derive(Deserialize)]
struct ActionQuery {
    action: Option<String>,
}

/// `POST /rest/images?action=initializeUpload`.
async fn initialize_upload(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Query(q): Query<ActionQuery>,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::Linkedin, "linkedin.image", &body, &headers);
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let owner = v
        .pointer("/initializeUploadRequest/owner")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    rec.account = organization_of(&owner).unwrap_or("").to_owned();
    let account = organization_of(&owner).map(str::to_owned);
    let (a, fault, after_commit) =
        match admit(&emu, &headers, account.as_deref(), false, CallKind::Create).await {
            Ok(x) => x,
            Err(d) => return d.answer(&emu, Some(rec)).await,
        };
    rec.fault = fault;
    if q.action.as_deref() != Some("initializeUpload") {
        rec.reject(&emu, None);
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "Unsupported action: use action=initializeUpload",
        );
    }
    if owner.is_empty() {
        rec.reject(&emu, None);
        return unprocessable(
            "/initializeUploadRequest/owner",
            "FIELD_REQUIRED",
            "owner is required",
        );
    }
    let allowed = a.has("w_organization_social") || a.has("w_member_social");
    if !allowed || !emu.read(|st, _| may_author(st.get::<LinkedinState>(), &a.member_id, &owner)) {
        rec.reject(&emu, None);
        return denied(&format!(
            "Not enough permissions to upload images for {owner}"
        ));
    }
    let host = host(&headers);
    let answer = emu.mutate(|st, now| {
        let urn = format!("urn:li:image:D4E10AQ{}", random_token(12));
        let upload = random_token(40);
        let ls = st.get_mut::<LinkedinState>();
        ls.images.insert(
            urn.clone(),
            Image {
                owner: owner.clone(),
                uploaded_at: None,
                valid: false,
                bytes: 0,
            },
        );
        ls.uploads.insert(upload.clone(), urn.clone());
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(urn.clone());
        Emulator::record(st, now, line);
        json!({ "value": {
            "uploadUrlExpiresAt": (now + Duration::hours(24)).timestamp_millis(),
            "uploadUrl": format!("http://{host}/dms-uploads/{upload}"),
            "image": urn,
        }})
    });
    if after_commit {
        return server_error();
    }
    ok(answer)
}

/// `PUT` to an upload URL: the image's bytes.
async fn upload(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Path(upload): Path<String>,
    body: Bytes,
) -> Response {
    let member = bearer(&headers).and_then(|t| {
        emu.read(|st, now| {
            let t = st.get::<LinkedinState>().tokens.get(&t)?;
            (!t.revoked && !t.expired && t.expires_at > now).then(|| t.member_id.clone())
        })
    });
    let Some(member) = member else {
        return auth_error(65600, "INVALID_ACCESS_TOKEN", "Invalid access token");
    };
    if body.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "The upload is empty",
        );
    }
    let done = emu.mutate(|st, now| {
        let ls = st.get_mut::<LinkedinState>();
        let urn = ls.uploads.get(&upload)?.clone();
        let owner = ls.images.get(&urn)?.owner.clone();
        if !may_author(ls, &member, &owner) {
            return Some(false);
        }
        let img = ls.images.get_mut(&urn)?;
        img.uploaded_at = Some(now);
        img.valid = image_info(&body).is_some();
        img.bytes = body.len();
        Some(true)
    });
    match done {
        Some(true) => StatusCode::CREATED.into_response(),
        Some(false) => denied("Not enough permissions to upload this image"),
        None => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The upload URL is unknown or has expired",
        ),
    }
}

/// `GET /rest/images/{urn}`.
async fn image_status(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Path(urn): Path<String>,
) -> Response {
    let a = read_admit!(emu, headers, None);
    let delay = publish_delay(&emu);
    let host = host(&headers);
    let found = emu.read(|st, now| {
        let ls = st.get::<LinkedinState>();
        let img = ls.images.get(&urn)?;
        if !may_author(ls, &a.member_id, &img.owner) {
            return Some(Err(()));
        }
        let status = image_state(img, delay, now);
        let mut json = json!({ "id": urn, "owner": img.owner, "status": status });
        if status == "AVAILABLE" {
            json["downloadUrl"] = json!(format!("http://{host}/dms/image/{urn}"));
            json["downloadUrlExpiresAt"] = json!((now + Duration::hours(24)).timestamp_millis());
        }
        Some(Ok(json))
    });
    match found {
        Some(Ok(json)) => ok(json),
        Some(Err(())) => denied(&format!("Not enough permissions to read {urn}")),
        None => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("Image {urn} not found"),
        ),
    }
}

// ---- posts ------------------------------------------------------------------------

fn post_json(p: &Share) -> Value {
    let at = p.created_at.timestamp_millis();
    let mut json = json!({
        "id": p.id, "author": organization_urn(&p.organization_id),
        "commentary": p.commentary, "visibility": p.visibility,
        "distribution": { "feedDistribution": "MAIN_FEED", "targetEntities": [],
                          "thirdPartyDistributionChannels": [] },
        "lifecycleState": p.lifecycle_state, "isReshareDisabledByAuthor": false,
        "createdAt": at, "lastModifiedAt": at, "publishedAt": at,
        "lifecycleStateInfo": { "isEditedByAuthor": false },
    });
    if !p.content.is_null() {
        json["content"] = p.content.clone();
    }
    json
}

/// The image URNs a post's `content` attaches.
fn attached_images(content: &Value) -> Result<Vec<String>, Response> {
    let id = |v: &Value| v.get("id").and_then(Value::as_str).map(str::to_owned);
    if let Some(m) = content.get("media") {
        return match id(m) {
            Some(i) if i.starts_with("urn:li:image:") => Ok(vec![i]),
            Some(i) if i.starts_with("urn:li:video:") || i.starts_with("urn:li:document:") => {
                Err(unprocessable(
                    "/content/media/id",
                    "INVALID_VALUE",
                    &format!("{i} is not an uploaded asset of this emulator"),
                ))
            }
            _ => Err(unprocessable(
                "/content/media/id",
                "FIELD_REQUIRED",
                "content.media.id must be an image URN",
            )),
        };
    }
    if let Some(m) = content.get("multiImage") {
        let list: Vec<String> = m
            .get("images")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(id)
            .collect();
        if !MULTI_IMAGE.contains(&list.len()) {
            return Err(unprocessable(
                "/content/multiImage/images",
                "INVALID_VALUE",
                "A multi-image post takes 2 to 20 images",
            ));
        }
        return Ok(list);
    }
    if let Some(a) = content.get("article") {
        let source = a.get("source").and_then(Value::as_str).unwrap_or("");
        let valid = url::Url::parse(source).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !valid {
            return Err(unprocessable(
                "/content/article/source",
                "INVALID_VALUE",
                "content.article.source must be an http(s) URL",
            ));
        }
        return Ok(Vec::new());
    }
    Err(unprocessable(
        "/content",
        "INVALID_VALUE",
        "Unsupported content: use media, multiImage or article",
    ))
}

/// What a create asks for, checked before anything is stored.
struct NewPost {
    commentary: String,
    text: String,
    visibility: String,
    lifecycle_state: String,
    content: Value,
    images: Vec<String>,
}

fn parse_post(v: &Value) -> Result<NewPost, Response> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let visibility = s("visibility");
    if !matches!(
        visibility.as_str(),
        "PUBLIC" | "CONNECTIONS" | "LOGGED_IN" | "CONTAINER"
    ) {
        return Err(unprocessable(
            "/visibility",
            "INVALID_VALUE",
            "visibility must be PUBLIC, CONNECTIONS, LOGGED_IN or CONTAINER",
        ));
    }
    let lifecycle_state = s("lifecycleState");
    if !matches!(lifecycle_state.as_str(), "PUBLISHED" | "DRAFT") {
        return Err(unprocessable(
            "/lifecycleState",
            "INVALID_VALUE",
            "lifecycleState must be PUBLISHED or DRAFT",
        ));
    }
    let feed = v
        .pointer("/distribution/feedDistribution")
        .and_then(Value::as_str);
    if !matches!(feed, Some("MAIN_FEED" | "NONE")) {
        return Err(unprocessable(
            "/distribution/feedDistribution",
            "FIELD_REQUIRED",
            "distribution.feedDistribution must be MAIN_FEED or NONE",
        ));
    }
    let content = v.get("content").cloned().unwrap_or(Value::Null);
    let images = if content.is_null() {
        Vec::new()
    } else {
        attached_images(&content)?
    };
    let (commentary, text) = render(&s("commentary"));
    if text.trim().is_empty() && content.is_null() {
        return Err(unprocessable(
            "/commentary",
            "FIELD_REQUIRED",
            "commentary is required for a post without content",
        ));
    }
    if char_count(&text) > COMMENTARY_LIMIT {
        return Err(unprocessable(
            "/commentary",
            "MAX_LENGTH_EXCEEDED",
            &format!("commentary is longer than {COMMENTARY_LIMIT} characters"),
        ));
    }
    Ok(NewPost {
        commentary,
        text,
        visibility,
        lifecycle_state,
        content,
        images,
    })
}

/// `POST /rest/posts`.
async fn create_post(AxState(emu): AxState<Emulator>, headers: HeaderMap, body: Bytes) -> Response {
    let mut rec = Rec::new(Platform::Linkedin, "linkedin.post", &body, &headers);
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let author = v
        .get("author")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let org = organization_of(&author).map(str::to_owned);
    rec.account = org.clone().unwrap_or_default();
    let commentary = v.get("commentary").and_then(Value::as_str).unwrap_or("");
    rec.text = Some(render(commentary).1);
    let (a, fault, after_commit) =
        match admit(&emu, &headers, org.as_deref(), true, CallKind::Create).await {
            Ok(x) => x,
            Err(d) => return d.answer(&emu, Some(rec)).await,
        };
    rec.fault = fault;
    if !v.is_object() {
        rec.reject(&emu, None);
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "Unable to parse the request body as JSON",
        );
    }
    let Some(org) = org else {
        rec.reject(&emu, None);
        return unprocessable(
            "/author",
            "INVALID_VALUE",
            "author must be an organization URN (urn:li:organization:…)",
        );
    };
    if !a.has("w_organization_social")
        || !emu.read(|st, _| may_author(st.get::<LinkedinState>(), &a.member_id, &author))
    {
        rec.reject(&emu, None);
        return denied("Not enough permissions to access: partnerApiPostsExternal.CREATE.20261101");
    }
    let new = match parse_post(&v) {
        Ok(n) => n,
        Err(r) => {
            rec.reject(&emu, None);
            return r;
        }
    };
    let delay = publish_delay(&emu);
    let outcome = emu.mutate(|st, now| {
        let ls = st.get::<LinkedinState>();
        for urn in &new.images {
            let usable = ls.images.get(urn).is_some_and(|img| {
                img.owner == author && image_state(img, delay, now) == "AVAILABLE"
            });
            if !usable {
                return Err(unprocessable(
                    "/content",
                    "INVALID_VALUE",
                    &format!("{urn} is not an available image of {author}"),
                ));
            }
        }
        let earlier = ls.posts.iter().find(|p| {
            new.lifecycle_state == "PUBLISHED"
                && !new.text.trim().is_empty()
                && p.organization_id == org
                && p.lifecycle_state == "PUBLISHED"
                && p.text == new.text
                && now - p.created_at < Duration::days(DUPLICATE_WINDOW_DAYS)
        });
        if let Some(p) = earlier {
            return Err(unprocessable(
                "/commentary",
                "DUPLICATE_POST",
                &format!("Content is a duplicate of {}", p.id),
            ));
        }
        let id = format!(
            "urn:li:share:{}",
            7_300_000_000_000_000_000u64 + st.next_id() * 4096
        );
        st.get_mut::<LinkedinState>().posts.push(Share {
            id: id.clone(),
            organization_id: org.clone(),
            commentary: new.commentary.clone(),
            text: new.text.clone(),
            visibility: new.visibility.clone(),
            lifecycle_state: new.lifecycle_state.clone(),
            content: new.content.clone(),
            member_id: a.member_id.clone(),
            created_at: now,
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
            r
        }
        Ok(_) if after_commit => server_error(),
        Ok(id) => {
            let mut r = StatusCode::CREATED.into_response();
            if let Ok(v) = HeaderValue::from_str(&id) {
                r.headers_mut().insert("x-restli-id", v.clone());
                r.headers_mut().insert("x-linkedin-id", v);
            }
            r
        }
    }
}

/// `GET /rest/posts/{urn}`.
async fn one_post(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Path(urn): Path<String>,
) -> Response {
    let a = read_admit!(emu, headers, None);
    let found = emu.read(|st, _| {
        let ls = st.get::<LinkedinState>();
        let p = ls.posts.iter().find(|p| p.id == urn)?;
        Some(
            (p.lifecycle_state == "PUBLISHED"
                || has_role(ls, &a.member_id, &p.organization_id, false))
            .then(|| post_json(p)),
        )
    });
    match found {
        Some(Some(json)) => ok(json),
        Some(None) => denied(&format!("Not enough permissions to read {urn}")),
        None => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("Post {urn} not found"),
        ),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    author: Option<String>,
    count: Option<usize>,
    start: Option<usize>,
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
}

/// `GET /rest/posts?q=author&author=…`: the page's posts, newest first.
async fn list_posts(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let author = q.author.clone().unwrap_or_default();
    let org = organization_of(&author).map(str::to_owned);
    let a = read_admit!(emu, headers, org.as_deref());
    if q.q.as_deref() != Some("author") {
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "Unsupported finder: use q=author",
        );
    }
    if !matches!(
        q.sort_by.as_deref(),
        None | Some("CREATED" | "LAST_MODIFIED")
    ) {
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "sortBy must be CREATED or LAST_MODIFIED",
        );
    }
    let Some(org) = org else {
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "author must be an organization URN",
        );
    };
    let readable = a.has("r_organization_social")
        && emu.read(|st, _| has_role(st.get::<LinkedinState>(), &a.member_id, &org, false));
    if !readable {
        return denied("Not enough permissions to access: partnerApiPostsExternal.FINDER-author");
    }
    let count = q.count.unwrap_or(10).clamp(1, MAX_LIST);
    let start = q.start.unwrap_or(0);
    let (page, total) = emu.read(|st, _| {
        let mut mine: Vec<&Share> = st
            .get::<LinkedinState>()
            .posts
            .iter()
            .filter(|p| p.organization_id == org)
            .collect();
        // Ids grow with creation: newest first, ties by id.
        mine.sort_by(|x, y| {
            (y.created_at, y.id.len(), &y.id).cmp(&(x.created_at, x.id.len(), &x.id))
        });
        let total = mine.len();
        let page: Vec<Value> = mine
            .into_iter()
            .skip(start)
            .take(count)
            .map(post_json)
            .collect();
        (page, total)
    });
    let mut links = Vec::new();
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let href = |at: usize| {
        format!(
            "/rest/posts?q=author&author={}&count={count}&start={at}&sortBy={}",
            enc(&author),
            q.sort_by.as_deref().unwrap_or("LAST_MODIFIED")
        )
    };
    if start + count < total {
        links.push(
            json!({ "type": "application/json", "rel": "next", "href": href(start + count) }),
        );
    }
    if start > 0 {
        links.push(json!({ "type": "application/json", "rel": "prev",
                           "href": href(start.saturating_sub(count)) }));
    }
    ok(json!({
        "paging": { "start": start, "count": count, "links": links, "total": total },
        "elements": page,
    }))
}

// ---- statistics ---------------------------------------------------------------------

/// The URNs of a Rest.li 2.0 `List(…)` value, form-decoded: the client
/// encodes each URN, and `List(`, `,` and `)` are left as they are.
fn restli_list(v: &str) -> Option<Vec<String>> {
    let inner = v.strip_prefix("List(")?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

fn statistics(f: &Figures) -> Value {
    let engaged = f.clicks + f.likes + f.comments + f.shares;
    let engagement = if f.views == 0 {
        0.0
    } else {
        engaged as f64 / f.views as f64
    };
    json!({
        "impressionCount": f.views, "uniqueImpressionsCount": f.reach,
        "clickCount": f.clicks, "likeCount": f.likes, "commentCount": f.comments,
        "shareCount": f.shares, "engagement": engagement,
    })
}

/// `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&…`:
/// lifetime figures of the page's posts (`shares=List(…)`,
/// `ugcPosts=List(…)`), or of the whole page when none is named.
async fn share_statistics(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = form_pairs(raw.unwrap_or_default().as_bytes());
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let entity = get("organizationalEntity").unwrap_or("").to_owned();
    let org = organization_of(&entity).map(str::to_owned);
    let a = read_admit!(emu, headers, org.as_deref());
    if get("q") != Some("organizationalEntity") {
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "Unsupported finder: use q=organizationalEntity",
        );
    }
    let Some(org) = org else {
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            "organizationalEntity must be an organization URN",
        );
    };
    let mut wanted: Vec<(&str, String)> = Vec::new();
    for (key, field) in [("shares", "share"), ("ugcPosts", "ugcPost")] {
        if let Some(v) = get(key) {
            let Some(list) = restli_list(v) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "ILLEGAL_ARGUMENT",
                    &format!("{key} must be a Rest.li 2.0 List(…)"),
                );
            };
            wanted.extend(list.into_iter().map(|u| (field, u)));
        }
    }
    if wanted.len() > MAX_STATS {
        return error(
            StatusCode::BAD_REQUEST,
            "ILLEGAL_ARGUMENT",
            &format!("At most {MAX_STATS} posts per request"),
        );
    }
    let allowed = a.has("rw_organization_admin")
        && emu.read(|st, _| has_role(st.get::<LinkedinState>(), &a.member_id, &org, false));
    if !allowed {
        return denied(
            "Not enough permissions to access: organizationalEntityShareStatistics.FINDER-organizationalEntity",
        );
    }
    let elements = emu.read(|st, now| {
        let ls = st.get::<LinkedinState>();
        let of = |p: &Share| figures(&p.id, emu.age_secs(p.created_at, now));
        if wanted.is_empty() {
            let mut sum = Figures::default();
            for f in ls
                .posts
                .iter()
                .filter(|p| p.organization_id == org && p.lifecycle_state == "PUBLISHED")
                .map(of)
            {
                sum.views += f.views;
                sum.reach += f.reach;
                sum.clicks += f.clicks;
                sum.likes += f.likes;
                sum.comments += f.comments;
                sum.shares += f.shares;
            }
            return vec![json!({
                "organizationalEntity": entity, "totalShareStatistics": statistics(&sum),
            })];
        }
        wanted
            .iter()
            .filter_map(|(field, urn)| {
                let p = ls
                    .posts
                    .iter()
                    .find(|p| &p.id == urn && p.organization_id == org)?;
                let mut e = json!({
                    "organizationalEntity": entity, "totalShareStatistics": statistics(&of(p)),
                });
                e[*field] = json!(urn);
                Some(e)
            })
            .collect()
    });
    ok(json!({
        "paging": { "start": 0, "count": elements.len(), "links": [] },
        "elements": elements,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_text_is_rendered_and_an_unescaped_reserved_character_cuts_it() {
        assert_eq!(
            render("Tea \\(hot\\) {hashtag|\\#|茶} @[Harbour Tea](urn:li:organization:1)").1,
            "Tea (hot) #茶 Harbour Tea"
        );
        let (stored, shown) = render("New tea (limited) today");
        assert_eq!(shown, "New tea ");
        assert_eq!(stored, "New tea ");
        assert_eq!(render("a \\q").1, "a ");
    }

    #[test]
    fn versions_live_twelve_months() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let check = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert("linkedin-version", HeaderValue::from_str(v).unwrap());
            h.insert(
                "x-restli-protocol-version",
                HeaderValue::from_static("2.0.0"),
            );
            check_versioning(&h, now).map_err(|r| r.status())
        };
        assert_eq!(check("202611"), Ok(()));
        assert_eq!(check("202512.01"), Ok(()));
        assert_eq!(check("202511"), Err(StatusCode::UPGRADE_REQUIRED));
        assert_eq!(check("202701"), Err(StatusCode::UPGRADE_REQUIRED));
        assert_eq!(check("2026-11"), Err(StatusCode::UPGRADE_REQUIRED));
        assert_eq!(
            check_versioning(&HeaderMap::new(), now).map_err(|r| r.status()),
            Err(StatusCode::BAD_REQUEST)
        );
    }

    #[test]
    fn restli_lists_are_decoded() {
        assert_eq!(
            restli_list("List(urn:li:share:1,urn:li:share:2)").unwrap(),
            ["urn:li:share:1", "urn:li:share:2"]
        );
        assert!(restli_list("urn:li:share:1").is_none());
    }

    #[test]
    fn clearing_faults_restores_the_demo_tokens_only() {
        let now = Utc::now();
        let mut st = Linkedin::seed(now);
        st.tokens.get_mut(DEMO.access_token).unwrap().revoked = true;
        st.refresh_tokens
            .get_mut(DEMO.refresh_token)
            .unwrap()
            .revoked = true;
        st.tokens.insert(
            "granted".into(),
            Token {
                expired: true,
                ..demo_token(now)
            },
        );
        st.clear_faults();
        assert!(!st.tokens[DEMO.access_token].revoked);
        assert!(!st.refresh_tokens[DEMO.refresh_token].revoked);
        assert!(st.tokens["granted"].expired);
    }
}
