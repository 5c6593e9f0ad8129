//! The WeChat Official Account imitation: stable and classic access
//! tokens, permanent material, drafts, freepublish (submit, status, list)
//! and the per-piece datacube; seeded with the app of [`DEMO`]. An account
//! is an app id, in the ledger and in fault rules.
//!
//! Invariants: every answer is HTTP 200; errors are `{"errcode","errmsg"}`
//! with `errmsg` ending in ` rid: <hex>`; some successes carry
//! `errcode: 0`, others none (like the real API); a submitted draft is gone
//! (a second submit is 40007); publish jobs report status 1 for
//! `publish_delay` after submit, then 0. Days are China days (UTC+8).

// Error answers are whole HTTP responses, as is usual with axum; boxing
// them would only add noise on a loopback test server.
#![allow(clippy::result_large_err)]

use super::faults::{CallKind, Fault};
use super::host::{random_hex, random_token, Emulator, Gate, PlatformSim, Rec};
use super::metrics::figures;
use super::net::drop_connection;
use super::request::multipart_parts;
use super::state::{PlatformState, Post, State};
use crate::domain::content::Platform;
use crate::domain::image::image_info;
use axum::body::Bytes;
use axum::extract::{Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

const TOKEN_SECS: i64 = 7200;
/// A classic token stays usable this long after a newer one is fetched.
const OVERLAP_SECS: i64 = 300;
/// Calls per minute per app before 45011.
const MINUTE_QUOTA: u32 = 2000;

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct WechatState {
    pub apps: Vec<WxApp>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WxApp {
    pub app_id: String,
    pub secret: String,
    pub name: String,
    /// Set by a `token_revoked` fault: the secret is refused (40125) until
    /// the faults are cleared.
    pub secret_revoked: bool,
    pub tokens: Vec<WxToken>,
    pub materials: BTreeMap<String, WxMaterial>,
    pub drafts: BTreeMap<String, Vec<Value>>,
    pub publishes: Vec<WxPublish>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WxToken {
    pub token: String,
    pub stable: bool,
    pub expires_at: DateTime<Utc>,
    /// Replaced by a newer token of the same channel (invalid, not merely
    /// expired, once past `expires_at`).
    pub superseded: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WxMaterial {
    pub kind: String,
    pub url: String,
    pub size: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WxPublish {
    pub publish_id: String,
    pub msg_data_id: u64,
    pub article_id: String,
    pub articles: Vec<Value>,
    pub submitted_at: DateTime<Utc>,
}

/// China Standard Time, the day boundary of WeChat's statistics.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The seeded WeChat account.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DemoWechat {
    pub app_id: &'static str,
    pub app_secret: &'static str,
    pub name: &'static str,
}

/// The account this platform is seeded with.
pub(crate) const DEMO: DemoWechat = DemoWechat {
    app_id: "wx00000000000demo1",
    app_secret: "emulated-wechat-secret-1",
    name: "同步 Demo 公众号",
};

/// The WeChat Official Account imitation, as the registry lists it.
pub(crate) struct Wechat;

impl PlatformSim for Wechat {
    const PLATFORM: Platform = Platform::Wechat;
    type State = WechatState;

    fn routes() -> Router<Emulator> {
        Router::new()
            .route("/cgi-bin/stable_token", post(stable_token))
            .route("/cgi-bin/token", get(classic_token))
            .route("/cgi-bin/get_api_domain_ip", get(domain_ip))
            .route("/cgi-bin/material/add_material", post(add_material))
            .route("/cgi-bin/draft/add", post(draft_add))
            .route("/cgi-bin/draft/get", post(draft_get))
            .route("/cgi-bin/freepublish/submit", post(submit))
            .route("/cgi-bin/freepublish/get", post(publish_get))
            .route("/cgi-bin/freepublish/batchget", post(batchget))
            .route("/datacube/getarticletotaldetail", post(total_detail))
    }

    fn seed(_now: DateTime<Utc>) -> WechatState {
        WechatState {
            apps: vec![WxApp {
                app_id: DEMO.app_id.to_owned(),
                secret: DEMO.app_secret.to_owned(),
                name: DEMO.name.to_owned(),
                secret_revoked: false,
                tokens: Vec::new(),
                materials: BTreeMap::new(),
                drafts: BTreeMap::new(),
                publishes: Vec::new(),
            }],
        }
    }
}

impl PlatformState for WechatState {
    /// One post per article, by msgid `<msg_data_id>_<idx>`.
    fn posts(&self) -> Vec<Post<'_>> {
        let mut out = Vec::new();
        for a in &self.apps {
            for p in &a.publishes {
                for (i, art) in p.articles.iter().enumerate() {
                    out.push(Post::new(
                        &a.app_id,
                        format!("{}_{}", p.msg_data_id, i + 1),
                        p.submitted_at,
                        art.get("title").and_then(Value::as_str),
                    ));
                }
            }
        }
        out
    }

    /// By msgid, and also by publish_id or article_id.
    fn created_at(&self, remote_id: &str) -> Option<DateTime<Utc>> {
        let base = remote_id.split('_').next().unwrap_or(remote_id);
        self.apps
            .iter()
            .flat_map(|a| &a.publishes)
            .find(|p| {
                p.publish_id == remote_id
                    || p.article_id == remote_id
                    || p.msg_data_id.to_string() == base
            })
            .map(|p| p.submitted_at)
    }

    /// A secret rejected since a `token_revoked` fault is accepted again:
    /// the operator "reset" it.
    fn clear_faults(&mut self) {
        for a in &mut self.apps {
            a.secret_revoked = false;
        }
    }
}

fn err(code: i64, msg: &str) -> Response {
    let rid = format!("{}-{}-{}", random_hex(4), random_hex(4), random_hex(4));
    Json(json!({ "errcode": code, "errmsg": format!("{msg} rid: {rid}") })).into_response()
}

fn busy() -> Response {
    err(-1, "system error")
}

fn ok(v: Value) -> Response {
    Json(v).into_response()
}

// ---- tokens --------------------------------------------------------------------

enum Cred {
    Ok(usize),
    BadAppid,
    BadSecret,
}

fn check_cred(st: &State, appid: &str, secret: &str) -> Cred {
    let apps = &st.get::<WechatState>().apps;
    match apps.iter().position(|a| a.app_id == appid) {
        None => Cred::BadAppid,
        Some(i) if apps[i].secret != secret || apps[i].secret_revoked => Cred::BadSecret,
        Some(i) => Cred::Ok(i),
    }
}

async fn token_gate(emu: &Emulator, appid: &str) -> Option<Response> {
    match emu.gate(Platform::Wechat, appid, CallKind::Token).await {
        Gate::Proceed { .. } => None,
        Gate::Stop(f) => Some(stop_common(emu, f).await),
    }
}

/// Faults that look the same on every WeChat call.
async fn stop_common(emu: &Emulator, f: Fault) -> Response {
    use super::faults::Fault as F;
    match f {
        F::RateLimit { .. } => err(
            45011,
            "api minute-quota reach limit  mustslower  retry next minute",
        ),
        F::Hang => emu.hang().await,
        F::DropConnection => drop_connection(),
        _ => busy(),
    }
}

#[derive(Deserialize)]
struct StableBody {
    grant_type: Option<String>,
    appid: Option<String>,
    secret: Option<String>,
    #[serde(default)]
    force_refresh: bool,
}

async fn stable_token(AxState(emu): AxState<Emulator>, body: Bytes) -> Response {
    let Ok(b) = serde_json::from_slice::<StableBody>(&body) else {
        return err(47001, "data format error");
    };
    if b.grant_type.as_deref() != Some("client_credential") {
        return err(40002, "invalid grant_type");
    }
    let (appid, secret) = (b.appid.unwrap_or_default(), b.secret.unwrap_or_default());
    if let Some(r) = token_gate(&emu, &appid).await {
        return r;
    }
    emu.mutate(|st, now| {
        let i = match check_cred(st, &appid, &secret) {
            Cred::Ok(i) => i,
            Cred::BadAppid => return err(40013, "invalid appid"),
            Cred::BadSecret => return err(40125, "invalid appsecret"),
        };
        let app = &mut st.get_mut::<WechatState>().apps[i];
        // Normal mode hands out the current stable token while it has more
        // than 5 minutes left; the platform rotates it in the last 5.
        let current = app.tokens.iter().rposition(|t| {
            t.stable && !t.superseded && t.expires_at - now > Duration::seconds(OVERLAP_SECS)
        });
        if let (Some(idx), false) = (current, b.force_refresh) {
            let t = &app.tokens[idx];
            return ok(json!({
                "access_token": t.token,
                "expires_in": (t.expires_at - now).num_seconds(),
            }));
        }
        for t in app.tokens.iter_mut().filter(|t| t.stable && !t.superseded) {
            t.superseded = true;
            if b.force_refresh {
                t.expires_at = t.expires_at.min(now);
            }
        }
        let token = new_token(app, true, now);
        ok(json!({ "access_token": token, "expires_in": TOKEN_SECS }))
    })
}

fn new_token(app: &mut WxApp, stable: bool, now: DateTime<Utc>) -> String {
    let token = format!("{}_{}", random_token(64), if stable { "s" } else { "c" });
    app.tokens.push(WxToken {
        token: token.clone(),
        stable,
        expires_at: now + Duration::seconds(TOKEN_SECS),
        superseded: false,
    });
    // Old records only matter for telling "expired" from "unknown".
    if app.tokens.len() > 32 {
        app.tokens.remove(0);
    }
    token
}

async fn classic_token(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if q.get("grant_type").map(String::as_str) != Some("client_credential") {
        return err(40002, "invalid grant_type");
    }
    let appid = q.get("appid").cloned().unwrap_or_default();
    let secret = q.get("secret").cloned().unwrap_or_default();
    if let Some(r) = token_gate(&emu, &appid).await {
        return r;
    }
    emu.mutate(|st, now| {
        let i = match check_cred(st, &appid, &secret) {
            Cred::Ok(i) => i,
            Cred::BadAppid => return err(40013, "invalid appid"),
            Cred::BadSecret => return err(40125, "invalid appsecret"),
        };
        let app = &mut st.get_mut::<WechatState>().apps[i];
        // Each classic fetch invalidates the previous classic token after a
        // short overlap; stable tokens are a separate channel.
        for t in app.tokens.iter_mut().filter(|t| !t.stable && !t.superseded) {
            t.superseded = true;
            t.expires_at = t.expires_at.min(now + Duration::seconds(OVERLAP_SECS));
        }
        let token = new_token(app, false, now);
        ok(json!({ "access_token": token, "expires_in": TOKEN_SECS }))
    })
}

/// The app and token an authenticated call acts for.
struct Ctx {
    app: usize,
    app_id: String,
    token: String,
}

fn authenticate(st: &State, token: Option<&str>, now: DateTime<Utc>) -> Result<Ctx, Response> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(err(41001, "access_token missing"));
    };
    for (i, app) in st.get::<WechatState>().apps.iter().enumerate() {
        if let Some(t) = app.tokens.iter().find(|t| t.token == token) {
            if app.secret_revoked {
                return Err(err(
                    40001,
                    "invalid credential, access_token is invalid or not latest",
                ));
            }
            if t.expires_at <= now {
                return Err(if t.superseded {
                    err(
                        40001,
                        "invalid credential, access_token is invalid or not latest",
                    )
                } else {
                    err(42001, "access_token expired")
                });
            }
            return Ok(Ctx {
                app: i,
                app_id: app.app_id.clone(),
                token: token.to_owned(),
            });
        }
    }
    Err(err(
        40001,
        "invalid credential, access_token is invalid or not latest",
    ))
}

/// Why a call is not served normally.
enum Denied {
    /// Answer this (bad token, quota).
    Answer(Response),
    /// A fault stops the call; the caller records it, then runs
    /// [`Denied::answer`].
    Fault(Fault, Ctx),
}

impl Denied {
    /// Records a create's ledger line (before a hang can start), then
    /// produces the answer.
    async fn answer(self, emu: &Emulator, rec: Option<Rec>) -> Response {
        match self {
            Denied::Answer(r) => {
                if let Some(rec) = rec {
                    rec.reject(emu, None);
                }
                r
            }
            Denied::Fault(f, ctx) => {
                if let Some(mut rec) = rec {
                    rec.account = ctx.app_id.clone();
                    rec.reject(emu, Some(f.kind()));
                }
                match f {
                    Fault::TokenExpired => {
                        emu.mutate(|st, now| {
                            if let Some(t) = st.get_mut::<WechatState>().apps[ctx.app]
                                .tokens
                                .iter_mut()
                                .find(|t| t.token == ctx.token)
                            {
                                t.expires_at = now;
                            }
                        });
                        err(42001, "access_token expired")
                    }
                    Fault::TokenRevoked => {
                        emu.mutate(|st, _| {
                            st.get_mut::<WechatState>().apps[ctx.app].secret_revoked = true
                        });
                        err(
                            40001,
                            "invalid credential, access_token is invalid or not latest",
                        )
                    }
                    f => stop_common(emu, f).await,
                }
            }
        }
    }
}

/// Authenticates, takes the minute quota and checks faults.
async fn admit(
    emu: &Emulator,
    q: &HashMap<String, String>,
    call: CallKind,
) -> Result<(Ctx, Option<&'static str>, bool), Denied> {
    let quota = emu.budget(MINUTE_QUOTA);
    let ctx = emu
        .mutate(|st, now| {
            let ctx = authenticate(st, q.get("access_token").map(String::as_str), now)?;
            let b = st.take(
                &format!("wechat:{}:minute", ctx.app_id),
                quota,
                Duration::minutes(1),
                now,
            );
            if !b.allowed {
                return Err(err(
                    45011,
                    "api minute-quota reach limit  mustslower  retry next minute",
                ));
            }
            Ok(ctx)
        })
        .map_err(Denied::Answer)?;
    match emu.gate(Platform::Wechat, &ctx.app_id, call).await {
        Gate::Proceed {
            fault,
            after_commit,
        } => Ok((ctx, fault, after_commit)),
        Gate::Stop(f) => Err(Denied::Fault(f, ctx)),
    }
}

async fn domain_ip(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match admit(&emu, &q, CallKind::Read).await {
        Ok((_, _, true)) => busy(),
        Ok(_) => ok(json!({ "ip_list": ["127.0.0.1", "101.226.90.0/25", "101.226.103.0/25"] })),
        Err(d) => d.answer(&emu, None).await,
    }
}

// ---- creates -------------------------------------------------------------------

/// Runs the common part of a create: ledger line, admission, faults.
async fn admit_create(
    emu: &Emulator,
    q: &HashMap<String, String>,
    rec: &mut Rec,
) -> Result<(Ctx, bool), Response> {
    match admit(emu, q, CallKind::Create).await {
        Ok((ctx, fault, after)) => {
            rec.account = ctx.app_id.clone();
            rec.fault = fault;
            Ok((ctx, after))
        }
        Err(d) => Err(d.answer(emu, Some(rec.clone())).await),
    }
}

fn commit(st: &mut State, now: DateTime<Utc>, rec: &Rec, id: &str) {
    let mut line = rec.clone();
    line.committed = true;
    line.remote_id = Some(id.to_owned());
    Emulator::record(st, now, line);
}

async fn add_material(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::Wechat, "wechat.material", &body, &headers);
    let (ctx, after) = match admit_create(&emu, &q, &mut rec).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let kind = q.get("type").cloned().unwrap_or_default();
    if !matches!(kind.as_str(), "image" | "thumb" | "voice" | "video") {
        rec.reject(&emu, None);
        return err(40004, "invalid media type");
    }
    let parts = multipart_parts(&headers, body).await.unwrap_or_default();
    let Some(media) = parts.iter().find(|p| p.name == "media") else {
        rec.reject(&emu, None);
        return err(41005, "media data missing");
    };
    let limit = match kind.as_str() {
        "thumb" => 64 * 1024,
        "voice" => 2 * 1024 * 1024,
        _ => 10 * 1024 * 1024,
    };
    if media.data.is_empty() || media.data.len() > limit {
        rec.reject(&emu, None);
        return err(40009, "invalid image size");
    }
    if matches!(kind.as_str(), "image" | "thumb")
        && image_info(&media.data).is_none()
        && !media
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("image/"))
    {
        rec.reject(&emu, None);
        return err(40113, "unsupported file type");
    }
    let size = media.data.len();
    let (media_id, url) = emu.mutate(|st, now| {
        let n = st.next_id();
        let media_id = format!("EMU_{}_{}", n, random_token(24));
        let url = format!("http://mmbiz.qpic.cn/mmbiz_png/emulated{n}/0?wx_fmt=png");
        st.get_mut::<WechatState>().apps[ctx.app].materials.insert(
            media_id.clone(),
            WxMaterial {
                kind: kind.clone(),
                url: url.clone(),
                size,
            },
        );
        commit(st, now, &rec, &media_id);
        (media_id, url)
    });
    if after {
        return busy();
    }
    ok(json!({ "media_id": media_id, "url": url, "item": [] }))
}

