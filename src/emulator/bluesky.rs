//! The Bluesky (AT Protocol) imitation, all under `/xrpc/`: app-password
//! sessions (createSession, refreshSession, getSession), handle
//! resolution, profiles, blob upload, post records (createRecord,
//! getRecord) and post views with their counts (getPosts); seeded with the
//! brand account of [`DEMO`] and a second account to mention. An account
//! is a DID, in the ledger and in fault rules.
//!
//! Invariants:
//! - every error is the XRPC envelope `{"error","message"}` in JSON;
//! - tokens look like JWTs but are opaque here: one is valid only while the
//!   state holds it unrevoked and unexpired, and an access token is never
//!   taken for a refresh token or the other way round;
//! - a refresh token works once: no grace period, a reused one is refused;
//! - createRecord on an rkey the repo already holds creates nothing and
//!   answers 500, as today's reference PDS does;
//! - every createRecord answer carries the `ratelimit-*` headers of the
//!   account's hourly write points (a create costs 3), except a 429 from
//!   the day window, which carries that window's;
//! - the same bytes give the same blob CID, the same record the same CID;
//!   rkeys and revs the emulator makes are TIDs that only grow;
//! - a `token_revoked` fault revokes the app password of the session and
//!   every session made from it; clearing the faults gives the demo account
//!   its app password back, but the sessions stay dead.

// Error answers are whole HTTP responses, as is usual with axum; boxing
// them would only add noise on a loopback test server.
#![allow(clippy::result_large_err)]

