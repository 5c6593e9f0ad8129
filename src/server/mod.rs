//! Everything that only runs on the server: configuration, the HTTP router,
//! authentication, the REST API and the use cases they share.

pub mod access;
pub mod accounts;
pub mod auth;
pub mod channels;
pub mod config;
pub mod crypto;
pub mod deliveries;
pub mod demo;
pub mod error;
pub mod files;
pub mod health;
pub mod media;
pub mod posts;
pub mod reports;
pub mod request;
pub mod rest;
pub mod router;
pub mod secrets;
pub mod state;
pub mod tokens;
pub mod workspaces;

pub use state::AppState;
