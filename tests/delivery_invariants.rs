//! The exactly-once invariants of `delivery.md`, on SQLite and PostgreSQL,
//! with the platform emulator's ledger as the oracle:
//!
//! - a race test: a person edits, unapproves or cancels a post at the very
//!   moment the scheduler claims it, 1,000 times; nothing unapproved or
//!   cancelled is ever published, nothing twice, nothing early;
//! - a property test of the post life cycle: any sequence of create,
//!   submit, approve, edit, withdraw, cancel, reschedule, clock ticks,
//!   platform faults and worker crashes keeps, after every step, at most one
//!   remote post per delivery, none unauthorized, none early, deliveries
//!   moving only along the life cycle's edges, and a crashed (fenced)
//!   worker unable to change anything; once the clock runs out, nothing
//!   approved is lost.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{Backend, TestApp, TestDb};
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use tongbu::domain::content::Platform;
use tongbu::domain::delivery::{self, DeliveryState, Event};
use tongbu::domain::post::{PostContent, PostInput, PostView};
use tongbu::domain::schedule::When;
use tongbu::domain::workflow::{Action, Policy};
use tongbu::domain::{ChannelId, PostId, Role, WorkspaceId};
use tongbu::emulator::{Emulator, Fault, FaultRule};
use tongbu::scheduler::audit::{self, JoinCounts};
use tongbu::scheduler::{Scheduler, SchedulerConfig};
use tongbu::server::{accounts, channels, demo, posts};
use tongbu::store::{Intent, UserRow};

/// A workspace with an author, an approver, an X and a Facebook channel
/// connected to the emulator, and a scheduler driven by the test.
struct World {
    app: TestApp,
    emu: Emulator,
    ws: WorkspaceId,
    author: UserRow,
    approver: UserRow,
    channels: Vec<ChannelId>,
    /// Each channel's platform, in the order of `channels`.
    platforms: Vec<Platform>,
    scheduler: Arc<Scheduler>,
}

/// The races run on two networks (their figure is per race, not per
/// network); the life cycle runs on every network whose posts need no more
/// than a text. WeChat articles need a title and a cover, and have their
/// own crash and follow-up tests.
const RACE_PLATFORMS: &[Platform] = &[Platform::X, Platform::Facebook];
const LIFECYCLE_PLATFORMS: &[Platform] = &[
    Platform::X,
    Platform::Facebook,
    Platform::Bluesky,
    Platform::Mastodon,
    Platform::Linkedin,
];