use super::faults::{CallKind, Fault};
use super::host::{random_token, Emulator, Gate, PlatformSim, Rec};
use super::metrics::figures;
use super::net::drop_connection;
use super::request::{bearer, form_pairs};
use super::state::{PlatformState, Post, Window};
use crate::domain::content::{graphemes, utf8_bytes, Platform};
use crate::domain::image::image_info;
use axum::body::Bytes;
use axum::extract::{RawQuery, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const ACCESS_SECS: i64 = 2 * 3600;
const REFRESH_SECS: i64 = 90 * 86400;
/// The one collection this repository takes.
const POST: &str = "app.bsky.feed.post";
/// Write points a created record costs.
const CREATE_POINTS: u32 = 3;
const BLOB_MAX: usize = 1_000_000;
const GET_POSTS_MAX: usize = 25;
const TEXT_GRAPHEMES: usize = 300;
const TEXT_BYTES: usize = 3000;
const TAG_GRAPHEMES: usize = 64;
/// The longest an injected rate limit may last, so the reset time stays a
/// date.
const MAX_RESET_SECS: i64 = 100 * 365 * 86400;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BlueskyState {
    pub accounts: Vec<BskyAccount>,
    /// Every session token issued, access and refresh, by its text.
    pub tokens: BTreeMap<String, BskyToken>,
    pub posts: Vec<BskyPost>,
    pub blobs: Vec<BskyBlob>,
    /// The last TID handed out (rkeys and revs), so that they only grow.
    pub last_tid: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BskyAccount {
    pub did: String,
    pub handle: String,
    pub display_name: String,
    pub email: String,
    pub followers: u64,
    pub follows: u64,
    pub app_passwords: Vec<AppPassword>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AppPassword {
    pub name: String,
    pub password: String,
    /// Set by a `token_revoked` fault: createSession refuses it.
    pub revoked: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BskyToken {
    pub did: String,
    pub kind: TokenKind,
    /// The name of the app password the session was made from.
    pub app_password: String,
    pub expires_at: DateTime<Utc>,
    pub revoked: bool,
    /// A refresh token already exchanged.
    pub used: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BskyPost {
    pub did: String,
    pub rkey: String,
    /// `at://<did>/app.bsky.feed.post/<rkey>`, the post's remote id.
    pub uri: String,
    pub cid: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// The record as created, for getRecord and getPosts.
    pub record: Value,
    pub reply_parent: Option<String>,
    /// `images` or `external`.
    pub embed: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BskyBlob {
    /// The account that uploaded it: only it may embed the blob.
    pub did: String,
    pub cid: String,
    pub mime_type: String,
    pub size: usize,
    pub created_at: DateTime<Utc>,
}

/// The seeded Bluesky account, and a second one to mention.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DemoBluesky {
    pub did: &'static str,
    pub handle: &'static str,
    pub display_name: &'static str,
    /// Accepted by createSession with the handle or the DID.
    pub app_password: &'static str,
    /// Another account (no app password), a mention target.
    pub friend_did: &'static str,
    pub friend_handle: &'static str,
}

/// The accounts this platform is seeded with.
pub(crate) const DEMO: DemoBluesky = DemoBluesky {
    did: "did:plc:tongbudemo7x3kq2m5n4p6",
    handle: "tongbu-demo.bsky.social",
    display_name: "Tongbu Demo",
    app_password: "emul-ated-blue-sky1",
    friend_did: "did:plc:tongbufriend2r8w4v9t",
    friend_handle: "friend.bsky.social",
};

/// The Bluesky imitation, as the registry lists it.
pub(crate) struct Bluesky;

impl PlatformSim for Bluesky {
    const PLATFORM: Platform = Platform::Bluesky;
    type State = BlueskyState;

    fn routes() -> Router<Emulator> {
        Router::new()
            .route(
                "/xrpc/com.atproto.server.createSession",
                post(create_session),
            )
            .route(
                "/xrpc/com.atproto.server.refreshSession",
                post(refresh_session),
            )
            .route("/xrpc/com.atproto.server.getSession", get(get_session))
            .route(
                "/xrpc/com.atproto.identity.resolveHandle",
                get(resolve_handle),
            )
            .route("/xrpc/app.bsky.actor.getProfile", get(get_profile))
            .route("/xrpc/com.atproto.repo.uploadBlob", post(upload_blob))
            .route("/xrpc/com.atproto.repo.createRecord", post(create_record))
            .route("/xrpc/com.atproto.repo.getRecord", get(get_record))
            .route("/xrpc/app.bsky.feed.getPosts", get(get_posts))
            .route("/xrpc/{*method}", any(not_implemented))
    }

    fn seed(_now: DateTime<Utc>) -> BlueskyState {
        let d = DEMO;
        BlueskyState {
            accounts: vec![
                BskyAccount {
                    did: d.did.to_owned(),
                    handle: d.handle.to_owned(),
                    display_name: d.display_name.to_owned(),
                    email: "tongbu-demo@example.com".into(),
                    followers: 1284,
                    follows: 173,
                    app_passwords: vec![AppPassword {
                        name: "tongbu".into(),
                        password: d.app_password.to_owned(),
                        revoked: false,
                    }],
                },
                BskyAccount {
                    did: d.friend_did.to_owned(),
                    handle: d.friend_handle.to_owned(),
                    display_name: "Friend".into(),
                    email: "friend@example.com".into(),
                    followers: 312,
                    follows: 95,
                    app_passwords: Vec::new(),
                },
            ],
            tokens: BTreeMap::new(),
            posts: Vec::new(),
            blobs: Vec::new(),
            last_tid: 0,
        }
    }
}

impl PlatformState for BlueskyState {
    fn posts(&self) -> Vec<Post<'_>> {
        self.posts
            .iter()
            .map(|p| Post::new(&p.did, p.uri.as_str(), p.created_at, Some(p.text.as_str())))
            .collect()
    }

    /// The demo's app password, revoked by a `token_revoked` fault, is
    /// accepted again: the demo and the tests have no way to make a new
    /// one (a real user would, in the settings), so without this the demo
    /// account could never log in again. The sessions the fault revoked
    /// stay revoked: a client must still log in anew.
    fn clear_faults(&mut self) {
        for p in self
            .accounts
            .iter_mut()
            .filter(|a| a.did == DEMO.did)
            .flat_map(|a| a.app_passwords.iter_mut())
            .filter(|p| p.password == DEMO.app_password)
        {
            p.revoked = false;
        }
    }
}

impl BlueskyState {
    /// The account a DID or a handle (case-insensitive) names.
    fn account(&self, actor: &str) -> Option<&BskyAccount> {
        self.accounts
            .iter()
            .find(|a| a.did == actor || a.handle.eq_ignore_ascii_case(actor))
    }

    /// A fresh TID from the clock, greater than every one before.
    fn next_tid(&mut self, now: DateTime<Utc>) -> String {
        // 53 bits of microseconds, then 10 bits of clock id (fixed here).
        let micros = u64::try_from(now.timestamp_micros()).unwrap_or(0) & ((1 << 53) - 1);
        let v = ((micros << 10) | 0x1b).max(self.last_tid + 1);
        self.last_tid = v;
        tid_string(v)
    }

    /// Issues an access and a refresh token for `did`, made from the app
    /// password named `app_password`.
    fn issue(
        &mut self,
        did: &str,
        app_password: &str,
        aud: &str,
        now: DateTime<Utc>,
    ) -> (String, String) {
        let access_exp = now + chrono::Duration::seconds(ACCESS_SECS);
        let refresh_exp = now + chrono::Duration::seconds(REFRESH_SECS);
        let access = jwt(
            "at+jwt",
            &json!({
                "scope": "com.atproto.appPass", "sub": did, "aud": aud,
                "iat": now.timestamp(), "exp": access_exp.timestamp(),
            }),
        );
        let refresh = jwt(
            "refresh+jwt",
            &json!({
                "scope": "com.atproto.refresh", "sub": did, "aud": aud,
                "jti": random_token(43), "iat": now.timestamp(), "exp": refresh_exp.timestamp(),
            }),
        );
        for (token, kind, expires_at) in [
            (&access, TokenKind::Access, access_exp),
            (&refresh, TokenKind::Refresh, refresh_exp),
        ] {
            self.tokens.insert(
                token.clone(),
                BskyToken {
                    did: did.to_owned(),
                    kind,
                    app_password: app_password.to_owned(),
                    expires_at,
                    revoked: false,
                    used: false,
                },
            );
        }
        (access, refresh)
    }

    /// Revokes the app password a token was made from and every session
    /// made from that password.
    fn revoke_password_of(&mut self, token: &str) {
        let Some((did, name)) = self
            .tokens
            .get(token)
            .map(|t| (t.did.clone(), t.app_password.clone()))
        else {
            return;
        };
        for p in self
            .accounts
            .iter_mut()
            .filter(|a| a.did == did)
            .flat_map(|a| a.app_passwords.iter_mut())
            .filter(|p| p.name == name)
        {
            p.revoked = true;
        }
        for t in self
            .tokens
            .values_mut()
            .filter(|t| t.did == did && t.app_password == name)
        {
            t.revoked = true;
        }
    }

    /// An at-uri with its authority (a DID or a handle) made the DID, as
    /// posts are stored.
    fn canonical_uri(&self, uri: &str) -> Option<String> {
        let rest = uri.strip_prefix("at://")?;
        let (authority, path) = rest.split_once('/')?;
        let did = self.account(authority)?.did.as_str();
        Some(format!("at://{did}/{path}"))
    }
}

// ---- identifiers -----------------------------------------------------------------

/// The base32 alphabet of TIDs, sortable: `2`..`7` then `a`..`z`.
const SORTABLE: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// A 64-bit TID value as its 13 characters.
fn tid_string(v: u64) -> String {
    (0..13)
        .rev()
        .map(|i| SORTABLE[((v >> (5 * i)) & 31) as usize] as char)
        .collect()
}

/// Whether `s` is a TID: 13 sortable-base32 characters, the first one
/// leaving the top bit clear.
fn is_tid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 13
        && b"234567abcdefghij".contains(&b[0])
        && b[1..].iter().all(|c| SORTABLE.contains(c))
}

const CODEC_RAW: u8 = 0x55;
const CODEC_DAG_CBOR: u8 = 0x71;

/// A CIDv1 (sha2-256) of `data` in multibase base32: `bafkrei…` for raw
/// blobs, `bafyrei…` for records. Real record CIDs hash the DAG-CBOR
/// encoding; hashing the JSON keeps the one property clients see: the same
/// record gives the same CID.
fn cid_of(codec: u8, data: &[u8]) -> String {
    let mut bytes = vec![0x01, codec, 0x12, 0x20];
    bytes.extend_from_slice(&Sha256::digest(data));
    format!("b{}", base32_lower(&bytes))
}

/// RFC 4648 base32, lowercase, unpadded.
fn base32_lower(data: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(data.len() * 8 / 5 + 1);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &byte in data {
        buf = (buf << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// `header.payload.signature`, each base64url without padding; the
/// signature is random (nothing checks it, the state knows the token).
fn jwt(typ: &str, payload: &Value) -> String {
    use rand::RngCore;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut sig = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut sig);
    format!(
        "{}.{}.{}",
        b64.encode(format!(r#"{{"typ":"{typ}","alg":"HS256"}}"#)),
        b64.encode(payload.to_string()),
        b64.encode(sig)
    )
}

/// A size as the PDS writes it in BlobTooLarge: binary units, at most two
/// decimals, no space (`976.56KB`).
fn pretty_size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{}", UNITS[unit])
}

/// The host the client called, so the didDoc sends it back here.
fn host_of(headers: &HeaderMap, uri: &Uri) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| uri.authority().map(ToString::to_string))
        .unwrap_or_else(|| "localhost".into())
}

/// The PDS's service DID for `host`, the tokens' audience (did:web
/// escapes the port's colon).
fn aud_of(host: &str) -> String {
    format!("did:web:{}", host.replace(':', "%3A"))
}

fn did_doc(acc: &BskyAccount, host: &str) -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
            "https://w3id.org/security/suites/secp256k1-2019/v1",
        ],
        "id": acc.did,
        "alsoKnownAs": [format!("at://{}", acc.handle)],
        "service": [{
            "id": "#atproto_pds",
            "type": "AtprotoPersonalDataServer",
            "serviceEndpoint": format!("http://{host}"),
        }],
    })
}

