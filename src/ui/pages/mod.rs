//! One page per route.

mod areas;
mod auth;
mod home;
mod invite;
mod not_found;
mod settings;

pub use areas::{ApprovalsPage, CalendarPage, ChannelsPage, ComposePage, ReportsPage};
pub use auth::{LoginPage, SetupPage};
pub use home::HomePage;
pub use invite::InvitePage;
pub use not_found::{NotFoundPage, NotFoundView};
pub use settings::{AccountPage, SettingsPage};