impl World {
    async fn new(backend: Backend, platforms: &[Platform]) -> World {
        let db = TestDb::new(backend).await;
        let app = TestApp::spawn_configured(db, |c| {
            c.emulator = true;
            c.platform_timeout_ms = 1_000;
        })
        .await;
        let emu = app.emulator.as_ref().expect("emulator").emulator.clone();
        let state = &app.state;
        let pw = || "a-long-password-123".to_owned();
        let (author, ws) =
            accounts::provision_user(state, "author@example.com", "Brand", Role::Owner, pw())
                .await
                .expect("author");
        let (approver, _) =
            accounts::provision_user(state, "approver@example.com", "Brand", Role::Approver, pw())
                .await
                .expect("approver");
        let ws = ws.id;
        posts::set_policy(
            state,
            &common::as_member(state, &author, ws).await,
            Policy {
                approvals_required: 1,
                author_may_approve: false,
                reschedule_needs_approval: true,
            },
        )
        .await
        .expect("policy");
        let mut ids = Vec::new();
        for &platform in platforms {
            let ch = channels::create_channel(
                state,
                &common::as_member(state, &author, ws).await,
                platform,
                platform.as_str(),
                "UTC",
                "",
                true,
            )
            .await
            .expect("channel");
            demo::connect_demo(
                state,
                &common::as_member(state, &author, ws).await,
                ch.id,
                platform,
            )
            .await
            .expect("connect");
            ids.push(ch.id);
        }
        let scheduler = Scheduler::new(
            app.state.scheduler_ports(),
            SchedulerConfig {
                lease: Duration::minutes(1),
                reconcile_after: Duration::zero(),
                ..SchedulerConfig::default()
            },
        );
        // The app's clock and the emulator's agree, so "early" compares
        // like with like.
        app.clock.set(emu.now());
        World {
            app,
            emu,
            ws,
            author,
            approver,
            channels: ids,
            platforms: platforms.to_vec(),
            scheduler,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.app.state.now()
    }

    /// Moves the app's clock and the emulator's together.
    fn advance(&self, d: Duration) {
        self.emu.advance(d.to_std().unwrap_or_default());
        self.app.clock.set(self.emu.now());
    }

    async fn audit(&self) -> JoinCounts {
        let rows = self.app.state.store.audit_deliveries().await.unwrap();
        audit::join(&self.emu.ledger(), &rows, self.now())
    }

    async fn states(&self) -> HashMap<(PostId, ChannelId), DeliveryState> {
        self.app
            .state
            .store
            .audit_deliveries()
            .await
            .unwrap()
            .into_iter()
            .map(|r| ((r.post_id, r.channel_id), r.delivery_state))
            .collect()
    }

    fn input(&self, text: &str, when: When) -> PostInput {
        PostInput {
            content: PostContent {
                text: text.to_owned(),
                ..PostContent::default()
            },
            channels: self.channels.clone(),
            schedule: Some(when),
            campaign: None,
        }
    }

    async fn create(&self, text: &str, when: When) -> PostView {
        posts::create(
            &self.app.state,
            &common::as_member(&self.app.state, &self.author, self.ws).await,
            self.input(text, when),
        )
        .await
        .expect("create")
    }

    async fn act(&self, who: &UserRow, id: PostId, action: Action) -> Result<PostView, String> {
        posts::act(
            &self.app.state,
            &common::as_member(&self.app.state, who, self.ws).await,
            id,
            action,
        )
        .await
        .map_err(|e| e.to_string())
    }

    async fn approve(&self, id: PostId) -> Result<PostView, String> {
        self.act(&self.approver, id, Action::Approve { comment: None })
            .await
    }

    async fn edit(&self, id: PostId, text: &str) -> Result<PostView, String> {
        let current = posts::get(
            &self.app.state,
            &common::as_member(&self.app.state, &self.author, self.ws).await,
            id,
        )
        .await
        .map_err(|e| e.to_string())?;
        let mut input = self.input(text, current.schedule.clone().unwrap_or(When::WhenApproved));
        input.content = PostContent {
            text: text.to_owned(),
            ..current.content.clone()
        };
        posts::update(
            &self.app.state,
            &common::as_member(&self.app.state, &self.author, self.ws).await,
            id,
            Some(current.revision),
            input,
        )
        .await
        .map_err(|e| e.to_string())
    }

    /// Ticks until a round does nothing (bounded).
    async fn settle(&self) {
        for _ in 0..10 {
            if self.scheduler.tick().await.expect("tick").is_idle() {
                return;
            }
        }
    }
}

fn assert_clean(counts: &JoinCounts, context: &str) {
    assert_eq!(counts.duplicates, 0, "duplicates ({context}): {counts:?}");
    assert_eq!(
        counts.unauthorized, 0,
        "unauthorized ({context}): {counts:?}"
    );
    assert_eq!(counts.early, 0, "early ({context}): {counts:?}");
}

/// Races per backend (the figure).
const RACES: usize = 1_000;

on_both_backends! {
    edits_unapprovals_and_cancels_racing_the_claim_never_publish_what_was_not_approved => |b| async move {
        let w = Arc::new(World::new(b, RACE_PLATFORMS).await);
        let mut person_won = 0usize;
        let mut scheduler_won = 0usize;
        for i in 0..RACES {
            let post = w.create(&format!("Race {i}"), When::WhenApproved).await;
            w.act(&w.author, post.id, Action::Submit).await.expect("submit");
            w.approve(post.id).await.expect("approve");
            // Due now: the claim and the person's change start together.
            let (sched, person) = {
                let ws = w.clone();
                let wp = w.clone();
                let id = post.id;
                let kind = i % 3;
                let s = tokio::spawn(async move { ws.scheduler.tick().await.expect("tick") });
                let p = tokio::spawn(async move {
                    match kind {
                        0 => wp.edit(id, &format!("Race {i}, edited")).await,
                        1 => wp.act(&wp.author, id, Action::Withdraw).await,
                        _ => wp.act(&wp.author, id, Action::Cancel).await,
                    }
                });
                (s.await.unwrap(), p.await.unwrap())
            };
            let states = w.states().await;
            let published_here = w
                .emu
                .ledger()
                .iter()
                .filter(|e| e.committed && e.text.as_deref().is_some_and(|t| t.starts_with(&format!("Race {i}"))))
                .count();
            if person.is_ok() {
                person_won += 1;
                // Whatever the person stopped must not be out there: only a
                // delivery already on its way (sending, or done) may be.
                for c in &w.channels {
                    let s = states[&(post.id, *c)];
                    assert!(
                        !matches!(s, DeliveryState::Scheduled | DeliveryState::Claimed | DeliveryState::RetryWait),
                        "race {i}: the person's change left {s:?} armed"
                    );
                }
                let on_its_way = w.channels.iter().filter(|c| states[&(post.id, **c)].may_have_sent()
                    || states[&(post.id, **c)] == DeliveryState::Published).count();
                assert!(published_here <= on_its_way,
                    "race {i}: {published_here} posts out, only {on_its_way} deliveries were on their way");
            } else {
                scheduler_won += 1;
            }
            assert!(published_here <= w.channels.len(), "race {i}: more posts than channels");
            let _ = sched;
            assert_clean(&w.audit().await, &format!("race {i}"));
        }
        w.settle().await;
        assert_clean(&w.audit().await, "after all races");
        eprintln!("{RACES} races: the person's change won {person_won}, the scheduler won {scheduler_won}");
    };
}

/// One step of the post life cycle.
#[derive(Clone, Debug)]
enum Op {
    /// A new post due in `minutes`, taken through the workflow to `stage`:
    /// 0 a draft, 1 submitted, 2 and more approved.
    Create {
        minutes: i64,
        stage: u8,
    },
    Submit(usize),
    Approve(usize),
    Edit(usize),
    Withdraw(usize),
    Cancel(usize),
    Reschedule(usize, i64),
    Tick {
        minutes: i64,
    },
    /// The next create on a platform (by its index among the channels)
    /// fails in a given way.
    Fault {
        platform: usize,
        kind: u8,
    },
    /// A worker claims what is due, commits its intents and dies.
    Crash,
    /// That dead worker wakes up and tries to record a result.
    GhostFinish,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => ((1i64..20), 0u8..4).prop_map(|(minutes, stage)| Op::Create { minutes, stage }),
        2 => (0usize..4).prop_map(Op::Submit),
        2 => (0usize..4).prop_map(Op::Approve),
        1 => (0usize..4).prop_map(Op::Edit),
        1 => (0usize..4).prop_map(Op::Withdraw),
        1 => (0usize..4).prop_map(Op::Cancel),
        1 => ((0usize..4), (1i64..20)).prop_map(|(p, m)| Op::Reschedule(p, m)),
        3 => (0i64..15).prop_map(|minutes| Op::Tick { minutes }),
        1 => (0usize..8, 0u8..3).prop_map(|(platform, kind)| Op::Fault { platform, kind }),
        1 => Just(Op::Crash),
        1 => Just(Op::GhostFinish),
    ]
}

