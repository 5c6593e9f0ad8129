//! PostgreSQL, for running several Tongbu processes against one database.
//! Row locks (`FOR UPDATE`) serialise the few invariants that span rows.

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
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;

pub struct PostgresStore {
    pub(crate) pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PostgresStore { pool })
    }
}

impl PostgresStore {
    /// Row locks already order PostgreSQL's writers.
    async fn write_turn(&self) -> Option<()> {
        None
    }
}

impl_store!(
    store = PostgresStore,
    db = sqlx::Postgres,
    backend = crate::store::Backend::Postgres,
    begin_write = "BEGIN",
    lock_workspace = "SELECT id FROM workspaces WHERE id = $1 FOR UPDATE",
    // A transaction-scoped advisory lock: nothing to lock before a row exists.
    lock_setup = "SELECT pg_advisory_xact_lock(72010001)",
);

impl_content_store!(
    store = PostgresStore,
    db = sqlx::Postgres,
    begin_write = "BEGIN",
);

impl_channel_store!(
    store = PostgresStore,
    db = sqlx::Postgres,
    begin_write = "BEGIN",
);

impl_delivery_store!(
    store = PostgresStore,
    db = sqlx::Postgres,
    begin_write = "BEGIN",
    claim_sql = super::deliveries_sql::claim_postgres,
    // Conflicts with any update of the post (a person's edit, another
    // worker) but not with the key-share locks of foreign keys, so the
    // attempts and notifications other transactions insert for the post
    // do not queue behind it.
    for_update = " FOR NO KEY UPDATE",
);

impl_metric_store!(
    store = PostgresStore,
    db = sqlx::Postgres,
    begin_write = "BEGIN",
    claim_tracks = super::metrics_sql::CLAIM_TRACKS_POSTGRES,
);
