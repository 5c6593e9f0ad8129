//! Metric growth of emulated posts.
//!
//! Each post gets a deterministic profile seeded from its remote id (peak
//! audience, time constant, engagement ratios); every figure follows the
//! saturating curve `peak·ratio·(1 − e^(−age/τ))`, floored. Invariants:
//! figures are zero at age 0, monotone non-decreasing in age, identical for
//! the same id and age, and reach never exceeds views.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A post's figures at one moment (platform-neutral; each platform maps them
/// to its own metric names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Total views / impressions (not unique).
    pub views: u64,
    /// Unique viewers.
    pub reach: u64,
    pub likes: u64,
    pub comments: u64,
    pub shares: u64,
    pub clicks: u64,
    pub saves: u64,
    pub quotes: u64,
    pub profile_clicks: u64,
}

struct Profile {
    peak: f64,
    tau_secs: f64,
    ratios: [f64; 8],
}

fn profile(remote_id: &str) -> Profile {
    let d = Sha256::digest(remote_id.as_bytes());
    // One byte-pair per parameter; unit() maps it to [0, 1).
    let unit = |i: usize| u16::from_be_bytes([d[2 * i], d[2 * i + 1]]) as f64 / 65536.0;
    let peak = 300.0 + unit(0) * 30_000.0;
    // Most of a post's audience arrives within a few hours to two days.
    let tau_secs = 3600.0 * (2.0 + unit(1) * 22.0);
    let span = |i: usize, lo: f64, hi: f64| lo + unit(i) * (hi - lo);
    Profile {
        peak,
        tau_secs,
        ratios: [
            span(2, 0.55, 0.85),   // reach
            span(3, 0.01, 0.06),   // likes
            span(4, 0.002, 0.01),  // comments
            span(5, 0.002, 0.015), // shares
            span(6, 0.005, 0.03),  // clicks
            span(7, 0.001, 0.008), // saves
            span(8, 0.0, 0.003),   // quotes
            span(9, 0.001, 0.006), // profile clicks
        ],
    }
}

/// The figures of the post `remote_id` at emulated age `age_secs`.
pub fn figures(remote_id: &str, age_secs: f64) -> Figures {
    let p = profile(remote_id);
    let frac = if age_secs > 0.0 {
        1.0 - (-age_secs / p.tau_secs).exp()
    } else {
        0.0
    };
    let f = |ratio: f64| (p.peak * ratio * frac).floor() as u64;
    Figures {
        views: f(1.0),
        reach: f(p.ratios[0]),
        likes: f(p.ratios[1]),
        comments: f(p.ratios[2]),
        shares: f(p.ratios[3]),
        clicks: f(p.ratios[4]),
        saves: f(p.ratios[5]),
        quotes: f(p.ratios[6]),
        profile_clicks: f(p.ratios[7]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_at_birth_monotone_and_deterministic() {
        assert_eq!(figures("123", 0.0), Figures::default());
        let mut last = Figures::default();
        for h in 1..200 {
            let f = figures("123", h as f64 * 1800.0);
            assert!(f.views >= last.views && f.likes >= last.likes && f.reach >= last.reach);
            assert!(f.reach <= f.views);
            last = f;
        }
        assert!(last.views > 0);
        assert_eq!(figures("123", 5000.0), figures("123", 5000.0));
        assert_ne!(figures("123", 1e6), figures("124", 1e6));
    }
}
