//! The life of one delivery: one post on one channel, from scheduled to
//! published (or failed, or cancelled), as `delivery.md` designs it. Pure:
//! the scheduler asks [`next`] whether an event may move a delivery and
//! where to; the store applies the answer with a fenced write.
//!
//! The rules that make publishing exactly-once live in the edges:
//! - once an attempt may have reached the platform (SENDING), the only ways
//!   out are a definite answer or UNKNOWN; a crash or an expired lease is
//!   never "retry", it is UNKNOWN (rule 5);
//! - UNKNOWN leaves only through reconciliation (found, proven absent) or
//!   to NEEDS_ATTENTION when the platform cannot tell (rule 7, fail closed);
//! - cancelling (an edit, an unapproval, a cancel) reaches every state that
//!   has not possibly sent, and nothing else;
//! - PUBLISHED, FAILED, FAILED_AUTH and CANCELLED are final, except that a
//!   person may resolve a failure by publishing again.

use crate::domain::{ChannelId, PostId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum DeliveryState {
    /// Its post is not approved at its current revision (a draft, in
    /// review, or edited since approval).
    #[default]
    Pending,
    /// Approved at a revision, waiting for its time.
    Scheduled,
    /// Taken by a worker under a lease; nothing sent yet.
    Claimed,
    /// The attempt (intent) is committed; the request may be on the wire.
    Sending,
    Published,
    /// Nothing reached the platform, or it said when to come back.
    RetryWait,
    /// The platform refused the content or the request for good.
    Failed,
    /// The channel's authorization failed after one refresh.
    FailedAuth,
    /// It may or may not have been published: reconcile before anything else.
    Unknown,
    /// Reconciliation could not decide: a person must.
    NeedsAttention,
    Cancelled,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 11] = [
        DeliveryState::Pending,
        DeliveryState::Scheduled,
        DeliveryState::Claimed,
        DeliveryState::Sending,
        DeliveryState::Published,
        DeliveryState::RetryWait,
        DeliveryState::Failed,
        DeliveryState::FailedAuth,
        DeliveryState::Unknown,
        DeliveryState::NeedsAttention,
        DeliveryState::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Scheduled => "scheduled",
            DeliveryState::Claimed => "claimed",
            DeliveryState::Sending => "sending",
            DeliveryState::Published => "published",
            DeliveryState::RetryWait => "retry_wait",
            DeliveryState::Failed => "failed",
            DeliveryState::FailedAuth => "failed_auth",
            DeliveryState::Unknown => "unknown",
            DeliveryState::NeedsAttention => "needs_attention",
            DeliveryState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        DeliveryState::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// No event of the scheduler moves it any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeliveryState::Published
                | DeliveryState::Failed
                | DeliveryState::FailedAuth
                | DeliveryState::Cancelled
        )
    }

    /// An attempt may have reached the platform: cancelling can no longer
    /// stop it, only reconciliation can tell.
    pub fn may_have_sent(self) -> bool {
        matches!(
            self,
            DeliveryState::Sending | DeliveryState::Unknown | DeliveryState::NeedsAttention
        )
    }
}

/// What happens to a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Its post was approved (or needs no approval) at a revision.
    Schedule,
    /// Its post was edited or unapproved before anything was sent.
    Unschedule,
    /// A worker took it: due, approved revision matching, not cancelled.
    Claim,
    /// The attempt row (number, idempotency material, exact request) is
    /// durably committed; the call may start.
    IntentCommitted,
    /// The platform answered 2xx with an id (or said "already done").
    Published,
    /// Nothing reached the platform (connect error), or 429/quota.
    RetryLater,
    /// The platform refused for good.
    Rejected,
    /// Authorization failed after one refresh.
    AuthFailed,
    /// Timeout after sending, reset, 5xx, or the worker vanished.
    Ambiguous,
    /// The lease ran out without a result (the worker crashed or hung).
    LeaseExpired,
    /// A retry's time came.
    RetryDue,
    /// Reconciliation found the post.
    FoundOnPlatform,
    /// Reconciliation proved it absent: safe to send again.
    ProvenAbsent,
    /// Reconciliation could not decide.
    Undecided,
    /// Edited, unapproved or cancelled before it could have been sent.
    Cancel,
    /// A person: "it was published" (with its URL).
    ResolvedPublished,
    /// A person: "publish it now".
    ResolvedRetry,
    /// A person: "cancel it".
    ResolvedCancel,
    /// The platform accepted the post, then took it down in its own checks
    /// (WeChat's review of an asynchronous publish).
    Withdrawn,
}

