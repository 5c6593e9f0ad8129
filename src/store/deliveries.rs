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
use crate::domain::content::Platform;
use crate::domain::delivery::DeliveryState;
use crate::domain::workflow::PostState;
use crate::domain::{ChannelId, PostId, UserId, WorkspaceId};
use chrono::{DateTime, Utc};

/// A delivery a worker now holds.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub revision: i64,
    pub fence: i64,
    /// Attempts made before this claim.
    pub attempts: i64,
    /// Attempts made before a person last said "publish it now": the retry
    /// budget counts from there.
    pub attempt_base: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub progress_json: Option<String>,
}

/// The attempt about to be sent, committed before the call.
pub struct Intent<'a> {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub fence: i64,
    pub idempotency_key: &'a str,
    /// The exact request, for the timeline and for reconciliation.
    pub request_json: &'a str,
    pub lease_until: DateTime<Utc>,
}

/// Where a delivery goes next, and what is known about it.
#[derive(Clone, Debug, Default)]
pub struct Outcome<'a> {
    pub state: DeliveryState,
    pub remote_id: Option<&'a str>,
    pub remote_url: Option<&'a str>,
    /// The platform's further ids ([`crate::platforms::Published::extra`]).
    pub remote_extra_json: Option<&'a str>,
    pub error: Option<&'a str>,
    /// For `retry_wait`: when to try again.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// For a publish the platform still processes: when to look again.
    pub followup_at: Option<DateTime<Utc>>,
}

/// One fenced move of a delivery from `from` to the outcome's state.
#[derive(Clone, Debug)]
pub struct Move<'a> {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub fence: i64,
    pub from: DeliveryState,
    pub outcome: Outcome<'a>,
    /// The move ends (or re-judges) the latest attempt: its row gets the
    /// outcome. False for a claim given back before anything was sent.
    pub closes_attempt: bool,
}

/// What the scheduler needs of a delivery's post.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeliveryContext {
    pub id: PostId,
    pub workspace_id: WorkspaceId,
    pub state: PostState,
    pub revision: i64,
    /// Left as text on purpose: one post's unreadable content must fail
    /// that delivery alone, not the read of its whole batch.
    pub content_json: String,
    pub campaign: Option<String>,
}

/// A delivery that may have been published, taken for reconciliation or
/// for following up, with what its latest attempt sent.
#[derive(Clone, Debug)]
pub struct HeldDelivery {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub fence: i64,
    pub workspace_id: WorkspaceId,
    pub remote_id: Option<String>,
    pub remote_extra_json: Option<String>,
    /// When the latest attempt started, and its exact request.
    pub attempt_started_at: Option<DateTime<Utc>>,
    pub request_json: Option<String>,
    /// What a multi-step publish recorded so far (its checkpoints), which
    /// may be newer than the attempt's request: a record key or container
    /// chosen during the attempt.
    pub progress_json: Option<String>,
}

/// One attempt, for the delivery timelines.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AttemptRow {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub error: Option<String>,
    pub remote_id: Option<String>,
}

/// A person's decision on a delivery the scheduler could not finish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// "It was published", with where.
    Published { url: String },
    /// "Publish it now".
    Retry,
    /// "Cancel it".
    Cancel,
}

/// A delivery as the ledger audit sees it (tests and the benchmark).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeliveryAuditRow {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    pub platform: Platform,
    pub account_id: Option<String>,
    pub delivery_state: DeliveryState,
    pub due_at: Option<DateTime<Utc>>,
    pub revision: Option<i64>,
    pub remote_id: Option<String>,
    pub post_state: PostState,
    pub post_revision: i64,
    pub content_json: String,
    pub campaign: Option<String>,
}

/// What a lease sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    /// Claimed but never sent: free to claim again.
    pub freed: u64,
    /// Sending when its worker vanished: must be reconciled.
    pub unknown: u64,
}

