//! The platform emulator: faithful imitations of the WeChat Official
//! Account, Facebook Graph and X v2 APIs on one loopback host, used by the
//! demo, the tests and the benchmarks.
//!
//! It serves the real platforms' paths (see the client/emulator contract),
//! so a client pointed at the emulator's base URL works unchanged. Beyond
//! the platform APIs it is the *oracle* of the exactly-once tests:
//! - every create request that reaches it is written to the ledger
//!   ([`LedgerEntry`]), committed or not, with the fault that was applied;
//! - faults ([`FaultRule`]) are injected per platform and account and count
//!   down `times`; they reproduce what the real platform would answer.
//!
//! Invariants:
//! - all state lives behind one mutex that is never held across an await;
//!   with a `state_file` every mutation rewrites the file (temp + rename);
//! - the emulated clock is the wall clock plus an offset that only moves
//!   forward ([`Emulator::advance`]); metric growth runs `speed` times faster
//!   than that clock;
//! - secrets and tokens are never logged.

mod consent;
mod demo;
mod facebook;
mod faults;
mod metrics;
mod net;
mod state;
mod wechat;
mod x;

pub use demo::{DemoAccounts, DemoFacebook, DemoWechat, DemoX, DEMO};
pub use faults::{Fault, FaultRule, FaultScope};
pub use metrics::Figures;
pub use net::RunningEmulator;
pub use state::LedgerEntry;

/// The platforms' names in the ledger and in fault rules (the domain's
/// own names).
pub use crate::domain::content::Platform as EmuPlatform;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How an emulator instance behaves.
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    /// Emulated seconds of post life per real (or advanced) second, for
    /// metric growth only; 1.0 = real time.
    pub speed: f64,
    /// Persist all state as JSON here, rewritten after each mutation and
    /// loaded at start.
    pub state_file: Option<PathBuf>,
    /// How long a WeChat publish job stays "publishing" (status 1).
    pub publish_delay: Duration,
    /// Multiplies every rate budget: 1.0 is the platforms' real limits; a
    /// benchmark that sends thousands of posts to a few accounts raises it.
    pub rate_limit_scale: f64,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            speed: 1.0,
            state_file: None,
            publish_delay: Duration::from_secs(2),
            rate_limit_scale: 1.0,
        }
    }
}

/// A running or embeddable emulator; clones share the same state.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

struct Inner {
    opts: EmulatorOptions,
    state: Mutex<state::State>,
    faults: Mutex<faults::FaultBook>,
    /// Milliseconds the emulated clock is ahead of the wall clock.
    offset_ms: AtomicI64,
    /// Bumped on shutdown so hung requests give up and drop their
    /// connection instead of holding the server open.
    shutdown: tokio::sync::watch::Sender<u64>,
}

/// Marker put on a response whose connection must be closed without
/// answering (see `net`).
#[derive(Clone, Copy)]
pub(crate) struct KillConnection;

/// What a fault check lets a handler do.
pub(crate) enum Gate {
    /// Go on; `fault` names an applied fault that does not stop the request
    /// (latency, error_after_commit), `after_commit` asks for the 5xx after
    /// committing.
    Proceed {
        fault: Option<&'static str>,
        after_commit: bool,
    },
    /// Answer with this fault instead of doing the work.
    Stop(Fault),
}

/// Which kind of call a fault is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    Create,
    Read,
    /// Token endpoints: token faults do not apply there.
    Token,
}

impl Emulator {
    /// Builds an emulator, loading `state_file` when it exists, otherwise
    /// seeding the demo accounts.
    pub fn new(opts: EmulatorOptions) -> anyhow::Result<Emulator> {
        anyhow::ensure!(
            opts.speed.is_finite() && opts.speed > 0.0,
            "speed must be a positive number"
        );
        anyhow::ensure!(
            opts.rate_limit_scale.is_finite() && opts.rate_limit_scale > 0.0,
            "the rate limit scale must be a positive number"
        );
        let loaded = match &opts.state_file {
            Some(path) if path.exists() => Some(state::State::load(path)?),
            _ => None,
        };
        let offset = loaded.as_ref().map(|s| s.clock_offset_ms).unwrap_or(0);
        let st = match loaded {
            Some(s) => s,
            None => state::State::seed(Utc::now() + chrono::Duration::milliseconds(offset)),
        };
        let (tx, _rx) = tokio::sync::watch::channel(0u64);
        let emu = Emulator {
            inner: Arc::new(Inner {
                opts,
                state: Mutex::new(st),
                faults: Mutex::new(faults::FaultBook::default()),
                offset_ms: AtomicI64::new(offset),
                shutdown: tx,
            }),
        };
        // Write the seeded state at once so the file exists from the start.
        emu.mutate(|_, _| ());
        Ok(emu)
    }

