//! Configuration: defaults, then an optional TOML file (`tongbu.toml` in the
//! working directory, or the file named by `TONGBU_CONFIG`), then
//! `TONGBU_*` environment variables. Secrets are redacted from Debug output.

use crate::scheduler::SchedulerConfig;
use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone)]
pub struct Config {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub database_url: String,
    pub addr: SocketAddr,
    /// Holds the SQLite database, the generated master key and, later, media.
    pub data_dir: PathBuf,
    /// Base64 of 32 bytes; encrypts platform tokens at rest. When absent a
    /// key is generated into the data folder on first start.
    pub secret_key: Option<String>,
    /// The address people use to reach Tongbu, e.g. `https://tongbu.example.com`.
    /// Decides whether cookies are `Secure` and which Origin is same-site.
    pub public_url: Option<String>,
    /// Where the built site (wasm, JS, CSS, public assets) lives.
    pub site_root: PathBuf,
    /// Trust the first `X-Forwarded-For` address (only behind a reverse proxy
    /// you control), for sign-in throttling per address.
    pub trust_forwarded_for: bool,
    /// A session ends after this long without a request.
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in, however active.
    pub session_absolute_hours: i64,
    /// First-run setup gives the first workspace emulated WeChat, Facebook
    /// and X channels, so a new user can try everything without accounts.
    pub demo: bool,
    /// Run the built-in platform emulator inside `serve` (default: with the demo).
    pub emulator: bool,
    /// Where that emulator listens; port 0 picks a free one.
    pub emulator_addr: SocketAddr,
    /// How fast the emulator's metrics age (emulated seconds per second).
    pub emulator_speed: f64,
    /// OAuth apps for connecting real accounts.
    pub x_client_id: Option<String>,
    pub x_client_secret: Option<String>,
    /// The LinkedIn app (Community Management API) organization pages
    /// connect with.
    pub linkedin_client_id: Option<String>,
    pub linkedin_client_secret: Option<String>,
    pub facebook_app_id: Option<String>,
    pub facebook_app_secret: Option<String>,
    /// Run the publishing scheduler inside `serve` (`tongbu worker` runs it
    /// alone). On SQLite one scheduler runs per database.
    pub scheduler: bool,
    /// How the scheduler works; see `scheduler::SchedulerConfig`.
    pub delivery_lease_secs: i64,
    pub reconcile_after_secs: i64,
    pub scheduler_poll_ms: i64,
    pub worker_concurrency: i64,
    pub channel_concurrency: i64,
    /// How long a platform call may take before it is given up (and, for
    /// a create, treated as "may have been published").
    pub platform_timeout_ms: i64,
    /// When published posts' figures are collected (`TONGBU_METRICS_SCHEDULE`
    /// offsets, then weekly to `TONGBU_METRICS_WEEKLY_UNTIL_DAYS`).
    pub metrics_schedule: crate::domain::metrics::CollectionSchedule,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[redacted]"),
            )
            .field("public_url", &self.public_url)
            .field("site_root", &self.site_root)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("demo", &self.demo)
            .field("emulator", &self.emulator)
            .field("emulator_addr", &self.emulator_addr)
            .field("emulator_speed", &self.emulator_speed)
            .field("x_client_id", &self.x_client_id)
            .field("linkedin_client_id", &self.linkedin_client_id)
            .field(
                "linkedin_client_secret",
                &self.linkedin_client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "x_client_secret",
                &self.x_client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("facebook_app_id", &self.facebook_app_id)
            .field(
                "facebook_app_secret",
                &self.facebook_app_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("scheduler", &self.scheduler)
            .field("delivery_lease_secs", &self.delivery_lease_secs)
            .field("reconcile_after_secs", &self.reconcile_after_secs)
            .field("scheduler_poll_ms", &self.scheduler_poll_ms)
            .field("worker_concurrency", &self.worker_concurrency)
            .field("channel_concurrency", &self.channel_concurrency)
            .field("platform_timeout_ms", &self.platform_timeout_ms)
            .field("metrics_schedule", &self.metrics_schedule)
            .finish()
    }
}