pub use crate::domain::delivery::DeliveryHealth;

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
    async fn begin_attempt(&self, intent: Intent<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
        match self.begin_attempts(&[intent], now).await?.pop().flatten() {
            Some(n) => Ok(n),
            None => Err(super::StoreError::Conflict(super::Conflict::Fenced)),
        }
    }

    /// [`DeliveryStore::begin_attempt`] for many, committed together (one
    /// durable write for a batch); `None` for each one fenced out. The
    /// post's revision and state are checked under its row lock, and the
    /// post becomes `publishing`.
    async fn begin_attempts(
        &self,
        intents: &[Intent<'_>],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Option<i64>>>;

    /// SENDING → the outcome's state, ending the lease, and closes the
    /// attempt row. `FENCED` if the claim is no longer held.
    async fn finish_attempt(
        &self,
        post_id: PostId,
        channel_id: ChannelId,
        fence: i64,
        outcome: Outcome<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let m = Move {
            post_id,
            channel_id,
            fence,
            from: DeliveryState::Sending,
            outcome,
            closes_attempt: true,
        };
        if self.apply_moves(&[m], now).await?.first() == Some(&true) {
            Ok(())
        } else {
            Err(super::StoreError::Conflict(super::Conflict::Fenced))
        }
    }

    /// Fenced moves, committed together; each post whose deliveries moved
    /// gets its state from them (`domain::delivery::post_state`) and its
    /// people a notification when it failed or needs them. `false` for each
    /// move that was fenced out (or no longer in `from`).
    async fn apply_moves(&self, moves: &[Move<'_>], now: DateTime<Utc>) -> StoreResult<Vec<bool>>;

    /// The posts claimed deliveries belong to, by id, in one read (the
    /// scheduler works across workspaces; everything it then reads is
    /// scoped to each post's). A post that no longer exists is absent.
    async fn delivery_contexts(
        &self,
        post_ids: &[PostId],
    ) -> StoreResult<std::collections::HashMap<PostId, DeliveryContext>>;

    /// Takes UNKNOWN deliveries last moved before `settled_before` for
    /// reconciliation, under a lease.
    async fn claim_in_doubt(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        settled_before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<HeldDelivery>>;

    /// Takes published deliveries whose follow-up is due, under a lease.
    async fn claim_followups(
        &self,
        now: DateTime<Utc>,
        owner: &str,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<HeldDelivery>>;

    /// Gives back every claim `owner` holds that was not sent yet (a
    /// graceful shutdown), so another worker takes them at once.
    async fn release_claims(&self, owner: &str, now: DateTime<Utc>) -> StoreResult<u64>;

    /// A person's decision on a delivery in `from` (needs attention, failed,
    /// failed auth) read at `fence`; audited. `STALE` if it moved since.
    #[allow(clippy::too_many_arguments)]
    async fn resolve_delivery(
        &self,
        ws: WorkspaceId,
        post_id: PostId,
        channel_id: ChannelId,
        from: DeliveryState,
        fence: i64,
        resolution: &Resolution,
        actor: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The fence and state of one delivery of the workspace.
    async fn delivery_fence(
        &self,
        ws: WorkspaceId,
        post_id: PostId,
        channel_id: ChannelId,
    ) -> StoreResult<Option<(DeliveryState, i64)>>;

    /// Attempts on the workspace's post, oldest first.
    async fn post_attempts(&self, ws: WorkspaceId, post_id: PostId)
        -> StoreResult<Vec<AttemptRow>>;

    /// The latest `limit` attempts on the workspace's channel, newest first.
    async fn channel_attempts(
        &self,
        ws: WorkspaceId,
        channel_id: ChannelId,
        limit: i64,
    ) -> StoreResult<Vec<AttemptRow>>;

    /// Makes every armed delivery due at `due` (the benchmark arms its
    /// posts ahead, then starts the clock for all of them at once), then
    /// gathers the planner's statistics, as a running database's automatic
    /// analyze would have after so many new rows.
    async fn move_all_due(&self, due: DateTime<Utc>) -> StoreResult<u64>;

    /// Every delivery with its post, for the ledger audit of tests and the
    /// benchmark (not for requests: unscoped).
    async fn audit_deliveries(&self) -> StoreResult<Vec<DeliveryAuditRow>>;

    /// Keeps what a multi-step publish created so far (fenced).
    async fn record_progress(
        &self,
        post_id: PostId,
        channel_id: ChannelId,
        fence: i64,
        progress_json: &str,
    ) -> StoreResult<()>;

    /// Leases that ran out before `before`: CLAIMED → RETRY_WAIT (due at
    /// `now`), SENDING → UNKNOWN (in doubt since `now`), and holds for
    /// reconciling or following up simply end. `before` is `now` for the
    /// regular sweep; a scheduler that knows every other holder is dead
    /// (the one SQLite scheduler) passes a time past every lease.
    async fn expire_leases(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Expired>;

    /// Deliveries not yet settled (anything but published, failed, failed
    /// to authorize, waiting for a person, or cancelled): a cheap count for
    /// a benchmark polling until everything is done.
    async fn open_deliveries(&self) -> StoreResult<i64>;

    /// The counts of [`DeliveryHealth`] at `now`, of one workspace or all.
    async fn delivery_health(
        &self,
        now: DateTime<Utc>,
        ws: Option<WorkspaceId>,
    ) -> StoreResult<DeliveryHealth>;
}
