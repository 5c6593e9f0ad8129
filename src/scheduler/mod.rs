//! The scheduler: publishes every approved post on each of its channels
//! exactly once, at its time, and survives crashes (`delivery.md`).
//!
//! One round (`Scheduler::tick`, or the loop of `Scheduler::run`):
//! 1. leases that ran out are settled (claimed → free again, sending →
//!    UNKNOWN);
//! 2. due deliveries are claimed under a lease with a fencing token (the
//!    approved revision and cancellation are checked inside the claim);
//! 3. their intents are committed together, then their requests are sent
//!    concurrently (per-channel limits and circuit breakers apply), and
//!    each outcome is committed the moment it is known (`writer`);
//! 4. UNKNOWN deliveries are reconciled with the platform, and accepted
//!    publishes the platform still processes are followed up (`recover`);
//! 5. published deliveries' figures are collected on their schedule
//!    (`collect`), apart from the rounds so a slow platform delays neither.
//!
//! No transaction is held across a network call. Everything that depends
//! on time reads the injected clock, so tests drive rounds without sleeps.

pub mod audit;
pub mod collect;
mod deliver;
pub mod failpoint;
mod limits;
pub mod lock;
pub mod ports;
mod recover;
pub mod request;
mod writer;

use crate::domain::delivery::RetryPolicy;
use chrono::Duration;
use ports::Ports;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// How the scheduler works. Defaults suit production; tests shorten them.
#[derive(Clone, Debug)]
pub struct SchedulerConfig {
    /// Deliveries taken per claim query.
    pub batch: i64,
    /// Requests in flight at once, across channels.
    pub max_in_flight: usize,
    /// Requests in flight at once on one channel.
    pub per_channel: usize,
    /// How long a claim (and an attempt) is held before it is presumed lost.
    /// Longer than any publish takes, including uploads.
    pub lease: Duration,
    /// How long an UNKNOWN attempt settles before the platform is asked
    /// (recent-post reads lag behind writes).
    pub reconcile_after: Duration,
    /// How soon an accepted but still processing publish is looked at.
    pub followup_after: Duration,
    /// How often the loop looks for due work when idle.
    pub poll: std::time::Duration,
    pub retry: RetryPolicy,
    /// Consecutive failures that open a channel's circuit, and how long
    /// it stays open before one request may probe it.
    pub breaker_failures: u32,
    pub breaker_cooldown: Duration,
    /// When published posts' figures are collected.
    pub collection: crate::domain::metrics::CollectionSchedule,
    /// How often the loop looks for due collections.
    pub collect_every: std::time::Duration,
    /// The emulator's clock speed, for its channels' schedules.
    pub emulator_speed: Option<f64>,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            batch: 64,
            max_in_flight: 256,
            per_channel: 16,
            lease: Duration::minutes(5),
            reconcile_after: Duration::seconds(60),
            followup_after: Duration::seconds(5),
            poll: std::time::Duration::from_millis(250),
            retry: RetryPolicy::default(),
            breaker_failures: 5,
            breaker_cooldown: Duration::seconds(60),
            collection: crate::domain::metrics::CollectionSchedule::default(),
            collect_every: std::time::Duration::from_secs(5),
            emulator_speed: None,
        }
    }
}

/// What one round did (for tests, logs and the benchmark).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    /// Attempts started (intent committed).
    pub sent: usize,
    pub published: usize,
    pub retrying: usize,
    pub failed: usize,
    pub unknown: usize,
    /// Given back or stopped before sending (breaker open, content refused,
    /// channel to reconnect, fenced out).
    pub not_sent: usize,
    pub reconciled: usize,
    pub followed_up: usize,
    pub expired: u64,
}

