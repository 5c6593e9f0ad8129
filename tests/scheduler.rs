//! The publishing scheduler end to end, on SQLite and on PostgreSQL: real
//! posts on real channels connected to the built-in platform emulator, the
//! scheduler driven one round at a time (`Scheduler::tick`) on the app's
//! manual clock, and platforms and workers misbehaving the way they do in
//! production (a 5xx after the post was created, a 429 with a reset time, a
//! revoked token, a refused post, an asynchronous publish, a worker that
//! vanishes with a claim or mid-send).
//!
//! What it proves (`delivery.md`): every approved post goes out once per
//! channel, at its time and not before, in the approved revision; an answer
//! that leaves doubt is reconciled with the platform and never sent blindly
//! again; definite failures stop with the reason and tell the author; a
//! person can settle what the scheduler could not. Every test ends with the
//! ledger audit (the emulator's record of each create it received, joined
//! with the deliveries table): no duplicate, nothing lost, nothing
//! unauthorized, nothing early.
//!
//! Two clocks are in play: the app's (a `ManualClock`) and the emulator's
//! (the wall clock plus `Emulator::advance`). Moving the app's clock forward
//! also moves the emulator's when it would fall behind ([`World::travel_to`]),
//! so "early" keeps its meaning. The platform clients measure their own
//! delays (X's and Facebook's settle time before "not there" is believed,
//! Facebook's throttling reset) on the wall clock; the tests that depend on
//! those say so.

mod common;

use common::PNG;

use chrono::{DateTime, Duration, Utc};
use common::world::World;
use common::Backend;
use tongbu::domain::content::Platform;
use tongbu::domain::delivery::DeliveryState;
use tongbu::domain::delivery::{AttemptView, ResolveAction};
use tongbu::domain::post::{ConnectionStatus, PostChannelView, PostContent, PostInput, PostView};
use tongbu::domain::schedule::When;
use tongbu::domain::workflow::{Action, Policy, PostState};
use tongbu::domain::{AppError, ChannelId, PostId, Role};
use tongbu::emulator::{EmuPlatform, Fault, FaultRule, FaultScope, LedgerEntry, DEMO};
use tongbu::platforms::{NoCheckpoint, PublishRequest};
use tongbu::scheduler::{Round, SchedulerConfig};
use tongbu::server::{accounts, channels, deliveries, demo, media, posts};
use tongbu::store::{ClaimedDelivery, Intent, UserRow};

/// The lease owner of a worker that is not this test's scheduler.
const GHOST: &str = "ghost-owner";
/// The lease a ghost worker takes (the scheduler's default too).
const GHOST_LEASE: Duration = Duration::minutes(5);

impl World {
    async fn new(backend: Backend) -> World {
        World::with_scheduler(
            backend,
            SchedulerConfig {
                // Reconcile in the round after the doubt arose.
                reconcile_after: Duration::zero(),
                followup_after: Duration::seconds(1),
                ..SchedulerConfig::default()
            },
        )
        .await
    }

    async fn draft(
        &self,
        content: PostContent,
        channels: &[ChannelId],
        due: DateTime<Utc>,
    ) -> PostView {
        posts::create(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            PostInput {
                content,
                channels: channels.to_vec(),
                schedule: Some(at(due)),
                campaign: None,
            },
        )
        .await
        .expect("create post")
    }

    /// A post submitted for `due` (scheduled at once under the default
    /// policy of this file).
    async fn schedule(
        &self,
        content: PostContent,
        channels: &[ChannelId],
        due: DateTime<Utc>,
    ) -> PostView {
        let draft = self.draft(content, channels, due).await;
        let post = self.act(&self.owner, draft.id, Action::Submit).await;
        for c in &post.channels {
            assert_eq!(c.due_at, Some(due), "{post:?}");
        }
        post
    }

    async fn act(&self, who: &UserRow, post: PostId, action: Action) -> PostView {
        posts::act(
            &self.app.state,
            &common::as_member(&self.app.state, who, self.ws).await,
            post,
            action,
        )
        .await
        .expect("post action")
    }

    async fn post(&self, id: PostId) -> PostView {
        posts::get(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            id,
        )
        .await
        .expect("post")
    }

    /// One complete scheduler round at the app's current time.
    async fn tick(&self) -> Round {
        self.scheduler.tick().await.expect("scheduler round")
    }

    /// A member of the workspace with `role`.
    async fn member(&self, email: &str, role: Role) -> UserRow {
        accounts::provision_user(
            &self.app.state,
            email,
            "Brand",
            role,
            "long-password-123".into(),
        )
        .await
        .expect("member")
        .0
    }

    /// Every create request the platforms received, committed or not.
    fn ledger(&self) -> Vec<LedgerEntry> {
        self.emu().ledger()
    }

    /// The posts the platforms created (committed creates of a post).
    fn created(&self, kind: &str) -> Vec<LedgerEntry> {
        self.ledger()
            .into_iter()
            .filter(|e| e.committed && e.kind == kind)
            .collect()
    }

    /// `(post, kind)` of every notification `user` has.
    async fn notices(&self, user: &UserRow) -> Vec<(PostId, String)> {
        self.app
            .state
            .store
            .notifications(user.id(), 50)
            .await
            .expect("notifications")
            .into_iter()
            .map(|n| (n.post_id, n.kind.as_str().to_owned()))
            .collect()
    }

    async fn attempts(&self, post: PostId) -> Vec<AttemptView> {
        deliveries::post_attempts(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            post,
        )
        .await
        .expect("attempts")
    }

    async fn connection(&self, channel: ChannelId) -> ConnectionStatus {
        channels::channels(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
        )
        .await
        .expect("channels")
        .into_iter()
        .find(|c| c.id == channel)
        .expect("channel listed")
        .connection
        .status
    }