#[derive(Deserialize)]
struct DraftBody {
    articles: Vec<Value>,
}

/// Checks one article against the documented field limits.
fn check_article(app: &WxApp, a: &Value) -> Result<(), Response> {
    let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
    let kind = a
        .get("article_type")
        .and_then(Value::as_str)
        .unwrap_or("news");
    if s("title").is_empty() {
        return Err(err(44003, "empty news data"));
    }
    if s("title").chars().count() > 32 {
        return Err(err(45003, "title size out of limit"));
    }
    if s("author").chars().count() > 16 {
        return Err(err(45110, "author size out of limit"));
    }
    if s("digest").chars().count() > 128 {
        return Err(err(45004, "description size out of limit"));
    }
    if s("content").is_empty() {
        return Err(err(44004, "empty content"));
    }
    if s("content").chars().count() >= 20_000 || s("content").len() >= 1024 * 1024 {
        return Err(err(45002, "content size out of limit"));
    }
    if s("content_source_url").len() > 1024 {
        return Err(err(45005, "url size out of limit"));
    }
    if kind == "news" && !app.materials.contains_key(s("thumb_media_id")) {
        return Err(err(40007, "invalid media_id"));
    }
    Ok(())
}

async fn draft_add(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::Wechat, "wechat.draft", &body, &headers);
    let parsed = serde_json::from_slice::<DraftBody>(&body).ok();
    rec.text = parsed
        .as_ref()
        .and_then(|d| d.articles.first())
        .and_then(|a| a.get("title"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let (ctx, after) = match admit_create(&emu, &q, &mut rec).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(d) = parsed else {
        rec.reject(&emu, None);
        return err(47001, "data format error");
    };
    if d.articles.is_empty() || d.articles.len() > 8 {
        rec.reject(&emu, None);
        return err(45008, "article size out of limit");
    }
    let r = emu.mutate(|st, now| {
        let app = &st.get::<WechatState>().apps[ctx.app];
        for a in &d.articles {
            check_article(app, a)?;
        }
        let media_id = format!("EMU_DRAFT_{}_{}", st.next_id(), random_token(20));
        st.get_mut::<WechatState>().apps[ctx.app]
            .drafts
            .insert(media_id.clone(), d.articles.clone());
        commit(st, now, &rec, &media_id);
        Ok(media_id)
    });
    match r {
        Err(resp) => {
            rec.reject(&emu, None);
            resp
        }
        Ok(_) if after => busy(),
        // Like the real API: no errcode on this success.
        Ok(media_id) => ok(json!({ "media_id": media_id })),
    }
}

fn body_json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
}

