//! The dashboard: pages (one per route) and the components they share.

pub mod components;
pub mod format;
pub mod i18n;
pub mod pages;
pub mod session;