impl Event {
    /// Every event, for tests that try them all.
    pub const ALL: [Event; 19] = [
        Event::Schedule,
        Event::Unschedule,
        Event::Claim,
        Event::IntentCommitted,
        Event::Published,
        Event::RetryLater,
        Event::Rejected,
        Event::AuthFailed,
        Event::Ambiguous,
        Event::LeaseExpired,
        Event::RetryDue,
        Event::FoundOnPlatform,
        Event::ProvenAbsent,
        Event::Undecided,
        Event::Cancel,
        Event::ResolvedPublished,
        Event::ResolvedRetry,
        Event::ResolvedCancel,
        Event::Withdrawn,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a {from:?} delivery cannot take {event:?}")]
pub struct InvalidTransition {
    pub from: DeliveryState,
    pub event: Event,
}

/// Where `event` moves a delivery in `from`, or why it cannot.
pub fn next(from: DeliveryState, event: Event) -> Result<DeliveryState, InvalidTransition> {
    use DeliveryState as S;
    use Event as E;
    let to = match (from, event) {
        (S::Pending, E::Schedule) => S::Scheduled,
        // Rescheduled or approved again: re-armed (and fenced) in place.
        (S::Scheduled | S::Claimed | S::RetryWait, E::Schedule) => S::Scheduled,
        // A person retried the failed post: its definite failures are
        // armed again (nothing of theirs reached the platform).
        (S::Failed | S::FailedAuth, E::Schedule) => S::Scheduled,
        (S::Scheduled | S::Claimed | S::RetryWait, E::Unschedule) => S::Pending,
        (S::Scheduled | S::RetryWait, E::Claim) => S::Claimed,
        (S::RetryWait, E::RetryDue) => S::Scheduled,
        (S::Claimed, E::IntentCommitted) => S::Sending,
        // Claimed but never sent: the lease lapsing just frees it.
        (S::Claimed, E::LeaseExpired | E::RetryLater) => S::RetryWait,
        (S::Sending, E::Published) => S::Published,
        (S::Sending, E::RetryLater) => S::RetryWait,
        // Refused before sending (content checks, a channel that must be
        // reconnected first) or by the platform.
        (S::Claimed | S::Sending, E::Rejected) => S::Failed,
        (S::Claimed | S::Sending, E::AuthFailed) => S::FailedAuth,
        (S::Published, E::Withdrawn) => S::Failed,
        (S::Sending, E::Ambiguous | E::LeaseExpired) => S::Unknown,
        (S::Unknown, E::FoundOnPlatform) => S::Published,
        (S::Unknown, E::ProvenAbsent) => S::RetryWait,
        (S::Unknown, E::Undecided) => S::NeedsAttention,
        (S::Pending | S::Scheduled | S::Claimed | S::RetryWait, E::Cancel) => S::Cancelled,
        (S::NeedsAttention, E::ResolvedPublished) => S::Published,
        (S::NeedsAttention | S::Failed | S::FailedAuth, E::ResolvedRetry) => S::Scheduled,
        (S::NeedsAttention | S::Failed | S::FailedAuth, E::ResolvedCancel) => S::Cancelled,
        _ => return Err(InvalidTransition { from, event }),
    };
    Ok(to)
}

/// Every state `event` may move a delivery out of: the one list of them,
/// from which the store builds its set-based writes (arming, disarming,
/// cancelling, claiming) so the life cycle is written only here.
pub fn sources(event: Event) -> Vec<DeliveryState> {
    DeliveryState::ALL
        .into_iter()
        .filter(|s| next(*s, event).is_ok())
        .collect()
}

/// One attempt on one channel, for the delivery timelines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttemptView {
    pub post_id: PostId,
    pub channel_id: ChannelId,
    /// 1 for the first attempt on this channel.
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The state the attempt led to (`published`, `retry_wait`, `failed`,
    /// `unknown`, ...); `None` while it is under way.
    pub outcome: Option<String>,
    /// What went wrong, in words.
    pub error: Option<String>,
    pub remote_id: Option<String>,
}

/// A person's decision on a delivery the scheduler could not finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ResolveAction {
    /// "It was published": give its URL.
    Published,
    /// "Publish it now".
    Retry,
    /// "Cancel it".
    Cancel,
}

impl ResolveAction {
    pub fn event(self) -> Event {
        match self {
            ResolveAction::Published => Event::ResolvedPublished,
            ResolveAction::Retry => Event::ResolvedRetry,
            ResolveAction::Cancel => Event::ResolvedCancel,
        }
    }
}

/// What the delivery system reports for a workspace (dashboard, health).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeliveryHealth {
    /// Due for over two minutes and not taken: no worker is running.
    pub overdue: i64,
    /// Held by a worker whose lease ran out.
    pub stuck: i64,
    /// In doubt for over 15 minutes.
    pub unknown: i64,
    /// Waiting for a person.
    pub needs_attention: i64,
}