/// States a delivery in `from` can reach through any events at all.
fn reachable(from: DeliveryState) -> Vec<DeliveryState> {
    const EVENTS: [Event; 19] = Event::ALL;
    let mut seen = vec![from];
    let mut i = 0;
    while i < seen.len() {
        for e in EVENTS {
            if let Ok(to) = delivery::next(seen[i], e) {
                if !seen.contains(&to) {
                    seen.push(to);
                }
            }
        }
        i += 1;
    }
    seen
}

async fn run_lifecycle(backend: Backend, ops: Vec<Op>) {
    let w = World::new(backend, LIFECYCLE_PLATFORMS).await;
    let mut posts_made: Vec<PostId> = Vec::new();
    let mut ghost: Vec<(PostId, ChannelId, i64)> = Vec::new();
    let mut before = w.states().await;
    let pick = |v: &Vec<PostId>, i: usize| (!v.is_empty()).then(|| v[i % v.len()]);
    for (step, op) in ops.iter().enumerate() {
        match op.clone() {
            Op::Create { minutes, stage } => {
                let at = (w.now() + Duration::minutes(minutes)).naive_utc();
                let p = w
                    .create(
                        &format!("Life {} {step}", posts_made.len()),
                        When::At {
                            local: at,
                            zone: "UTC".into(),
                            dst: None,
                        },
                    )
                    .await;
                if stage >= 1 {
                    w.act(&w.author, p.id, Action::Submit)
                        .await
                        .expect("submit");
                }
                if stage >= 2 {
                    w.approve(p.id).await.expect("approve");
                }
                posts_made.push(p.id);
            }
            Op::Submit(i) => {
                if let Some(id) = pick(&posts_made, i) {
                    let _ = w.act(&w.author, id, Action::Submit).await;
                }
            }
            Op::Approve(i) => {
                if let Some(id) = pick(&posts_made, i) {
                    let _ = w.approve(id).await;
                }
            }
            Op::Edit(i) => {
                if let Some(id) = pick(&posts_made, i) {
                    let _ = w.edit(id, &format!("Life {i} edited at {step}")).await;
                }
            }
            Op::Withdraw(i) => {
                if let Some(id) = pick(&posts_made, i) {
                    let _ = w.act(&w.author, id, Action::Withdraw).await;
                }
            }
            Op::Cancel(i) => {
                if let Some(id) = pick(&posts_made, i) {
                    let _ = w.act(&w.author, id, Action::Cancel).await;
                }
            }
            Op::Reschedule(i, minutes) => {
                if let Some(id) = pick(&posts_made, i) {
                    if let Ok(current) = posts::get(
                        &w.app.state,
                        &common::as_member(&w.app.state, &w.author, w.ws).await,
                        id,
                    )
                    .await
                    {
                        let at = (w.now() + Duration::minutes(minutes)).naive_utc();
                        let mut input = w.input(
                            "",
                            When::At {
                                local: at,
                                zone: "UTC".into(),
                                dst: None,
                            },
                        );
                        input.content = current.content.clone();
                        let _ = posts::update(
                            &w.app.state,
                            &common::as_member(&w.app.state, &w.author, w.ws).await,
                            id,
                            Some(current.revision),
                            input,
                        )
                        .await;
                    }
                }
            }
            Op::Tick { minutes } => {
                w.advance(Duration::minutes(minutes));
                w.scheduler.tick().await.expect("tick");
            }
            Op::Fault { platform, kind } => {
                let platform = w.platforms[platform % w.platforms.len()];
                let fault = match kind {
                    0 => Fault::ErrorAfterCommit,
                    1 => Fault::RateLimit {
                        reset_after_secs: 120,
                    },
                    _ => Fault::DropConnection,
                };
                w.emu.inject(FaultRule::new(platform, fault).times(1));
            }
            Op::Crash => {
                let store = &w.app.state.store;
                let now = w.now();
                let claimed = store
                    .claim_due(now, "ghost", now + Duration::minutes(1), 4)
                    .await
                    .expect("claim");
                let intents: Vec<Intent<'_>> = claimed
                    .iter()
                    .map(|c| Intent {
                        post_id: c.post_id,
                        channel_id: c.channel_id,
                        fence: c.fence,
                        idempotency_key: "ghost",
                        request_json: "{}",
                        lease_until: now + Duration::minutes(1),
                    })
                    .collect();
                let begun = store.begin_attempts(&intents, now).await.expect("intents");
                for (c, n) in claimed.iter().zip(begun) {
                    if n.is_some() {
                        ghost.push((c.post_id, c.channel_id, c.fence));
                    }
                }
            }
            Op::GhostFinish => {
                if let Some((post, channel, fence)) = ghost.pop() {
                    let store = &w.app.state.store;
                    let current = w.states().await[&(post, channel)];
                    let r = store
                        .finish_attempt(
                            post,
                            channel,
                            fence,
                            tongbu::store::Outcome {
                                state: DeliveryState::Failed,
                                error: Some("ghost"),
                                ..Default::default()
                            },
                            w.now(),
                        )
                        .await;
                    if current != DeliveryState::Sending {
                        assert!(
                            r.is_err(),
                            "step {step}: a fenced worker changed a {current:?} delivery"
                        );
                    } else {
                        // Still its own attempt: nothing was sent by it, so
                        // recording a failure is its honest outcome.
                        r.expect("the lease holder may finish");
                    }
                }
            }
        }
        let after = w.states().await;
        for (key, to) in &after {
            if let Some(from) = before.get(key) {
                assert!(
                    reachable(*from).contains(to),
                    "step {step} ({op:?}): delivery {key:?} moved {from:?} → {to:?}, which no edge allows"
                );
            }
        }
        before = after;
        assert_clean(&w.audit().await, &format!("step {step}: {op:?}"));
    }
    // Let every approved delivery's time come and every lease lapse. A
    // delivery throttled at the very end waits for its platform's reset
    // (another injected 429 may meet its retry), so time goes on, as it
    // would, until nothing is still on its way.
    for _ in 0..8 {
        w.advance(Duration::hours(2));
        w.settle().await;
        let on_its_way = w.states().await.values().any(|s| {
            matches!(
                s,
                DeliveryState::Scheduled
                    | DeliveryState::RetryWait
                    | DeliveryState::Claimed
                    | DeliveryState::Sending
                    | DeliveryState::Unknown
            )
        });
        if !on_its_way {
            break;
        }
    }
    let counts = w.audit().await;
    assert_clean(&counts, "at the end");
    assert_eq!(counts.lost, 0, "lost at the end: {counts:?}");
    eprintln!("life cycle of {} steps: {counts:?}", ops.len());
}

fn lifecycle(backend: Backend) {
    let config = ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in proptest::collection::vec(op(), 1..25))| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(run_lifecycle(backend, ops));
    });
}

#[test]
fn post_life_cycle_keeps_the_invariants_sqlite() {
    lifecycle(Backend::Sqlite);
}

#[test]
fn post_life_cycle_keeps_the_invariants_postgres() {
    lifecycle(Backend::Postgres);
}
