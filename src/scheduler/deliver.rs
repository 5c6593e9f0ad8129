//! Sending claimed deliveries: prepare each request, commit the intents
//! together, send concurrently, commit each outcome as soon as it is known.

use super::request::{self, RequestRecord};
use super::writer::OwnedMove;
use super::{failpoint, Round, Scheduler};
use crate::domain::delivery::DeliveryState as S;
use crate::domain::post::{ConnectionStatus, PostContent};
use crate::domain::{ChannelId, PostId, WorkspaceId};
use crate::platforms::{Checkpoint, PlatformClient, PlatformError, PublishRequest, Published};
use crate::store::{ChannelRow, ClaimedDelivery, Health, Intent, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// A claimed delivery ready to send.
struct Prepared {
    claimed: ClaimedDelivery,
    ws: WorkspaceId,
    client: Arc<dyn PlatformClient>,
    request: PublishRequest,
    record_json: String,
}

/// Why a claimed delivery is not sent, and where it goes instead.
struct NotSent {
    state: S,
    error: String,
    next_attempt_at: Option<DateTime<Utc>>,
}

impl NotSent {
    fn new(state: S, error: impl Into<String>) -> NotSent {
        NotSent {
            state,
            error: error.into(),
            next_attempt_at: None,
        }
    }
}

impl Scheduler {
    pub(super) async fn deliver(&self, claimed: Vec<ClaimedDelivery>) -> Round {
        let mut round = Round {
            claimed: claimed.len(),
            ..Round::default()
        };
        let now = self.now();
        // Every claimed post in one read; a failed read stops the batch
        // before anything is sent (each delivery retries shortly).
        let mut post_ids: Vec<PostId> = claimed.iter().map(|c| c.post_id).collect();
        post_ids.sort_unstable();
        post_ids.dedup();
        let contexts = self
            .ports
            .store
            .delivery_contexts(&post_ids)
            .await
            .map_err(|e| format!("database: {e}"));
        let mut channels: HashMap<(WorkspaceId, ChannelId), Option<ChannelRow>> = HashMap::new();
        let mut ready = Vec::new();
        let mut stopped = Vec::new();
        for c in claimed {
            match self.prepare(&c, now, &contexts, &mut channels).await {
                Ok(Some(p)) => ready.push(p),
                // The post moved on (edited, cancelled): the claim is fenced.
                Ok(None) => round.not_sent += 1,
                Err(n) => stopped.push((c, n)),
            }
        }
        if !stopped.is_empty() {
            round.not_sent += stopped.len();
            let moves: Vec<OwnedMove> = stopped
                .iter()
                .map(|(c, n)| OwnedMove {
                    post_id: c.post_id,
                    channel_id: c.channel_id,
                    fence: c.fence,
                    from: S::Claimed,
                    state: n.state,
                    error: Some(n.error.clone()),
                    next_attempt_at: n.next_attempt_at,
                    ..OwnedMove::default()
                })
                .collect();
            let refs: Vec<_> = moves.iter().map(OwnedMove::as_move).collect();
            if let Err(e) = self.ports.store.apply_moves(&refs, now).await {
                tracing::warn!(error = %e, "could not record deliveries not sent; their claims lapse");
            }
        }
        if ready.is_empty() {
            return round;
        }

        // Intent before effect: every attempt is durable before any request
        // leaves.
        let lease_until = now + self.cfg.lease;
        let intents: Vec<Intent<'_>> = ready
            .iter()
            .map(|p| Intent {
                post_id: p.claimed.post_id,
                channel_id: p.claimed.channel_id,
                fence: p.claimed.fence,
                idempotency_key: &p.request.delivery_key,
                request_json: &p.record_json,
                lease_until,
            })
            .collect();
        let numbers = match self.ports.store.begin_attempts(&intents, now).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "could not commit attempt intents; the claims lapse");
                round.not_sent += ready.len();
                return round;
            }
        };
        drop(intents);
        failpoint::hit("after_intent").await;

        let sends = ready
            .into_iter()
            .zip(numbers)
            .filter_map(|(p, n)| n.map(|number| (p, number)))
            .map(|(p, number)| self.send(p, number));
        for r in futures::future::join_all(sends).await {
            round.sent += 1;
            match r {
                S::Published => round.published += 1,
                S::RetryWait => round.retrying += 1,
                S::Unknown => round.unknown += 1,
                S::Failed | S::FailedAuth => round.failed += 1,
                _ => {}
            }
        }
        round.not_sent = round.claimed - round.sent;
        round
    }

    /// Everything a send needs, or why it must not happen. `Ok(None)` when
    /// the post is no longer at the claimed revision.
    async fn prepare(
        &self,
        c: &ClaimedDelivery,
        now: DateTime<Utc>,
        contexts: &Result<HashMap<PostId, crate::store::DeliveryContext>, String>,
        channels: &mut HashMap<(WorkspaceId, ChannelId), Option<ChannelRow>>,
    ) -> Result<Option<Prepared>, NotSent> {
        let retry_soon = |what: String| NotSent {
            state: S::RetryWait,
            error: what,
            next_attempt_at: Some(now + chrono::Duration::seconds(30)),
        };
        let contexts = contexts.as_ref().map_err(|e| retry_soon(e.clone()))?;
        let Some(ctx) = contexts.get(&c.post_id) else {
            return Ok(None);
        };
        if ctx.revision != c.revision {
            return Ok(None);
        }
        let ws = ctx.workspace_id;
        if let std::collections::hash_map::Entry::Vacant(slot) = channels.entry((ws, c.channel_id))
        {
            let row = self
                .ports
                .store
                .channel(ws, c.channel_id)
                .await
                .map_err(|e| retry_soon(format!("database: {e}")))?;
            slot.insert(row);
        }
        let Some(channel) = channels.get(&(ws, c.channel_id)).cloned().flatten() else {
            return Err(NotSent::new(S::Failed, "the channel was removed"));
        };
        let platform = channel.platform;
        if channel.auth_status == ConnectionStatus::Reconnect {
            return Err(NotSent::new(
                S::FailedAuth,
                "the channel must be reconnected before it can publish",
            ));
        }
        if channel.connected_at.is_none() {
            return Err(NotSent::new(
                S::FailedAuth,
                "the channel is not connected to an account",
            ));
        }
        if let Some(until) = self.limits.open_until(c.channel_id, now) {
            return Err(NotSent {
                state: S::RetryWait,
                error: "the platform kept failing; paused before trying again".to_owned(),
                next_attempt_at: Some(until),
            });
        }
        let content: PostContent = serde_json::from_str(&ctx.content_json)
            .map_err(|e| NotSent::new(S::Failed, format!("stored content unreadable: {e}")))?;
        let resume = c
            .progress_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        let (request, record) = request::build(
            &self.ports,
            ws,
            c.post_id,
            c.channel_id,
            c.revision,
            platform,
            &content,
            ctx.campaign.as_deref(),
            resume,
        )
        .await
        .map_err(|e| match e {
            crate::domain::AppError::NotFound => {
                NotSent::new(S::Failed, "an attached file no longer exists")
            }
            other => retry_soon(other.to_string()),
        })?;
        let client = self
            .ports
            .clients
            .client(ws, &channel)
            .await
            .map_err(|e| NotSent::new(S::Failed, e.to_string()))?;
        let blocking: Vec<String> = client
            .validate(&request)
            .iter()
            .filter(|i| i.is_blocking())
            .map(|i| i.code().replace('_', " "))
            .collect();
        if !blocking.is_empty() {
            return Err(NotSent::new(
                S::Failed,
                format!(
                    "the content does not meet {}'s rules: {}",
                    platform.as_str(),
                    blocking.join("; ")
                ),
            ));
        }
        let record_json = serde_json::to_string(&record).unwrap_or_default();
        Ok(Some(Prepared {
            claimed: c.clone(),
            ws,
            client,
            request,
            record_json,
        }))
    }

    /// One request and its outcome; returns the state it ended in.
    async fn send(&self, p: Prepared, number: i64) -> S {
        let c = &p.claimed;
        let _permits = self.limits.permit(c.channel_id).await;
        let checkpoint = StoreCheckpoint {
            store: self.ports.store.clone(),
            post_id: c.post_id,
            channel_id: c.channel_id,
            fence: c.fence,
        };
        let result = p.client.publish(&p.request, &checkpoint).await;
        if matches!(result, Ok(_) | Err(PlatformError::AlreadyDone { .. })) {
            failpoint::hit("after_send").await;
        }
        let now = self.now();
        let attempt = (number - c.attempt_base).max(1) as u32;
        let m = self.outcome(c, result, attempt, now, p.ws).await;
        let state = m.state;
        match self.writer.commit(m).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                post = %c.post_id,
                channel = %c.channel_id,
                "outcome fenced out: the delivery was taken over"
            ),
            Err(e) => tracing::error!(
                post = %c.post_id,
                channel = %c.channel_id,
                error = %e,
                "could not commit an outcome; the lease will make it UNKNOWN and it will be reconciled"
            ),
        }
        state
    }

    /// Where a publish result moves the delivery.
    async fn outcome(
        &self,
        c: &ClaimedDelivery,
        result: Result<Published, PlatformError>,
        attempt: u32,
        now: DateTime<Utc>,
        ws: WorkspaceId,
    ) -> OwnedMove {
        let mut m = OwnedMove {
            post_id: c.post_id,
            channel_id: c.channel_id,
            fence: c.fence,
            from: S::Sending,
            closes_attempt: true,
            ..OwnedMove::default()
        };
        let store = &self.ports.store;
        match result {
            Ok(published) => {
                self.limits.success(c.channel_id);
                self.published(&mut m, &published, now);
            }
            Err(PlatformError::AlreadyDone { remote_id, url }) => {
                self.limits.success(c.channel_id);
                m.state = S::Published;
                m.remote_id = Some(remote_id);
                m.remote_url = url;
            }
            Err(PlatformError::Permanent { reason }) => {
                self.limits.success(c.channel_id);
                m.state = S::Failed;
                m.error = Some(reason);
            }
            Err(PlatformError::Reauthorize { reason }) => {
                // The client already refreshed once. Only this channel is
                // flagged; its other deliveries stop before sending.
                m.state = S::FailedAuth;
                m.error = Some(reason.clone());
                self.ports.clients.forget(c.channel_id);
                let _ = store
                    .record_health(ws, c.channel_id, Health::AuthFailure(&reason), now)
                    .await;
            }
            Err(PlatformError::RetryAt { at, reason }) => {
                if at.is_none() {
                    // No answer at all (connection refused): count it
                    // against the channel's circuit.
                    self.limits.failure(c.channel_id, now);
                }
                self.retry(&mut m, attempt, at, reason, now);
            }
            Err(PlatformError::QuotaExhausted { until, reason }) => {
                self.retry(&mut m, attempt, Some(until), reason, now);
            }
            Err(PlatformError::Unknown { reason }) => {
                self.limits.failure(c.channel_id, now);
                m.state = S::Unknown;
                m.error = Some(format!(
                    "{reason}; checking with the platform before anything is sent again"
                ));
            }
        }
        m
    }

    pub(super) fn published(&self, m: &mut OwnedMove, p: &Published, now: DateTime<Utc>) {
        m.state = S::Published;
        m.remote_id = Some(p.remote_id.clone());
        m.remote_url = p.url.clone();
        if !p.extra.is_null() {
            m.remote_extra_json = Some(p.extra.to_string());
        }
        if p.pending {
            m.followup_at = Some(now + self.cfg.followup_after);
        }
    }

    fn retry(
        &self,
        m: &mut OwnedMove,
        attempt: u32,
        hint: Option<DateTime<Utc>>,
        reason: String,
        now: DateTime<Utc>,
    ) {
        let unit: f64 = rand::random();
        match self.cfg.retry.next_attempt_at(now, attempt, hint, unit) {
            Some(at) => {
                m.state = S::RetryWait;
                m.next_attempt_at = Some(at);
                m.error = Some(reason);
            }
            None => {
                m.state = S::Failed;
                m.error = Some(format!("gave up after {attempt} attempts: {reason}"));
            }
        }
    }
}

/// Keeps a multi-step publish's progress on the delivery (fenced): a retry
/// resumes from it instead of repeating what was already created.
struct StoreCheckpoint {
    store: std::sync::Arc<dyn crate::store::Store>,
    post_id: PostId,
    channel_id: ChannelId,
    fence: i64,
}

#[async_trait]
impl Checkpoint for StoreCheckpoint {
    async fn record(&self, progress: &serde_json::Value) -> Result<(), PlatformError> {
        match self
            .store
            .record_progress(
                self.post_id,
                self.channel_id,
                self.fence,
                &progress.to_string(),
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(PlatformError::unknown(
                "this worker lost the delivery to another while publishing",
            )),
            Err(e) => Err(PlatformError::unknown(format!(
                "could not record progress: {e}"
            ))),
        }
    }
}

/// Reads the request record committed with an attempt.
pub(super) fn record_of(json: Option<&str>) -> Option<RequestRecord> {
    json.and_then(|j| serde_json::from_str(j).ok())
}
