//! SQLite, the embedded default: one file in the data folder, WAL mode so
//! readers never block the writer, `synchronous=FULL` so a committed intent
//! survives power loss, and `BEGIN IMMEDIATE` for every multi-statement write
//! so concurrent writers wait on the busy timeout instead of failing.

use super::channels_sql::impl_channel_store;
use super::deliveries_sql::impl_delivery_store;
use super::metrics_sql::impl_metric_store;
use super::posts::*;
use super::posts_sql::impl_content_store;
use super::rows::*;
use super::sql::{impl_store, unique_as};
use super::{Conflict, StoreError, StoreResult};
use crate::domain::post::PostFilter;
use crate::domain::workflow::{ApprovalChange, Policy};
use crate::domain::{Role, UserId, WorkspaceId};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// SQLite has one writer. Busy writers wait in SQLite's busy handler,
    /// which sleeps in growing steps; the scheduler's writes (claims,
    /// intents, outcomes) queue here instead and go one after the other
    /// without sleeping.
    write_gate: tokio::sync::Mutex<()>,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        // A first start has no data folder yet; SQLite creates the file but
        // not the folders above it.
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(sqlx::Error::Io(e)))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore {
            pool,
            write_gate: tokio::sync::Mutex::new(()),
        })
    }
}

impl SqliteStore {
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        Some(self.write_gate.lock().await)
    }
}

impl_store!(
    store = SqliteStore,
    db = sqlx::Sqlite,
    backend = crate::store::Backend::Sqlite,
    begin_write = "BEGIN IMMEDIATE",
    // BEGIN IMMEDIATE already holds the database's single write lock.
    lock_workspace = "SELECT id FROM workspaces WHERE id = $1",
    lock_setup = "SELECT 1",
);

impl_content_store!(
    store = SqliteStore,
    db = sqlx::Sqlite,
    begin_write = "BEGIN IMMEDIATE",
);

impl_channel_store!(
    store = SqliteStore,
    db = sqlx::Sqlite,
    begin_write = "BEGIN IMMEDIATE",
);

impl_delivery_store!(
    store = SqliteStore,
    db = sqlx::Sqlite,
    begin_write = "BEGIN IMMEDIATE",
    claim_sql = super::deliveries_sql::claim_sqlite,
    for_update = "",
);

impl_metric_store!(
    store = SqliteStore,
    db = sqlx::Sqlite,
    begin_write = "BEGIN IMMEDIATE",
    claim_tracks = super::metrics_sql::CLAIM_TRACKS_SQLITE,
);
