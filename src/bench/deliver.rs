//! `tongbu bench deliver`: N posts × M channels due at the same moment,
//! published by real `tongbu worker` processes against the in-process
//! platform emulator (with a chosen latency), then judged:
//!
//! - deliveries per second, from the due time until every delivery is
//!   recorded as done;
//! - lateness (the platform's receive time minus the due time) p50, p99,
//!   max;
//! - the workers' peak memory (VmHWM);
//! - the ledger audit: duplicates, lost, unauthorized, early (all must be
//!   0; the command fails otherwise).
//!
//! The channels go round `--networks`; `--compare` runs a second set of
//! networks right after with the same posts, channels and workers and
//! prints both rates side by side, so a new network's cost per delivery is
//! read off one run on one machine.

use super::world::{cover, owner_with_channels, write_post, BenchDb};
use crate::clock::SystemClock;
use crate::domain::content::Platform;
use crate::domain::delivery::DeliveryState;
use crate::emulator::{Emulator, EmulatorOptions, Fault, FaultRule};
use crate::server::config::Config;
use crate::server::router;
use chrono::{Duration, Utc};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

#[derive(clap::Args, Clone, Debug)]
pub struct DeliverArgs {
    /// Posts to schedule.
    #[arg(long, default_value_t = 2000)]
    pub posts: usize,
    /// Channels every post goes to, going round the networks.
    #[arg(long, default_value_t = 5)]
    pub channels: usize,
    /// The networks the channels go round, comma-separated: x, facebook,
    /// wechat, bluesky, mastodon, linkedin. With wechat, every post carries
    /// a title and a cover image, as WeChat articles need.
    #[arg(long, default_value = "x,facebook")]
    pub networks: String,
    /// A second set of networks, run right after the first with the same
    /// posts, channels and workers, and reported beside it.
    #[arg(long)]
    pub compare: Option<String>,
    /// Emulator latency on every create, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Worker processes (SQLite allows one).
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// A PostgreSQL server URL to benchmark on (a throw-away database is
    /// created there and dropped after); SQLite in a temporary folder when
    /// absent.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
}

#[derive(Debug, serde::Serialize)]
struct Report {
    backend: &'static str,
    networks: Vec<&'static str>,
    /// Whether the posts carried a title and a cover image.
    cover: bool,
    workers: usize,
    posts: usize,
    channels: usize,
    deliveries: usize,
    latency_ms: u64,
    seconds: f64,
    deliveries_per_second: f64,
    lateness_p50_ms: i64,
    lateness_p99_ms: i64,
    lateness_max_ms: i64,
    peak_memory_mib: f64,
    published: usize,
    not_published: usize,
    /// Deliveries by final state.
    states: std::collections::BTreeMap<String, usize>,
    audit: crate::scheduler::audit::JoinCounts,
}

pub async fn deliver(_config: Config, args: DeliverArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.posts > 0 && args.channels > 0,
        "posts and channels must be positive"
    );
    anyhow::ensure!(args.workers > 0, "at least one worker");
    anyhow::ensure!(
        args.workers == 1 || args.postgres.is_some(),
        "SQLite runs one scheduler: use --workers 1"
    );
    let mut rounds = vec![networks(&args.networks)?];
    if let Some(other) = &args.compare {
        rounds.push(networks(other)?);
    }
    // Every round publishes the same posts: with a cover when any round
    // reaches WeChat.
    let with_cover = rounds.iter().flatten().any(|p| *p == Platform::Wechat);
    let mut reports = Vec::new();
    for round in &rounds {
        let db = BenchDb::create(args.postgres.as_deref()).await?;
        let result = run(&args, round, with_cover, db.dir.path(), &db.url).await;
        db.drop().await;
        let report = result?;
        print_report(&report);
        reports.push(report);
    }
    if let [a, b] = reports.as_slice() {
        print_comparison(a, b);
    }
    anyhow::ensure!(
        reports.iter().all(|r| r.audit.all_zero()),
        "the ledger audit found duplicates, lost, unauthorized or early posts"
    );
    Ok(())
}

