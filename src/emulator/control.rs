//! The control API under `/_emulator/`: the ledger, fault rules, the seeded
//! accounts, the emulated clock and every post, for tests, the demo and the
//! benchmarks.
//!
//! Invariants: it answers in plain JSON, never in a platform's shape, and
//! names no platform: posts come from the shared state, accounts from
//! [`DEMO`].

use super::demo::{DemoAccounts, DEMO};
use super::faults::FaultRule;
use super::host::Emulator;
use super::metrics;
use super::state::LedgerEntry;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::time::Duration;

pub(crate) fn routes() -> Router<Emulator> {
    Router::new()
        .route("/_emulator/ledger", get(ctl_ledger))
        .route(
            "/_emulator/faults",
            get(ctl_faults_list)
                .post(ctl_faults_add)
                .delete(ctl_faults_clear),
        )
        .route("/_emulator/accounts", get(ctl_accounts))
        .route("/_emulator/advance", post(ctl_advance))
        .route("/_emulator/posts", get(ctl_posts))
}

async fn ctl_ledger(AxState(emu): AxState<Emulator>) -> Json<Vec<LedgerEntry>> {
    Json(emu.ledger())
}

async fn ctl_faults_add(AxState(emu): AxState<Emulator>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultRule>(&body) {
        Ok(rule) => {
            let id = emu.inject(rule);
            Json(serde_json::json!({ "id": id })).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": e.to_string() })),
        )
            .into_response(),
    }
}

async fn ctl_faults_list(AxState(emu): AxState<Emulator>) -> Response {
    Json(emu.faults().list()).into_response()
}

async fn ctl_faults_clear(AxState(emu): AxState<Emulator>) -> StatusCode {
    emu.clear_faults();
    StatusCode::NO_CONTENT
}

async fn ctl_accounts() -> Json<DemoAccounts> {
    Json(DEMO)
}

#[derive(Deserialize)]
struct AdvanceBody {
    secs: u64,
}

async fn ctl_advance(AxState(emu): AxState<Emulator>, Json(b): Json<AdvanceBody>) -> Response {
    emu.advance(Duration::from_secs(b.secs));
    Json(serde_json::json!({ "now": emu.now() })).into_response()
}

/// Every post the emulator holds, with its current figures: handy for the
/// demo and for checking "visible" without a platform token.
async fn ctl_posts(AxState(emu): AxState<Emulator>) -> Response {
    let out: Vec<serde_json::Value> = emu.read(|st, now| {
        st.posts()
            .map(|(platform, p)| {
                let f = metrics::figures(&p.remote_id, emu.age_secs(p.created_at, now));
                serde_json::json!({
                    "platform": platform, "account": p.account, "remote_id": p.remote_id,
                    "created_at": p.created_at, "text": p.text, "figures": f,
                })
            })
            .collect()
    });
    Json(out).into_response()
}
