//! The seeded demo accounts of every platform as one value, [`DEMO`]: the
//! tests, the demo seeding and `GET /_emulator/accounts` use it.
//!
//! Each platform module owns its account (its type and its `DEMO`
//! constant) and seeds its state from it; this file only puts them side by
//! side. Beside the registry in `mod.rs`, it is the one place that lists
//! every platform.

pub use super::bluesky::DemoBluesky;
pub use super::facebook::DemoFacebook;
pub use super::linkedin::DemoLinkedin;
pub use super::mastodon::DemoMastodon;
pub use super::wechat::DemoWechat;
pub use super::x::DemoX;
use super::{bluesky, facebook, linkedin, mastodon, wechat, x};
use serde::Serialize;

/// Every seeded account of the emulator (also served at
/// `GET /_emulator/accounts`).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DemoAccounts {
    pub wechat: DemoWechat,
    pub facebook: DemoFacebook,
    pub x: DemoX,
    pub bluesky: DemoBluesky,
    pub mastodon: DemoMastodon,
    pub linkedin: DemoLinkedin,
}

/// The fixed seeded accounts, shared by the demo seeding and the tests.
pub const DEMO: DemoAccounts = DemoAccounts {
    wechat: wechat::DEMO,
    facebook: facebook::DEMO,
    x: x::DEMO,
    bluesky: bluesky::DEMO,
    mastodon: mastodon::DEMO,
    linkedin: linkedin::DEMO,
};