    /// The emulator's routes: the three platforms and `/_emulator/*`.
    ///
    /// `drop_connection` needs the connection handle that [`Emulator::serve`]
    /// provides; served any other way, that fault closes the connection
    /// after an empty 502 instead.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/_emulator/ledger", get(ctl_ledger))
            .route(
                "/_emulator/faults",
                get(ctl_faults_list)
                    .post(ctl_faults_add)
                    .delete(ctl_faults_clear),
            )
            .route("/_emulator/accounts", get(ctl_accounts))
            .route("/_emulator/advance", post(ctl_advance))
            .route("/_emulator/posts", get(ctl_posts))
            .merge(wechat::routes())
            .merge(x::routes())
            // Facebook's Graph paths start with a free version segment.
            .fallback(facebook::fallback)
            .layer(DefaultBodyLimit::max(32 * 1024 * 1024))
            .layer(axum::middleware::from_fn(net::connection_guard))
            .with_state(self.clone())
    }

    /// Binds `addr`, serves in the background and returns at once.
    pub async fn serve(&self, addr: std::net::SocketAddr) -> anyhow::Result<RunningEmulator> {
        net::serve(self.clone(), addr).await
    }

    /// Every create request received so far, oldest first.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.lock().ledger.clone()
    }

    /// How many create requests the ledger holds (without copying it).
    pub fn ledger_len(&self) -> usize {
        self.lock().ledger.len()
    }

    /// Adds a fault rule; returns its id.
    pub fn inject(&self, rule: FaultRule) -> u64 {
        self.faults().add(rule)
    }

    /// Removes every fault rule. A WeChat secret rejected by `token_revoked`
    /// is accepted again (the operator "reset" it); X and Facebook tokens
    /// revoked by a fault stay revoked until a new consent.
    pub fn clear_faults(&self) {
        self.faults().clear();
        self.mutate(|st, _| wechat::unrevoke_all(st));
    }

    /// Moves the emulated clock forward (tokens expire, publish jobs finish,
    /// metrics grow by `d × speed`).
    pub fn advance(&self, d: Duration) {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4);
        self.inner.offset_ms.fetch_add(ms, Ordering::SeqCst);
        self.mutate(|_, _| ());
    }

    /// The emulated current time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.inner.offset_ms.load(Ordering::SeqCst))
    }

    /// A new X token family for the demo user, as a completed consent
    /// grants one, so a tool can connect many channels to the account
    /// without a browser, each with its own single-use refresh tokens.
    pub fn grant_demo_x_tokens(&self) -> (String, String, DateTime<Utc>) {
        x::grant(self, DEMO.x.user_id)
    }

    /// Today's metric figures of a post, by its remote id (tweet id,
    /// `{page}_{post}` or WeChat `msgid`), as the emulator reports them.
    pub fn figures(&self, remote_id: &str) -> Option<Figures> {
        let now = self.now();
        let st = self.lock();
        let created = st.created_at(remote_id)?;
        Some(metrics::figures(remote_id, self.age_secs(created, now)))
    }

    /// A platform's budget with the configured scale applied.
    pub(crate) fn budget(&self, limit: u32) -> u32 {
        (f64::from(limit) * self.inner.opts.rate_limit_scale).clamp(1.0, f64::from(u32::MAX / 2))
            as u32
    }

    pub(crate) fn opts(&self) -> &EmulatorOptions {
        &self.inner.opts
    }

    /// Emulated post age in seconds at `at`, speed applied.
    pub(crate) fn age_secs(&self, created: DateTime<Utc>, at: DateTime<Utc>) -> f64 {
        let real = (at - created).num_milliseconds().max(0) as f64 / 1000.0;
        real * self.inner.opts.speed
    }

    fn lock(&self) -> MutexGuard<'_, state::State> {
        // A panic while holding the lock leaves consistent-enough data for
        // an emulator; keep serving rather than poisoning every request.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn faults(&self) -> MutexGuard<'_, faults::FaultBook> {
        self.inner.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads state without persisting.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&state::State, DateTime<Utc>) -> R) -> R {
        let now = self.now();
        let st = self.lock();
        f(&st, now)
    }

    /// Changes state and persists it.
    pub(crate) fn mutate<R>(&self, f: impl FnOnce(&mut state::State, DateTime<Utc>) -> R) -> R {
        let now = self.now();
        let mut st = self.lock();
        let r = f(&mut st, now);
        st.clock_offset_ms = self.inner.offset_ms.load(Ordering::SeqCst);
        if let Some(path) = &self.inner.opts.state_file {
            if let Err(e) = st.save(path) {
                tracing::warn!(error = %e, "emulator: could not write the state file");
            }
        }
        r
    }

    /// Checks the fault rules for one call and applies latency.
    pub(crate) async fn gate(&self, platform: EmuPlatform, account: &str, call: CallKind) -> Gate {
        let fault = self.faults().take(platform, account, call);
        match fault {
            None => Gate::Proceed {
                fault: None,
                after_commit: false,
            },
            Some(Fault::Latency { ms }) => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Gate::Proceed {
                    fault: Some("latency"),
                    after_commit: false,
                }
            }
            Some(Fault::ErrorAfterCommit) => Gate::Proceed {
                fault: Some("error_after_commit"),
                after_commit: true,
            },
            Some(f) => Gate::Stop(f),
        }
    }

    /// Never answers: waits until the server shuts down (or the client
    /// gives up, which drops this future), then drops the connection.
    pub(crate) async fn hang(&self) -> Response {
        let mut rx = self.inner.shutdown.subscribe();
        let _ = rx.changed().await;
        drop_connection()
    }

    pub(crate) fn signal_shutdown(&self) {
        self.inner.shutdown.send_modify(|g| *g += 1);
    }

    /// Appends one create request to the ledger.
    pub(crate) fn record(st: &mut state::State, now: DateTime<Utc>, rec: Rec) {
        let seq = st.ledger.len() as u64 + 1;
        st.ledger.push(LedgerEntry {
            seq,
            platform: rec.platform,
            account: rec.account,
            kind: rec.kind.to_owned(),
            remote_id: rec.remote_id,
            committed: rec.committed,
            body_sha256: rec.body_sha256,
            text: rec.text,
            idempotency_key: rec.idempotency_key,
            received_at: now,
            fault: rec.fault.map(str::to_owned),
        });
    }
}

