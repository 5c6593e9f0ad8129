//! Types and rules shared by the server and the browser. No IO lives here:
//! everything is plain data that crosses the wire as serde types.

pub mod account;
pub mod error;
pub mod role;

pub use account::*;
pub use error::AppError;
pub use role::Role;