/// A session answer: createSession's (tokens, email), refreshSession's
/// (tokens) or getSession's (email).
fn session_body(
    acc: &BskyAccount,
    host: &str,
    tokens: Option<(String, String)>,
    email: bool,
) -> Value {
    let mut v = json!({
        "did": acc.did, "handle": acc.handle, "active": true, "didDoc": did_doc(acc, host),
    });
    if email {
        v["email"] = json!(acc.email);
        v["emailConfirmed"] = json!(true);
    }
    if let Some((access, refresh)) = tokens {
        v["accessJwt"] = json!(access);
        v["refreshJwt"] = json!(refresh);
    }
    v
}

fn rfc3339_ms(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

// ---- responses ---------------------------------------------------------------------

fn xrpc_error(status: StatusCode, error: &str, message: &str) -> Response {
    (status, Json(json!({ "error": error, "message": message }))).into_response()
}

fn invalid(message: &str) -> Response {
    xrpc_error(StatusCode::BAD_REQUEST, "InvalidRequest", message)
}

fn auth_required(message: &str) -> Response {
    xrpc_error(StatusCode::UNAUTHORIZED, "AuthenticationRequired", message)
}

fn expired() -> Response {
    xrpc_error(StatusCode::BAD_REQUEST, "ExpiredToken", "Token has expired")
}

fn invalid_token_type() -> Response {
    xrpc_error(
        StatusCode::BAD_REQUEST,
        "InvalidToken",
        "Invalid token type",
    )
}

fn bad_login() -> Response {
    auth_required("Invalid identifier or password")
}

fn internal() -> Response {
    xrpc_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        "Internal Server Error",
    )
}