/// What a post's state becomes from its deliveries once the scheduler has
/// taken it (`current` is its state now): `None` leaves the post as it is.
/// Pending deliveries do not count.
///
/// - anything still on its way (armed, claimed, sending, in doubt) makes
///   the post `publishing` (a scheduled post whose deliveries have not
///   started stays `scheduled`);
/// - once every delivery has ended, the workflow's precedence of
///   [`Action::ChannelsSettled`](crate::domain::workflow::Action::ChannelsSettled)
///   over the ones not cancelled: a definite failure makes it `failed`, or
///   `partly_published` when another channel has it; then a channel
///   waiting for a person (reconnect, "may or may not have posted") makes
///   it `needs_attention`; otherwise it is `published`;
/// - and a post whose every delivery a person cancelled is `cancelled`.
pub fn post_state(
    current: crate::domain::workflow::PostState,
    deliveries: &[DeliveryState],
) -> Option<crate::domain::workflow::PostState> {
    use crate::domain::workflow::PostState as P;
    use DeliveryState as S;
    let count = |f: &dyn Fn(S) -> bool| deliveries.iter().filter(|d| f(**d)).count();
    let started = count(&|d| !matches!(d, S::Pending | S::Scheduled | S::RetryWait | S::Cancelled));
    let moving = count(&|d| {
        matches!(
            d,
            S::Scheduled | S::RetryWait | S::Claimed | S::Sending | S::Unknown
        )
    });
    let published = count(&|d| d == S::Published);
    let failed = count(&|d| d == S::Failed);
    let waiting = count(&|d| matches!(d, S::NeedsAttention | S::FailedAuth));
    let cancelled = count(&|d| d == S::Cancelled);
    if moving > 0 {
        // Armed and not started yet: a scheduled post stays scheduled; one
        // a person sent out again ("publish it now") is publishing.
        return (current != P::Scheduled || started > 0).then_some(P::Publishing);
    }
    // Every delivery has ended: the workflow's precedence decides, over
    // the deliveries that were not cancelled.
    let ended = published + failed + waiting;
    if ended == 0 {
        return (cancelled > 0).then_some(P::Cancelled);
    }
    let n = |c: usize| u32::try_from(c).unwrap_or(u32::MAX);
    crate::domain::workflow::settle(n(published), n(failed), n(waiting), n(ended)).ok()
}

