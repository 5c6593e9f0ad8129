//! The command line: `serve` (default), `migrate`, and `admin` tools for
//! scripts. Start-up only; the work happens in `server::`.

use crate::clock::SystemClock;
use crate::domain::{AppError, Role};
use crate::server::config::{redact_url, Config};
use crate::server::{accounts, router, AppState};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "tongbu",
    version,
    about = "One post, every channel, one reach report."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the dashboard, the API and the publishing scheduler.
    Serve,
    /// Run the publishing scheduler alone, without the web server. On
    /// PostgreSQL any number may run; on SQLite one per database.
    Worker,
    /// Benchmarks against the built-in platform emulator.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Serve the platform emulator alone: imitations of the WeChat,
    /// Facebook and X APIs on loopback, for demos, tests and benchmarks.
    Emulator {
        #[arg(long, default_value = "127.0.0.1:3900")]
        addr: std::net::SocketAddr,
        /// Emulated seconds per real second for how metrics grow.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Keep the emulator's posts, tokens and ledger in this JSON file.
        #[arg(long)]
        state_file: Option<std::path::PathBuf>,
        /// Multiply the platforms' rate limits (1 = the real ones).
        #[arg(long, default_value_t = 1.0)]
        rate_limit_scale: f64,
    },
    /// Administration for scripts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Schedule posts × channels due at once, publish them with worker
    /// processes, and report throughput, lateness, memory and the ledger
    /// audit (duplicates, lost, unauthorized, early).
    Deliver(crate::bench::deliver::DeliverArgs),
    /// Build a reach history (posts × channels × snapshots, collected from
    /// the emulator) and time the reach report over it per grouping.
    Report(crate::bench::report::ReportArgs),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user (password read from standard input) and give them a
    /// role in a workspace, creating the workspace if needed.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        workspace: String,
        #[arg(long, default_value = "editor")]
        role: String,
    },
    /// Create a personal API token for a user and print it once.
    CreateToken {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Re-encrypt every channel's stored tokens under a new secret key.
    /// Stop Tongbu first; start it again afterwards.
    RotateKey,
}

pub async fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("TONGBU_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Worker => worker(config).await,
        Command::Bench {
            command: BenchCommand::Deliver(args),
        } => crate::bench::deliver::deliver(config, args).await,
        Command::Bench {
            command: BenchCommand::Report(args),
        } => crate::bench::report::report(config, args).await,
        Command::Migrate => {
            crate::store::connect(&config.database_url).await?;
            println!(
                "database is up to date: {}",
                redact_url(&config.database_url)
            );
            Ok(())
        }
        Command::Emulator {
            addr,
            speed,
            state_file,
            rate_limit_scale,
        } => {
            let emulator = crate::emulator::Emulator::new(crate::emulator::EmulatorOptions {
                speed,
                state_file,
                rate_limit_scale,
                ..Default::default()
            })?;
            let running = emulator.serve(addr).await?;
            println!("Platform emulator listening on {}", running.base_url);
            shutdown_signal().await;
            running.shutdown().await;
            Ok(())
        }
        Command::Admin { command } => {
            let state = router::build_state(config, Arc::new(SystemClock)).await?;
            admin(&state, command).await
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!(config = ?config, "starting");
    let addr = config.addr;
    let mut state = router::build_state(config, Arc::new(SystemClock)).await?;
    // Held for the life of the server: dropping it stops the emulator.
    let _emulator = if state.config.emulator {
        Some(crate::server::demo::attach_emulator(&mut state).await?)
    } else {
        None
    };
    crate::server::auth::password::warm_up().await;
    spawn_housekeeping(state.clone());
    let scheduler = if state.config.scheduler {
        match crate::scheduler::start(
            state.scheduler_ports(),
            state.config.scheduler(),
            &state.config.database_url,
        )
        .await
        {
            Ok(s) => Some(s),
            Err(e) => {
                // The web server is still useful (a `tongbu worker` may be
                // the one publishing); say why nothing publishes from here.
                tracing::warn!("not running the scheduler in this process: {e:#}");
                eprintln!("warning: not publishing from this process: {e:#}");
                None
            }
        }
    } else {
        tracing::info!("scheduler off (TONGBU_SCHEDULER=0): run `tongbu worker` to publish");
        None
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        anyhow::anyhow!("cannot listen on {addr}: {e} (set TONGBU_ADDR to another address)")
    })?;
    let local = listener.local_addr()?;
    if state.store.count_users().await? == 0 {
        println!("Tongbu is running. Open http://{local}/setup to create the first account.");
    } else {
        println!("Tongbu is running at http://{local}/");
    }
    let served = crate::server::router::serve(listener, state, shutdown_signal()).await;
    if let Some(s) = scheduler {
        s.stop().await;
    }
    served
}