    async fn resolve(
        &self,
        who: &UserRow,
        post: PostId,
        channel: ChannelId,
        action: ResolveAction,
        url: Option<&str>,
    ) -> Result<PostView, AppError> {
        deliveries::resolve(
            &self.app.state,
            &common::as_member(&self.app.state, who, self.ws).await,
            post,
            channel,
            action,
            url,
        )
        .await
    }

    /// Connects the X channel again after its authorization was revoked:
    /// X keeps a revoked token family revoked, so this is a new consent's
    /// family, stored as the OAuth callback stores it.
    async fn reconnect_x(&self, channel: ChannelId) {
        demo::connect_demo_consent(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            channel,
            self.emu(),
        )
        .await
        .expect("reconnect");
    }

    /// The ledger audit at the app's current time: all four counts zero.
    async fn assert_audit_clean(&self) {
        let rows = self
            .app
            .state
            .store
            .audit_deliveries()
            .await
            .expect("audit rows");
        let counts = tongbu::scheduler::audit::join(&self.ledger(), &rows, self.now());
        assert!(
            counts.all_zero(),
            "audit: {counts:?}\nledger: {:#?}\ndeliveries: {rows:#?}",
            self.ledger()
        );
    }

    /// A worker of another process claims the due delivery of `post` on
    /// `channel` and commits its attempt's intent (exactly as the scheduler
    /// does), then stops: the lease is all that is left of it. Returns the
    /// claim and the request the worker was about to send.
    async fn ghost_begins(
        &self,
        post: &PostView,
        channel: ChannelId,
        platform: Platform,
    ) -> (ClaimedDelivery, PublishRequest) {
        let store = &self.app.state.store;
        let now = self.now();
        let claimed = store
            .claim_due(now, GHOST, now + GHOST_LEASE, 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1, "{claimed:?}");
        let c = claimed[0].clone();
        assert_eq!((c.post_id, c.channel_id), (post.id, channel));
        let (request, record) = tongbu::scheduler::request::build(
            &self.app.state.scheduler_ports(),
            self.ws,
            c.post_id,
            c.channel_id,
            c.revision,
            platform,
            &post.content,
            None,
            None,
        )
        .await
        .expect("request");
        let record_json = serde_json::to_string(&record).expect("record");
        store
            .begin_attempt(
                Intent {
                    post_id: c.post_id,
                    channel_id: c.channel_id,
                    fence: c.fence,
                    idempotency_key: &record.delivery_key,
                    request_json: &record_json,
                    lease_until: now + GHOST_LEASE,
                },
                now,
            )
            .await
            .expect("intent");
        (c, request)
    }
}

fn at(due: DateTime<Utc>) -> When {
    When::At {
        local: due.naive_utc(),
        zone: "UTC".into(),
        dst: None,
    }
}

fn text(t: &str) -> PostContent {
    PostContent {
        text: t.into(),
        ..PostContent::default()
    }
}

#[track_caller]
fn delivery(post: &PostView, channel: ChannelId) -> &PostChannelView {
    post.channels
        .iter()
        .find(|c| c.channel_id == channel)
        .unwrap_or_else(|| panic!("channel {channel} not in {post:?}"))
}

#[track_caller]
fn assert_idle(r: Round) {
    assert!(r.is_idle(), "the round did something: {r:?}");
}

/// How many notifications of `kind` about `post` there are.
fn count(notices: &[(PostId, String)], post: PostId, kind: &str) -> usize {
    notices
        .iter()
        .filter(|(p, k)| *p == post && k == kind)
        .count()
}

/// One test per backend (`sqlite`, `postgres`) for each scenario below.
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        on_both_backends! { $($name => $name;)* }
    };
}

scenarios![
    publishes_each_channel_once_at_its_time,
    a_5xx_after_commit_is_reconciled_to_the_one_tweet,
    a_429_waits_for_the_platforms_reset,
    a_revoked_x_token_fails_that_channel_only_and_flags_it,
    a_refused_post_fails_with_the_reason_while_the_other_channel_publishes,
    a_delivery_in_doubt_that_cannot_be_checked_waits_for_a_person,
    a_failed_auth_delivery_is_published_once_after_reconnecting,
    a_cancelled_post_is_never_sent,
    a_post_cancelled_while_sending_is_not_armed_again_by_a_try_later,
    an_edit_after_approval_waits_for_approval_and_sends_the_new_revision,
    wechat_publishes_asynchronously_and_is_followed_up_to_its_article_url,
    claims_given_back_on_shutdown_are_sent_at_once,
    a_worker_lost_after_sending_is_reconciled_never_sent_again,
    a_worker_lost_before_sending_is_proven_absent_then_sent_once,
    one_post_with_an_image_reaches_every_network_once,
];

