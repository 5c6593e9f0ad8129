//! After the send: deliveries in doubt are reconciled with the platform's
//! strongest tool, and publishes the platform still processes are followed
//! up. Both are keyed on what was committed (the attempt's exact request,
//! the remote id), never on memory, so they resume after any crash.

use super::deliver::record_of;
use super::writer::OwnedMove;
use super::{failpoint, Round, Scheduler};
use crate::domain::delivery::DeliveryState as S;
use crate::domain::{ChannelId, WorkspaceId};
use crate::platforms::{PlatformError, Published, Reconciled, Settled};
use crate::store::{Health, HeldDelivery};

/// How many held deliveries one pass takes.
const PASS: i64 = 64;

impl Scheduler {
    /// UNKNOWN → PUBLISHED (found), RETRY_WAIT (proven absent) or
    /// NEEDS_ATTENTION (the platform cannot tell: fail closed).
    pub(super) async fn reconcile(&self) -> anyhow::Result<Round> {
        let now = self.now();
        let held = self
            .ports
            .store
            .claim_in_doubt(
                now,
                &self.owner,
                now + self.cfg.lease,
                now - self.cfg.reconcile_after,
                PASS,
            )
            .await?;
        let mut round = Round::default();
        let checks = held.iter().map(|h| self.reconcile_one(h));
        for m in futures::future::join_all(checks)
            .await
            .into_iter()
            .flatten()
        {
            let decided = m.state != S::Unknown;
            if let Err(e) = self.writer.commit(m).await {
                tracing::warn!(error = %e, "could not record a reconciliation");
            } else if decided {
                round.reconciled += 1;
            }
        }
        Ok(round)
    }

    async fn reconcile_one(&self, h: &HeldDelivery) -> Option<OwnedMove> {
        let mut m = OwnedMove {
            post_id: h.post_id,
            channel_id: h.channel_id,
            fence: h.fence,
            from: S::Unknown,
            closes_attempt: true,
            ..OwnedMove::default()
        };
        let ws = h.workspace_id;
        let Some(record) = record_of(h.request_json.as_deref()) else {
            m.state = S::NeedsAttention;
            m.error = Some("the attempt's request was not recorded; check the account".into());
            return Some(m);
        };
        let client = match self.client(ws, h.channel_id).await {
            Ok(c) => c,
            Err(reason) => {
                m.state = S::NeedsAttention;
                m.error = Some(format!(
                    "may or may not have been published, and the account cannot be checked: {reason}"
                ));
                return Some(m);
            }
        };
        let since = h.attempt_started_at.unwrap_or_else(|| self.now());
        let _permits = self.limits.permit(h.channel_id).await;
        let now = self.now();
        let mut request = record.to_request();
        // The latest checkpoint, not the one the attempt started from: a
        // record key or container chosen during the attempt is what tells.
        if let Some(progress) = h
            .progress_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
        {
            request.resume = Some(progress);
        }
        match client.reconcile(&request, since).await {
            Ok(Reconciled::Found(p)) => {
                self.published(&mut m, &p, now);
            }
            Ok(Reconciled::Absent) => {
                m.state = S::RetryWait;
                m.next_attempt_at = Some(now);
                m.error = Some("the platform shows it was not published; sending again".into());
            }
            Ok(Reconciled::Undecided { reason }) => {
                m.state = S::NeedsAttention;
                m.error = Some(format!("may or may not have been published: {reason}"));
            }
            Err(PlatformError::Reauthorize { reason }) => {
                let _ = self
                    .ports
                    .store
                    .record_health(ws, h.channel_id, Health::AuthFailure(&reason), now)
                    .await;
                self.ports.clients.forget(h.channel_id);
                m.state = S::NeedsAttention;
                m.error = Some(format!(
                    "may or may not have been published; reconnect the channel to check: {reason}"
                ));
            }
            Err(PlatformError::Permanent { reason }) => {
                m.state = S::NeedsAttention;
                m.error = Some(format!("may or may not have been published: {reason}"));
            }
            Err(e) => {
                // No verdict (the platform did not answer, or it is too
                // early to tell): still in doubt, asked again once it has
                // settled for another while.
                tracing::info!(post = %h.post_id, channel = %h.channel_id, error = %e,
                    "reconciliation postponed");
                m.state = S::Unknown;
                m.closes_attempt = false;
                m.error = Some(format!("still checking with the platform: {e}"));
            }
        }
        Some(m)
    }

    /// Follows up accepted publishes still processing (WeChat): the URL
    /// once it is out, or FAILED if the platform took it down.
    pub(super) async fn follow_up(&self) -> anyhow::Result<Round> {
        let now = self.now();
        let held = self
            .ports
            .store
            .claim_followups(now, &self.owner, now + self.cfg.lease, PASS)
            .await?;
        let mut round = Round::default();
        for h in &held {
            failpoint::hit("during_followup").await;
            if let Some(m) = self.follow_up_one(h).await {
                if let Err(e) = self.writer.commit(m).await {
                    tracing::warn!(error = %e, "could not record a follow-up");
                }
                round.followed_up += 1;
            }
        }
        Ok(round)
    }

    async fn follow_up_one(&self, h: &HeldDelivery) -> Option<OwnedMove> {
        let remote_id = h.remote_id.clone()?;
        let extra = h
            .remote_extra_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or(serde_json::Value::Null);
        let client = self.client(h.workspace_id, h.channel_id).await.ok()?;
        let published = Published {
            remote_id,
            url: None,
            extra,
            pending: true,
        };
        let mut m = OwnedMove {
            post_id: h.post_id,
            channel_id: h.channel_id,
            fence: h.fence,
            from: S::Published,
            state: S::Published,
            ..OwnedMove::default()
        };
        let now = self.now();
        match client.settle(&published).await {
            Ok(Settled::Done(p)) => {
                m.remote_url = p.url.clone();
                if !p.extra.is_null() {
                    m.remote_extra_json = Some(p.extra.to_string());
                }
            }
            Ok(Settled::Pending { check_at }) => {
                m.followup_at = Some(check_at.max(now + chrono::Duration::seconds(1)));
            }
            Ok(Settled::Rejected { reason }) => {
                m.state = S::Failed;
                m.closes_attempt = true;
                m.error = Some(format!(
                    "the platform took it down after accepting it: {reason}"
                ));
            }
            Err(e) => {
                tracing::info!(post = %h.post_id, channel = %h.channel_id, error = %e,
                    "follow-up postponed");
                m.followup_at = Some(now + self.cfg.followup_after * 4);
            }
        }
        Some(m)
    }

    async fn client(
        &self,
        ws: WorkspaceId,
        channel_id: ChannelId,
    ) -> Result<std::sync::Arc<dyn crate::platforms::PlatformClient>, String> {
        let row = self
            .ports
            .store
            .channel(ws, channel_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the channel was removed".to_owned())?;
        self.ports
            .clients
            .client(ws, &row)
            .await
            .map_err(|e| e.to_string())
    }
}
