//! Crash points for the crash tests. With `TONGBU_FAILPOINT=<name>` set, a
//! worker that reaches that point of a delivery prints
//! `failpoint <name> reached` on standard error and stops there, so the
//! test can `kill -9` the real process at exactly that moment:
//!
//! - `after_claim`: claimed, intent not committed yet;
//! - `after_intent`: intent committed, request not sent;
//! - `after_send`: the platform answered 2xx, the result not committed;
//! - `during_followup`: published, its follow-up (WeChat's asynchronous
//!   publish) under way.
//!
//! Unset (always, outside tests) it costs one comparison.

use std::io::Write;
use std::sync::OnceLock;

fn armed() -> Option<&'static str> {
    static NAME: OnceLock<Option<String>> = OnceLock::new();
    NAME.get_or_init(|| {
        std::env::var("TONGBU_FAILPOINT")
            .ok()
            .filter(|s| !s.is_empty())
    })
    .as_deref()
}

/// Stops the calling task forever when `name` is the armed crash point.
pub async fn hit(name: &str) {
    if armed() == Some(name) {
        let mut err = std::io::stderr();
        let _ = writeln!(err, "failpoint {name} reached");
        let _ = err.flush();
        std::future::pending::<()>().await;
    }
}
