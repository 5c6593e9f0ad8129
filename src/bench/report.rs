//! `tongbu bench report`: builds a reach history the real way, then times
//! the reports people open.
//!
//! Set-up (not timed): P posts × C channels published by the scheduler to
//! the in-process platform emulator, a batch of posts each day, and their
//! figures collected by the collector on a schedule of S daily slots, on a
//! manual clock that jumps a day at a time (the emulator's clock with it):
//! P × C × S snapshots in all, checked before timing.
//!
//! Timed: the reach report over the whole history (every delivery, every
//! snapshot) for each grouping, in a time zone east of UTC, as the page and
//! the API ask for it (both queries, the aggregation, and its JSON or CSV
//! encoding). Prints p50/p95/max per grouping; fails when p95 passes the
//! target.

use super::world::{owner_with_channels, write_post, BenchDb, DEFAULT_NETWORKS};
use crate::clock::{Clock, ManualClock};
use crate::domain::metrics::CollectionSchedule;
use crate::domain::reports::GroupBy;
use crate::emulator::{Emulator, EmulatorOptions};
use crate::scheduler::{Scheduler, SchedulerConfig};
use crate::server::config::Config;
use crate::server::reports::ReportQuery;
use crate::server::{reports, router};
use chrono::{Duration, Utc};
use std::sync::Arc;

#[derive(clap::Args, Clone, Debug)]
pub struct ReportArgs {
    #[arg(long, default_value_t = 1000)]
    pub posts: usize,
    /// Channels every post goes to (alternately X and Facebook).
    #[arg(long, default_value_t = 5)]
    pub channels: usize,
    /// Snapshots per delivery (one a day).
    #[arg(long, default_value_t = 20)]
    pub snapshots: usize,
    /// Days the posts are spread over.
    #[arg(long, default_value_t = 20)]
    pub days: usize,
    /// Timed runs per grouping.
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
    /// p95 target in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub target_ms: u64,
    /// A PostgreSQL server URL (a throw-away database is created and
    /// dropped); SQLite in a temporary folder when absent.
    #[arg(long)]
    pub postgres: Option<String>,
}

pub async fn report(_config: Config, args: ReportArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.posts > 0 && args.channels > 0 && args.snapshots > 0 && args.days > 0,
        "posts, channels, snapshots and days must be positive"
    );
    let db = BenchDb::create(args.postgres.as_deref()).await?;
    let result = run(&args, db.dir.path(), &db.url).await;
    db.drop().await;
    result
}