fn too_many() -> Response {
    xrpc_error(
        StatusCode::TOO_MANY_REQUESTS,
        "RateLimitExceeded",
        "Rate Limit Exceeded",
    )
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

async fn not_implemented() -> Response {
    xrpc_error(
        StatusCode::NOT_IMPLEMENTED,
        "MethodNotImplemented",
        "Method Not Implemented",
    )
}

// ---- rate limits ---------------------------------------------------------------------

/// One of the platform's rate windows, at its real size.
#[derive(Clone, Copy)]
struct Limit {
    name: &'static str,
    points: u32,
    secs: i64,
}

const SESSION_5MIN: Limit = Limit {
    name: "session.5m",
    points: 30,
    secs: 300,
};
const SESSION_DAY: Limit = Limit {
    name: "session.day",
    points: 300,
    secs: 86400,
};
const WRITE_HOUR: Limit = Limit {
    name: "write.hour",
    points: 5000,
    secs: 3600,
};
const WRITE_DAY: Limit = Limit {
    name: "write.day",
    points: 35000,
    secs: 86400,
};
/// The per-IP budget of every call, named by an injected 429 of a call
/// that has no budget of its own.
const GLOBAL: Limit = Limit {
    name: "global",
    points: 3000,
    secs: 300,
};

impl Limit {
    /// The `ratelimit-policy` value. It names the platform's own window
    /// (its real quota and length) whatever the scale, so a client tells
    /// the day window from the hourly one; `ratelimit-limit` carries the
    /// scaled budget.
    fn policy(self) -> String {
        format!("{};w={}", self.points, self.secs)
    }

    /// The scaled budget; never below one call's cost, so a tiny scale
    /// still lets a call through.
    fn budget(self, emu: &Emulator, cost: u32) -> u32 {
        emu.budget(self.points).max(cost)
    }
}

/// A window's standing after a call, for the `ratelimit-*` headers.
#[derive(Clone, Debug)]
struct Rate {
    limit: u32,
    remaining: u32,
    reset: DateTime<Utc>,
    policy: String,
    allowed: bool,
}

fn with_rate(mut r: Response, rate: &Rate) -> Response {
    let h = r.headers_mut();
    h.insert("ratelimit-limit", HeaderValue::from(rate.limit));
    h.insert("ratelimit-remaining", HeaderValue::from(rate.remaining));
    h.insert("ratelimit-reset", HeaderValue::from(rate.reset.timestamp()));
    if let Ok(v) = HeaderValue::from_str(&rate.policy) {
        h.insert("ratelimit-policy", v);
    }
    r
}

/// Takes `cost` points from each of `did`'s windows `limits`, or from none
/// when one of them cannot afford it. The standing is the first window's
/// when allowed, the short window's when not.
fn take(emu: &Emulator, did: &str, limits: &[Limit], cost: u32) -> Rate {
    let budgets: Vec<u32> = limits.iter().map(|l| l.budget(emu, cost)).collect();
    emu.mutate(|st, now| {
        let mut windows = Vec::with_capacity(limits.len());
        for l in limits {
            let w = st
                .windows
                .entry(format!("bluesky:{did}:{}", l.name))
                .or_insert(Window {
                    start: now,
                    count: 0,
                });
            if now >= w.start + chrono::Duration::seconds(l.secs) {
                w.start = now;
                w.count = 0;
            }
            windows.push(w.clone());
        }
        let short = windows
            .iter()
            .zip(&budgets)
            .position(|(w, &budget)| w.count.saturating_add(cost) > budget);
        if short.is_none() {
            for (l, w) in limits.iter().zip(&mut windows) {
                w.count += cost;
                st.windows
                    .insert(format!("bluesky:{did}:{}", l.name), w.clone());
            }
        }
        let i = short.unwrap_or(0);
        let (l, w, budget) = (limits[i], &windows[i], budgets[i]);
        Rate {
            limit: budget,
            remaining: if short.is_some() {
                0
            } else {
                budget.saturating_sub(w.count)
            },
            reset: w.start + chrono::Duration::seconds(l.secs),
            policy: l.policy(),
            allowed: short.is_none(),
        }
    })
}

/// The standing of a window the call did not touch (its caller is
/// unknown).
fn untouched(emu: &Emulator, l: Limit, cost: u32) -> Rate {
    let budget = l.budget(emu, cost);
    Rate {
        limit: budget,
        remaining: budget,
        reset: emu.now() + chrono::Duration::seconds(l.secs),
        policy: l.policy(),
        allowed: true,
    }
}

/// The standing an injected rate limit reports: the call's window (the
/// per-IP one when it has none), spent until `reset_after_secs` from now.
fn injected(emu: &Emulator, base: Option<&Rate>, reset_after_secs: u64) -> Rate {
    let (limit, policy) = base
        .map(|b| (b.limit, b.policy.clone()))
        .unwrap_or_else(|| (GLOBAL.budget(emu, 1), GLOBAL.policy()));
    let secs = i64::try_from(reset_after_secs)
        .unwrap_or(MAX_RESET_SECS)
        .min(MAX_RESET_SECS);
    Rate {
        limit,
        remaining: 0,
        reset: emu.now() + chrono::Duration::seconds(secs),
        policy,
        allowed: false,
    }
}

// ---- authentication and faults -------------------------------------------------------

struct Auth {
    did: String,
    handle: String,
    token: String,
}

/// The session of the request's access token, or the answer to a token
/// that is not a live one.
fn auth(emu: &Emulator, headers: &HeaderMap) -> Result<Auth, Response> {
    let Some(token) = bearer(headers) else {
        return Err(auth_required("Authentication Required"));
    };
    emu.read(|st, now| {
        let bs = st.get::<BlueskyState>();
        let Some(t) = bs.tokens.get(&token) else {
            return Err(auth_required("Authentication Required"));
        };
        if t.kind != TokenKind::Access {
            return Err(invalid_token_type());
        }
        if t.revoked {
            return Err(auth_required("Token has been revoked"));
        }
        if t.expires_at <= now {
            return Err(expired());
        }
        Ok(Auth {
            did: t.did.clone(),
            handle: bs
                .account(&t.did)
                .map(|a| a.handle.clone())
                .unwrap_or_default(),
            token: token.clone(),
        })
    })
}

/// The answer to a fault that stops a call; the token faults act on the
/// access token in use.
async fn stop(emu: &Emulator, fault: Fault, a: &Auth, rate: Option<&Rate>) -> Response {
    let r = match fault {
        Fault::TokenExpired => {
            emu.mutate(|st, now| {
                if let Some(t) = st.get_mut::<BlueskyState>().tokens.get_mut(&a.token) {
                    t.expires_at = now;
                }
            });
            expired()
        }
        Fault::TokenRevoked => {
            emu.mutate(|st, _| st.get_mut::<BlueskyState>().revoke_password_of(&a.token));
            auth_required("Token has been revoked")
        }
        other => return refuse(emu, other, rate).await,
    };
    match rate {
        Some(rate) => with_rate(r, rate),
        None => r,
    }
}

/// The answer to a fault that stops a call, other than the token faults
/// (the fault book never gives those to a call without a token).
async fn refuse(emu: &Emulator, fault: Fault, rate: Option<&Rate>) -> Response {
    let r = match fault {
        Fault::RateLimit { reset_after_secs } => {
            return with_rate(too_many(), &injected(emu, rate, reset_after_secs))
        }
        Fault::Hang => return emu.hang().await,
        Fault::DropConnection => return drop_connection(),
        _ => internal(),
    };
    match rate {
        Some(rate) => with_rate(r, rate),
        None => r,
    }
}

/// Why a call is not served normally.
enum Denied {
    /// Answer this (no live token, or out of budget), for this account if
    /// known.
    Answer(Response, Option<String>),
    /// A fault stops the call; the caller records it, then runs [`stop`].
    Fault(Fault, Auth, Option<Rate>),
}

impl Denied {
    /// Records a create's ledger line (before a hang can start), then
    /// produces the answer.
    async fn answer(self, emu: &Emulator, rec: Option<Rec>) -> Response {
        match self {
            Denied::Answer(r, did) => {
                if let Some(mut rec) = rec {
                    rec.account = did.unwrap_or_default();
                    rec.reject(emu, None);
                }
                r
            }
            Denied::Fault(f, a, rate) => {
                if let Some(mut rec) = rec {
                    rec.account = a.did.clone();
                    rec.reject(emu, Some(f.kind()));
                }
                stop(emu, f, &a, rate.as_ref()).await
            }
        }
    }
}

/// A call let through: its session, its write budget's standing (writes
/// only) and the fault applied without stopping it.
struct Admitted {
    auth: Auth,
    rate: Option<Rate>,
    fault: Option<&'static str>,
    after_commit: bool,
}

/// Authenticates, takes a write's points (when `write`) and checks faults.
async fn admit(
    emu: &Emulator,
    headers: &HeaderMap,
    call: CallKind,
    write: bool,
) -> Result<Admitted, Denied> {
    let a = match auth(emu, headers) {
        Ok(a) => a,
        Err(r) if write => {
            let rate = untouched(emu, WRITE_HOUR, CREATE_POINTS);
            return Err(Denied::Answer(with_rate(r, &rate), None));
        }
        Err(r) => return Err(Denied::Answer(r, None)),
    };
    let rate = write.then(|| take(emu, &a.did, &[WRITE_HOUR, WRITE_DAY], CREATE_POINTS));
    if let Some(rate) = rate.as_ref().filter(|r| !r.allowed) {
        return Err(Denied::Answer(with_rate(too_many(), rate), Some(a.did)));
    }
    match emu.gate(Platform::Bluesky, &a.did, call).await {
        Gate::Proceed {
            fault,
            after_commit,
        } => Ok(Admitted {
            auth: a,
            rate,
            fault,
            after_commit,
        }),
        Gate::Stop(f) => Err(Denied::Fault(f, a, rate)),
    }
}

/// [`admit`] for a read: error_after_commit has nothing to commit and
/// answers its 500.
async fn admit_read(emu: &Emulator, headers: &HeaderMap) -> Result<Auth, Response> {
    match admit(emu, headers, CallKind::Read, false).await {
        Ok(x) if !x.after_commit => Ok(x.auth),
        Ok(_) => Err(internal()),
        Err(d) => Err(d.answer(emu, None).await),
    }
}

/// Faults of a call made without a token, for the account it concerns: a
/// token fault has no token to act on and lets it through.
async fn anonymous_gate(emu: &Emulator, did: &str) -> Result<(), Response> {
    match emu.gate(Platform::Bluesky, did, CallKind::Read).await {
        Gate::Proceed {
            after_commit: false,
            ..
        } => Ok(()),
        Gate::Proceed { .. } => Err(internal()),
        Gate::Stop(Fault::TokenExpired | Fault::TokenRevoked) => Ok(()),
        Gate::Stop(f) => Err(refuse(emu, f, None).await),
    }
}

/// Faults of a session call; `Ok(after_commit)`.
async fn session_gate(emu: &Emulator, did: &str, rate: Option<&Rate>) -> Result<bool, Response> {
    match emu.gate(Platform::Bluesky, did, CallKind::Token).await {
        Gate::Proceed { after_commit, .. } => Ok(after_commit),
        Gate::Stop(f) => Err(refuse(emu, f, rate).await),
    }
}

// ---- request reading -----------------------------------------------------------------

/// The query's pairs, repeated names kept in order.
fn params(q: Option<String>) -> Vec<(String, String)> {
    q.map(|q| form_pairs(q.as_bytes())).unwrap_or_default()
}

/// A required query parameter, or the XRPC answer to its absence.
fn param<'a>(p: &'a [(String, String)], name: &str) -> Result<&'a str, Response> {
    p.iter()
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| invalid(&format!("Error: Params must have the property \"{name}\"")))
}

