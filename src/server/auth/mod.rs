//! Authentication: password hashing, sessions, sign-in throttling and the
//! cross-site request check.

pub mod csrf;
pub mod password;
pub mod session;
pub mod throttle;