/// 1. The plain case: nothing before the time, everything once after it.
async fn publishes_each_channel_once_at_its_time(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let fb = w.channel(Platform::Facebook, "Harbour Tea Page").await;
    let due = w.soon();
    let post = w
        .schedule(
            text("The spring harvest is in: first flush tasting on Friday."),
            &[x, fb],
            due,
        )
        .await;
    assert_eq!(post.state, PostState::Scheduled);
    for c in &post.channels {
        assert_eq!(c.delivery_state, DeliveryState::Scheduled);
    }

    // Before its time nothing is claimed, nothing reaches a platform.
    assert_idle(w.tick().await);
    w.travel_to(due - Duration::seconds(1));
    assert_idle(w.tick().await);
    assert!(w.ledger().is_empty(), "{:?}", w.ledger());

    // At its time one round publishes both channels.
    w.travel_to(due);
    let r = w.tick().await;
    assert_eq!((r.claimed, r.sent, r.published), (2, 2, 2), "{r:?}");
    let post = w.post(post.id).await;
    assert_eq!(post.state, PostState::Published);
    assert_eq!(
        w.ledger().len(),
        2,
        "one create per channel: {:?}",
        w.ledger()
    );
    for (ch, kind) in [(x, "x.tweet"), (fb, "facebook.feed")] {
        let created = w.created(kind);
        assert_eq!(created.len(), 1, "{kind}");
        let d = delivery(&post, ch);
        assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
        assert_eq!(d.remote_id, created[0].remote_id, "{d:?}");
        let id = d.remote_id.as_deref().expect("remote id");
        let url = d.remote_url.as_deref().expect("remote url");
        assert!(url.starts_with("https://"), "{url}");
        if ch == x {
            assert!(url.ends_with(&format!("/status/{id}")), "{url}");
        }
        assert_eq!(d.attempts, 1);
        assert_eq!(d.last_error, None);
    }

    // The author hears once that it went out.
    let notices = w.notices(&w.owner).await;
    assert_eq!(count(&notices, post.id, "published"), 1, "{notices:?}");
    assert_eq!(count(&notices, post.id, "failed"), 0, "{notices:?}");

    // One attempt per channel, each ended published with its remote id.
    let attempts = w.attempts(post.id).await;
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    for a in &attempts {
        assert_eq!(a.number, 1);
        assert_eq!(a.outcome.as_deref(), Some("published"), "{a:?}");
        assert!(a.finished_at.is_some());
        assert_eq!(a.remote_id, delivery(&post, a.channel_id).remote_id);
    }

    // Later rounds find nothing to do: no second post anywhere.
    w.travel_to(due + Duration::minutes(10));
    assert_idle(w.tick().await);
    assert_eq!(w.ledger().len(), 2);
    assert_eq!(w.post(post.id).await, post);
    w.assert_audit_clean().await;
}

/// 2. X created the tweet but answered 503: in doubt, then found.
async fn a_5xx_after_commit_is_reconciled_to_the_one_tweet(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    w.emu()
        .inject(FaultRule::new(EmuPlatform::X, Fault::ErrorAfterCommit).times(1));
    let due = w.soon();
    let post = w
        .schedule(
            text("Succeeded, then failed: the tweet is there."),
            &[x],
            due,
        )
        .await;
    w.travel_to(due);

    let r = w.tick().await;
    assert_eq!((r.sent, r.unknown, r.published), (1, 1, 0), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, x);
    assert_eq!(d.delivery_state, DeliveryState::Unknown, "{d:?}");
    assert_eq!(d.remote_id, None);
    assert!(
        d.last_error.as_deref().is_some_and(|e| e.contains("503")),
        "{d:?}"
    );
    assert_eq!(view.state, PostState::Publishing);
    let tweets = w.created("x.tweet");
    assert_eq!(tweets.len(), 1, "the platform did create it");
    assert_eq!(tweets[0].fault.as_deref(), Some("error_after_commit"));

    // The next round asks X instead of sending again, and finds it.
    let r = w.tick().await;
    assert_eq!((r.reconciled, r.claimed, r.sent), (1, 0, 0), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, x);
    assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
    assert_eq!(d.remote_id, tweets[0].remote_id);
    let id = tweets[0].remote_id.as_deref().expect("tweet id");
    assert!(
        d.remote_url.as_deref().is_some_and(|u| u.ends_with(id)),
        "{d:?}"
    );
    assert_eq!(view.state, PostState::Published);
    assert_eq!(w.ledger().len(), 1, "exactly one create ever reached X");

    // The one attempt is re-judged: it did publish.
    let attempts = w.attempts(post.id).await;
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0].outcome.as_deref(), Some("published"));
    assert_eq!(attempts[0].remote_id.as_deref(), Some(id));
    let notices = w.notices(&w.owner).await;
    assert_eq!(count(&notices, post.id, "published"), 1, "{notices:?}");

    assert_idle(w.tick().await);
    assert_eq!(w.ledger().len(), 1);
    w.assert_audit_clean().await;
}

/// 3. Throttled by Facebook: the retry waits for the reset it named.
async fn a_429_waits_for_the_platforms_reset(b: Backend) {
    let w = World::new(b).await;
    let fb = w.channel(Platform::Facebook, "Harbour Tea Page").await;
    w.emu().inject(
        FaultRule::new(
            EmuPlatform::Facebook,
            Fault::RateLimit {
                reset_after_secs: 600,
            },
        )
        .times(1),
    );
    let due = w.soon();
    let post = w
        .schedule(text("Throttled, then published."), &[fb], due)
        .await;
    w.travel_to(due);

    // The Facebook client dates the reset ("10 minutes") on the wall
    // clock when the answer arrives, between `before` and `after`.
    let before = Utc::now();
    let r = w.tick().await;
    let after = Utc::now();
    assert_eq!((r.sent, r.retrying), (1, 1), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, fb);
    assert_eq!(d.delivery_state, DeliveryState::RetryWait, "{d:?}");
    assert!(
        d.last_error
            .as_deref()
            .is_some_and(|e| e.contains("throttling")),
        "{d:?}"
    );
    assert_eq!(view.state, PostState::Publishing);
    assert!(w.created("facebook.feed").is_empty());
    let ledger = w.ledger();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].fault.as_deref(), Some("rate_limit"));

    // Just before the reset nothing is sent, however often it looks.
    w.travel_to(before + Duration::minutes(10) - Duration::seconds(1));
    let r = w.tick().await;
    assert_eq!((r.claimed, r.sent), (0, 0), "{r:?}");
    assert_eq!(w.ledger().len(), 1);
    assert_eq!(
        delivery(&w.post(post.id).await, fb).delivery_state,
        DeliveryState::RetryWait
    );

    // After it, once.
    w.travel_to(after + Duration::minutes(10));
    let r = w.tick().await;
    assert_eq!((r.claimed, r.sent, r.published), (1, 1, 1), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, fb);
    assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
    assert_eq!(d.last_error, None);
    assert_eq!(d.attempts, 2);
    assert_eq!(view.state, PostState::Published);
    let feed = w.created("facebook.feed");
    assert_eq!(feed.len(), 1);
    assert_eq!(d.remote_id, feed[0].remote_id);
    let outcomes: Vec<_> = w
        .attempts(post.id)
        .await
        .into_iter()
        .map(|a| a.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [Some("retry_wait".to_owned()), Some("published".to_owned())]
    );

    assert_idle(w.tick().await);
    w.assert_audit_clean().await;
}

