//! The emulator without any platform: its options, its state behind one
//! lock, the fault gate, the ledger lines, and [`PlatformSim`], what a
//! platform module implements to be served.
//!
//! Invariants:
//! - all state lives behind one mutex that is never held across an await;
//!   with a `state_file` every mutation rewrites the file (temp + rename);
//! - the emulated clock is the wall clock plus an offset that only moves
//!   forward ([`Emulator::advance`]); metric growth runs `speed` times faster
//!   than that clock;
//! - secrets and tokens are never logged.

use super::faults::{CallKind, Fault, FaultBook, FaultRule};
use super::metrics::{self, Figures};
use super::state::{LedgerEntry, PlatformState, Platforms, State, StateFile};
use crate::domain::content::Platform;
use anyhow::Context;
use axum::http::HeaderMap;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
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

/// What a platform module implements, on a unit type of its own, to be
/// served: the emulator routes its paths, seeds, saves and loads its state,
/// and asks that state for its posts. The registry in `mod.rs` lists each
/// implementation once.
pub(crate) trait PlatformSim: Sync + 'static {
    /// Its name in the ledger, in fault rules and in the state file.
    const PLATFORM: Platform;

    /// Its own state, reached with [`State::get`] and [`State::get_mut`];
    /// in the state file under the platform's name.
    type State: PlatformState + Serialize + DeserializeOwned;

    /// The paths of the real API that it serves. At most one platform may
    /// set a fallback: a router has only one.
    fn routes() -> Router<Emulator>;

    /// Its state on a first start, or when the state file has none: its
    /// seeded demo account.
    fn seed(now: DateTime<Utc>) -> Self::State;
}

/// A [`PlatformSim`] as the registry lists it, its types erased.
pub(crate) trait AnySim: Sync {
    fn platform(&self) -> Platform;

    fn routes(&self) -> Router<Emulator>;

    /// Its state from its JSON in the state file, seeded when there is none.
    fn state(
        &self,
        saved: Option<Value>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Box<dyn PlatformState>>;
}

impl<P: PlatformSim> AnySim for P {
    fn platform(&self) -> Platform {
        P::PLATFORM
    }

    fn routes(&self) -> Router<Emulator> {
        <P as PlatformSim>::routes()
    }

    fn state(
        &self,
        saved: Option<Value>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Box<dyn PlatformState>> {
        Ok(match saved {
            Some(json) => Box::new(
                serde_json::from_value::<P::State>(json)
                    .with_context(|| format!("the {} state", P::PLATFORM.as_str()))?,
            ),
            None => Box::new(P::seed(now)),
        })
    }
}

/// A running or embeddable emulator; clones share the same state.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

struct Inner {
    opts: EmulatorOptions,
    state: Mutex<State>,
    faults: Mutex<FaultBook>,
    /// Milliseconds the emulated clock is ahead of the wall clock.
    offset_ms: AtomicI64,
    /// Bumped on shutdown so hung requests give up and drop their
    /// connection instead of holding the server open.
    shutdown: tokio::sync::watch::Sender<u64>,
}

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

impl Emulator {
    /// Builds an emulator of `platforms`, loading `state_file` when it
    /// exists; a platform the file does not hold is seeded.
    pub(crate) fn with_platforms(
        opts: EmulatorOptions,
        platforms: &[&dyn AnySim],
    ) -> anyhow::Result<Emulator> {
        anyhow::ensure!(
            opts.speed.is_finite() && opts.speed > 0.0,
            "speed must be a positive number"
        );
        anyhow::ensure!(
            opts.rate_limit_scale.is_finite() && opts.rate_limit_scale > 0.0,
            "the rate limit scale must be a positive number"
        );
        let mut file = match &opts.state_file {
            Some(path) if path.exists() => {
                StateFile::load(path).with_context(|| format!("reading {}", path.display()))?
            }
            _ => StateFile::empty(),
        };
        let offset = file.clock_offset_ms;
        let now = Utc::now() + chrono::Duration::milliseconds(offset);
        let states = platforms
            .iter()
            .map(|p| {
                let saved = file.platforms.remove(p.platform().as_str());
                Ok((p.platform(), p.state(saved, now)?))
            })
            .collect::<anyhow::Result<_>>()?;
        let (tx, _rx) = tokio::sync::watch::channel(0u64);
        let emu = Emulator {
            inner: Arc::new(Inner {
                opts,
                state: Mutex::new(file.with(Platforms::new(states))),
                faults: Mutex::new(FaultBook::default()),
                offset_ms: AtomicI64::new(offset),
                shutdown: tx,
            }),
        };
        // Write the seeded state at once so the file exists from the start.
        emu.mutate(|_, _| ());
        Ok(emu)
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

    /// Removes every fault rule, and lets each platform undo what a fault
    /// did that outlasts its rule (each platform module says what it
    /// undoes; most undo nothing).
    pub fn clear_faults(&self) {
        self.faults().clear();
        self.mutate(|st, _| st.clear_faults());
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

    /// Today's metric figures of a post, by the remote id its platform
    /// answered, as the emulator reports them.
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

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent-enough data for
        // an emulator; keep serving rather than poisoning every request.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultBook> {
        self.inner.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads state without persisting.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State, DateTime<Utc>) -> R) -> R {
        let now = self.now();
        let st = self.lock();
        f(&st, now)
    }

    /// Changes state and persists it.
    pub(crate) fn mutate<R>(&self, f: impl FnOnce(&mut State, DateTime<Utc>) -> R) -> R {
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
    pub(crate) async fn gate(&self, platform: Platform, account: &str, call: CallKind) -> Gate {
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

    /// Resolves once the server shuts down.
    pub(crate) async fn shutting_down(&self) {
        let mut rx = self.inner.shutdown.subscribe();
        let _ = rx.changed().await;
    }

    pub(crate) fn signal_shutdown(&self) {
        self.inner.shutdown.send_modify(|g| *g += 1);
    }

    /// Appends one create request to the ledger.
    pub(crate) fn record(st: &mut State, now: DateTime<Utc>, rec: Rec) {
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
    pub platform: Platform,
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
        platform: Platform,
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