/// The scheduler alone, until SIGINT/SIGTERM; then in-flight requests
/// finish and unsent claims are given back.
async fn worker(config: Config) -> anyhow::Result<()> {
    tracing::info!(config = ?config, "starting a worker");
    let state = router::build_state(config, Arc::new(SystemClock)).await?;
    let running = crate::scheduler::start(
        state.scheduler_ports(),
        state.config.scheduler(),
        &state.config.database_url,
    )
    .await?;
    println!("Tongbu worker {} is publishing.", running.scheduler.owner());
    shutdown_signal().await;
    running.stop().await;
    Ok(())
}

/// Deletes expired sessions and old sign-in failures every ten minutes.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = state.now();
            if let Err(e) = state.store.session_delete_expired(now).await {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
            if let Err(e) = state
                .store
                .prune_login_failures(now - chrono::Duration::days(1))
                .await
            {
                tracing::warn!(error = %e, "could not prune sign-in failures");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn admin(state: &AppState, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateUser {
            email,
            workspace,
            role,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown role {role:?}: use owner, admin, approver, editor or viewer"
                )
            })?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let (user, ws) = accounts::provision_user(state, &email, &workspace, role, password)
                .await
                .map_err(explain)?;
            println!(
                "user {} is {} of workspace {:?} (id {})",
                user.email, role, ws.name, ws.id
            );
            Ok(())
        }
        AdminCommand::RotateKey => rotate_key(state).await,
        AdminCommand::CreateToken { email, name } => {
            let email = crate::domain::parse_email(&email).map_err(explain)?;
            let user = state
                .store
                .user_by_email(&email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no user with email {email}"))?;
            let token = crate::server::tokens::create(state, &user, &name)
                .await
                .map_err(explain)?;
            println!("{}", token.token);
            Ok(())
        }
    }
}

/// The new key is written to the data folder before any row uses it; the
/// rows move in one transaction; then the new key file replaces the old
/// (kept as `master.key.previous`). Interrupted anywhere, running it again
/// finishes the job. With a configured key (`TONGBU_SECRET_KEY`), the new
/// key is left in `master.key.next` for the operator to configure.
async fn rotate_key(state: &AppState) -> anyhow::Result<()> {
    use crate::server::secrets;
    let dir = &state.config.data_dir;
    let new = secrets::next_key(dir)?;
    let n = crate::server::channels::credentials::reseal_all(
        state.store.as_ref(),
        &state.master_key,
        &new,
    )
    .await?;
    let id = crate::server::crypto::key_id(&new);
    if state.config.secret_key.is_some() {
        println!(
            "re-encrypted {n} channel(s) under key {id}. Set TONGBU_SECRET_KEY to the contents of {} \
             and restart Tongbu.",
            dir.join(secrets::NEXT_KEY_FILE).display()
        );
    } else {
        secrets::promote_next_key(dir)?;
        println!("re-encrypted {n} channel(s) under key {id}; restart Tongbu to use it.");
    }
    Ok(())
}

fn explain(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
