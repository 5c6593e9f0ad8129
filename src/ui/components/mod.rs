//! Pieces shared by several pages.

pub mod charts;
pub mod deliveries;
pub mod feedback;
pub mod language;
pub mod layout;
pub mod notifications;
pub mod workspace;