impl Round {
    fn add(&mut self, o: Round) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.published += o.published;
        self.retrying += o.retrying;
        self.failed += o.failed;
        self.unknown += o.unknown;
        self.not_sent += o.not_sent;
        self.reconciled += o.reconciled;
        self.followed_up += o.followed_up;
        self.expired += o.expired;
    }

    pub fn is_idle(&self) -> bool {
        *self == Round::default()
    }
}

pub struct Scheduler {
    ports: Ports,
    cfg: SchedulerConfig,
    /// Names this process's leases (host, pid and a random part).
    owner: String,
    limits: limits::Limits,
    writer: writer::Writer,
    in_flight: Arc<AtomicUsize>,
    housekeeping: Arc<std::sync::atomic::AtomicBool>,
    collecting: Arc<std::sync::atomic::AtomicBool>,
}

impl Scheduler {
    pub fn new(ports: Ports, cfg: SchedulerConfig) -> Arc<Scheduler> {
        let owner = format!(
            "{}:{}:{}",
            hostname(),
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let writer = writer::Writer::start(ports.clone());
        Arc::new(Scheduler {
            limits: limits::Limits::new(&cfg),
            ports,
            cfg,
            owner,
            writer,
            in_flight: Arc::new(AtomicUsize::new(0)),
            housekeeping: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            collecting: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        })
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// One complete round at the clock's current time: everything due is
    /// claimed and sent, and every outcome is committed before it returns.
    pub async fn tick(&self) -> anyhow::Result<Round> {
        let mut round = self.housekeeping().await?;
        loop {
            let claimed = self.claim(self.cfg.batch).await?;
            if claimed.is_empty() {
                break;
            }
            round.add(self.deliver(claimed).await);
        }
        Ok(round)
    }

    /// Runs until `shutdown` turns true, then lets in-flight requests finish
    /// (up to the lease) and gives back what it claimed but did not send.
    pub async fn run(self: Arc<Self>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        tracing::info!(owner = %self.owner, "scheduler running");
        let mut last_housekeeping = std::time::Instant::now() - std::time::Duration::from_secs(60);
        let mut last_collection = last_housekeeping;
        loop {
            if *shutdown.borrow() {
                break;
            }
            if last_collection.elapsed() >= self.cfg.collect_every
                && !self.collecting.swap(true, Ordering::SeqCst)
            {
                last_collection = std::time::Instant::now();
                let me = self.clone();
                // Collections wait on platforms too; publishing must not.
                tokio::spawn(async move {
                    match me.collect().await {
                        Ok(c) if c.claimed > 0 || c.tracked > 0 => tracing::debug!(
                            tracked = c.tracked,
                            stored = c.stored,
                            failed = c.failed,
                            "metrics collected"
                        ),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "metrics collection failed"),
                    }
                    me.collecting.store(false, Ordering::SeqCst);
                });
            }
            if last_housekeeping.elapsed() >= std::time::Duration::from_secs(1)
                && !self.housekeeping.swap(true, Ordering::SeqCst)
            {
                last_housekeeping = std::time::Instant::now();
                let me = self.clone();
                // Reconciling waits on platforms; new due work must not.
                tokio::spawn(async move {
                    if let Err(e) = me.housekeeping().await {
                        tracing::warn!(error = %e, "scheduler housekeeping failed");
                    }
                    me.housekeeping.store(false, Ordering::SeqCst);
                });
            }
            let free = self
                .cfg
                .max_in_flight
                .saturating_sub(self.in_flight.load(Ordering::SeqCst));
            let mut claimed_any = false;
            if free > 0 {
                match self.claim((free as i64).min(self.cfg.batch)).await {
                    Ok(claimed) if !claimed.is_empty() => {
                        claimed_any = true;
                        self.in_flight.fetch_add(claimed.len(), Ordering::SeqCst);
                        let me = self.clone();
                        tokio::spawn(async move {
                            let n = claimed.len();
                            me.deliver(claimed).await;
                            me.in_flight.fetch_sub(n, Ordering::SeqCst);
                        });
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "claiming due deliveries failed"),
                }
            }
            if !claimed_any {
                tokio::select! {
                    _ = tokio::time::sleep(self.cfg.poll) => {}
                    _ = shutdown.changed() => {}
                }
            } else if free == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
        self.drain().await;
    }

    /// Graceful stop: in-flight requests finish, claims not yet sent go
    /// back at once (another worker takes them without waiting for the
    /// lease).
    async fn drain(&self) {
        let limit = std::time::Instant::now()
            + self
                .cfg
                .lease
                .to_std()
                .unwrap_or(std::time::Duration::from_secs(60));
        while self.in_flight.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < limit {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        match self
            .ports
            .store
            .release_claims(&self.owner, self.ports.now())
            .await
        {
            Ok(n) => tracing::info!(released = n, "scheduler stopped"),
            Err(e) => tracing::warn!(error = %e, "could not give back claims"),
        }
        while self.collecting.load(Ordering::SeqCst) && std::time::Instant::now() < limit {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        if let Err(e) = self.ports.store.release_tracks(&self.owner).await {
            tracing::warn!(error = %e, "could not give back metric collections");
        }
    }

    /// The only scheduler on a SQLite database (it holds the lock of
    /// `lock::SchedulerLock`) knows every lease it did not take belongs to
    /// a process that is gone: it settles them at once instead of waiting
    /// for them to run out.
    pub async fn take_over_leases(&self) -> anyhow::Result<crate::store::Expired> {
        let now = self.now();
        let past_every_lease = now + self.cfg.lease + Duration::days(1);
        Ok(self
            .ports
            .store
            .expire_leases(past_every_lease, now)
            .await?)
    }

    async fn claim(&self, limit: i64) -> anyhow::Result<Vec<crate::store::ClaimedDelivery>> {
        let now = self.ports.now();
        let claimed = self
            .ports
            .store
            .claim_due(now, &self.owner, now + self.cfg.lease, limit)
            .await?;
        if !claimed.is_empty() {
            failpoint::hit("after_claim").await;
        }
        Ok(claimed)
    }

    /// Lapsed leases, reconciliation and follow-ups.
    async fn housekeeping(&self) -> anyhow::Result<Round> {
        let now = self.ports.now();
        let expired = self.ports.store.expire_leases(now, now).await?;
        if expired.unknown > 0 || expired.freed > 0 {
            tracing::warn!(
                freed = expired.freed,
                unknown = expired.unknown,
                "leases ran out: claims freed, attempts in doubt"
            );
        }
        let mut round = Round {
            expired: expired.freed + expired.unknown,
            ..Round::default()
        };
        round.add(self.reconcile().await?);
        round.add(self.follow_up().await?);
        Ok(round)
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ports.now()
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// A scheduler running in the background of this process.
pub struct Running {
    pub scheduler: Arc<Scheduler>,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    _lock: Option<lock::SchedulerLock>,
}

impl Running {
    /// Graceful stop: in-flight requests finish, unsent claims go back.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts a scheduler on `ports` for the database at `database_url`. On
/// SQLite it first takes the database's scheduler lock (an error says who
/// holds it) and settles the leases a previous, vanished process left.
pub async fn start(
    ports: Ports,
    cfg: SchedulerConfig,
    database_url: &str,
) -> anyhow::Result<Running> {
    let lock = lock::acquire(database_url)?;
    let scheduler = Scheduler::new(ports, cfg);
    if lock.is_some() {
        let taken = scheduler.take_over_leases().await?;
        if taken.freed + taken.unknown > 0 {
            tracing::warn!(
                freed = taken.freed,
                in_doubt = taken.unknown,
                "a previous scheduler stopped mid-work: unsent claims freed, attempts in doubt will be reconciled"
            );
        }
    }
    let (stop, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(scheduler.clone().run(rx));
    Ok(Running {
        scheduler,
        stop,
        task,
        _lock: lock,
    })
}