/// Retry timing: full-jitter exponential backoff, capped, never earlier
/// than the time the platform named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    /// After this many attempts, stop and fail.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::seconds(15),
            cap: Duration::minutes(30),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// When attempt `attempt` (1-based, the one that just failed) may be
    /// followed by the next. `unit` is a uniform random number in [0, 1):
    /// "full jitter" spreads retries of many deliveries over the whole
    /// window instead of stampeding at its end.
    pub fn next_attempt_at(
        &self,
        now: DateTime<Utc>,
        attempt: u32,
        platform_hint: Option<DateTime<Utc>>,
        unit: f64,
    ) -> Option<DateTime<Utc>> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exp = 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        let window_ms =
            (self.base.num_milliseconds() as f64 * exp).min(self.cap.num_milliseconds() as f64);
        let wait = Duration::milliseconds((window_ms * unit.clamp(0.0, 1.0)) as i64);
        let ours = now + wait;
        Some(match platform_hint {
            Some(h) if h > ours => h,
            _ => ours,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use DeliveryState as S;

    const EVENTS: [Event; 19] = Event::ALL;

    #[test]
    fn states_round_trip_their_names() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::parse("publishing"), None);
    }

    #[test]
    fn the_happy_path_publishes() {
        let mut s = S::Pending;
        for e in [
            Event::Schedule,
            Event::Claim,
            Event::IntentCommitted,
            Event::Published,
        ] {
            s = next(s, e).unwrap();
        }
        assert_eq!(s, S::Published);
    }

    #[test]
    fn a_crash_after_sending_is_unknown_never_a_retry() {
        assert_eq!(next(S::Sending, Event::LeaseExpired), Ok(S::Unknown));
        assert_eq!(next(S::Sending, Event::Ambiguous), Ok(S::Unknown));
        assert!(next(S::Unknown, Event::Claim).is_err());
        assert!(next(S::Unknown, Event::RetryDue).is_err());
    }

    #[test]
    fn the_store_sets_are_the_edges_of_their_events() {
        assert_eq!(
            sources(Event::Claim),
            vec![S::Scheduled, S::RetryWait],
            "claimable"
        );
        assert_eq!(
            sources(Event::Cancel),
            vec![S::Pending, S::Scheduled, S::Claimed, S::RetryWait]
        );
        // Nothing that may have been sent is ever armed, disarmed or
        // cancelled by a change to its post.
        for e in [Event::Schedule, Event::Unschedule, Event::Cancel] {
            assert!(sources(e).iter().all(|s| !s.may_have_sent()), "{e:?}");
            assert!(!sources(e).contains(&S::Published), "{e:?}");
        }
    }

    #[test]
    fn a_crash_before_sending_frees_the_delivery() {
        assert_eq!(next(S::Claimed, Event::LeaseExpired), Ok(S::RetryWait));
    }

    #[test]
    fn unknown_leaves_only_through_reconciliation() {
        assert_eq!(next(S::Unknown, Event::FoundOnPlatform), Ok(S::Published));
        assert_eq!(next(S::Unknown, Event::ProvenAbsent), Ok(S::RetryWait));
        assert_eq!(next(S::Unknown, Event::Undecided), Ok(S::NeedsAttention));
        for e in EVENTS {
            if !matches!(
                e,
                Event::FoundOnPlatform | Event::ProvenAbsent | Event::Undecided
            ) {
                assert!(next(S::Unknown, e).is_err(), "{e:?}");
            }
        }
    }

    #[test]
    fn cancelling_stops_only_what_cannot_have_been_sent() {
        for s in S::ALL {
            let r = next(s, Event::Cancel);
            let stoppable = matches!(s, S::Pending | S::Scheduled | S::Claimed | S::RetryWait);
            assert_eq!(r.is_ok(), stoppable, "{s:?}");
        }
    }

    #[test]
    fn a_person_resolves_what_the_scheduler_cannot() {
        assert_eq!(
            next(S::NeedsAttention, Event::ResolvedPublished),
            Ok(S::Published)
        );
        assert_eq!(
            next(S::NeedsAttention, Event::ResolvedRetry),
            Ok(S::Scheduled)
        );
        assert_eq!(next(S::FailedAuth, Event::ResolvedRetry), Ok(S::Scheduled));
        assert!(next(S::Published, Event::ResolvedRetry).is_err());
    }

    #[test]
    fn backoff_grows_caps_and_honours_the_platforms_time() {
        let p = RetryPolicy::default();
        let now = DateTime::<Utc>::UNIX_EPOCH;
        // The window doubles: the latest possible retry after attempt n.
        let latest = |n| p.next_attempt_at(now, n, None, 0.999_999).unwrap() - now;
        assert!(latest(1) <= p.base);
        assert!(latest(2) > p.base && latest(2) <= p.base * 2);
        assert!(latest(7) <= p.cap);
        assert_eq!(p.next_attempt_at(now, 3, None, 0.0), Some(now));
        let hint = now + Duration::hours(2);
        assert_eq!(p.next_attempt_at(now, 1, Some(hint), 0.5), Some(hint));
        assert_eq!(p.next_attempt_at(now, p.max_attempts, None, 0.5), None);
    }

    #[test]
    fn a_post_follows_its_deliveries() {
        use crate::domain::workflow::PostState as P;
        let on = |d: &[S]| post_state(P::Publishing, d);
        assert_eq!(
            post_state(P::Scheduled, &[S::Scheduled, S::Scheduled]),
            None
        );
        assert_eq!(
            post_state(P::Scheduled, &[S::Claimed, S::Scheduled]),
            Some(P::Publishing)
        );
        // "Publish it now" on a failed post's only channel.
        assert_eq!(post_state(P::Failed, &[S::Scheduled]), Some(P::Publishing));
        assert_eq!(on(&[S::Published, S::RetryWait]), Some(P::Publishing));
        assert_eq!(on(&[S::Published, S::Unknown]), Some(P::Publishing));
        assert_eq!(on(&[S::Published, S::Published]), Some(P::Published));
        assert_eq!(on(&[S::Published, S::Cancelled]), Some(P::Published));
        assert_eq!(on(&[S::Published, S::Failed]), Some(P::PartlyPublished));
        assert_eq!(on(&[S::Failed, S::FailedAuth]), Some(P::Failed));
        assert_eq!(on(&[S::Published, S::FailedAuth]), Some(P::NeedsAttention));
        assert_eq!(on(&[S::NeedsAttention]), Some(P::NeedsAttention));
        // A person cancelled the only channel that needed them.
        assert_eq!(
            post_state(P::NeedsAttention, &[S::Cancelled]),
            Some(P::Cancelled)
        );
        assert_eq!(on(&[S::Pending]), None);
    }

    proptest! {
        /// Whatever happens, in whatever order: only the designed edges
        /// are taken, and once published a delivery never moves again
        /// (except that the platform itself may take it down).
        #[test]
        fn any_event_sequence_keeps_the_invariants(events in proptest::collection::vec(0usize..EVENTS.len(), 0..60)) {
            let mut s = S::Pending;
            let mut published = false;
            // An attempt went out and no definite answer came back yet.
            let mut in_doubt = false;
            for i in events {
                let e = EVENTS[i];
                match next(s, e) {
                    Ok(to) => {
                        prop_assert!(!published || (e == Event::Withdrawn && s == S::Published),
                            "a published delivery moved: {s:?} --{e:?}--> {to:?}");
                        match e {
                            Event::IntentCommitted => in_doubt = true,
                            Event::Published | Event::Rejected | Event::AuthFailed
                            | Event::FoundOnPlatform | Event::ProvenAbsent
                            | Event::ResolvedPublished | Event::ResolvedRetry
                            | Event::ResolvedCancel => in_doubt = false,
                            Event::RetryLater if s == S::Sending => in_doubt = false,
                            _ => {}
                        }
                        // Never queued to send again while an earlier attempt
                        // may have landed.
                        if in_doubt {
                            prop_assert!(!matches!(to, S::Pending | S::Scheduled | S::Claimed | S::RetryWait),
                                "{s:?} --{e:?}--> {to:?} while in doubt");
                        }
                        published = to == S::Published;
                        if e == Event::Withdrawn {
                            // Taken down by the platform: final, nothing is sent again.
                            prop_assert_eq!(to, S::Failed);
                        }
                        if to == S::Cancelled {
                            prop_assert!(!s.may_have_sent() || s == S::NeedsAttention);
                        }
                        s = to;
                    }
                    Err(err) => prop_assert_eq!(err.from, s),
                }
            }
        }
    }
}
