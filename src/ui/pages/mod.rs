//! One page per route.

mod approvals;
mod auth;
mod calendar;
mod channels;
mod compose;
mod home;
mod invite;
mod not_found;
mod post;
mod reports;
mod settings;

pub use approvals::ApprovalsPage;
pub use auth::{LoginPage, SetupPage};
pub use calendar::CalendarPage;
pub use channels::ChannelsPage;
pub use compose::ComposePage;
pub use home::HomePage;
pub use invite::InvitePage;
pub use not_found::{NotFoundPage, NotFoundView};
pub use post::PostPage;
pub use reports::ReportsPage;
pub use settings::{AccountPage, SettingsPage};