/// A person cancels while a delivery is on its way; the platform answers
/// "try again later": the delivery ends cancelled, never armed again.
async fn a_post_cancelled_while_sending_is_not_armed_again_by_a_try_later(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let due = w.soon();
    let post = w.schedule(text("Stopped mid-flight."), &[x], due).await;
    w.travel_to(due);
    let (claim, _request) = w.ghost_begins(&post, x, Platform::X).await;
    let view = w.act(&w.owner, post.id, Action::Cancel).await;
    assert_eq!(view.state, PostState::Cancelled);
    assert_eq!(delivery(&view, x).delivery_state, DeliveryState::Sending);
    let applied = w
        .app
        .state
        .store
        .apply_moves(
            &[tongbu::store::Move {
                post_id: post.id,
                channel_id: x,
                fence: claim.fence,
                from: tongbu::domain::delivery::DeliveryState::Sending,
                outcome: tongbu::store::Outcome {
                    state: tongbu::domain::delivery::DeliveryState::RetryWait,
                    error: Some("rate limited"),
                    next_attempt_at: Some(w.now() + Duration::minutes(15)),
                    ..Default::default()
                },
                closes_attempt: true,
            }],
            w.now(),
        )
        .await
        .expect("outcome");
    assert_eq!(applied, [true]);
    let view = w.post(post.id).await;
    assert_eq!(view.state, PostState::Cancelled);
    assert_eq!(delivery(&view, x).delivery_state, DeliveryState::Cancelled);
    w.travel_to(due + Duration::minutes(30));
    assert_idle(w.tick().await);
    assert!(w.created("x.tweet").is_empty());
}

/// 4. A revoked X authorization: that channel stops, the others go on.
async fn a_revoked_x_token_fails_that_channel_only_and_flags_it(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let fb = w.channel(Platform::Facebook, "Harbour Tea Page").await;
    w.emu()
        .inject(FaultRule::new(EmuPlatform::X, Fault::TokenRevoked).scope(FaultScope::All));
    let due = w.soon();
    let post = w
        .schedule(text("Revoked on one network only."), &[x, fb], due)
        .await;
    w.travel_to(due);

    let r = w.tick().await;
    assert_eq!((r.sent, r.published, r.failed), (2, 1, 1), "{r:?}");
    let view = w.post(post.id).await;
    let dx = delivery(&view, x);
    assert_eq!(dx.delivery_state, DeliveryState::FailedAuth, "{dx:?}");
    assert!(
        dx.last_error
            .as_deref()
            .is_some_and(|e| e.contains("reconnect")),
        "{dx:?}"
    );
    assert_eq!(dx.remote_id, None);
    let dfb = delivery(&view, fb);
    assert_eq!(dfb.delivery_state, DeliveryState::Published, "{dfb:?}");
    assert_eq!(view.state, PostState::NeedsAttention);
    assert_eq!(w.connection(x).await, ConnectionStatus::Reconnect);
    assert_eq!(w.connection(fb).await, ConnectionStatus::Connected);
    let notices = w.notices(&w.owner).await;
    assert_eq!(
        count(&notices, post.id, "attention_needed"),
        1,
        "{notices:?}"
    );
    assert_eq!(count(&notices, post.id, "published"), 0, "{notices:?}");
    assert!(w.created("x.tweet").is_empty());
    assert_eq!(w.created("facebook.feed").len(), 1);

    // A later post on the flagged channel is stopped before sending:
    // no request reaches X at all.
    let seen = w.ledger().len();
    let due2 = w.soon();
    let later = w
        .schedule(
            text("Sent while the channel waits for a reconnect."),
            &[x],
            due2,
        )
        .await;
    w.travel_to(due2);
    let r = w.tick().await;
    assert_eq!((r.claimed, r.sent, r.not_sent), (1, 0, 1), "{r:?}");
    assert_eq!(w.ledger().len(), seen, "{:?}", w.ledger());
    let view = w.post(later.id).await;
    let d = delivery(&view, x);
    assert_eq!(d.delivery_state, DeliveryState::FailedAuth, "{d:?}");
    assert!(
        d.last_error
            .as_deref()
            .is_some_and(|e| e.contains("reconnected")),
        "{d:?}"
    );
    assert_eq!(d.attempts, 0);
    assert!(w.attempts(later.id).await.is_empty());
    assert_eq!(view.state, PostState::NeedsAttention);
    let notices = w.notices(&w.owner).await;
    assert_eq!(
        count(&notices, later.id, "attention_needed"),
        1,
        "{notices:?}"
    );

    assert_idle(w.tick().await);
    w.assert_audit_clean().await;
}