/// A ledger line being built by a create handler.
#[derive(Clone, Debug)]
pub(crate) struct Rec {
    pub platform: EmuPlatform,
    pub account: String,
    pub kind: &'static str,
    pub remote_id: Option<String>,
    pub committed: bool,
    pub body_sha256: String,
    pub text: Option<String>,
    pub idempotency_key: Option<String>,
    pub fault: Option<&'static str>,
}

impl Rec {
    pub(crate) fn new(
        platform: EmuPlatform,
        kind: &'static str,
        body: &[u8],
        headers: &HeaderMap,
    ) -> Rec {
        Rec {
            platform,
            account: String::new(),
            kind,
            remote_id: None,
            committed: false,
            body_sha256: sha256_hex(body),
            text: None,
            idempotency_key: headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            fault: None,
        }
    }

    /// Writes this line as not committed, with `fault` applied.
    pub(crate) fn reject(mut self, emu: &Emulator, fault: Option<&'static str>) {
        self.committed = false;
        self.remote_id = None;
        self.fault = fault.or(self.fault);
        emu.mutate(|st, now| Emulator::record(st, now, self));
    }
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A random lowercase hex string of `bytes` bytes.
pub(crate) fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// A random URL-safe token of about `len` characters.
pub(crate) fn random_token(len: usize) -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A response that the connection guard turns into a closed connection.
pub(crate) fn drop_connection() -> Response {
    let mut r = StatusCode::BAD_GATEWAY.into_response();
    r.extensions_mut().insert(KillConnection);
    r
}

/// Parses `a=b&c=d` into pairs (later duplicates win in maps built from it).
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// One part of a multipart body.
pub(crate) struct Part {
    pub name: String,
    pub data: Bytes,
    pub content_type: Option<String>,
}

/// Parses a multipart body already read into memory (the raw bytes are
/// kept for the ledger hash).
pub(crate) async fn multipart_parts(headers: &HeaderMap, body: Bytes) -> Option<Vec<Part>> {
    use axum::extract::FromRequest;
    let mut req = axum::http::Request::new(axum::body::Body::from(body));
    if let Some(ct) = headers.get(axum::http::header::CONTENT_TYPE) {
        req.headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, ct.clone());
    }
    let mut mp = axum::extract::Multipart::from_request(req, &())
        .await
        .ok()?;
    let mut parts = Vec::new();
    while let Ok(Some(field)) = mp.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(str::to_owned);
        let data = field.bytes().await.ok()?;
        parts.push(Part {
            name,
            data,
            content_type,
        });
    }
    Some(parts)
}

