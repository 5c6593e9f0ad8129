//! Deliveries as jobs: claiming due ones under a lease with a fencing
//! token, committing an attempt's intent before its request is sent, and
//! recording its outcome. Every write after the claim names the fence it
//! holds; a person's change (reschedule, edit, cancel) bumps the fence, so
//! a worker acting on stale facts changes nothing (`FENCED`).
//!
//! The claim itself checks what makes publishing allowed: the post is
//! scheduled (or publishing) and its current revision is the one the
//! delivery was approved at. No transaction spans a network call: claim,
//! commit the intent, call, commit the result.

use super::StoreResult;
use chrono::{DateTime, Utc};

/// A delivery a worker now holds.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub post_id: i64,
    pub channel_id: i64,
    pub revision: i64,
    pub fence: i64,
    /// Attempts made before this claim.
    pub attempts: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub progress_json: Option<String>,
}

/// The attempt about to be sent, committed before the call.
pub struct Intent<'a> {
    pub post_id: i64,
    pub channel_id: i64,
    pub fence: i64,
    pub idempotency_key: &'a str,
    /// The exact request, for the timeline and for reconciliation.
    pub request_json: &'a str,
    pub lease_until: DateTime<Utc>,
}

/// How an attempt ended.
pub struct Outcome<'a> {
    pub state: crate::domain::delivery::DeliveryState,
    pub remote_id: Option<&'a str>,
    pub remote_url: Option<&'a str>,
    pub error: Option<&'a str>,
    /// For `retry_wait`: when to try again.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// What a lease sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    /// Claimed but never sent: free to claim again.
    pub freed: u64,
    /// Sending when its worker vanished: must be reconciled.
    pub unknown: u64,
}

/// The delivery system's health, for `/healthz` and the dashboard: each
/// count is something that should be zero when workers run and platforms
/// answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryHealth {
    /// Armed and due for more than two minutes, yet unclaimed: no worker
    /// is running, or they cannot keep up.
    pub overdue: i64,
    /// Claimed or sending with a lease that ran out over a minute ago: the
    /// sweep is not running.
    pub stuck: i64,
    /// Possibly published for more than 15 minutes without reconciliation.
    pub unknown: i64,
    /// Waiting for a person.
    pub needs_attention: i64,
}

#[async_trait::async_trait]
pub trait DeliveryStore: Send + Sync {
    /// Claims up to `limit` deliveries due at `now` for `owner` until
    /// `lease_until`, oldest due first. Concurrent claimers never get the
    /// same delivery.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>>;

    /// CLAIMED → SENDING with the attempt row, in one transaction; returns
    /// the attempt's number. `FENCED` if the claim is no longer held.
    async fn begin_attempt(&self, intent: Intent<'_>, now: DateTime<Utc>) -> StoreResult<i64>;

    /// SENDING → the outcome's state, ending the lease, and closes the
    /// attempt row. `FENCED` if the claim is no longer held.
    async fn finish_attempt(
        &self,
        post_id: i64,
        channel_id: i64,
        fence: i64,
        outcome: Outcome<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Keeps what a multi-step publish created so far (fenced).
    async fn record_progress(
        &self,
        post_id: i64,
        channel_id: i64,
        fence: i64,
        progress_json: &str,
    ) -> StoreResult<()>;

    /// Leases that ran out: CLAIMED → RETRY_WAIT, SENDING → UNKNOWN.
    async fn expire_leases(&self, now: DateTime<Utc>) -> StoreResult<Expired>;

    /// The counts of [`DeliveryHealth`] at `now`, across workspaces.
    async fn delivery_health(&self, now: DateTime<Utc>) -> StoreResult<DeliveryHealth>;
}
