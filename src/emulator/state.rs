//! The emulator's whole state: what the platforms share (ledger, id
//! counter, rate windows, clock offset) and each platform's own state,
//! serializable as one JSON document.
//!
//! The shared part knows no platform: it holds their states as
//! [`PlatformState`] objects, in registry order, and a platform module
//! reaches its own with [`State::get`] / [`State::get_mut`].
//!
//! Invariants: the ledger only grows and its `seq` is its 1-based position;
//! ids come from one counter so they never repeat across platforms; the
//! state holds exactly one state per registered platform; in the file each
//! platform's state is the key of its name, beside the shared fields; the
//! state file is replaced atomically (write a temp file, then rename).

use crate::domain::content::Platform;
use chrono::{DateTime, Utc};
use serde::ser::{Error as _, SerializeMap};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::any::Any;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

/// One post, as its platform holds it.
pub(crate) struct Post<'a> {
    pub account: &'a str,
    pub remote_id: Cow<'a, str>,
    pub created_at: DateTime<Utc>,
    pub text: Option<&'a str>,
}

impl<'a> Post<'a> {
    pub(crate) fn new(
        account: &'a str,
        remote_id: impl Into<Cow<'a, str>>,
        created_at: DateTime<Utc>,
        text: Option<&'a str>,
    ) -> Post<'a> {
        Post {
            account,
            remote_id: remote_id.into(),
            created_at,
            text,
        }
    }
}

/// One create request the emulator received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: u64,
    pub platform: Platform,
    /// The account the request acted for, as the platform names it (see
    /// each platform module); empty when the request's token could not be
    /// tied to an account.
    pub account: String,
    /// `<platform>.<object>`, such as `x.tweet` or `wechat.draft`.
    pub kind: String,
    pub remote_id: Option<String>,
    /// Whether the platform-side object was created.
    pub committed: bool,
    /// SHA-256 (hex) of the raw request body.
    pub body_sha256: String,
    /// The post's text (tweet text, message or caption, article title).
    pub text: Option<String>,
    /// The request's `Idempotency-Key` header, if it sent one (no imitated
    /// platform honours it).
    pub idempotency_key: Option<String>,
    pub received_at: DateTime<Utc>,
    /// The fault kind applied to this request, if any.
    pub fault: Option<String>,
}

/// A fixed rate window: `count` calls since `start`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Window {
    pub start: DateTime<Utc>,
    pub count: u32,
}

/// The outcome of taking one call from a budget.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    pub limit: u32,
    pub remaining: u32,
    pub reset: DateTime<Utc>,
    pub allowed: bool,
}

/// One platform's own state, as the shared state holds it.
pub(crate) trait PlatformState: ToJson + Any + Send {
    /// Every post it holds, for `/_emulator/posts`.
    fn posts(&self) -> Vec<Post<'_>>;

    /// When its post with this remote id was created; `None` when the id
    /// is not one of its posts.
    fn created_at(&self, remote_id: &str) -> Option<DateTime<Utc>> {
        self.posts()
            .into_iter()
            .find(|p| p.remote_id == remote_id)
            .map(|p| p.created_at)
    }

    /// Undoes what a fault did that outlasts the fault's rule, when every
    /// rule is cleared; most platforms keep such damage.
    fn clear_faults(&mut self) {}
}

/// Writing a state as JSON without knowing its type.
pub(crate) trait ToJson {
    fn to_json(&self) -> serde_json::Result<Value>;
}

impl<T: Serialize> ToJson for T {
    fn to_json(&self) -> serde_json::Result<Value> {
        serde_json::to_value(self)
    }
}

/// Every platform's state, in registry order, under its platform's name.
pub(crate) struct Platforms(Vec<(Platform, Box<dyn PlatformState>)>);

impl Platforms {
    pub(crate) fn new(states: Vec<(Platform, Box<dyn PlatformState>)>) -> Platforms {
        Platforms(states)
    }

    fn find<S: PlatformState>(&self) -> Option<&S> {
        self.0.iter().find_map(|(_, s)| {
            let s: &dyn Any = &**s;
            s.downcast_ref()
        })
    }

