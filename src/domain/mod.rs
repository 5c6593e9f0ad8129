//! Types and rules shared by the server and the browser. No IO lives here:
//! everything is plain data that crosses the wire as serde types.

pub mod account;
pub mod content;
pub mod delivery;
pub mod error;
pub mod html;
pub mod ids;
pub mod image;
pub mod metrics;
pub mod post;
pub mod reports;
pub mod role;
pub mod schedule;
pub mod workflow;

pub use account::*;
pub use error::AppError;
pub use ids::*;
pub use role::Role;