/// Width, height and MIME type of a PNG, GIF or JPEG image, when readable.
pub(crate) fn image_info(data: &[u8]) -> Option<(&'static str, u32, u32)> {
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes([data[16], data[17], data[18], data[19]]);
        let h = u32::from_be_bytes([data[20], data[21], data[22], data[23]]);
        return Some(("image/png", w, h));
    }
    if data.len() >= 10 && (data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a")) {
        let w = u16::from_le_bytes([data[6], data[7]]) as u32;
        let h = u16::from_le_bytes([data[8], data[9]]) as u32;
        return Some(("image/gif", w, h));
    }
    if data.starts_with(&[0xFF, 0xD8]) {
        // Walk the JPEG segments to the first start-of-frame marker.
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                return None;
            }
            let marker = data[i + 1];
            let len = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
            if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                let h = u16::from_be_bytes([data[i + 5], data[i + 6]]) as u32;
                let w = u16::from_be_bytes([data[i + 7], data[i + 8]]) as u32;
                return Some(("image/jpeg", w, h));
            }
            i += 2 + len;
        }
        return Some(("image/jpeg", 0, 0));
    }
    None
}

// ---- control API -------------------------------------------------------

async fn ctl_ledger(AxState(emu): AxState<Emulator>) -> Json<Vec<LedgerEntry>> {
    Json(emu.ledger())
}

async fn ctl_faults_add(AxState(emu): AxState<Emulator>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultRule>(&body) {
        Ok(rule) => {
            let id = emu.inject(rule);
            Json(serde_json::json!({ "id": id })).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": e.to_string() })),
        )
            .into_response(),
    }
}

async fn ctl_faults_list(AxState(emu): AxState<Emulator>) -> Response {
    Json(emu.faults().list()).into_response()
}

async fn ctl_faults_clear(AxState(emu): AxState<Emulator>) -> StatusCode {
    emu.clear_faults();
    StatusCode::NO_CONTENT
}

async fn ctl_accounts() -> Json<DemoAccounts> {
    Json(DEMO)
}

#[derive(Deserialize)]
struct AdvanceBody {
    secs: u64,
}

async fn ctl_advance(AxState(emu): AxState<Emulator>, Json(b): Json<AdvanceBody>) -> Response {
    emu.advance(Duration::from_secs(b.secs));
    Json(serde_json::json!({ "now": emu.now() })).into_response()
}

/// Every post the emulator holds, with its current figures: handy for the
/// demo and for checking "visible" without a platform token.
async fn ctl_posts(AxState(emu): AxState<Emulator>) -> Response {
    let now = emu.now();
    let posts = emu.read(|st, _| st.all_posts());
    let out: Vec<serde_json::Value> = posts
        .into_iter()
        .map(|(platform, account, id, created, text)| {
            let f = metrics::figures(&id, emu.age_secs(created, now));
            serde_json::json!({
                "platform": platform, "account": account, "remote_id": id,
                "created_at": created, "text": text, "figures": f,
            })
        })
        .collect();
    Json(out).into_response()
}