    fn find_mut<S: PlatformState>(&mut self) -> Option<&mut S> {
        self.0.iter_mut().find_map(|(_, s)| {
            let s: &mut dyn Any = &mut **s;
            s.downcast_mut()
        })
    }
}

impl Serialize for Platforms {
    fn serialize<Z: Serializer>(&self, ser: Z) -> Result<Z::Ok, Z::Error> {
        let mut map = ser.serialize_map(Some(self.0.len()))?;
        for (platform, state) in &self.0 {
            let json = state.to_json().map_err(Z::Error::custom)?;
            map.serialize_entry(platform.as_str(), &json)?;
        }
        map.end()
    }
}

/// The state; `P` is how the platforms' states are held: [`Platforms`]
/// while running, their JSON by name while the file is being read.
#[derive(Serialize, Deserialize)]
pub(crate) struct State<P = Platforms> {
    pub clock_offset_ms: i64,
    pub counter: u64,
    pub ledger: Vec<LedgerEntry>,
    #[serde(flatten)]
    pub platforms: P,
    pub windows: BTreeMap<String, Window>,
}

/// The state as the file holds it, each platform's state still JSON.
pub(crate) type StateFile = State<BTreeMap<String, Value>>;

impl StateFile {
    /// The shared state of a first start, without any platform yet.
    pub(crate) fn empty() -> StateFile {
        State {
            clock_offset_ms: 0,
            counter: 1000,
            ledger: Vec::new(),
            platforms: BTreeMap::new(),
            windows: BTreeMap::new(),
        }
    }

    pub(crate) fn load(path: &Path) -> anyhow::Result<StateFile> {
        let data = std::fs::read(path)?;
        Ok(serde_json::from_slice(&data)?)
    }

    /// The running state, with the platforms' states in `platforms`.
    pub(crate) fn with(self, platforms: Platforms) -> State {
        State {
            clock_offset_ms: self.clock_offset_ms,
            counter: self.counter,
            ledger: self.ledger,
            platforms,
            windows: self.windows,
        }
    }
}

impl State {
    pub(crate) fn save(&self, path: &Path) -> anyhow::Result<()> {
        let data = serde_json::to_vec(self)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, data)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// The state of the platform whose state type is `S`.
    pub(crate) fn get<S: PlatformState>(&self) -> &S {
        self.platforms.find().expect(UNREGISTERED)
    }

    /// The state of the platform whose state type is `S`, to change.
    pub(crate) fn get_mut<S: PlatformState>(&mut self) -> &mut S {
        self.platforms.find_mut().expect(UNREGISTERED)
    }

    /// A fresh number, unique within this state.
    pub(crate) fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Takes one call from the budget `key` (`limit` calls per `window`).
    pub(crate) fn take(
        &mut self,
        key: &str,
        limit: u32,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Budget {
        let w = self.windows.entry(key.to_owned()).or_insert(Window {
            start: now,
            count: 0,
        });
        if now >= w.start + window {
            w.start = now;
            w.count = 0;
        }
        let allowed = w.count < limit;
        if allowed {
            w.count += 1;
        }
        Budget {
            limit,
            remaining: limit - w.count.min(limit),
            reset: w.start + window,
            allowed,
        }
    }

    /// When the post with this remote id was created, on whichever
    /// platform holds it.
    pub(crate) fn created_at(&self, remote_id: &str) -> Option<DateTime<Utc>> {
        self.platforms
            .0
            .iter()
            .find_map(|(_, s)| s.created_at(remote_id))
    }

    /// Every post of every platform.
    pub(crate) fn posts(&self) -> impl Iterator<Item = (Platform, Post<'_>)> {
        self.platforms
            .0
            .iter()
            .flat_map(|(platform, s)| s.posts().into_iter().map(|post| (*platform, post)))
    }

    /// Lets every platform undo what cleared faults did.
    pub(crate) fn clear_faults(&mut self) {
        for (_, s) in &mut self.platforms.0 {
            s.clear_faults();
        }
    }
}

/// A platform module asked for a state the registry does not hold: its
/// handlers are only routed when it is registered, so this is a bug.
const UNREGISTERED: &str = "the platform's state is held once it is registered";
