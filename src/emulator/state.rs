//! The emulator's whole state (accounts, tokens, posts, ledger, rate
//! windows), serializable as one JSON document.
//!
//! Invariants: the ledger only grows and its `seq` is its 1-based position;
//! ids come from one counter so they never repeat across platforms; the
//! state file is replaced atomically (write a temp file, then rename).

use super::{facebook, wechat, x, EmuPlatform};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// (platform, account, remote id, created, text) of one post.
pub(crate) type PostRow = (EmuPlatform, String, String, DateTime<Utc>, Option<String>);

/// One create request the emulator received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: u64,
    pub platform: EmuPlatform,
    /// App id (WeChat), page id (Facebook), user id (X); empty when the
    /// request's token could not be tied to an account.
    pub account: String,
    /// `x.tweet`, `x.media`, `facebook.feed`, `facebook.photo`,
    /// `wechat.submit`, `wechat.draft` or `wechat.material`.
    pub kind: String,
    pub remote_id: Option<String>,
    /// Whether the platform-side object was created.
    pub committed: bool,
    /// SHA-256 (hex) of the raw request body.
    pub body_sha256: String,
    /// The post's text (tweet text, message or caption, article title).
    pub text: Option<String>,
    /// The request's `Idempotency-Key` header, if it sent one (none of the
    /// three platforms honours it).
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

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub clock_offset_ms: i64,
    pub counter: u64,
    pub ledger: Vec<LedgerEntry>,
    pub wechat: wechat::WechatState,
    pub facebook: facebook::FbState,
    pub x: x::XState,
    pub windows: BTreeMap<String, Window>,
}

impl State {
    pub(crate) fn seed(now: DateTime<Utc>) -> State {
        State {
            clock_offset_ms: 0,
            counter: 1000,
            ledger: Vec::new(),
            wechat: wechat::WechatState::seed(now),
            facebook: facebook::FbState::seed(now),
            x: x::XState::seed(now),
            windows: BTreeMap::new(),
        }
    }

    pub(crate) fn load(path: &Path) -> anyhow::Result<State> {
        let data = std::fs::read(path)?;
        Ok(serde_json::from_slice(&data)?)
    }

    pub(crate) fn save(&self, path: &Path) -> anyhow::Result<()> {
        let data = serde_json::to_vec(self)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, data)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
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

    /// When the post with this remote id was created (tweet id,
    /// `{page}_{post}`, WeChat `msgid`, `publish_id` or `article_id`).
    pub(crate) fn created_at(&self, remote_id: &str) -> Option<DateTime<Utc>> {
        if let Some(t) = self.x.tweets.iter().find(|t| t.id == remote_id) {
            return Some(t.created_at);
        }
        if let Some(p) = self.facebook.posts.iter().find(|p| p.id == remote_id) {
            return Some(p.created_at);
        }
        self.wechat.published_at(remote_id)
    }

    /// (platform, account, remote id, created, text) of every post.
    pub(crate) fn all_posts(&self) -> Vec<PostRow> {
        let mut out = Vec::new();
        for t in &self.x.tweets {
            out.push((
                EmuPlatform::X,
                t.user_id.clone(),
                t.id.clone(),
                t.created_at,
                Some(t.text.clone()),
            ));
        }
        for p in &self.facebook.posts {
            out.push((
                EmuPlatform::Facebook,
                p.page_id.clone(),
                p.id.clone(),
                p.created_at,
                p.message.clone(),
            ));
        }
        out.extend(self.wechat.posts());
        out
    }
}
