//! One workspace with an owner, channels on the built-in platform emulator,
//! and a scheduler on them, all on the app's manual clock: the world the
//! scheduler and reach tests drive one round at a time. Each test file adds
//! the helpers of its own scenarios in an `impl World` of its own.

use super::{Backend, TestApp, TestDb};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use tongbu::clock::Clock;
use tongbu::domain::content::Platform;
use tongbu::domain::workflow::Policy;
use tongbu::domain::{ChannelId, Role, WorkspaceId};
use tongbu::emulator::Emulator;
use tongbu::scheduler::{Scheduler, SchedulerConfig};
use tongbu::server::{accounts, channels, demo, posts, AppState};
use tongbu::store::UserRow;

pub struct World {
    pub app: TestApp,
    pub owner: UserRow,
    pub ws: WorkspaceId,
    pub scheduler: Arc<Scheduler>,
}

impl World {
    /// Publishing needs no approval here (submitting schedules), unless a
    /// test sets a policy of its own.
    pub async fn with_scheduler(backend: Backend, cfg: SchedulerConfig) -> World {
        let db = TestDb::new(backend).await;
        let app = TestApp::spawn_configured(db, |c| {
            c.emulator = true;
            // No scenario waits on a timeout (none injects a hang): a
            // generous one keeps a loaded machine from turning a slow
            // loopback answer into doubt.
            c.platform_timeout_ms = 10_000;
        })
        .await;
        let (owner, ws) = accounts::provision_user(
            &app.state,
            "owner@example.com",
            "Brand",
            Role::Owner,
            "long-password-123".into(),
        )
        .await
        .expect("owner");
        let ws = ws.id();
        posts::set_policy(
            &app.state,
            &super::as_member(&app.state, &owner, ws).await,
            Policy {
                approvals_required: 0,
                ..Policy::default()
            },
        )
        .await
        .expect("policy");
        let scheduler = Scheduler::new(app.state.scheduler_ports(), cfg);
        World {
            app,
            owner,
            ws,
            scheduler,
        }
    }

    pub fn emu(&self) -> &Emulator {
        &self
            .app
            .emulator
            .as_ref()
            .expect("emulator attached")
            .emulator
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.app.clock.now()
    }

    /// Moves the app's clock to `t`, and the platform's clock with it when
    /// it would otherwise lag behind: a post sent at app time `t` then
    /// reaches the platform at (about) `t`, so sending early would show.
    pub fn travel_to(&self, t: DateTime<Utc>) {
        assert!(t >= self.now(), "the clock only moves forward");
        self.app.clock.set(t);
        let lag = t - self.emu().now();
        if lag > Duration::zero() {
            self.emu().advance(lag.to_std().expect("positive"));
        }
    }

    /// A whole minute at least two minutes ahead of the app's clock.
    pub fn soon(&self) -> DateTime<Utc> {
        let t = self.now() + Duration::minutes(2);
        DateTime::from_timestamp(t.timestamp() - t.timestamp().rem_euclid(60) + 60, 0)
            .expect("time")
    }

    /// A channel connected to the emulator's demo account of `platform`.
    /// One X channel per world: the demo account has one refresh token
    /// family, and X's refresh tokens are single-use.
    pub async fn channel(&self, platform: Platform, name: &str) -> ChannelId {
        let ch = new_channel(&self.app.state, &self.owner, self.ws, platform, name).await;
        demo::connect_demo(
            &self.app.state,
            &super::as_member(&self.app.state, &self.owner, self.ws).await,
            ch,
            platform,
        )
        .await
        .expect("connect channel");
        ch
    }
}

/// A channel of `platform` in UTC without posting slots, not connected yet.
pub async fn new_channel(
    state: &AppState,
    owner: &UserRow,
    ws: WorkspaceId,
    platform: Platform,
    name: &str,
) -> ChannelId {
    channels::create_channel(
        state,
        &super::as_member(state, owner, ws).await,
        platform,
        name,
        "UTC",
        "",
        true,
    )
    .await
    .expect("create channel")
    .id
}