/// Hides the password in a database URL.
pub fn redact_url(url: &str) -> String {
    mask_url_password(url, "redacted")
}

/// `url` with its password (if any) replaced by `mask`.
pub fn mask_url_password(url: &str, mask: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some(mask));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    addr: Option<String>,
    data_dir: Option<PathBuf>,
    secret_key: Option<String>,
    public_url: Option<String>,
    site_root: Option<PathBuf>,
    demo: Option<bool>,
    trust_forwarded_for: Option<bool>,
    session_idle_minutes: Option<i64>,
    session_absolute_hours: Option<i64>,
    emulator: Option<bool>,
    emulator_addr: Option<String>,
    x_client_id: Option<String>,
    x_client_secret: Option<String>,
    linkedin_client_id: Option<String>,
    linkedin_client_secret: Option<String>,
    facebook_app_id: Option<String>,
    facebook_app_secret: Option<String>,
    scheduler: Option<bool>,
    delivery_lease_secs: Option<i64>,
    reconcile_after_secs: Option<i64>,
    scheduler_poll_ms: Option<i64>,
    worker_concurrency: Option<i64>,
    channel_concurrency: Option<i64>,
    platform_timeout_ms: Option<i64>,
    metrics_schedule: Option<String>,
    metrics_weekly_until_days: Option<i64>,
}

impl Config {
    /// How the publishing scheduler works, from the configured values
    /// (`TONGBU_DELIVERY_LEASE_SECS`, ...).
    pub fn scheduler(&self) -> SchedulerConfig {
        SchedulerConfig {
            max_in_flight: self.worker_concurrency as usize,
            per_channel: self.channel_concurrency as usize,
            lease: chrono::Duration::seconds(self.delivery_lease_secs),
            reconcile_after: chrono::Duration::seconds(self.reconcile_after_secs),
            poll: std::time::Duration::from_millis(self.scheduler_poll_ms as u64),
            collection: self.metrics_schedule.clone(),
            emulator_speed: Some(self.emulator_speed),
            ..SchedulerConfig::default()
        }
    }

