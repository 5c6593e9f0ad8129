//! What every benchmark sets up the same way: a throw-away database, an
//! owner with channels connected to the emulator's demo accounts, and
//! scheduled posts written straight through the store.

use crate::domain::content::Platform;
use crate::domain::post::{MediaRef, PostContent, Variant};
use crate::domain::workflow::{ApprovalChange, PostState};
use crate::domain::{ChannelId, Role};
use crate::emulator::Emulator;
use crate::server::access::Member;
use crate::server::{accounts, channels, demo, AppState};
use crate::store::{PostHead, PostWrite};
use chrono::Utc;

/// The networks a benchmark's channels alternate between unless told
/// otherwise: text-only posts reach both.
pub const DEFAULT_NETWORKS: &[Platform] = &[Platform::X, Platform::Facebook];

/// The benchmark's owner, signed up in its own workspace, with `channels`
/// channels connected to the emulator (see [`connect_channels`]).
pub async fn owner_with_channels(
    state: &AppState,
    emulator: &Emulator,
    channels: usize,
    networks: &[Platform],
) -> anyhow::Result<(Member, Vec<ChannelId>)> {
    let (owner, ws) = accounts::provision_user(
        state,
        "bench@tongbu.invalid",
        "Benchmark",
        Role::Owner,
        "bench-password-not-secret".to_owned(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let owner = Member::resolve(state, &owner, ws.id())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let channel_ids = connect_channels(state, emulator, &owner, channels, networks).await?;
    Ok((owner, channel_ids))
}

/// A folder for the run's database, key and worker logs, removed after.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub(super) fn new() -> std::io::Result<TempDir> {
        let p =
            std::env::temp_dir().join(format!("tongbu-bench-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A throw-away database for one run: SQLite in a temporary folder, or a
/// new database on the PostgreSQL server at an admin URL, dropped after.
pub struct BenchDb {
    pub dir: TempDir,
    pub url: String,
    postgres: Option<(String, String)>,
}

impl BenchDb {
    pub async fn create(postgres_admin: Option<&str>) -> anyhow::Result<BenchDb> {
        let dir = TempDir::new()?;
        let (url, postgres) = match postgres_admin {
            Some(admin) => {
                let name = format!("tongbu_bench_{}", uuid::Uuid::new_v4().simple());
                pg_admin(admin, &format!("CREATE DATABASE {name}")).await?;
                let mut u = url::Url::parse(admin)?;
                u.set_path(&name);
                (u.to_string(), Some((admin.to_owned(), name)))
            }
            None => (
                format!("sqlite://{}", dir.path().join("bench.db").display()),
                None,
            ),
        };
        Ok(BenchDb { dir, url, postgres })
    }

    pub async fn drop(self) {
        if let Some((admin, name)) = &self.postgres {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Err(e) = pg_admin(admin, &sql).await {
                eprintln!("warning: could not drop {name}: {e}");
            }
        }
    }
}

async fn pg_admin(admin: &str, sql: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(sql).execute(&mut conn).await?;
    Ok(())
}

/// `n` channels of the emulator's demo accounts, going round `networks`;
/// every X channel gets its own token family (as separate consents give).
pub async fn connect_channels(
    state: &AppState,
    emulator: &Emulator,
    owner: &Member,
    n: usize,
    networks: &[Platform],
) -> anyhow::Result<Vec<ChannelId>> {
    anyhow::ensure!(!networks.is_empty(), "at least one network");
    let mut channel_ids = Vec::new();
    for i in 0..n {
        let platform = networks[i % networks.len()];
        let ch = channels::create_channel(
            state,
            owner,
            platform,
            &format!("bench {} {i}", platform.as_str()),
            "UTC",
            "",
            true,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        if platform == Platform::X {
            demo::connect_demo_consent(state, owner, ch.id, emulator).await
        } else {
            demo::connect_demo(state, owner, ch.id, platform).await
        }
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        channel_ids.push(ch.id);
    }
    Ok(channel_ids)
}

/// A 1×1 PNG: the cover of benchmark posts that need one (WeChat
/// articles do), stored once in the media library.
const COVER_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Stores the benchmark cover in the owner's media library.
pub async fn cover(state: &AppState, owner: &Member) -> anyhow::Result<MediaRef> {
    let mut m = crate::server::media::upload(state, owner, COVER_PNG)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    m.alt = "A cup of tea".into();
    Ok(m)
}

/// Post number `p`, scheduled on every channel for `due`; with `cover`, it
/// carries a title and that image (what every network can publish).
#[allow(clippy::too_many_arguments)]
pub async fn write_post(
    state: &AppState,
    owner: &Member,
    channel_ids: &[ChannelId],
    p: usize,
    campaign: Option<&str>,
    due: chrono::DateTime<Utc>,
    cover: Option<&MediaRef>,
) -> anyhow::Result<()> {
    let content = PostContent {
        text: format!("Benchmark post {p}"),
        title: cover.map(|_| format!("Benchmark {p}")),
        media: cover.cloned().into_iter().collect(),
        // One text per channel: the same account never sees a repeat
        // (platforms refuse duplicate content), and the audit can tell
        // every delivery's post apart.
        variants: channel_ids
            .iter()
            .map(|&c| Variant {
                channel_id: c,
                text: Some(format!("Benchmark post {p} on channel {c}")),
                ..Variant::default()
            })
            .collect(),
        ..PostContent::default()
    };
    state
        .store
        .write_post(PostWrite {
            ws: owner.ws(),
            id: None,
            expected_version: 0,
            actor: owner.id(),
            head: PostHead {
                state: PostState::Scheduled,
                campaign: campaign.map(str::to_owned),
                schedule_json: None,
                search_text: crate::domain::post::search_text(&content, campaign),
                content_json: crate::store::Json(content.clone()),
                first_due_at: Some(due),
            },
            targets: channel_ids.iter().map(|&c| (c, Some(due))).collect(),
            new_revision: true,
            approvals: ApprovalChange::Keep,
            comment: None,
            notify: Vec::new(),
            audit_action: "post.created",
            audit_detail: serde_json::json!({ "benchmark": true }),
            now: Utc::now(),
        })
        .await?;
    Ok(())
}
