//! The exactly-once audit: the platform emulator's ledger of every create
//! it received, joined with the deliveries table (`delivery.md`). Tests,
//! crash tests and the benchmark all judge a run by these four counts, and
//! each must be 0.

use crate::domain::content::{self, Draft};
use crate::domain::delivery::DeliveryState;
use crate::domain::post::{self, PostContent};
use crate::domain::workflow::PostState;
use crate::emulator::LedgerEntry;
use crate::store::DeliveryAuditRow;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JoinCounts {
    /// Posts the platforms hold (committed creates of a post).
    pub remote_posts: usize,
    /// Remote posts beyond one per delivery.
    pub duplicates: usize,
    /// Approved, due deliveries with no remote post that are not failed,
    /// waiting for a person or cancelled.
    pub lost: usize,
    /// Remote posts of no approved delivery (a cancelled or unapproved one,
    /// or none at all).
    pub unauthorized: usize,
    /// Remote posts created before their delivery's time.
    pub early: usize,
}

impl JoinCounts {
    pub fn all_zero(&self) -> bool {
        self.duplicates == 0 && self.lost == 0 && self.unauthorized == 0 && self.early == 0
    }
}

/// Ledger kinds that create a post people see (uploads, drafts and thread
/// replies are steps, not posts).
pub fn creates_a_post(kind: &str) -> bool {
    matches!(
        kind,
        "x.tweet"
            | "facebook.feed"
            | "facebook.photo"
            | "wechat.submit"
            | "bluesky.post"
            | "mastodon.status"
            | "linkedin.post"
    )
}

/// The texts a delivery's post may carry in the ledger: as published on
/// its platform (links appended where the platform does), the plain text,
/// or a WeChat article's title.
fn texts_of(d: &DeliveryAuditRow) -> Vec<String> {
    let platform = d.platform;
    let Ok(content) = serde_json::from_str::<PostContent>(&d.content_json) else {
        return Vec::new();
    };
    let eff = post::effective(&content, d.channel_id, platform, d.campaign.as_deref());
    let draft = Draft {
        text: &eff.text,
        link: eff.link.as_deref(),
        ..Draft::default()
    };
    let mut out = vec![
        content::published_text(platform, &draft).trim().to_owned(),
        eff.text.trim().to_owned(),
    ];
    if let Some(t) = &eff.title {
        out.push(t.trim().to_owned());
    }
    out
}

/// Joins `ledger` with `deliveries` as of `now`.
pub fn join(
    ledger: &[LedgerEntry],
    deliveries: &[DeliveryAuditRow],
    now: DateTime<Utc>,
) -> JoinCounts {
    // (account, text) → deliveries that would publish it.
    let mut by_text: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, d) in deliveries.iter().enumerate() {
        let account = d.account_id.clone().unwrap_or_default();
        let mut texts = texts_of(d);
        texts.sort();
        texts.dedup();
        for t in texts {
            by_text.entry((account.clone(), t)).or_default().push(i);
        }
    }
    let mut counts = JoinCounts::default();
    let mut per_delivery = vec![0usize; deliveries.len()];
    for e in ledger
        .iter()
        .filter(|e| e.committed && creates_a_post(&e.kind))
    {
        counts.remote_posts += 1;
        let text = e.text.as_deref().unwrap_or("").trim().to_owned();
        let Some(candidates) = by_text.get(&(e.account.clone(), text)) else {
            counts.unauthorized += 1;
            continue;
        };
        // Several deliveries with the same text on one account: the one
        // with the fewest posts so far takes it.
        let &i = candidates
            .iter()
            .min_by_key(|&&i| per_delivery[i])
            .expect("non-empty");
        per_delivery[i] += 1;
        let d = &deliveries[i];
        if matches!(d.delivery_state.as_str(), "cancelled" | "pending") {
            counts.unauthorized += 1;
        }
        if d.due_at.is_some_and(|due| e.received_at < due) {
            counts.early += 1;
        }
    }
    for (i, d) in deliveries.iter().enumerate() {
        counts.duplicates += per_delivery[i].saturating_sub(1);
        let approved_and_due = d.revision.is_some()
            && d.due_at.is_some_and(|due| due <= now)
            && d.post_state != PostState::Cancelled;
        let excused = matches!(
            d.delivery_state,
            DeliveryState::Failed
                | DeliveryState::FailedAuth
                | DeliveryState::NeedsAttention
                | DeliveryState::Cancelled
                | DeliveryState::Pending
        );
        if approved_and_due && !excused && per_delivery[i] == 0 {
            counts.lost += 1;
        }
    }
    counts
}