/// 5. X refuses the post for good; the other channel still has it.
async fn a_refused_post_fails_with_the_reason_while_the_other_channel_publishes(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let fb = w.channel(Platform::Facebook, "Harbour Tea Page").await;
    let words = "Open house at the tea warehouse this Saturday.";
    // The same words went out on X earlier today...
    let due = w.soon();
    let first = w.schedule(text(words), &[x], due).await;
    w.travel_to(due);
    assert_eq!(w.tick().await.published, 1);
    // ...and are scheduled again for X and Facebook: X refuses identical
    // text from the same account (403 "duplicate content").
    let due2 = w.soon();
    let post = w.schedule(text(words), &[x, fb], due2).await;
    w.travel_to(due2);
    let r = w.tick().await;
    assert_eq!((r.sent, r.published, r.failed), (2, 1, 1), "{r:?}");

    let view = w.post(post.id).await;
    let dx = delivery(&view, x);
    assert_eq!(dx.delivery_state, DeliveryState::Failed, "{dx:?}");
    assert_eq!(dx.remote_id, None);
    let reason = dx.last_error.as_deref().expect("the reason is kept");
    assert!(reason.contains("identical text"), "{reason}");
    assert_eq!(delivery(&view, fb).delivery_state, DeliveryState::Published);
    assert_eq!(view.state, PostState::PartlyPublished);
    let attempts = w.attempts(post.id).await;
    let ax = attempts
        .iter()
        .find(|a| a.channel_id == x)
        .expect("X attempt");
    assert_eq!(ax.outcome.as_deref(), Some("failed"));
    assert_eq!(ax.error.as_deref(), Some(reason));

    let notices = w.notices(&w.owner).await;
    assert_eq!(count(&notices, post.id, "failed"), 1, "{notices:?}");
    assert_eq!(count(&notices, post.id, "published"), 0, "{notices:?}");
    assert_eq!(count(&notices, first.id, "published"), 1, "{notices:?}");

    // A refusal is final: later rounds do not try again.
    let seen = w.ledger().len();
    w.travel_to(due2 + Duration::hours(1));
    assert_idle(w.tick().await);
    assert_eq!(w.ledger().len(), seen);
    assert_eq!(w.created("x.tweet").len(), 1, "only the first post's tweet");
    assert_eq!(w.created("facebook.feed").len(), 1);
    w.assert_audit_clean().await;
}

/// 6a. In doubt, and the platform cannot be asked: a person decides.
async fn a_delivery_in_doubt_that_cannot_be_checked_waits_for_a_person(b: Backend) {
    let w = World::new(b).await;
    let editor = w.member("editor@example.com", Role::Editor).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    w.emu()
        .inject(FaultRule::new(EmuPlatform::X, Fault::ErrorAfterCommit).times(1));
    let due = w.soon();
    let post = w
        .schedule(text("Maybe published, maybe not."), &[x], due)
        .await;
    w.travel_to(due);
    assert_eq!(w.tick().await.unknown, 1);
    // Before it is reconciled the account's authorization is revoked:
    // X cannot be asked whether the tweet exists.
    w.emu()
        .inject(FaultRule::new(EmuPlatform::X, Fault::TokenRevoked).scope(FaultScope::All));
    let r = w.tick().await;
    assert_eq!((r.reconciled, r.sent), (1, 0), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, x);
    assert_eq!(d.delivery_state, DeliveryState::NeedsAttention, "{d:?}");
    assert!(
        d.last_error
            .as_deref()
            .is_some_and(|e| e.contains("may or may not")),
        "{d:?}"
    );
    assert_eq!(view.state, PostState::NeedsAttention);
    assert_eq!(w.connection(x).await, ConnectionStatus::Reconnect);
    let notices = w.notices(&w.owner).await;
    assert_eq!(
        count(&notices, post.id, "attention_needed"),
        1,
        "{notices:?}"
    );
    // Failing closed: it is not sent again on its own.
    assert_idle(w.tick().await);
    let tweets = w.created("x.tweet");
    assert_eq!(tweets.len(), 1);
    let url = format!(
        "https://x.com/{}/status/{}",
        DEMO.x.username,
        tweets[0].remote_id.as_deref().expect("tweet id")
    );

    // Publishing decisions belong to approvers and above.
    let e = w
        .resolve(&editor, post.id, x, ResolveAction::Published, Some(&url))
        .await;
    assert!(matches!(e, Err(AppError::Forbidden)), "{e:?}");
    // "It was published" needs where.
    for bad in [
        None,
        Some(""),
        Some("x.com/status/1"),
        Some("ftp://x.com/1"),
        Some("javascript:alert(1)"),
    ] {
        let e = w
            .resolve(&w.owner, post.id, x, ResolveAction::Published, bad)
            .await;
        assert!(
            matches!(&e, Err(AppError::Invalid { field: Some(f), .. }) if f == "url"),
            "{bad:?}: {e:?}"
        );
    }
    assert_eq!(
        delivery(&w.post(post.id).await, x).delivery_state,
        DeliveryState::NeedsAttention
    );

    let view = w
        .resolve(&w.owner, post.id, x, ResolveAction::Published, Some(&url))
        .await
        .expect("resolved");
    let d = delivery(&view, x);
    assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
    assert_eq!(d.remote_url.as_deref(), Some(url.as_str()));
    assert_eq!(d.last_error, None);
    assert_eq!(view.state, PostState::Published);
    let notices = w.notices(&w.owner).await;
    assert_eq!(count(&notices, post.id, "published"), 1, "{notices:?}");

    // Settled: nothing more to decide.
    for action in [
        ResolveAction::Published,
        ResolveAction::Retry,
        ResolveAction::Cancel,
    ] {
        let e = w.resolve(&w.owner, post.id, x, action, Some(&url)).await;
        assert!(
            matches!(e, Err(AppError::Conflict { .. })),
            "{action:?}: {e:?}"
        );
    }
    assert_idle(w.tick().await);
    assert_eq!(w.created("x.tweet").len(), 1);
    w.assert_audit_clean().await;
}