/// `x,facebook` as networks.
fn networks(list: &str) -> anyhow::Result<Vec<Platform>> {
    let parsed: Vec<Platform> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Platform::parse(s).ok_or_else(|| anyhow::anyhow!("unknown network {s:?}")))
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(!parsed.is_empty(), "name at least one network");
    Ok(parsed)
}

async fn run(
    args: &DeliverArgs,
    networks: &[Platform],
    with_cover: bool,
    dir: &Path,
    url: &str,
) -> anyhow::Result<Report> {
    let config = Config::for_data_dir(dir, Some(url.to_owned()));
    let mut state = router::build_state(config, Arc::new(SystemClock)).await?;
    let emulator = Emulator::new(EmulatorOptions {
        // Thousands of posts to a few accounts: lift the platforms' budgets.
        rate_limit_scale: 1_000_000.0,
        // What is measured is Tongbu's work: the platforms' own processing
        // time (WeChat's publish job, Mastodon's and LinkedIn's media) is
        // left out, or it alone would set the rate.
        publish_delay: std::time::Duration::ZERO,
        ..EmulatorOptions::default()
    })?;
    if args.latency_ms > 0 {
        for &p in networks {
            emulator.inject(FaultRule::new(
                p,
                Fault::Latency {
                    ms: args.latency_ms,
                },
            ));
        }
    }
    let running = emulator.serve("127.0.0.1:0".parse()?).await?;
    state.emulator_url = Some(running.base_url.clone());

    eprintln!(
        "setting up {} posts × {} channels …",
        args.posts, args.channels
    );
    let (owner, channel_ids) =
        owner_with_channels(&state, &emulator, args.channels, networks).await?;
    let cover = match with_cover {
        true => Some(cover(&state, &owner).await?),
        false => None,
    };
    // Armed a day ahead, then moved due all at once when the workers run.
    let parked = Utc::now() + Duration::days(1);
    for p in 0..args.posts {
        write_post(
            &state,
            &owner,
            &channel_ids,
            p,
            None,
            parked,
            cover.as_ref(),
        )
        .await?;
    }

    let mut workers: Vec<Child> = (0..args.workers)
        .map(|i| spawn_worker(dir, url, i))
        .collect::<Result<_, _>>()?;
    // Workers are up once they print their banner; give them a moment.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let due = Utc::now() + Duration::milliseconds(500);
    let moved = state.store.move_all_due(due).await?;
    eprintln!("{moved} deliveries due at {due}; publishing …");

    let deliveries = args.posts * args.channels;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(args.timeout_secs);
    let mut peak_kib = 0u64;
    let mut last_count = std::time::Instant::now();
    let finished_at = loop {
        for w in &workers {
            peak_kib = peak_kib.max(vm_hwm_kib(w.id()));
        }
        // The oracle shares the machine with the workers it measures: it
        // counts open deliveries in the database (a count, not the rows)
        // every 50 ms only once the emulator has received a create for
        // every delivery, and once a second before (deliveries that never
        // reach the platform end too).
        let open = if emulator.ledger_len() < deliveries
            && last_count.elapsed() < std::time::Duration::from_secs(1)
        {
            i64::MAX
        } else {
            last_count = std::time::Instant::now();
            state.store.open_deliveries().await?
        };
        if open == 0 {
            break Utc::now();
        }
        if std::time::Instant::now() > deadline {
            for w in &mut workers {
                let _ = w.kill();
            }
            let open = state.store.open_deliveries().await?;
            anyhow::bail!("{open} deliveries still open after {} s", args.timeout_secs);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    for w in &workers {
        peak_kib = peak_kib.max(vm_hwm_kib(w.id()));
    }
    for w in &mut workers {
        stop(w);
    }

    let rows = state.store.audit_deliveries().await?;
    let ledger = emulator.ledger();
    let audit = crate::scheduler::audit::join(&ledger, &rows, Utc::now());
    let mut lateness: Vec<i64> = ledger
        .iter()
        .filter(|e| e.committed && crate::scheduler::audit::creates_a_post(&e.kind))
        .map(|e| (e.received_at - due).num_milliseconds())
        .collect();
    lateness.sort_unstable();
    let pct = |p: f64| -> i64 {
        if lateness.is_empty() {
            return 0;
        }
        let i = ((lateness.len() as f64 * p).ceil() as usize).clamp(1, lateness.len()) - 1;
        lateness[i]
    };
    let seconds = ((finished_at - due).num_milliseconds().max(1)) as f64 / 1000.0;
    let published = rows
        .iter()
        .filter(|r| r.delivery_state == DeliveryState::Published)
        .count();
    let mut states = std::collections::BTreeMap::new();
    for r in &rows {
        *states
            .entry(r.delivery_state.as_str().to_owned())
            .or_insert(0) += 1;
    }
    running.shutdown().await;
    Ok(Report {
        backend: if url.starts_with("postgres") {
            "postgresql"
        } else {
            "sqlite"
        },
        networks: networks.iter().map(|p| p.as_str()).collect(),
        cover: with_cover,
        workers: args.workers,
        posts: args.posts,
        channels: args.channels,
        deliveries,
        latency_ms: args.latency_ms,
        seconds,
        deliveries_per_second: deliveries as f64 / seconds,
        lateness_p50_ms: pct(0.50),
        lateness_p99_ms: pct(0.99),
        lateness_max_ms: lateness.last().copied().unwrap_or(0),
        peak_memory_mib: peak_kib as f64 / 1024.0,
        published,
        not_published: deliveries - published,
        states,
        audit,
    })
}

fn spawn_worker(dir: &Path, url: &str, i: usize) -> anyhow::Result<Child> {
    let log = std::fs::File::create(dir.join(format!("worker-{i}.log")))?;
    Ok(Command::new(std::env::current_exe()?)
        .arg("worker")
        .env("TONGBU_DATABASE_URL", url)
        .env("TONGBU_DATA_DIR", dir)
        .env("TONGBU_DEMO", "0")
        .env("TONGBU_EMULATOR", "0")
        .env("TONGBU_SCHEDULER_POLL_MS", "50")
        .env("TONGBU_LOG", "warn")
        .env_remove("TONGBU_FAILPOINT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?)
}

/// SIGTERM (graceful), then wait.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
}

/// A process's peak resident memory, from /proc (0 where unavailable).
fn vm_hwm_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn print_report(r: &Report) {
    println!(
        "deliver: {} × {} = {} deliveries to {} on {} ({} worker{}), emulator latency {} ms{}",
        r.posts,
        r.channels,
        r.deliveries,
        r.networks.join(", "),
        r.backend,
        r.workers,
        if r.workers == 1 { "" } else { "s" },
        r.latency_ms,
        if r.cover {
            ", posts with a title and a cover"
        } else {
            ""
        }
    );
    println!(
        "  throughput   {:.0} deliveries/s ({} published in {:.2} s)",
        r.deliveries_per_second, r.published, r.seconds
    );
    println!(
        "  lateness     p50 {} ms, p99 {} ms, max {} ms",
        r.lateness_p50_ms, r.lateness_p99_ms, r.lateness_max_ms
    );
    println!(
        "  peak memory  {:.1} MiB per worker (max)",
        r.peak_memory_mib
    );
    println!("  final states {:?}", r.states);
    println!(
        "  ledger audit {} remote posts: duplicates {}, lost {}, unauthorized {}, early {}",
        r.audit.remote_posts, r.audit.duplicates, r.audit.lost, r.audit.unauthorized, r.audit.early
    );
    println!("{}", serde_json::to_string(r).unwrap_or_default());
}

/// Two rounds side by side: the rate and the time per delivery of each,
/// and the second's time per delivery as a multiple of the first's.
fn print_comparison(a: &Report, b: &Report) {
    let per = |r: &Report| 1000.0 / r.deliveries_per_second.max(f64::MIN_POSITIVE);
    println!(
        "compare: {} networks {:.0} deliveries/s ({:.2} ms each), {} networks {:.0} deliveries/s ({:.2} ms each): the second takes {:.2}x the time per delivery",
        a.networks.len(),
        a.deliveries_per_second,
        per(a),
        b.networks.len(),
        b.deliveries_per_second,
        per(b),
        per(b) / per(a),
    );
}