async fn run(args: &ReportArgs, dir: &std::path::Path, url: &str) -> anyhow::Result<()> {
    let config = Config::for_data_dir(dir, Some(url.to_owned()));
    let start = Utc::now();
    let clock = Arc::new(ManualClock::new(start));
    let mut state = router::build_state(config, clock.clone() as Arc<dyn Clock>).await?;
    let emulator = Emulator::new(EmulatorOptions {
        rate_limit_scale: 1_000_000.0,
        ..EmulatorOptions::default()
    })?;
    let running = emulator.serve("127.0.0.1:0".parse()?).await?;
    state.emulator_url = Some(running.base_url.clone());
    let (owner, channel_ids) =
        owner_with_channels(&state, &emulator, args.channels, DEFAULT_NETWORKS).await?;
    let offsets: Vec<String> = (1..=args.snapshots).map(|d| format!("{d}d")).collect();
    let scheduler = Scheduler::new(
        state.scheduler_ports(),
        SchedulerConfig {
            collection: CollectionSchedule::parse(&offsets.join(","), 0)
                .map_err(|e| anyhow::anyhow!(e))?,
            ..SchedulerConfig::default()
        },
    );

    eprintln!(
        "building the history: {} posts × {} channels over {} days, {} snapshots each …",
        args.posts, args.channels, args.days, args.snapshots
    );
    let built = std::time::Instant::now();
    let per_day = args.posts.div_ceil(args.days);
    let campaigns = ["spring", "launch", "evergreen"];
    let mut written = 0;
    for day in 0..args.days + args.snapshots {
        // A day per step: 21 h here, 3 h for the posts to fall due below.
        if day > 0 {
            clock.advance(Duration::hours(21));
            emulator.advance(std::time::Duration::from_secs(21 * 3600));
        }
        let now = clock.now();
        for _ in 0..per_day {
            if written == args.posts {
                break;
            }
            let campaign = campaigns.get(written % 4).copied();
            // Spread over the day's hours, for the best-hours table.
            let due = now + Duration::minutes((written % 24) as i64 * 7);
            write_post(&state, &owner, &channel_ids, written, campaign, due, None).await?;
            written += 1;
        }
        clock.advance(Duration::hours(3));
        emulator.advance(std::time::Duration::from_secs(3 * 3600));
        scheduler.tick().await?;
        let c = scheduler.collect().await?;
        eprintln!(
            "  day {day:>3}: {} snapshots stored, {} failed",
            c.stored, c.failed
        );
    }
    // The last days' slots are due after the last step.
    clock.advance(Duration::days(2));
    emulator.advance(std::time::Duration::from_secs(2 * 86_400));
    scheduler.collect().await?;
    let snapshots = state.store.count_snapshots(owner.ws()).await?;
    let want = (args.posts * args.channels * args.snapshots) as i64;
    eprintln!(
        "history built in {:.0} s: {snapshots} snapshots",
        built.elapsed().as_secs_f64()
    );
    anyhow::ensure!(
        snapshots == want,
        "expected {want} snapshots, found {snapshots}"
    );

    let tz = "Asia/Shanghai";
    let to = clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let from = to - Duration::days((args.days + args.snapshots + 5) as i64);
    let backend = match state.store.backend() {
        crate::store::Backend::Sqlite => "sqlite",
        crate::store::Backend::Postgres => "postgresql",
    };
    println!(
        "reach report over {snapshots} snapshots ({} deliveries), {backend}, {} runs each:",
        args.posts * args.channels,
        args.runs
    );
    println!(
        "  {:<10} {:>8} {:>8} {:>8} {:>8}",
        "group_by", "rows", "p50 ms", "p95 ms", "max ms"
    );
    let mut worst_p95 = 0.0f64;
    for g in GroupBy::ALL {
        let req = ReportQuery {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            tz: Some(tz.into()),
            group_by: Some(g.as_str().into()),
        }
        .parse(clock.now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut times = Vec::with_capacity(args.runs);
        let mut rows = 0;
        for i in 0..args.runs + 2 {
            let t = std::time::Instant::now();
            let r = reports::reach(&state, &owner, &req)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            // What the page and the API send: the JSON, and the CSV.
            let json = serde_json::to_vec(&r)?;
            let csv = crate::domain::reports::to_csv(&r);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            anyhow::ensure!(
                r.total.deliveries as usize == args.posts * args.channels
                    && !json.is_empty()
                    && !csv.is_empty(),
                "the report missed deliveries: {}",
                r.total.deliveries
            );
            rows = r.rows.len();
            // The first two warm the caches.
            if i >= 2 {
                times.push(ms);
            }
        }
        times.sort_by(f64::total_cmp);
        let pct =
            |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
        let (p50, p95, max) = (pct(0.5), pct(0.95), times[times.len() - 1]);
        worst_p95 = worst_p95.max(p95);
        println!(
            "  {:<10} {rows:>8} {p50:>8.1} {p95:>8.1} {max:>8.1}",
            g.as_str()
        );
    }
    let met = worst_p95 <= args.target_ms as f64;
    println!(
        "target p95 ≤ {} ms: {} (worst p95 {worst_p95:.1} ms)",
        args.target_ms,
        if met { "met" } else { "NOT met" }
    );
    drop(running);
    anyhow::ensure!(met, "the report is slower than the target");
    Ok(())
}