/// 6b. A person reconnects the channel and says "publish it now".
async fn a_failed_auth_delivery_is_published_once_after_reconnecting(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let fb = w.channel(Platform::Facebook, "Harbour Tea Page").await;
    w.emu()
        .inject(FaultRule::new(EmuPlatform::X, Fault::TokenRevoked).scope(FaultScope::All));
    let due = w.soon();
    let post = w
        .schedule(text("Out again after the reconnect."), &[x, fb], due)
        .await;
    w.travel_to(due);
    let r = w.tick().await;
    assert_eq!((r.published, r.failed), (1, 1), "{r:?}");
    assert_eq!(
        delivery(&w.post(post.id).await, x).delivery_state,
        DeliveryState::FailedAuth
    );

    w.emu().clear_faults();
    w.reconnect_x(x).await;
    assert_eq!(w.connection(x).await, ConnectionStatus::Connected);

    let view = w
        .resolve(&w.owner, post.id, x, ResolveAction::Retry, None)
        .await
        .expect("retry");
    assert_eq!(delivery(&view, x).delivery_state, DeliveryState::Scheduled);
    assert_eq!(view.state, PostState::Publishing);

    // Due at once: the next round publishes it, once.
    let r = w.tick().await;
    assert_eq!((r.claimed, r.sent, r.published), (1, 1, 1), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, x);
    assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
    let tweets = w.created("x.tweet");
    assert_eq!(tweets.len(), 1);
    assert_eq!(d.remote_id, tweets[0].remote_id);
    assert_eq!(view.state, PostState::Published);
    let outcomes: Vec<_> = w
        .attempts(post.id)
        .await
        .into_iter()
        .filter(|a| a.channel_id == x)
        .map(|a| (a.number, a.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, Some("failed_auth".to_owned())),
            (2, Some("published".to_owned()))
        ]
    );
    let notices = w.notices(&w.owner).await;
    assert_eq!(count(&notices, post.id, "published"), 1, "{notices:?}");

    assert_idle(w.tick().await);
    assert_eq!(w.created("x.tweet").len(), 1);
    w.assert_audit_clean().await;
}

/// 7a. Cancelled in time: never sent.
async fn a_cancelled_post_is_never_sent(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let fb = w.channel(Platform::Facebook, "Harbour Tea Page").await;
    let due = w.soon();
    let post = w.schedule(text("Called off."), &[x, fb], due).await;
    w.travel_to(due - Duration::minutes(1));
    let view = w.act(&w.owner, post.id, Action::Cancel).await;
    assert_eq!(view.state, PostState::Cancelled);
    for c in &view.channels {
        assert_eq!(c.delivery_state, DeliveryState::Cancelled);
    }
    w.travel_to(due + Duration::minutes(5));
    assert_idle(w.tick().await);
    assert!(w.ledger().is_empty(), "{:?}", w.ledger());
    assert_eq!(w.post(post.id).await.state, PostState::Cancelled);
    w.assert_audit_clean().await;
}

/// 7b. Edited after approval: approved again, then the new text goes out.
async fn an_edit_after_approval_waits_for_approval_and_sends_the_new_revision(b: Backend) {
    let w = World::new(b).await;
    posts::set_policy(
        &w.app.state,
        &common::as_member(&w.app.state, &w.owner, w.ws).await,
        Policy {
            approvals_required: 1,
            ..Policy::default()
        },
    )
    .await
    .expect("policy");
    let approver = w.member("approver@example.com", Role::Approver).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let approve = Action::Approve { comment: None };
    let (v1, v2) = (
        "Sale: 10% off oolong.",
        "Sale: 20% off oolong, this weekend only.",
    );

    let due = w.soon();
    let draft = w.draft(text(v1), &[x], due).await;
    let view = w.act(&w.owner, draft.id, Action::Submit).await;
    assert_eq!(view.state, PostState::InReview);
    assert_eq!(delivery(&view, x).delivery_state, DeliveryState::Pending);
    let view = w.act(&approver, draft.id, approve.clone()).await;
    assert_eq!(view.state, PostState::Scheduled);
    assert_eq!(delivery(&view, x).delivery_state, DeliveryState::Scheduled);

    // The author edits the approved post: back to review, disarmed.
    let view = posts::update(
        &w.app.state,
        &common::as_member(&w.app.state, &w.owner, w.ws).await,
        draft.id,
        Some(view.revision),
        PostInput {
            content: text(v2),
            channels: vec![x],
            schedule: Some(at(due)),
            campaign: None,
        },
    )
    .await
    .expect("edit");
    assert_eq!(view.state, PostState::InReview);
    assert!(view.approvals.is_empty());
    assert_eq!(delivery(&view, x).delivery_state, DeliveryState::Pending);

    // Its time passes unapproved: nothing goes out.
    w.travel_to(due + Duration::minutes(1));
    assert_idle(w.tick().await);
    assert!(w.ledger().is_empty(), "{:?}", w.ledger());
    // Approving now would publish late by surprise: refused until it
    // has a time ahead.
    let late = posts::act(
        &w.app.state,
        &common::as_member(&w.app.state, &approver, w.ws).await,
        draft.id,
        approve.clone(),
    )
    .await;
    assert!(
        matches!(&late, Err(AppError::Invalid { field: Some(f), .. }) if f == "schedule"),
        "{late:?}"
    );
    let due2 = w.soon();
    posts::reschedule(
        &w.app.state,
        &common::as_member(&w.app.state, &w.owner, w.ws).await,
        draft.id,
        at(due2),
    )
    .await
    .expect("reschedule");
    let view = w.act(&approver, draft.id, approve).await;
    assert_eq!(view.state, PostState::Scheduled);
    assert_eq!(delivery(&view, x).due_at, Some(due2));

    w.travel_to(due2);
    let r = w.tick().await;
    assert_eq!((r.claimed, r.published), (1, 1), "{r:?}");
    let tweets = w.created("x.tweet");
    assert_eq!(tweets.len(), 1);
    assert_eq!(
        tweets[0].text.as_deref(),
        Some(v2),
        "the approved revision's text"
    );
    assert!(w.ledger().iter().all(|e| e.text.as_deref() != Some(v1)));
    let view = w.post(draft.id).await;
    assert_eq!(view.state, PostState::Published);
    assert_eq!(delivery(&view, x).remote_id, tweets[0].remote_id);
    w.assert_audit_clean().await;
}