/// A validation failure, in the lexicon's words (`Record/text must …`).
type Check<T> = Result<T, String>;

fn prop<'a>(obj: &'a Value, key: &str, path: &str) -> Check<&'a Value> {
    obj.get(key)
        .ok_or_else(|| format!("{path} must have the property \"{key}\""))
}

fn prop_str<'a>(obj: &'a Value, key: &str, path: &str) -> Check<&'a str> {
    prop(obj, key, path)?
        .as_str()
        .ok_or_else(|| format!("{path}/{key} must be a string"))
}

fn object<'a>(v: &'a Value, path: &str) -> Check<&'a Value> {
    if v.is_object() {
        Ok(v)
    } else {
        Err(format!("{path} must be an object"))
    }
}

fn array<'a>(v: &'a Value, path: &str) -> Check<&'a [Value]> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| format!("{path} must be an array"))
}

/// An atproto datetime: RFC 3339 with an upper-case `T`.
fn is_datetime(s: &str) -> bool {
    s.as_bytes().get(10) == Some(&b'T') && DateTime::parse_from_rfc3339(s).is_ok()
}

fn is_at_uri(s: &str) -> bool {
    s.strip_prefix("at://")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
}

/// What a valid post record holds that the emulator keeps or checks
/// against its state.
#[derive(Debug)]
struct PostParts {
    text: String,
    reply_parent: Option<String>,
    embed: Option<&'static str>,
    /// Embedded blobs by CID, with whether they must be images.
    blobs: Vec<(String, bool)>,
}

/// Checks an `app.bsky.feed.post` record; the error is the detail after
/// "Invalid app.bsky.feed.post record: ".
fn validate_post(r: &Value) -> Check<PostParts> {
    const P: &str = "Record";
    if r.get("$type").and_then(Value::as_str) != Some(POST) {
        return Err(format!("{P}/$type must be {POST}"));
    }
    let text = prop_str(r, "text", P)?;
    if graphemes(text) > TEXT_GRAPHEMES {
        return Err(format!(
            "{P}/text must not be longer than {TEXT_GRAPHEMES} graphemes"
        ));
    }
    if utf8_bytes(text) > TEXT_BYTES {
        return Err(format!(
            "{P}/text must not be longer than {TEXT_BYTES} characters"
        ));
    }
    if !is_datetime(prop_str(r, "createdAt", P)?) {
        return Err(format!(
            "{P}/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
        ));
    }
    if let Some(f) = r.get("facets") {
        check_facets(f, utf8_bytes(text))?;
    }
    let reply_parent = r.get("reply").map(check_reply).transpose()?;
    let (embed, blobs) = match r.get("embed") {
        None => (None, Vec::new()),
        Some(e) => {
            let (kind, blobs) = check_embed(e)?;
            (Some(kind), blobs)
        }
    };
    Ok(PostParts {
        text: text.to_owned(),
        reply_parent,
        embed,
        blobs,
    })
}