    /// Reads the file (if any) and the environment.
    pub fn load() -> anyhow::Result<Config> {
        let explicit = std::env::var_os("TONGBU_CONFIG").map(PathBuf::from);
        let path = explicit
            .clone()
            .unwrap_or_else(|| PathBuf::from("tongbu.toml"));
        let file = if path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading config file {}", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("parsing config file {}", path.display()))?
        } else if let Some(p) = explicit {
            anyhow::bail!("config file {} does not exist", p.display());
        } else {
            FileConfig::default()
        };
        Self::from_sources(file, |k| std::env::var(k).ok())
    }

    fn from_sources(
        file: FileConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Config> {
        let data_dir = env("TONGBU_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = env("TONGBU_DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| default_sqlite_url(&data_dir));
        let addr_text = env("TONGBU_ADDR")
            .or(file.addr)
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr = addr_text.parse().with_context(|| {
            format!("TONGBU_ADDR {addr_text:?} is not an address like 127.0.0.1:3000")
        })?;
        let site_root = env("TONGBU_SITE_ROOT")
            .or_else(|| env("LEPTOS_SITE_ROOT"))
            .map(PathBuf::from)
            .or(file.site_root)
            .unwrap_or_else(|| PathBuf::from("target/site"));
        let bool_env = |k: &str| env(k).map(|v| matches!(v.as_str(), "1" | "true" | "yes"));
        let int_env = |k: &str| -> anyhow::Result<Option<i64>> {
            env(k)
                .map(|v| {
                    v.parse::<i64>()
                        .with_context(|| format!("{k} must be a whole number"))
                })
                .transpose()
        };
        let demo = bool_env("TONGBU_DEMO").or(file.demo).unwrap_or(false);
        let cfg = Config {
            database_url,
            addr,
            data_dir,
            secret_key: env("TONGBU_SECRET_KEY").or(file.secret_key),
            public_url: env("TONGBU_PUBLIC_URL")
                .or(file.public_url)
                .map(|u| u.trim_end_matches('/').to_owned()),
            site_root,
            trust_forwarded_for: bool_env("TONGBU_TRUST_FORWARDED_FOR")
                .or(file.trust_forwarded_for)
                .unwrap_or(false),
            session_idle_minutes: int_env("TONGBU_SESSION_IDLE_MINUTES")?
                .or(file.session_idle_minutes)
                .unwrap_or(8 * 60),
            session_absolute_hours: int_env("TONGBU_SESSION_ABSOLUTE_HOURS")?
                .or(file.session_absolute_hours)
                .unwrap_or(7 * 24),
            demo,
            emulator: bool_env("TONGBU_EMULATOR")
                .or(file.emulator)
                .unwrap_or(demo),
            emulator_addr: {
                let text = env("TONGBU_EMULATOR_ADDR")
                    .or(file.emulator_addr)
                    .unwrap_or_else(|| "127.0.0.1:0".to_owned());
                text.parse().with_context(|| {
                    format!("TONGBU_EMULATOR_ADDR {text:?} is not an address like 127.0.0.1:3900")
                })?
            },
            emulator_speed: match env("TONGBU_EMULATOR_SPEED") {
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| *s > 0.0)
                    .with_context(|| {
                        format!("TONGBU_EMULATOR_SPEED {v:?} must be a positive number")
                    })?,
                None => 60.0,
            },
            x_client_id: env("TONGBU_X_CLIENT_ID").or(file.x_client_id),
            x_client_secret: env("TONGBU_X_CLIENT_SECRET").or(file.x_client_secret),
            linkedin_client_id: env("TONGBU_LINKEDIN_CLIENT_ID").or(file.linkedin_client_id),
            linkedin_client_secret: env("TONGBU_LINKEDIN_CLIENT_SECRET")
                .or(file.linkedin_client_secret),
            facebook_app_id: env("TONGBU_FACEBOOK_APP_ID").or(file.facebook_app_id),
            facebook_app_secret: env("TONGBU_FACEBOOK_APP_SECRET").or(file.facebook_app_secret),
            scheduler: bool_env("TONGBU_SCHEDULER")
                .or(file.scheduler)
                .unwrap_or(true),
            delivery_lease_secs: int_env("TONGBU_DELIVERY_LEASE_SECS")?
                .or(file.delivery_lease_secs)
                .unwrap_or(300),
            reconcile_after_secs: int_env("TONGBU_RECONCILE_AFTER_SECS")?
                .or(file.reconcile_after_secs)
                .unwrap_or(60),
            scheduler_poll_ms: int_env("TONGBU_SCHEDULER_POLL_MS")?
                .or(file.scheduler_poll_ms)
                .unwrap_or(250),
            worker_concurrency: int_env("TONGBU_WORKER_CONCURRENCY")?
                .or(file.worker_concurrency)
                .unwrap_or(256),
            channel_concurrency: int_env("TONGBU_CHANNEL_CONCURRENCY")?
                .or(file.channel_concurrency)
                .unwrap_or(16),
            platform_timeout_ms: int_env("TONGBU_PLATFORM_TIMEOUT_MS")?
                .or(file.platform_timeout_ms)
                .unwrap_or(30_000),
            metrics_schedule: {
                let list = env("TONGBU_METRICS_SCHEDULE")
                    .or(file.metrics_schedule)
                    .unwrap_or_else(|| crate::domain::metrics::DEFAULT_OFFSETS.to_owned());
                let weekly = int_env("TONGBU_METRICS_WEEKLY_UNTIL_DAYS")?
                    .or(file.metrics_weekly_until_days)
                    .unwrap_or(crate::domain::metrics::DEFAULT_WEEKLY_UNTIL_DAYS);
                crate::domain::metrics::CollectionSchedule::parse(&list, weekly)
                    .map_err(|e| anyhow::anyhow!("TONGBU_METRICS_SCHEDULE {list:?}: {e}"))?
            },
        };
        if cfg.delivery_lease_secs < 1
            || cfg.reconcile_after_secs < 0
            || cfg.scheduler_poll_ms < 10
            || cfg.worker_concurrency < 1
            || cfg.channel_concurrency < 1
            || cfg.platform_timeout_ms < 100
        {
            anyhow::bail!(
                "scheduler settings must be positive (lease ≥ 1 s, poll ≥ 10 ms, concurrency ≥ 1)"
            );
        }
        if cfg.session_idle_minutes < 1 || cfg.session_absolute_hours < 1 {
            anyhow::bail!("session timeouts must be positive");
        }
        if let Some(u) = &cfg.public_url {
            url::Url::parse(u).with_context(|| format!("TONGBU_PUBLIC_URL {u:?} is not a URL"))?;
        }
        Ok(cfg)
    }

    /// A configuration for tests and tools: SQLite or the given URL, a
    /// private data folder, defaults otherwise.
    pub fn for_data_dir(data_dir: &Path, database_url: Option<String>) -> Config {
        Config {
            database_url: database_url.unwrap_or_else(|| default_sqlite_url(data_dir)),
            addr: "127.0.0.1:0".parse().expect("literal address"),
            data_dir: data_dir.to_owned(),
            secret_key: None,
            public_url: None,
            site_root: PathBuf::from("target/site"),
            trust_forwarded_for: false,
            session_idle_minutes: 8 * 60,
            session_absolute_hours: 7 * 24,
            demo: false,
            emulator: false,
            emulator_addr: "127.0.0.1:0".parse().expect("literal address"),
            emulator_speed: 60.0,
            x_client_id: None,
            x_client_secret: None,
            linkedin_client_id: None,
            linkedin_client_secret: None,
            facebook_app_id: None,
            facebook_app_secret: None,
            scheduler: true,
            delivery_lease_secs: 300,
            reconcile_after_secs: 60,
            scheduler_poll_ms: 250,
            worker_concurrency: 256,
            channel_concurrency: 16,
            platform_timeout_ms: 30_000,
            metrics_schedule: crate::domain::metrics::CollectionSchedule::default(),
        }
    }

    /// Cookies get `Secure` when people reach Tongbu over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("tongbu.db").display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(file: &str, env: &[(&str, &str)]) -> anyhow::Result<Config> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_sources(toml::from_str(file)?, |k| env.get(k).cloned())
    }

    #[test]
    fn defaults_give_sqlite_in_the_data_folder_on_port_3000() {
        let c = load("", &[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/tongbu.db");
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert!(!c.secure_cookies());
    }

    #[test]
    fn environment_overrides_the_file() {
        let c = load(
            "addr = \"0.0.0.0:8080\"\ndatabase_url = \"sqlite://x.db\"",
            &[
                ("TONGBU_DATABASE_URL", "postgres://u:pw@localhost/t"),
                ("TONGBU_PUBLIC_URL", "https://t.example/"),
            ],
        )
        .unwrap();
        assert_eq!(c.addr.to_string(), "0.0.0.0:8080");
        assert_eq!(c.database_url, "postgres://u:pw@localhost/t");
        assert_eq!(c.public_url.as_deref(), Some("https://t.example"));
        assert!(c.secure_cookies());
    }

    #[test]
    fn secrets_do_not_appear_in_debug_output() {
        let c = load(
            "secret_key = \"c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=\"",
            &[("TONGBU_DATABASE_URL", "postgres://u:hunter2@localhost/t")],
        )
        .unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("c2VjcmV0"), "{debug}");
    }

    #[test]
    fn bad_values_are_explained() {
        let err = load("", &[("TONGBU_ADDR", "port 3000")]).unwrap_err();
        assert!(err.to_string().contains("TONGBU_ADDR"));
        assert!(load("unknown_key = 1", &[]).is_err());
    }
}