/// 8. WeChat accepts a publish and finishes it later.
async fn wechat_publishes_asynchronously_and_is_followed_up_to_its_article_url(b: Backend) {
    let w = World::new(b).await;
    let wx = w.channel(Platform::Wechat, "Harbour Tea 公众号").await;
    let cover = media::upload(
        &w.app.state,
        &common::as_member(&w.app.state, &w.owner, w.ws).await,
        PNG,
    )
    .await
    .expect("cover");
    let content = PostContent {
        text: "第一段：春茶上市。\n\n第二段：周五品鉴会。".into(),
        title: Some("春茶上市".into()),
        media: vec![cover],
        ..PostContent::default()
    };
    let due = w.soon();
    let post = w.schedule(content, &[wx], due).await;
    w.travel_to(due);

    // Accepted: published with its id, the article URL still to come.
    let r = w.tick().await;
    assert_eq!((r.sent, r.published, r.followed_up), (1, 1, 0), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, wx);
    assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
    let remote_id = d.remote_id.clone().expect("remote id");
    assert_eq!(d.remote_url, None, "WeChat is still processing it");
    assert_eq!(view.state, PostState::Published);
    // The follow-up is not due within the same second.
    assert_idle(w.tick().await);

    // WeChat finishes after its publish delay (2 s on its clock); the
    // follow-up is due a second after the publish on ours.
    w.emu().advance(std::time::Duration::from_secs(5));
    w.travel_to(w.now() + Duration::seconds(2));
    let r = w.tick().await;
    assert_eq!((r.followed_up, r.sent, r.claimed), (1, 0, 0), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, wx);
    assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
    assert_eq!(d.remote_id.as_deref(), Some(remote_id.as_str()));
    let url = d.remote_url.as_deref().expect("article URL");
    assert!(url.starts_with("http"), "{url}");
    assert_eq!(view.state, PostState::Published);

    // Followed up once; nothing more to do.
    w.travel_to(w.now() + Duration::minutes(5));
    assert_idle(w.tick().await);
    assert_eq!(w.created("wechat.submit").len(), 1);
    assert_eq!(
        w.ledger()
            .iter()
            .filter(|e| e.kind == "wechat.submit")
            .count(),
        1
    );
    let notices = w.notices(&w.owner).await;
    assert_eq!(count(&notices, post.id, "published"), 1, "{notices:?}");
    w.assert_audit_clean().await;
}

/// 9a. A stopping worker gives its unsent claims back: no lease wait.
async fn claims_given_back_on_shutdown_are_sent_at_once(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let due = w.soon();
    let post = w
        .schedule(text("Handed over on shutdown."), &[x], due)
        .await;
    w.travel_to(due);
    let now = w.now();
    let store = &w.app.state.store;
    let claimed = store
        .claim_due(now, GHOST, now + GHOST_LEASE, 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!((claimed[0].post_id, claimed[0].channel_id), (post.id, x));
    // Held by the other worker: not ours to take.
    let r = w.tick().await;
    assert_eq!(r.claimed, 0, "{r:?}");
    assert!(w.ledger().is_empty());

    assert_eq!(store.release_claims(GHOST, now).await.expect("release"), 1);
    // At the same instant, long before the lease would have run out.
    let r = w.tick().await;
    assert_eq!(
        (r.claimed, r.sent, r.published, r.expired),
        (1, 1, 1, 0),
        "{r:?}"
    );
    let view = w.post(post.id).await;
    assert_eq!(delivery(&view, x).delivery_state, DeliveryState::Published);
    assert_eq!(view.state, PostState::Published);
    assert_eq!(w.ledger().len(), 1);
    assert_eq!(w.attempts(post.id).await.len(), 1);
    w.assert_audit_clean().await;
}

/// 9b. A worker vanished after X created the tweet, before recording it:
/// its lease runs out, the delivery is in doubt, and X is asked.
async fn a_worker_lost_after_sending_is_reconciled_never_sent_again(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let due = w.soon();
    let post = w
        .schedule(text("Sent by a worker that then died."), &[x], due)
        .await;
    w.travel_to(due);
    let (_, request) = w.ghost_begins(&post, x, Platform::X).await;
    // The ghost sends with the channel's own client, then dies.
    let row = w
        .app
        .state
        .store
        .channel(w.ws, x)
        .await
        .expect("row")
        .expect("channel");
    let client = w
        .app
        .state
        .clients
        .client(w.ws, &row)
        .await
        .expect("client");
    let sent = client
        .publish(&request, &NoCheckpoint)
        .await
        .expect("ghost publish");
    assert_eq!(w.created("x.tweet").len(), 1);
    assert_eq!(
        delivery(&w.post(post.id).await, x).delivery_state,
        DeliveryState::Sending
    );

    // While the lease holds, nobody touches it.
    assert_idle(w.tick().await);
    w.travel_to(due + GHOST_LEASE + Duration::minutes(1));
    let r = w.tick().await;
    assert_eq!((r.expired, r.reconciled, r.sent), (1, 1, 0), "{r:?}");
    let view = w.post(post.id).await;
    let d = delivery(&view, x);
    assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
    assert_eq!(d.remote_id.as_deref(), Some(sent.remote_id.as_str()));
    assert_eq!(view.state, PostState::Published);
    assert_eq!(w.ledger().len(), 1, "never sent again");
    let attempts = w.attempts(post.id).await;
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0].outcome.as_deref(), Some("published"));

    assert_idle(w.tick().await);
    w.assert_audit_clean().await;
}