fn check_facets(f: &Value, text_bytes: usize) -> Check<()> {
    let non_negative = |obj: &Value, key: &str, path: &str| -> Check<u64> {
        prop(obj, key, path)?
            .as_u64()
            .ok_or_else(|| format!("{path}/{key} must be a non-negative integer"))
    };
    for (i, facet) in array(f, "Record/facets")?.iter().enumerate() {
        let fp = format!("Record/facets/{i}");
        object(facet, &fp)?;
        let ip = format!("{fp}/index");
        let index = object(prop(facet, "index", &fp)?, &ip)?;
        let start = non_negative(index, "byteStart", &ip)?;
        let end = non_negative(index, "byteEnd", &ip)?;
        if start >= end || end > text_bytes as u64 {
            return Err(format!(
                "{ip} must have byteStart < byteEnd <= {text_bytes}, the text's length in UTF-8 bytes (got {start}..{end})"
            ));
        }
        let features = array(prop(facet, "features", &fp)?, &format!("{fp}/features"))?;
        for (j, feat) in features.iter().enumerate() {
            let jp = format!("{fp}/features/{j}");
            object(feat, &jp)?;
            match feat.get("$type").and_then(Value::as_str) {
                Some("app.bsky.richtext.facet#link") => {
                    if url::Url::parse(prop_str(feat, "uri", &jp)?).is_err() {
                        return Err(format!("{jp}/uri must be a uri"));
                    }
                }
                Some("app.bsky.richtext.facet#mention") => {
                    if !prop_str(feat, "did", &jp)?.starts_with("did:") {
                        return Err(format!("{jp}/did must be a valid did"));
                    }
                }
                Some("app.bsky.richtext.facet#tag") => {
                    if graphemes(prop_str(feat, "tag", &jp)?) > TAG_GRAPHEMES {
                        return Err(format!(
                            "{jp}/tag must not be longer than {TAG_GRAPHEMES} graphemes"
                        ));
                    }
                }
                _ => {
                    return Err(format!(
                        "{jp} must be an app.bsky.richtext.facet#link, #mention or #tag"
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Checks a reply ref; the parent's at-uri.
fn check_reply(v: &Value) -> Check<String> {
    const P: &str = "Record/reply";
    object(v, P)?;
    let mut parent = String::new();
    for side in ["root", "parent"] {
        let sp = format!("{P}/{side}");
        let s = object(prop(v, side, P)?, &sp)?;
        let uri = prop_str(s, "uri", &sp)?;
        if !is_at_uri(uri) {
            return Err(format!("{sp}/uri must be a valid at-uri"));
        }
        prop_str(s, "cid", &sp)?;
        parent = uri.to_owned();
    }
    Ok(parent)
}

/// Checks an embed; its kind and the blobs it refers to.
fn check_embed(e: &Value) -> Check<(&'static str, Vec<(String, bool)>)> {
    const P: &str = "Record/embed";
    object(e, P)?;
    let blob_cid = |v: &Value, path: &str| -> Check<String> {
        v.pointer("/ref/$link")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("{path} should be a blob ref"))
    };
    match e.get("$type").and_then(Value::as_str) {
        Some("app.bsky.embed.images") => {
            let images = array(prop(e, "images", P)?, &format!("{P}/images"))?;
            if images.is_empty() {
                return Err(format!("{P}/images must not have fewer than 1 elements"));
            }
            if images.len() > 4 {
                return Err(format!("{P}/images must not have more than 4 elements"));
            }
            let mut blobs = Vec::new();
            for (i, img) in images.iter().enumerate() {
                let ip = format!("{P}/images/{i}");
                object(img, &ip)?;
                blobs.push((
                    blob_cid(prop(img, "image", &ip)?, &format!("{ip}/image"))?,
                    true,
                ));
                prop_str(img, "alt", &ip)?;
                if let Some(ar) = img.get("aspectRatio") {
                    let ap = format!("{ip}/aspectRatio");
                    object(ar, &ap)?;
                    for k in ["width", "height"] {
                        if prop(ar, k, &ap)?.as_u64().unwrap_or(0) == 0 {
                            return Err(format!("{ap}/{k} must be an integer of at least 1"));
                        }
                    }
                }
            }
            Ok(("images", blobs))
        }
        Some("app.bsky.embed.external") => {
            let xp = format!("{P}/external");
            let ext = object(prop(e, "external", P)?, &xp)?;
            for k in ["uri", "title", "description"] {
                prop_str(ext, k, &xp)?;
            }
            let mut blobs = Vec::new();
            if let Some(thumb) = ext.get("thumb") {
                blobs.push((blob_cid(thumb, &format!("{xp}/thumb"))?, true));
            }
            Ok(("external", blobs))
        }
        _ => Err(format!(
            "{P} must be an app.bsky.embed.images or app.bsky.embed.external"
        )),
    }
}

/// A createRecord input that passed every check not needing the state.
struct Input {
    rkey: Option<String>,
    record: Value,
    parts: PostParts,
}

fn check_input(parsed: Option<Value>, a: &Auth) -> Result<Input, Response> {
    const P: &str = "Input";
    let Some(v) = parsed.filter(Value::is_object) else {
        return Err(invalid("Input must be an object"));
    };
    let repo = prop_str(&v, "repo", P).map_err(|m| invalid(&m))?;
    if repo != a.did && !repo.eq_ignore_ascii_case(&a.handle) {
        return Err(invalid("Input/repo must be the authenticated account"));
    }
    let collection = prop_str(&v, "collection", P).map_err(|m| invalid(&m))?;
    if collection != POST {
        return Err(invalid(&format!(
            "Input/collection must be {POST}: the only collection this PDS takes"
        )));
    }
    let rkey = match v.get("rkey") {
        None => None,
        Some(Value::String(k)) if is_tid(k) => Some(k.clone()),
        Some(Value::String(_)) => return Err(invalid("Invalid TID string")),
        Some(_) => return Err(invalid("Input/rkey must be a string")),
    };
    if v.get("validate").is_some_and(|b| !b.is_boolean()) {
        return Err(invalid("Input/validate must be a boolean"));
    }
    let record = prop(&v, "record", P).map_err(|m| invalid(&m))?;
    if !record.is_object() {
        return Err(invalid("Input/record must be an object"));
    }
    let parts = validate_post(record)
        .map_err(|d| invalid(&format!("Invalid app.bsky.feed.post record: {d}")))?;
    Ok(Input {
        rkey,
        record: record.clone(),
        parts,
    })
}

/// The checks of a post against the state: its reply parent exists, its
/// blobs were uploaded by `did` (images where images are wanted).
fn check_refs(bs: &BlueskyState, did: &str, parts: &PostParts) -> Result<(), Response> {
    if let Some(parent) = &parts.reply_parent {
        let found = bs
            .canonical_uri(parent)
            .is_some_and(|u| bs.posts.iter().any(|p| p.uri == u));
        if !found {
            return Err(invalid(&format!("Could not locate record: {parent}")));
        }
    }
    for (cid, image) in &parts.blobs {
        let Some(b) = bs.blobs.iter().find(|b| b.did == did && &b.cid == cid) else {
            return Err(xrpc_error(
                StatusCode::BAD_REQUEST,
                "BlobNotFound",
                &format!("Could not find blob: {cid}"),
            ));
        };
        if *image && !b.mime_type.starts_with("image/") {
            return Err(invalid(&format!(
                "Wrong type of file. It is {} but it must match image/*.",
                b.mime_type
            )));
        }
    }
    Ok(())
}

// ---- sessions ------------------------------------------------------------------------

async fn create_session(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    const P: &str = "Input";
    let Some(v) = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
    else {
        return invalid("Input must be an object");
    };
    let (identifier, password) = match (prop_str(&v, "identifier", P), prop_str(&v, "password", P))
    {
        (Ok(i), Ok(p)) => (i, p),
        (Err(m), _) | (_, Err(m)) => return invalid(&m),
    };
    let did = emu.read(|st, _| {
        st.get::<BlueskyState>()
            .account(identifier)
            .map(|a| a.did.clone())
    });
    let Some(did) = did else {
        return bad_login();
    };
    // Wrong passwords count too: the budget is what stops guessing.
    let rate = take(&emu, &did, &[SESSION_5MIN, SESSION_DAY], 1);
    if !rate.allowed {
        return with_rate(too_many(), &rate);
    }
    let after_commit = match session_gate(&emu, &did, Some(&rate)).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let host = host_of(&headers, &uri);
    let issued = emu.mutate(|st, now| {
        let bs = st.get_mut::<BlueskyState>();
        let name = bs
            .account(&did)?
            .app_passwords
            .iter()
            .find(|p| !p.revoked && p.password == password)?
            .name
            .clone();
        let tokens = bs.issue(&did, &name, &aud_of(&host), now);
        Some(session_body(bs.account(&did)?, &host, Some(tokens), true))
    });
    let r = match issued {
        None => bad_login(),
        // The session exists; the client was not told.
        Some(_) if after_commit => internal(),
        Some(body) => ok(body),
    };
    with_rate(r, &rate)
}

async fn refresh_session(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some(token) = bearer(&headers) else {
        return auth_required("Authentication Required");
    };
    let found = emu.read(|st, _| {
        st.get::<BlueskyState>()
            .tokens
            .get(&token)
            .map(|t| (t.did.clone(), t.kind))
    });
    let did = match found {
        None => return expired(),
        Some((_, TokenKind::Access)) => return invalid_token_type(),
        Some((did, TokenKind::Refresh)) => did,
    };
    let after_commit = match session_gate(&emu, &did, None).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let host = host_of(&headers, &uri);
    let outcome = emu.mutate(|st, now| {
        let bs = st.get_mut::<BlueskyState>();
        let t = bs.tokens.get_mut(&token).ok_or_else(expired)?;
        if t.revoked || t.used {
            return Err(xrpc_error(
                StatusCode::BAD_REQUEST,
                "ExpiredToken",
                "Token has been revoked",
            ));
        }
        if t.expires_at <= now {
            return Err(expired());
        }
        t.used = true;
        let name = t.app_password.clone();
        let tokens = bs.issue(&did, &name, &aud_of(&host), now);
        let acc = bs.account(&did).ok_or_else(expired)?;
        Ok(session_body(acc, &host, Some(tokens), false))
    });
    match outcome {
        Err(r) => r,
        // Rotated: the old refresh token is spent, the new pair was lost.
        Ok(_) if after_commit => internal(),
        Ok(body) => ok(body),
    }
}

async fn get_session(AxState(emu): AxState<Emulator>, headers: HeaderMap, uri: Uri) -> Response {
    let a = match admit_read(&emu, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let host = host_of(&headers, &uri);
    let body = emu.read(|st, _| {
        st.get::<BlueskyState>()
            .account(&a.did)
            .map(|acc| session_body(acc, &host, None, true))
    });
    match body {
        Some(b) => ok(b),
        None => auth_required("Authentication Required"),
    }
}

// ---- identity and profiles -------------------------------------------------------------

async fn resolve_handle(AxState(emu): AxState<Emulator>, RawQuery(q): RawQuery) -> Response {
    let p = params(q);
    let handle = match param(&p, "handle") {
        Ok(h) => h,
        Err(r) => return r,
    };
    let did = emu.read(|st, _| {
        st.get::<BlueskyState>()
            .accounts
            .iter()
            .find(|a| a.handle.eq_ignore_ascii_case(handle))
            .map(|a| a.did.clone())
    });
    let Some(did) = did else {
        return invalid("Unable to resolve handle");
    };
    if let Err(r) = anonymous_gate(&emu, &did).await {
        return r;
    }
    ok(json!({ "did": did }))
}

async fn get_profile(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if let Err(r) = admit_read(&emu, &headers).await {
        return r;
    }
    let p = params(q);
    let actor = match param(&p, "actor") {
        Ok(a) => a,
        Err(r) => return r,
    };
    let profile = emu.read(|st, _| {
        let bs = st.get::<BlueskyState>();
        bs.account(actor).map(|a| {
            json!({
                "did": a.did, "handle": a.handle, "displayName": a.display_name,
                "followersCount": a.followers, "followsCount": a.follows,
                "postsCount": bs.posts.iter().filter(|p| p.did == a.did).count(),
            })
        })
    });
    match profile {
        Some(v) => ok(v),
        None => invalid("Profile not found"),
    }
}

// ---- blobs and records -----------------------------------------------------------------

async fn upload_blob(AxState(emu): AxState<Emulator>, headers: HeaderMap, body: Bytes) -> Response {
    let mut rec = Rec::new(Platform::Bluesky, "bluesky.blob", &body, &headers);
    let ad = match admit(&emu, &headers, CallKind::Create, false).await {
        Ok(x) => x,
        Err(d) => return d.answer(&emu, Some(rec)).await,
    };
    rec.account = ad.auth.did.clone();
    rec.fault = ad.fault;
    if body.is_empty() {
        rec.reject(&emu, None);
        return invalid("A request body is expected but none was provided");
    }
    if body.len() > BLOB_MAX {
        rec.reject(&emu, None);
        return xrpc_error(
            StatusCode::BAD_REQUEST,
            "BlobTooLarge",
            &format!(
                "This file is too large. It is {} but the maximum size is {}.",
                pretty_size(body.len()),
                pretty_size(BLOB_MAX)
            ),
        );
    }
    // Like the PDS: the type sniffed from the bytes, else the one declared.
    let mime_type = image_info(&body)
        .map(|(m, _, _)| m.to_owned())
        .or_else(|| {
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .map(|v| v.trim().to_ascii_lowercase())
                .filter(|v| !v.is_empty())
        })
        .unwrap_or_else(|| "application/octet-stream".into());
    let cid = cid_of(CODEC_RAW, &body);
    let size = body.len();
    emu.mutate(|st, now| {
        let bs = st.get_mut::<BlueskyState>();
        let did = ad.auth.did.clone();
        if !bs.blobs.iter().any(|b| b.did == did && b.cid == cid) {
            bs.blobs.push(BskyBlob {
                did,
                cid: cid.clone(),
                mime_type: mime_type.clone(),
                size,
                created_at: now,
            });
        }
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(cid.clone());
        Emulator::record(st, now, line);
    });
    if ad.after_commit {
        return internal();
    }
    ok(json!({ "blob": {
        "$type": "blob", "ref": { "$link": cid }, "mimeType": mime_type, "size": size,
    }}))
}

async fn create_record(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::Bluesky, "bluesky.post", &body, &headers);
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    rec.text = parsed
        .as_ref()
        .and_then(|v| v.pointer("/record/text"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let ad = match admit(&emu, &headers, CallKind::Create, true).await {
        Ok(x) => x,
        Err(d) => return d.answer(&emu, Some(rec)).await,
    };
    rec.account = ad.auth.did.clone();
    rec.fault = ad.fault;
    let rate = ad
        .rate
        .clone()
        .unwrap_or_else(|| untouched(&emu, WRITE_HOUR, CREATE_POINTS));
    let input = match check_input(parsed, &ad.auth) {
        Ok(i) => i,
        Err(r) => {
            rec.reject(&emu, None);
            return with_rate(r, &rate);
        }
    };
    let did = ad.auth.did.clone();
    let outcome = emu.mutate(|st, now| {
        check_refs(st.get::<BlueskyState>(), &did, &input.parts)?;
        let bs = st.get_mut::<BlueskyState>();
        let rkey = match &input.rkey {
            Some(k) => k.clone(),
            None => loop {
                let k = bs.next_tid(now);
                if !bs.posts.iter().any(|p| p.did == did && p.rkey == k) {
                    break k;
                }
            },
        };
        // The trap of today's PDS: the insert hits the unique key and the
        // error surfaces as a bare 500, not as a conflict.
        if bs.posts.iter().any(|p| p.did == did && p.rkey == rkey) {
            return Err(internal());
        }
        let uri = format!("at://{did}/{POST}/{rkey}");
        let cid = cid_of(
            CODEC_DAG_CBOR,
            &serde_json::to_vec(&input.record).unwrap_or_default(),
        );
        let rev = bs.next_tid(now);
        let commit = cid_of(CODEC_DAG_CBOR, format!("{did} {rev} {cid}").as_bytes());
        bs.posts.push(BskyPost {
            did: did.clone(),
            rkey,
            uri: uri.clone(),
            cid: cid.clone(),
            text: input.parts.text.clone(),
            created_at: now,
            record: input.record.clone(),
            reply_parent: input.parts.reply_parent.clone(),
            embed: input.parts.embed.map(str::to_owned),
        });
        let mut line = rec.clone();
        line.committed = true;
        line.remote_id = Some(uri.clone());
        Emulator::record(st, now, line);
        Ok(json!({
            "uri": uri, "cid": cid,
            "commit": { "cid": commit, "rev": rev },
            "validationStatus": "valid",
        }))
    });
    let r = match outcome {
        Err(r) => {
            rec.reject(&emu, None);
            r
        }
        Ok(_) if ad.after_commit => internal(),
        Ok(body) => ok(body),
    };
    with_rate(r, &rate)
}

async fn get_record(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = params(q);
    let (repo, collection, rkey) = match (
        param(&p, "repo"),
        param(&p, "collection"),
        param(&p, "rkey"),
    ) {
        (Ok(r), Ok(c), Ok(k)) => (r, c, k),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return e,
    };
    let cid = p.iter().find(|(k, _)| k == "cid").map(|(_, v)| v.as_str());
    // Auth is optional, but a token sent must be a live one.
    let authed = headers.contains_key(header::AUTHORIZATION);
    if authed {
        if let Err(r) = admit_read(&emu, &headers).await {
            return r;
        }
    }
    let did = emu.read(|st, _| {
        st.get::<BlueskyState>()
            .account(repo)
            .map(|a| a.did.clone())
    });
    let Some(did) = did else {
        return invalid(&format!("Could not find repo: {repo}"));
    };
    if !authed {
        if let Err(r) = anonymous_gate(&emu, &did).await {
            return r;
        }
    }
    let uri = format!("at://{did}/{collection}/{rkey}");
    let found = emu.read(|st, _| {
        st.get::<BlueskyState>()
            .posts
            .iter()
            .find(|p| p.uri == uri && cid.is_none_or(|c| c == p.cid))
            .map(|p| json!({ "uri": p.uri, "cid": p.cid, "value": p.record }))
    });
    match found {
        Some(v) => ok(v),
        None => xrpc_error(
            StatusCode::BAD_REQUEST,
            "RecordNotFound",
            &format!("Could not locate record: {uri}"),
        ),
    }
}

async fn get_posts(
    AxState(emu): AxState<Emulator>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if let Err(r) = admit_read(&emu, &headers).await {
        return r;
    }
    let uris: Vec<String> = params(q)
        .into_iter()
        .filter(|(k, _)| k == "uris")
        .map(|(_, v)| v)
        .collect();
    if uris.is_empty() {
        return invalid("Error: Params must have the property \"uris\"");
    }
    if uris.len() > GET_POSTS_MAX {
        return invalid(&format!(
            "Error: uris must not have more than {GET_POSTS_MAX} elements"
        ));
    }
    if let Some(i) = uris.iter().position(|u| !is_at_uri(u)) {
        return invalid(&format!("Error: uris/{i} must be a valid at-uri"));
    }
    let now = emu.now();
    let posts: Vec<Value> = emu.read(|st, _| {
        let bs = st.get::<BlueskyState>();
        uris.iter()
            .filter_map(|u| {
                let u = bs.canonical_uri(u)?;
                bs.posts.iter().find(|p| p.uri == u)
            })
            .map(|p| post_view(&emu, bs, p, now))
            .collect()
    });
    ok(json!({ "posts": posts }))
}

fn post_view(emu: &Emulator, bs: &BlueskyState, p: &BskyPost, now: DateTime<Utc>) -> Value {
    let f = figures(&p.uri, emu.age_secs(p.created_at, now));
    let (handle, name) = bs
        .account(&p.did)
        .map(|a| (a.handle.as_str(), a.display_name.as_str()))
        .unwrap_or(("handle.invalid", ""));
    json!({
        "uri": p.uri, "cid": p.cid,
        "author": { "did": p.did, "handle": handle, "displayName": name },
        "record": p.record,
        "replyCount": f.comments, "repostCount": f.shares, "likeCount": f.likes,
        "quoteCount": f.quotes, "bookmarkCount": f.saves,
        "indexedAt": rfc3339_ms(p.created_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_are_valid_and_only_grow() {
        let mut st = Bluesky::seed(Utc::now());
        let now = Utc::now();
        let a = st.next_tid(now);
        let b = st.next_tid(now);
        assert!(is_tid(&a) && is_tid(&b), "{a} {b}");
        assert!(b > a, "{a} {b}");
        assert!(is_tid("3lbq7xk2m4c2a"));
        for bad in [
            "3lbq7xk2m4c2",
            "klbq7xk2m4c2a",
            "3LBQ7XK2M4C2A",
            "3lbq7xk2m4c2a1",
            "3lbq7xk1m4c2a",
        ] {
            assert!(!is_tid(bad), "{bad}");
        }
    }

    #[test]
    fn cids_are_deterministic_multibase_strings() {
        let blob = cid_of(CODEC_RAW, b"abc");
        let record = cid_of(CODEC_DAG_CBOR, b"abc");
        assert!(blob.starts_with("bafkrei") && blob.len() == 59, "{blob}");
        assert!(
            record.starts_with("bafyrei") && record.len() == 59,
            "{record}"
        );
        assert_eq!(blob, cid_of(CODEC_RAW, b"abc"));
        assert_ne!(blob, cid_of(CODEC_RAW, b"abd"));
        assert!(blob
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }

    #[test]
    fn blob_sizes_read_like_the_pds() {
        assert_eq!(pretty_size(1_000_000), "976.56KB");
        assert_eq!(pretty_size(1_258_291), "1.2MB");
        assert_eq!(pretty_size(512), "512B");
    }

    fn record(text: &str) -> Value {
        json!({ "$type": POST, "text": text, "createdAt": "2026-05-01T09:00:00.000Z" })
    }

    #[test]
    fn post_records_count_graphemes_and_bytes_and_check_facets() {
        assert!(validate_post(&record(&"永".repeat(300))).is_ok());
        let err = validate_post(&record(&"永".repeat(301))).unwrap_err();
        assert_eq!(err, "Record/text must not be longer than 300 graphemes");
        // 150 family emoji (one grapheme, 25 bytes each): over 3000 bytes.
        let err = validate_post(&record(&"👨‍👩‍👧‍👦".repeat(150))).unwrap_err();
        assert!(err.contains("3000"), "{err}");
        let mut r = record("hi there");
        r["facets"] = json!([{ "index": { "byteStart": 3, "byteEnd": 9 },
            "features": [{ "$type": "app.bsky.richtext.facet#tag", "tag": "there" }] }]);
        assert!(validate_post(&r).unwrap_err().contains("byteEnd"));
        r["facets"][0]["index"]["byteEnd"] = json!(8);
        assert!(validate_post(&r).is_ok());
        r["createdAt"] = json!("2026-05-01 09:00:00Z");
        assert!(validate_post(&r).unwrap_err().contains("createdAt"));
    }

    #[test]
    fn clearing_faults_gives_the_demo_its_app_password_back_but_not_its_sessions() {
        let now = Utc::now();
        let mut st = Bluesky::seed(now);
        let (access, refresh) = st.issue(DEMO.did, "tongbu", "did:web:localhost", now);
        st.revoke_password_of(&access);
        assert!(st.accounts[0].app_passwords[0].revoked);
        assert!(st.tokens[&refresh].revoked);
        st.clear_faults();
        assert!(!st.accounts[0].app_passwords[0].revoked);
        assert!(st.tokens[&access].revoked && st.tokens[&refresh].revoked);
    }
}
