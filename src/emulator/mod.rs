//! The platform emulator: faithful imitations of the WeChat Official
//! Account, Facebook Graph, X v2, Bluesky (AT Protocol), Mastodon and
//! LinkedIn (versioned REST) APIs on one loopback host, used by the demo,
//! the tests and the benchmarks.
//!
//! It serves the real platforms' paths (see the client/emulator contract),
//! so a client pointed at the emulator's base URL works unchanged. Beyond
//! the platform APIs it is the *oracle* of the exactly-once tests:
//! - every create request that reaches it is written to the ledger
//!   ([`LedgerEntry`]), committed or not, with the fault that was applied;
//! - faults ([`FaultRule`]) are injected per platform and account and count
//!   down `times`; they reproduce what the real platform would answer.
//!
//! Layout: each platform is one module that owns its routes, its state and
//! its demo account, and implements `host::PlatformSim`. The shared modules
//! (`host`, `state`, `faults`, `net`, `metrics`, `request`, `consent`,
//! `control`) name no platform. Only this file's registry, `PLATFORMS`,
//! and `demo.rs`, which puts the demo accounts side by side in [`DEMO`],
//! list them all: a new platform is a new module plus its entry in each
//! (and its variant of the domain's `Platform`).
//!
//! Invariants: no module here imports one that imports it back; the shared
//! modules import no platform module, and the platform modules import
//! nothing of this file.

mod bluesky;
mod consent;
mod control;
mod demo;
mod facebook;
mod faults;
mod host;
mod linkedin;
mod mastodon;
mod metrics;
mod net;
mod request;
mod state;
mod wechat;
mod x;

/// The platforms' names in the ledger and in fault rules (the domain's
/// own names).
pub use crate::domain::content::Platform as EmuPlatform;
pub use demo::{
    DemoAccounts, DemoBluesky, DemoFacebook, DemoLinkedin, DemoMastodon, DemoWechat, DemoX, DEMO,
};
pub use faults::{Fault, FaultRule, FaultScope};
pub use host::{Emulator, EmulatorOptions};
pub use metrics::Figures;
pub use net::RunningEmulator;
pub use state::LedgerEntry;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use host::AnySim;

/// Every imitated platform, in the order `/_emulator/posts` lists their
/// posts (clients may rely on it) and a remote id is looked up.
const PLATFORMS: &[&dyn AnySim] = &[
    &x::X,
    &facebook::Facebook,
    &wechat::Wechat,
    &bluesky::Bluesky,
    &mastodon::Mastodon,
    &linkedin::Linkedin,
];

impl Emulator {
    /// Builds an emulator of every platform, loading `state_file` when it
    /// exists; what the file does not hold (all of it, on a first start)
    /// is seeded with the demo accounts.
    pub fn new(opts: EmulatorOptions) -> anyhow::Result<Emulator> {
        Emulator::with_platforms(opts, PLATFORMS)
    }

    /// The emulator's routes: every platform's and `/_emulator/*`.
    ///
    /// `drop_connection` needs the connection handle that [`Emulator::serve`]
    /// provides; served any other way, that fault closes the connection
    /// after an empty 502 instead.
    pub fn router(&self) -> Router {
        PLATFORMS
            .iter()
            .fold(control::routes(), |r, p| r.merge(p.routes()))
            .layer(DefaultBodyLimit::max(32 * 1024 * 1024))
            .layer(axum::middleware::from_fn(net::connection_guard))
            .with_state(self.clone())
    }

    /// Binds `addr`, serves in the background and returns at once.
    pub async fn serve(&self, addr: std::net::SocketAddr) -> anyhow::Result<RunningEmulator> {
        net::serve(self.clone(), self.router(), addr).await
    }
}

#[cfg(test)]
mod tests {
    use super::host::PlatformSim;
    use super::*;
    use serde_json::{json, Value};

    fn with_file(path: &std::path::Path) -> Emulator {
        Emulator::new(EmulatorOptions {
            state_file: Some(path.to_owned()),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn the_state_file_has_one_key_per_platform_beside_the_shared_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("emulator.json");
        with_file(&path);
        let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let mut keys: Vec<&str> = file
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "bluesky",
                "clock_offset_ms",
                "counter",
                "facebook",
                "ledger",
                "linkedin",
                "mastodon",
                "wechat",
                "windows",
                "x"
            ]
        );
    }

    #[test]
    fn a_state_file_without_a_platform_loads_and_that_platform_is_seeded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("emulator.json");
        let now = chrono::Utc::now();
        let post = format!("{}_5", DEMO.facebook.page_id);
        let mut fb = serde_json::to_value(facebook::Facebook::seed(now)).unwrap();
        fb["posts"] = json!([{
            "id": post, "page_id": DEMO.facebook.page_id, "message": "kept", "link": null,
            "created_at": now, "published": true, "kind": "feed", "attached": [],
        }]);
        let file = json!({
            "clock_offset_ms": 3_600_000,
            "counter": 2000,
            "ledger": [],
            "wechat": serde_json::to_value(wechat::Wechat::seed(now)).unwrap(),
            "facebook": fb,
            "windows": {},
        });
        std::fs::write(&path, file.to_string()).unwrap();

        let emu = with_file(&path);
        assert!(emu.now() - chrono::Utc::now() > chrono::Duration::minutes(59));
        assert!(emu.figures(&post).is_some());
        emu.read(|st, _| {
            assert_eq!(st.counter, 2000);
            assert!(st
                .get::<x::XState>()
                .access
                .contains_key(DEMO.x.access_token));
        });
        let saved: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(saved["facebook"]["posts"][0]["message"], "kept");
        assert_eq!(saved["x"]["users"][0]["id"], DEMO.x.user_id);
    }
}