/// 9c. A worker vanished after committing its intent but before sending:
/// in doubt all the same, and sent only once X shows it is not there.
async fn a_worker_lost_before_sending_is_proven_absent_then_sent_once(b: Backend) {
    let w = World::new(b).await;
    // X believes "not there" only once a minute has passed since the
    // attempt on the wall clock: run the app's clock ten minutes behind
    // (the platforms' clocks only ever run ahead of it, so nothing can
    // look early).
    w.app.clock.set(Utc::now() - Duration::minutes(10));
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    let due = w.soon();
    let post = w
        .schedule(text("Intent committed, never sent."), &[x], due)
        .await;
    w.travel_to(due);
    w.ghost_begins(&post, x, Platform::X).await;
    assert!(w.ledger().is_empty());

    w.travel_to(due + GHOST_LEASE + Duration::minutes(1));
    let r = w.tick().await;
    assert_eq!(
        (r.expired, r.reconciled, r.sent, r.published),
        (1, 1, 1, 1),
        "{r:?}"
    );
    let view = w.post(post.id).await;
    let d = delivery(&view, x);
    assert_eq!(d.delivery_state, DeliveryState::Published, "{d:?}");
    let tweets = w.created("x.tweet");
    assert_eq!(tweets.len(), 1);
    assert_eq!(w.ledger().len(), 1);
    assert_eq!(d.remote_id, tweets[0].remote_id);
    let outcomes: Vec<_> = w
        .attempts(post.id)
        .await
        .into_iter()
        .map(|a| a.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [Some("retry_wait".to_owned()), Some("published".to_owned())]
    );

    assert_idle(w.tick().await);
    w.assert_audit_clean().await;
}

/// "Publish it now" on the only channel of a post that stopped must send
/// it again. It does not: the delivery is re-armed, but its post stays
/// `needs_attention` (or `failed`), and the claim only takes deliveries of
/// `scheduled` or `publishing` posts. (With a second, published channel the
/// post does move back to `publishing`: test 6b.)
async fn retrying_the_only_channel_of_a_post_sends_it(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Harbour Tea X").await;
    w.emu()
        .inject(FaultRule::new(EmuPlatform::X, Fault::TokenRevoked).scope(FaultScope::All));
    let due = w.soon();
    let post = w.schedule(text("Only on X."), &[x], due).await;
    w.travel_to(due);
    assert_eq!(w.tick().await.failed, 1);
    assert_eq!(w.post(post.id).await.state, PostState::NeedsAttention);
    w.emu().clear_faults();
    w.reconnect_x(x).await;

    let view = w
        .resolve(&w.owner, post.id, x, ResolveAction::Retry, None)
        .await
        .expect("retry");
    assert_eq!(delivery(&view, x).delivery_state, DeliveryState::Scheduled);
    let r = w.tick().await;
    assert_eq!((r.claimed, r.published), (1, 1), "{r:?} {view:?}");
    assert_eq!(w.post(post.id).await.state, PostState::Published);
    w.assert_audit_clean().await;
}

mod retry_of_a_posts_only_channel {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        retrying_the_only_channel_of_a_post_sends_it(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        retrying_the_only_channel_of_a_post_sends_it(Backend::Postgres).await
    }
}

/// 15. One post with an image to every network at once.
///
/// Each channel gets exactly one create of its kind and its remote id.
async fn one_post_with_an_image_reaches_every_network_once(b: Backend) {
    let w = World::new(b).await;
    let networks = [
        (Platform::Wechat, "wechat.submit"),
        (Platform::Facebook, "facebook.photo"),
        (Platform::X, "x.tweet"),
        (Platform::Bluesky, "bluesky.post"),
        (Platform::Mastodon, "mastodon.status"),
        (Platform::Linkedin, "linkedin.post"),
    ];
    let mut channels = Vec::new();
    for (platform, _) in networks {
        channels.push(w.channel(platform, platform.display_name()).await);
    }
    let mut cover = media::upload(
        &w.app.state,
        &common::as_member(&w.app.state, &w.owner, w.ws).await,
        PNG,
    )
    .await
    .expect("cover");
    cover.alt = "A cup of spring oolong".into();
    let content = PostContent {
        text: "Spring oolong is in (first flush) #tea 春茶上市".into(),
        title: Some("春茶上市".into()),
        media: vec![cover],
        ..PostContent::default()
    };
    let due = w.soon();
    let post = w.schedule(content, &channels, due).await;
    w.travel_to(due);
    let r = w.tick().await;
    assert_eq!(r.published, networks.len(), "{r:?}");
    let view = w.post(post.id).await;
    assert_eq!(view.state, PostState::Published);
    for ((platform, kind), ch) in networks.iter().zip(&channels) {
        let created = w.created(kind);
        assert_eq!(created.len(), 1, "{platform:?}: {created:?}");
        let d = delivery(&view, *ch);
        assert_eq!(
            d.delivery_state,
            DeliveryState::Published,
            "{platform:?}: {d:?}"
        );
        if *platform != Platform::Wechat {
            // WeChat's publish id arrives with the submit; the rest name the post.
            assert_eq!(d.remote_id, created[0].remote_id, "{platform:?}");
        }
        assert_eq!(d.attempts, 1, "{platform:?}");
    }
    // WeChat's publish job is followed up once; after that nothing is left.
    w.travel_to(due + Duration::minutes(10));
    let r = w.tick().await;
    assert_eq!((r.sent, r.followed_up), (0, 1), "{r:?}");
    assert_idle(w.tick().await);
    w.assert_audit_clean().await;
}