/// The common part of a read with a JSON body: admission (token, faults,
/// "system busy"), then the body, which WeChat requires to be an object.
async fn admit_read_json(
    emu: &Emulator,
    q: &HashMap<String, String>,
    body: &[u8],
) -> Result<(Ctx, Value), Response> {
    let ctx = match admit(emu, q, CallKind::Read).await {
        Ok((_, _, true)) => return Err(busy()),
        Ok((ctx, _, _)) => ctx,
        Err(d) => return Err(d.answer(emu, None).await),
    };
    let v = body_json(body).ok_or_else(|| err(47001, "data format error"))?;
    Ok((ctx, v))
}

async fn draft_get(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let (ctx, v) = match admit_read_json(&emu, &q, &body).await {
        Ok(admitted) => admitted,
        Err(answer) => return answer,
    };
    let id = v.get("media_id").and_then(Value::as_str).unwrap_or("");
    emu.read(
        |st, _| match st.get::<WechatState>().apps[ctx.app].drafts.get(id) {
            Some(arts) => ok(json!({ "news_item": arts })),
            None => err(40007, "invalid media_id"),
        },
    )
}

async fn submit(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut rec = Rec::new(Platform::Wechat, "wechat.submit", &body, &headers);
    let media_id = body_json(&body)
        .and_then(|v| v.get("media_id").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    // The ledger text is the draft's first title, known only to us.
    rec.text = emu.read(|st, _| {
        st.get::<WechatState>()
            .apps
            .iter()
            .find_map(|a| a.drafts.get(&media_id))
            .and_then(|arts| arts.first())
            .and_then(|a| a.get("title"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let (ctx, after) = match admit_create(&emu, &q, &mut rec).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let r = emu.mutate(|st, now| {
        let Some(articles) = st.get_mut::<WechatState>().apps[ctx.app]
            .drafts
            .remove(&media_id)
        else {
            return Err(err(40007, "invalid media_id"));
        };
        let n = st.next_id();
        let p = WxPublish {
            publish_id: (2_247_000_000u64 + n).to_string(),
            msg_data_id: 2_650_000_000u64 + n,
            article_id: format!("EMU_ART_{}_{}", n, random_token(16)),
            articles,
            submitted_at: now,
        };
        let out = (p.publish_id.clone(), p.msg_data_id);
        commit(st, now, &rec, &p.publish_id);
        st.get_mut::<WechatState>().apps[ctx.app].publishes.push(p);
        Ok(out)
    });
    match r {
        Err(resp) => {
            rec.reject(&emu, None);
            resp
        }
        Ok(_) if after => busy(),
        // publish_id as a string and msg_data_id as a number: the docs
        // disagree on the types, clients must take both.
        Ok((publish_id, msg_data_id)) => ok(json!({
            "errcode": 0, "errmsg": "ok",
            "publish_id": publish_id, "msg_data_id": msg_data_id,
        })),
    }
}

// ---- reads -----------------------------------------------------------------------

fn article_url(p: &WxPublish, idx: usize) -> String {
    format!(
        "https://mp.weixin.qq.com/s/emulated_{}_{}",
        p.msg_data_id, idx
    )
}

fn is_done(emu: &Emulator, p: &WxPublish, now: DateTime<Utc>) -> bool {
    let delay = Duration::from_std(emu.opts().publish_delay).unwrap_or(Duration::seconds(2));
    now - p.submitted_at >= delay
}

async fn publish_get(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let (ctx, v) = match admit_read_json(&emu, &q, &body).await {
        Ok(admitted) => admitted,
        Err(answer) => return answer,
    };
    let id = match v.get("publish_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    emu.read(|st, now| {
        let Some(p) = st.get::<WechatState>().apps[ctx.app]
            .publishes
            .iter()
            .find(|p| p.publish_id == id)
        else {
            return err(40007, "invalid media_id");
        };
        if !is_done(&emu, p, now) {
            return ok(json!({ "publish_id": p.publish_id, "publish_status": 1, "fail_idx": [] }));
        }
        let items: Vec<Value> = (1..=p.articles.len())
            .map(|i| json!({ "idx": i, "article_url": article_url(p, i) }))
            .collect();
        ok(json!({
            "publish_id": p.publish_id,
            "publish_status": 0,
            "article_id": p.article_id,
            "article_detail": { "count": items.len(), "item": items },
            "fail_idx": [],
        }))
    })
}

async fn batchget(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let (ctx, v) = match admit_read_json(&emu, &q, &body).await {
        Ok(admitted) => admitted,
        Err(answer) => return answer,
    };
    let offset = v.get("offset").and_then(Value::as_u64).unwrap_or(0) as usize;
    let count = v.get("count").and_then(Value::as_u64).unwrap_or(0) as usize;
    let no_content = v.get("no_content").and_then(Value::as_u64).unwrap_or(0) == 1;
    if !(1..=20).contains(&count) {
        return err(40097, "invalid args");
    }
    emu.read(|st, now| {
        let done: Vec<&WxPublish> = st.get::<WechatState>().apps[ctx.app]
            .publishes
            .iter()
            .rev()
            .filter(|p| is_done(&emu, p, now))
            .collect();
        let items: Vec<Value> = done
            .iter()
            .skip(offset)
            .take(count)
            .map(|p| {
                let ts = p.submitted_at.timestamp();
                let news: Vec<Value> = p
                    .articles
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let mut n = a.clone();
                        if let Some(o) = n.as_object_mut() {
                            if no_content {
                                o.remove("content");
                            }
                            o.insert("url".into(), article_url(p, i + 1).into());
                            o.insert("is_deleted".into(), false.into());
                        }
                        n
                    })
                    .collect();
                json!({
                    "article_id": p.article_id,
                    "content": { "news_item": news, "create_time": ts, "update_time": ts },
                    "update_time": ts,
                })
            })
            .collect();
        ok(json!({ "total_count": done.len(), "item_count": items.len(), "item": items }))
    })
}

async fn total_detail(
    AxState(emu): AxState<Emulator>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let (ctx, v) = match admit_read_json(&emu, &q, &body).await {
        Ok(admitted) => admitted,
        Err(answer) => return answer,
    };
    let date = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    let (Some(begin), Some(end)) = (date("begin_date"), date("end_date")) else {
        return err(61500, "date format error");
    };
    let now = emu.now();
    let today = now.with_timezone(&china()).date_naive();
    let yesterday = today.pred_opt().unwrap_or(today);
    if begin != end || end > yesterday {
        return err(61501, "date range error");
    }
    let list = emu.read(|st, _| {
        let mut list = Vec::new();
        for p in &st.get::<WechatState>().apps[ctx.app].publishes {
            let published = p.submitted_at.with_timezone(&china()).date_naive();
            if published != begin || !is_done(&emu, p, now) {
                continue;
            }
            for idx in 1..=p.articles.len() {
                let msgid = format!("{}_{}", p.msg_data_id, idx);
                // One cumulative entry per day from publish to yesterday,
                // within the piece's first 30 days.
                let mut details = Vec::new();
                let mut day = published;
                while day <= yesterday && details.len() < 30 {
                    let end_of_day = day
                        .succ_opt()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .and_then(|t| t.and_local_timezone(china()).single())
                        .map(|t| t.with_timezone(&Utc))
                        .unwrap_or(now);
                    let f = figures(&msgid, emu.age_secs(p.submitted_at, end_of_day));
                    details.push(json!({
                        "stat_date": day.format("%Y-%m-%d").to_string(),
                        "read_user": f.reach,
                        "share_user": f.shares,
                        "like_user": f.likes,
                        "zaikan_user": f.quotes,
                        "comment_count": f.comments,
                        "collection_user": f.saves,
                    }));
                    match day.succ_opt() {
                        Some(d) => day = d,
                        None => break,
                    }
                }
                list.push(json!({
                    "ref_date": begin.format("%Y-%m-%d").to_string(),
                    "msgid": msgid,
                    "publish_type": 1,
                    "detail_list": details,
                }));
            }
        }
        list
    });
    ok(json!({ "list": list, "is_delay": false }))
}
